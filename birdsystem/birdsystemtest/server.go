// Package birdsystemtest is an in-process fake of BirdSystem's consignment
// API for tests and examples: a real HTTP server with an in-memory store
// that honours the list filters and paging, creates consignments and
// attaches products, checks the api_key and company_id headers, answers
// errors the way BirdSystem does (HTTP 500 with "success": false), and
// injects faults.
//
//	srv := birdsystemtest.NewServer()
//	defer srv.Close()
//	srv.Put(birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished))
//	c, _ := birdsystem.New(srv.Config())
package birdsystemtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/fault"
	"github.com/ordertrack/ordertrack/internal/fakegen"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// The credentials the fake accepts.
const (
	APIKey    = "birdsystemtest-api-key"
	CompanyID = "36"
)

// Paths the fake serves.
const (
	ConsignmentPath        = "/client/consignment"
	ConsignmentProductPath = "/client/consignment-product"
	BatchUpdateStatusPath  = "/client/Consignment/Batch-Update-Status"
	CompanyListPath        = "/client/public/company-list"
	TrackingPath           = "/consignment/tracking"
)

// DeliveryServiceID is the delivery service the fake offers by default
// (the document's example, Yodel Tracked).
const DeliveryServiceID = 5867

// Fault is one injected failure (a [fault.Fault]). The next request to
// its Method and Path, naming its Ref (each "" for any; a Path of "" never
// matches a token endpoint), gets, instead of the fake's answer: Status with Body
// (ContentType, RetryAfter as set); or a wait of Delay first; or a body cut
// short (Truncate); or no answer at all (Drop); or the fake's own handling,
// a create stored, and then no answer (DropAfterServe). Queue it with
// Server.Inject.
type Fault = fault.Fault

// Forever is Fault.Times for a fault that lasts until Heal.
const Forever = fault.Forever

// Server is a fake BirdSystem. Its exported fields may be set before the
// first request.
type Server struct {
	*httptest.Server
	fault.Injector

	// DeliveryServices are the delivery services the fake accepts on create,
	// by id; nil gives DeliveryServiceID only.
	DeliveryServices map[int64]string
	// DefaultLimit is the page size when a list names none; 0 gives
	// birdsystem.DefaultPageSize (50), as BirdSystem does.
	DefaultLimit int

	// Generate, when set, answers a consignment id the fake was not given
	// (Put), asked for by the id filter (or a list filter on id), without
	// storing it: the consignment it returns, or none for false. Generated
	// is one that answers any id, the same way each time, for load tests
	// over many consignments.
	// Set it before the fake takes its first request, or while it serves
	// with SetGenerate.
	Generate func(id int64) (birdsystem.Consignment, bool)

	mu       sync.Mutex
	store    map[int64]birdsystem.Consignment
	tracking map[string][]birdsystem.CheckPoint
	nextID   int64
	creates  int
}

// Inject queues faults, in order: the first that matches a request (its
// Method, Path and Ref) answers it, once, Times times, For a while, or
// until Heal.
func (s *Server) Inject(faults ...Fault) { s.Injector.Inject(faults...) }

// Hits returns how many requests reached path ("" for every path), faults
// included.
func (s *Server) Hits(path string) int { return s.Injector.Hits(path) }

// ResetHits sets every count back to zero, empties the request log
// (Requests) and drops the queued faults.
func (s *Server) ResetHits() { s.Injector.ResetHits() }

// SetGenerate sets Generate while the fake serves (no data race with its
// requests).
func (s *Server) SetGenerate(f func(id int64) (birdsystem.Consignment, bool)) {
	s.mu.Lock()
	s.Generate = f
	s.mu.Unlock()
}

// NewServer starts a fake with an empty store, on a loopback port of its
// own. Close it when done.
func NewServer() *Server {
	s := newServer()
	s.Server.Start()
	return s
}

// NewServerAt starts a fake with an empty store listening on addr
// ("127.0.0.1:18081"): the fixed address a process of its own serves it
// on (examples/fakes). Close it when done.
func NewServerAt(addr string) (*Server, error) {
	s := newServer()
	if err := fault.StartAt(s.Server, addr); err != nil {
		return nil, err
	}
	return s, nil
}

func newServer() *Server {
	s := &Server{store: map[int64]birdsystem.Consignment{}, tracking: map[string][]birdsystem.CheckPoint{}, nextID: 2010290360000100}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+BatchUpdateStatusPath, s.auth(s.updateStatus))
	mux.HandleFunc("GET "+CompanyListPath, s.companies)
	mux.HandleFunc("GET "+TrackingPath, s.auth(s.trackingHistory))
	mux.HandleFunc("GET "+ConsignmentPath, s.auth(s.list))
	mux.HandleFunc("POST "+ConsignmentPath, s.auth(s.create))
	mux.HandleFunc("POST "+ConsignmentProductPath, s.auth(s.addProduct))
	s.RefKeys("id", "ids", "value", "sales_reference", "consignment_id", "tracking_references")
	s.Server = httptest.NewUnstartedServer(s.Wrap(mux))
	return s
}

// Config returns a client Config for the fake: its URL and credentials, and
// millisecond retry waits so that tests of faults run fast.
func (s *Server) Config() birdsystem.Config {
	return birdsystem.Config{BaseURL: s.URL, APIKey: birdsystem.NewSecret(APIKey), CompanyID: CompanyID,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
}

// Consignment returns a LOCAL consignment shaped like the document's
// example, with the given id and status. A FINISHED one carries a
// delivery reference ("JJD" and its id), as a dispatched consignment does.
func Consignment(id int64, st status.BirdSystemStatus) birdsystem.Consignment {
	c := birdsystem.Consignment{
		ID: wire.NewInt64(id), CompanyID: wire.NewInt64(36), ClientID: wire.NewInt64(47), WarehouseID: wire.NewInt64(80),
		Type: status.BirdSystemLocal, Status: st,
		DeliveryServiceName: wire.NewString("Yodel Tracked(特惠)"), DeliveryServiceID: wire.NewInt64(DeliveryServiceID),
		ConsignmentProductQuantity: wire.Int64{Int64: 1, Valid: true, Quoted: true},
		TotalPrice:                 wire.NewDecimal("0.00"), TotalHandlingFee: wire.NewDecimal("2.00"),
		Contact: wire.NewString("Heather Howe"), AddressLine1: wire.NewString("3 Clun Close"), City: wire.NewString("Telford"),
		County: wire.NewString("Shropshire"), PostCode: wire.NewString("tf13hx"), CountryISO: wire.NewString("GB"),
		CreateTime:  wire.NewTime[wire.London](time.Date(2020, 10, 29, 12, 9, 31, 0, time.UTC)),
		UpdateTime:  wire.NewTime[wire.London](time.Date(2020, 10, 29, 14, 5, 50, 0, time.UTC)),
		PrimaryKeys: []string{"id"}, CountryName: wire.NewString("UNITED KINGDOM"), CurrencyCode: wire.NewString("CNY"),
	}
	if st == status.BirdSystemFinished {
		// A dispatched consignment has the carrier's reference.
		c.DeliveryReference = wire.NewString("JJD" + strconv.FormatInt(id, 10))
	}
	return c
}

// Put stores consignments, replacing any with the same id.
func (s *Server) Put(cs ...birdsystem.Consignment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		s.store[c.ID.Int64] = c
	}
}

// Advance moves a stored consignment to st as of at, as the warehouse
// would, so that a Watcher sees the change: a FINISHED one gets its
// delivery reference, and its tracking history a check point. It reports
// false when no consignment has that id.
func (s *Server) Advance(id int64, st status.BirdSystemStatus, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.store[id]
	if !ok {
		return false
	}
	c.Status, c.UpdateTime = st, wire.NewTime[wire.London](at)
	if st == status.BirdSystemFinished {
		if !c.DeliveryReference.Valid {
			c.DeliveryReference = wire.NewString("JJD" + strconv.FormatInt(id, 10))
		}
		c.FinishTime = wire.NewTime[wire.London](at)
	}
	s.store[id] = c
	if ref := c.DeliveryReference.String; ref != "" {
		s.tracking[ref] = append(s.tracking[ref], birdsystem.CheckPoint{
			CreateTime: birdsystem.Time{Raw: at.UTC().Format(time.RFC3339), Time: at, Valid: true}, CurrentStatus: st, Note: wire.NewString(st.Description())})
	}
	return true
}

// Get returns the stored consignment with id.
func (s *Server) Get(id int64) (birdsystem.Consignment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.store[id]
	return c, ok
}

// Creates returns how many consignments the fake has created.
func (s *Server) Creates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates
}

func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("api_key") != APIKey || r.Header.Get("company_id") != CompanyID {
			reply(w, http.StatusUnauthorized, map[string]any{"success": false, "message": birdsystem.LoginRequired})
			return
		}
		next(w, r)
	}
}

// filters maps each documented filter to the field it compares.
var filters = map[string]func(c *birdsystem.Consignment) string{
	"status":                        func(c *birdsystem.Consignment) string { return string(c.Status) },
	"type":                          func(c *birdsystem.Consignment) string { return string(c.Type) },
	"id":                            func(c *birdsystem.Consignment) string { return c.ID.String() },
	"consignment_product_reference": func(c *birdsystem.Consignment) string { return c.ConsignmentProductReference.String },
	"sales_reference":               func(c *birdsystem.Consignment) string { return c.SalesReference.String },
	"delivery_reference":            func(c *birdsystem.Consignment) string { return c.DeliveryReference.String },
	"post_code":                     func(c *birdsystem.Consignment) string { return c.PostCode.String },
	"contact":                       func(c *birdsystem.Consignment) string { return c.Contact.String },
	"sales_order_id":                func(c *birdsystem.Consignment) string { return c.SalesOrderID.String },
	"custom_identity_reference":     func(c *birdsystem.Consignment) string { return c.CustomIdentityReference.String },
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err1 := intParam(q, "start", 0)
	limit, err2 := intParam(q, "limit", s.DefaultLimit)
	if err1 != nil || err2 != nil {
		refuse(w, "start and limit must be numbers")
		return
	}
	all := limit == -1 // every record at once
	if limit <= 0 {
		limit = birdsystem.DefaultPageSize
	}
	var conds []birdsystem.Filter
	var sorts []birdsystem.Sort
	if f := q.Get("filter"); f != "" && json.Unmarshal([]byte(f), &conds) != nil {
		refuse(w, "filter is not a JSON list of conditions")
		return
	}
	if f := q.Get("sort"); f != "" && json.Unmarshal([]byte(f), &sorts) != nil {
		refuse(w, "sort is not a JSON list of {property, direction}")
		return
	}
	s.mu.Lock()
	var match []birdsystem.Consignment
	var why string
	simple := func(c *birdsystem.Consignment) bool {
		for name, field := range filters {
			if v := q.Get(name); v != "" && field(c) != v {
				return false
			}
		}
		return true
	}
	for _, c := range s.generated(q.Get("id"), conds) {
		if ok, _ := matches(&c, conds); ok && simple(&c) {
			match = append(match, c)
		}
	}
	for _, c := range s.store {
		ok := simple(&c)
		if ok {
			ok, why = matches(&c, conds)
			if why != "" {
				break
			}
		}
		if ok {
			match = append(match, c)
		}
	}
	s.mu.Unlock()
	if why != "" {
		refuse(w, why)
		return
	}
	sort.Slice(match, func(i, j int) bool { return match[i].ID.Int64 < match[j].ID.Int64 })
	if len(sorts) > 0 {
		// Each record's sort columns read once, not at every comparison.
		keys := make([][]string, len(match))
		for i := range match {
			col := columnsOf(&match[i])
			keys[i] = make([]string, len(sorts))
			for k, so := range sorts {
				keys[i][k] = col(so.Property)
			}
		}
		order := make([]int, len(match))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(i, j int) bool { return before(keys[order[i]], keys[order[j]], sorts) })
		sorted := make([]birdsystem.Consignment, len(match))
		for i, o := range order {
			sorted[i] = match[o]
		}
		match = sorted
	}
	if all {
		limit = len(match)
	}
	page := []birdsystem.Consignment{}
	if start < len(match) {
		page = match[start:min(start+limit, len(match))]
	}
	reply(w, http.StatusOK, map[string]any{"total": len(match), "data": page, "success": true, "moduleName": "client"})
}

// generated returns the consignments Generate makes for the ids a listing
// names (the id parameter, a list filter on id) that the store lacks.
func (s *Server) generated(id string, conds []birdsystem.Filter) []birdsystem.Consignment {
	if s.Generate == nil {
		return nil
	}
	ids := []string{id}
	for _, f := range conds {
		if f.Type == "list" && f.Field == "id" {
			if values, ok := f.Value.([]any); ok {
				for _, v := range values {
					ids = append(ids, fmt.Sprint(v))
				}
			}
		}
	}
	var out []birdsystem.Consignment
	seen := map[int64]bool{}
	for _, text := range ids {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n <= 0 || seen[n] {
			continue
		}
		seen[n] = true
		if _, stored := s.store[n]; stored {
			continue
		}
		if c, ok := s.Generate(n); ok {
			out = append(out, c)
		}
	}
	return out
}

// Generated is a Server.Generate that answers every id with a consignment
// made from it (Consignment, in a status chosen by the id), the same each
// time.
func Generated(id int64) (birdsystem.Consignment, bool) {
	ref := strconv.FormatInt(id, 10)
	st := fakegen.Pick(ref, "status", status.BirdSystemPreparing, status.BirdSystemPending, status.BirdSystemPicking,
		status.BirdSystemProcessing, status.BirdSystemFinished, status.BirdSystemFinished, status.BirdSystemProblem)
	c := Consignment(id, st)
	c.UpdateTime = birdsystem.NewTime(fakegen.Updated(ref))
	return c, true
}

// column returns a consignment's field by its JSON name, as text: a
// string's value, a number's digits; "" for null or absent.

// columnsOf returns c's columns by their wire names, encoding c once for
// all of them (a filter and a sort ask for many, for every record).
func columnsOf(c *birdsystem.Consignment) func(name string) string {
	b, _ := json.Marshal(c)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	return func(name string) string {
		raw, ok := m[name]
		if !ok || string(raw) == "null" {
			return ""
		}
		var str string
		if json.Unmarshal(raw, &str) == nil {
			return str
		}
		return string(raw)
	}
}

// matches reports whether c meets every condition of a filter parameter
// ({"type":"list"|"numeric"|"date", ...}); why is the refusal of a
// condition BirdSystem would not take.
func matches(c *birdsystem.Consignment, conds []birdsystem.Filter) (ok bool, why string) {
	if len(conds) == 0 {
		return true, ""
	}
	col := columnsOf(c)
	for _, f := range conds {
		v := col(f.Field)
		switch f.Type {
		case "list":
			values, isList := f.Value.([]any)
			if !isList {
				return false, "a list filter's value is a list"
			}
			in := false
			for _, x := range values {
				if fmt.Sprint(x) == v {
					in = true
				}
			}
			if !in {
				return false, ""
			}
		case "numeric", "date":
			want := fmt.Sprint(f.Value)
			var cmp int
			if f.Type == "numeric" {
				a, err1 := strconv.ParseFloat(v, 64)
				b, err2 := strconv.ParseFloat(want, 64)
				if err2 != nil {
					return false, "a numeric filter's value is a number"
				}
				if err1 != nil {
					return false, ""
				}
				cmp = compareFloat(a, b)
			} else {
				if _, err := time.Parse(time.DateOnly, want); err != nil {
					return false, "a date filter's value is a date (2021-05-17)"
				}
				if v == "" {
					return false, ""
				}
				cmp = strings.Compare(v, want) // "2021-05-17 10:00:00" is after "2021-05-17"
			}
			switch f.Comparison {
			case birdsystem.GreaterThan:
				if cmp <= 0 {
					return false, ""
				}
			case birdsystem.LessThan:
				if cmp >= 0 {
					return false, ""
				}
			default:
				return false, "a comparison is gt or lt"
			}
		default:
			return false, "a filter's type is list, numeric or date"
		}
	}
	return true, ""
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// before reports whether a sorts before b by the sort parameter: each
// property in turn, numbers by value and text as text, ASC unless DESC.
func before(a, b []string, sorts []birdsystem.Sort) bool {
	for k, s := range sorts {
		x, y := a[k], b[k]
		cmp := strings.Compare(x, y)
		if fx, err := strconv.ParseFloat(x, 64); err == nil {
			if fy, err := strconv.ParseFloat(y, 64); err == nil {
				cmp = compareFloat(fx, fy)
			}
		}
		if s.Direction == birdsystem.Descending {
			cmp = -cmp
		}
		if cmp != 0 {
			return cmp < 0
		}
	}
	return false
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(r)
	if err != nil {
		refuse(w, err.Error())
		return
	}
	for _, f := range []string{"delivery_service_id", "contact", "address_line1", "city", "country_iso"} {
		if form.Get(f) == "" {
			refuse(w, f+" is required")
			return
		}
	}
	dsID, err := strconv.ParseInt(form.Get("delivery_service_id"), 10, 64)
	services := s.DeliveryServices
	if services == nil {
		services = map[int64]string{DeliveryServiceID: "Yodel Tracked(特惠)"}
	}
	name, ok := services[dsID]
	if err != nil || !ok {
		refuse(w, "Delivery service is not available for this warehouse and country")
		return
	}
	typ := status.BirdSystemType(form.Get("type"))
	if typ == "" {
		typ = status.BirdSystemLocal
	}
	now := time.Now()
	c := birdsystem.Consignment{
		Type: typ, Status: status.BirdSystemPreparing, DeliveryServiceID: wire.NewInt64(dsID), DeliveryServiceName: wire.NewString(name),
		CompanyID: wire.NewInt64(36), ConsignmentProductQuantity: wire.Int64{Valid: true, Quoted: true},
		CreateTime: wire.NewTime[wire.London](now), UpdateTime: wire.NewTime[wire.London](now), PrimaryKeys: []string{"id"},
	}
	text := map[string]*wire.String{"contact": &c.Contact, "business_name": &c.BusinessName, "address_line1": &c.AddressLine1,
		"address_line2": &c.AddressLine2, "address_line3": &c.AddressLine3, "city": &c.City, "county": &c.County,
		"post_code": &c.PostCode, "country_iso": &c.CountryISO, "telephone": &c.Telephone, "email": &c.Email,
		"sales_reference": &c.SalesReference, "custom_identity_reference": &c.CustomIdentityReference,
		"special_instruction": &c.SpecialInstruction, "neighbour_instruction": &c.NeighbourInstruction}
	for k, p := range text {
		if v := form.Get(k); v != "" {
			*p = wire.NewString(v)
		}
	}
	c.IsUrgent = wire.Int64{Int64: 0, Valid: true, Quoted: true}
	if form.Get("is_urgent") == "1" {
		c.IsUrgent.Int64 = 1
	}
	s.mu.Lock()
	c.ID = wire.NewInt64(s.nextID)
	s.nextID++
	s.store[c.ID.Int64] = c
	s.creates++
	s.mu.Unlock()
	// BirdSystem answers a create with the id as a string.
	reply(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{"id": c.ID.String(), "status": c.Status}})
}

func (s *Server) addProduct(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(r)
	if err != nil {
		refuse(w, err.Error())
		return
	}
	cid, err1 := strconv.ParseInt(form.Get("consignment_id"), 10, 64)
	qty, err2 := strconv.ParseInt(form.Get("quantity"), 10, 64)
	pt := form.Get("product_type")
	if err1 != nil || err2 != nil || qty <= 0 || form.Get("product_id") == "" || (pt != "NORMAL" && pt != "DIRECTIONAL") {
		refuse(w, "product_id, consignment_id, product_type and quantity are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.store[cid]
	if !ok {
		refuse(w, "Consignment not found")
		return
	}
	c.ConsignmentProductQuantity.Int64 += qty
	c.ConsignmentProductQuantity.Valid = true
	if c.Status == status.BirdSystemPreparing {
		c.Status = status.BirdSystemPending
	}
	c.UpdateTime = wire.NewTime[wire.London](time.Now())
	s.store[cid] = c
	reply(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{"consignment_id": strconv.FormatInt(cid, 10)}})
}

// readForm reads a create's body: form-encoded or JSON, by Content-Type.
func readForm(r *http.Request) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	// Numbers stay their digits: ids pass 2^53.
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	form := url.Values{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case json.Number:
			form.Set(k, v.String())
		case bool:
			form.Set(k, strconv.FormatBool(v))
		}
	}
	return form, nil
}

func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

// PutCheckPoints stores the tracking history of a tracking reference,
// oldest first, for TrackingHistory.
func (s *Server) PutCheckPoints(ref string, cps ...birdsystem.CheckPoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracking[ref] = append(s.tracking[ref], cps...)
}

// updateStatus confirms (PENDING) or cancels (CANCELLED) consignments.
func (s *Server) updateStatus(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(r)
	if err != nil {
		refuse(w, err.Error())
		return
	}
	st := status.BirdSystemStatus(form.Get("status"))
	if st != status.BirdSystemPending && st != status.BirdSystemCancelled {
		refuse(w, "status must be PENDING or CANCELLED")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, f := range strings.Split(form.Get("ids"), ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if _, ok := s.store[id]; err != nil || !ok {
			refuse(w, "Consignment not found: "+f)
			return
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		c := s.store[id]
		c.Status, c.UpdateTime = st, wire.NewTime[wire.London](time.Now())
		s.store[id] = c
	}
	reply(w, http.StatusOK, map[string]any{"success": true, "message": ""})
}

// companies lists the fake's one company.
func (s *Server) companies(w http.ResponseWriter, _ *http.Request) {
	reply(w, http.StatusOK, map[string]any{"success": true, "data": []map[string]string{{"id": CompanyID, "site_name": "birdsystemtest"}}})
}

// trackingHistory answers with the stored check points of each reference,
// in the newest documented shape.
func (s *Server) trackingHistory(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data := map[string]any{}
	for _, ref := range strings.Split(r.URL.Query().Get("tracking_references"), ",") {
		if cps, ok := s.tracking[ref]; ok {
			data[ref] = map[string]any{"destination_country": "GB", "check_points": cps}
		}
	}
	if len(data) == 0 {
		reply(w, http.StatusOK, map[string]any{"success": false, "data": []any{}, "message": birdsystem.InvalidTrackReference})
		return
	}
	reply(w, http.StatusOK, map[string]any{"success": true, "data": data, "message": []any{}})
}

// refuse answers the way BirdSystem refuses a request: HTTP 500 with
// "success": false and a message.
func refuse(w http.ResponseWriter, message string) {
	reply(w, http.StatusInternalServerError, map[string]any{"success": false, "message": message})
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
