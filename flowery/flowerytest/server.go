// Package flowerytest is an in-process fake of Flowery Island for tests and
// examples: a real HTTP server with token registration, the order-status
// and tracking-detail endpoints over an in-memory store, sn_str for unknown
// numbers, each of Flowery's success spellings, its failure shapes, and
// fault injection.
//
//	srv := flowerytest.NewServer()
//	defer srv.Close()
//	srv.Put(flowery.OrderDetail{OrderNo: "1000025", OrderStatus: "退件"})
//	c, _ := flowery.New(srv.Config())
package flowerytest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/fault"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/internal/fakegen"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// The credentials the fake accepts.
const (
	AccountID = "AAA"
	Logistics = "BBB"
	SecretKey = "flowerytest-secret-key"
)

// Paths the fake serves.
const (
	TokenPath          = "/logistics/api/token"
	CreatePath         = "/logistics/api/orders"
	OrdersPath         = "/orders"
	TrackingDetailPath = "/logistics/api/orders_tracking_detail/list"
)

// Success spellings for Server.SuccessStyle.
const (
	// SuccessCode is {"code": "success", ...}, the document's example.
	SuccessCode = "code"
	// SuccessStatus is {"status": "success", ...}, the document's table.
	SuccessStatus = "status"
	// SuccessTrue is {"status": "true", ...}, older versions.
	SuccessTrue = "true"
)

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

// Server is a fake Flowery Island. Its exported fields may be set before the
// first request.
type Server struct {
	*httptest.Server
	fault.Injector

	// SuccessStyle is how success is spelled: SuccessCode (the default),
	// SuccessStatus or SuccessTrue.
	SuccessStyle string
	// MaxBatch refuses requests asking about more numbers; 0 gives 200.
	MaxBatch int

	// Generate, when set, answers an order number the fake was not given
	// (Put), without storing it: the order it returns, or not found for
	// false; asked by waybill, the waybill is taken for the order number.
	// Generated is one that answers any number, the same way each time,
	// for load tests over many orders.
	// Set it before the fake takes its first request, or while it serves
	// with SetGenerate.
	Generate func(orderNo string) (flowery.OrderDetail, bool)

	mu        sync.Mutex
	orders    map[string]flowery.OrderDetail
	encoded   map[string]json.RawMessage
	scans     map[string]string
	tokens    map[string]bool
	created   int
	registers int
	batches   []int
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
func (s *Server) SetGenerate(f func(orderNo string) (flowery.OrderDetail, bool)) {
	s.mu.Lock()
	s.Generate = f
	s.mu.Unlock()
}

// Generated is a Server.Generate that answers every order number with an
// order made from it: a status text of Flowery's, a waybill, a time in the
// 30 days before 2024-06-03, the same each time.
func Generated(orderNo string) (flowery.OrderDetail, bool) {
	st := fakegen.Pick(orderNo, "status", status.FloweryStatus("运输中"), "末端派件", "签收", "签收", "问题件", "退件")
	return flowery.OrderDetail{OrderNo: orderNo, ExpressNo: "CGK" + orderNo, OrderStatus: st,
		GoodsStatusTime: flowery.NewTime(fakegen.Updated(orderNo))}, true
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
	s := &Server{orders: map[string]flowery.OrderDetail{}, encoded: map[string]json.RawMessage{}, scans: map[string]string{}, tokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.HandleFunc("POST "+OrdersPath, s.query(s.ordersAnswer))
	mux.HandleFunc("POST "+TrackingDetailPath, s.query(s.detailAnswer))
	mux.HandleFunc("POST "+CreatePath, s.create)
	s.RefKeys("serial_no", "order_no", "express_no")
	s.Server = httptest.NewUnstartedServer(s.Wrap(mux, TokenPath))
	return s
}

// Config returns a client Config for the fake: its URL and credentials (the
// secret key, so the client registers a token), and millisecond retry waits
// so that tests of faults run fast.
func (s *Server) Config() flowery.Config {
	return flowery.Config{BaseURL: s.URL, AccountID: AccountID, Logistics: Logistics, SecretKey: flowery.NewSecret(SecretKey),
		Location:     wire.Jakarta{}.Location(), // what nil means, said (nil prints as UTC)
		RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
}

// Put stores orders, replacing any with the same OrderNo. Each is encoded
// once here, so that serving it costs the fake little.
func (s *Server) Put(orders ...flowery.OrderDetail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range orders {
		b, err := json.Marshal(o)
		if err != nil {
			panic("flowerytest: order " + o.OrderNo + " does not encode: " + err.Error())
		}
		s.orders[o.OrderNo] = o
		s.encoded[o.OrderNo] = b
	}
}

// Advance moves a stored order to st as of at (order_status and
// goods_status), as Flowery would, so that a Watcher sees the change, and
// adds a scan saying so. It reports false when no order has that number.
func (s *Server) Advance(orderNo string, st status.FloweryStatus, at time.Time) bool {
	s.mu.Lock()
	o, ok := s.orders[orderNo]
	var scans []flowery.Scan
	if raw := s.scans[orderNo]; raw != "" {
		_ = json.Unmarshal([]byte(raw), &scans)
	}
	s.mu.Unlock()
	if !ok {
		return false
	}
	o.OrderStatus, o.GoodsStatus, o.GoodsStatusTime = st, st, flowery.NewTime(at)
	s.Put(o)
	s.PutScans(orderNo, append(scans, flowery.Scan{Date: flowery.NewTime(at), Desc: string(st)})...)
	return true
}

// PutScans stores an order's scans, served JSON-encoded in scan_list.
func (s *Server) PutScans(orderNo string, scans ...flowery.Scan) {
	b, _ := json.Marshal(scans)
	s.mu.Lock()
	s.scans[orderNo] = string(b)
	s.mu.Unlock()
}

// RevokeTokens makes every registered token invalid.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	s.tokens = map[string]bool{}
	s.mu.Unlock()
}

// Registrations returns how many tokens the fake has registered.
func (s *Server) Registrations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registers
}

// Batches returns the size of every query the fake answered, in order.
func (s *Server) Batches() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches...)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AccountID string `json:"account_id"`
		Logistics string `json:"logistics"`
		Random    string `json:"random"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Random == "" {
		failure(w, "account_id, logistics, random and secret_key are required")
		return
	}
	if req.AccountID != AccountID || req.Logistics != Logistics || req.SecretKey != SecretKey {
		failure(w, "secret_key error")
		return
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	tok := hex.EncodeToString(raw[:])
	s.mu.Lock()
	s.tokens[tok] = true
	s.registers++
	s.mu.Unlock()
	reply(w, map[string]any{"status": "success", "data": map[string]string{"logistics": req.Logistics, "token": tok}})
}

func (s *Server) query(answer func(numbers []string, command string) (found []json.RawMessage, missing []string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ok := s.tokens[r.Header.Get("token")]
		s.mu.Unlock()
		if !ok {
			failure(w, "token invalid")
			return
		}
		var req flowery.Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			failure(w, "request body is not JSON")
			return
		}
		if req.AccountID != AccountID || req.Logistics != Logistics {
			failure(w, "account_id or logistics error")
			return
		}
		if req.Command != flowery.ByOrderNo && req.Command != flowery.ByExpressNo {
			failure(w, "command must be 1 or 2")
			return
		}
		numbers := strings.Split(req.SerialNo, ",")
		limit := s.MaxBatch
		if limit <= 0 {
			limit = 200
		}
		if req.SerialNo == "" || len(numbers) > limit {
			failure(w, "serial_no must name 1 to 200 numbers")
			return
		}
		s.mu.Lock()
		s.batches = append(s.batches, len(numbers))
		s.mu.Unlock()
		found, missing := answer(numbers, string(req.Command))
		// Written by hand around the orders encoded at Put, so that the
		// fake's own JSON work does not swamp what benchmarks measure.
		var b bytes.Buffer
		switch s.SuccessStyle {
		case SuccessStatus:
			b.WriteString(`{"status":"success"`)
		case SuccessTrue:
			b.WriteString(`{"status":"true"`)
		default:
			b.WriteString(`{"code":"success"`)
		}
		sn, _ := json.Marshal(strings.Join(missing, ","))
		b.WriteString(`,"message":"","sn_str":`)
		b.Write(sn)
		b.WriteString(`,"orders_detail":[`)
		for i, f := range found {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(f)
		}
		b.WriteString("]}\n")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		_, _ = w.Write(b.Bytes())
	}
}

// find looks an order up by order number (command 1) or waybill (command
// 2), generating one the fake was not given when Generate is set.
func (s *Server) find(number, command string) (flowery.OrderDetail, bool) {
	// (Called with s.mu held: Generate is read under it.)
	if o, ok := s.stored(number, command); ok || s.Generate == nil {
		return o, ok
	}
	o, ok := s.Generate(number)
	if ok && command != string(flowery.ByOrderNo) {
		o.ExpressNo = number
	}
	return o, ok
}

// stored looks an order up among those Put or created.
func (s *Server) stored(number, command string) (flowery.OrderDetail, bool) {
	if command == string(flowery.ByOrderNo) {
		o, ok := s.orders[number]
		return o, ok
	}
	for _, o := range s.orders {
		if o.ExpressNo == number {
			return o, true
		}
	}
	return flowery.OrderDetail{}, false
}

func (s *Server) ordersAnswer(numbers []string, command string) ([]json.RawMessage, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []json.RawMessage
	var missing []string
	for _, n := range numbers {
		if o, ok := s.find(n, command); ok {
			b, stored := s.encoded[o.OrderNo]
			if !stored {
				b, _ = json.Marshal(o) // generated
			}
			found = append(found, b)
		} else {
			missing = append(missing, n)
		}
	}
	return found, missing
}

func (s *Server) detailAnswer(numbers []string, command string) ([]json.RawMessage, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []json.RawMessage
	var missing []string
	for _, n := range numbers {
		o, ok := s.find(n, command)
		scans, has := s.scans[o.OrderNo]
		if !ok || !has {
			missing = append(missing, n)
			continue
		}
		d, _ := json.Marshal(map[string]string{"order_no": o.OrderNo, "express_no": o.ExpressNo, "scan_list": scans})
		found = append(found, d)
	}
	return found, missing
}

// Creates returns how many orders the fake has created.
func (s *Server) Creates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// create stores a new order, as Flowery's POST /logistics/api/orders does,
// assigning it a waybill number; QueryOrders then finds it.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ok := s.tokens[r.Header.Get("token")]
	s.mu.Unlock()
	if !ok {
		failure(w, "token invalid")
		return
	}
	var req struct {
		AccountID string `json:"account_id"`
		Logistics string `json:"logistics"`
		flowery.NewOrder
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		failure(w, "request body is not JSON: "+err.Error())
		return
	}
	switch {
	case req.AccountID != AccountID || req.Logistics != Logistics:
		failure(w, "account_id or logistics error")
		return
	case req.OrderNo == "" || req.Receiver.Name == "" || req.Receiver.Address == "" || req.GoodsQty <= 0:
		failure(w, "order_no, receiver and goods_qty are required")
		return
	}
	s.mu.Lock()
	_, dup := s.orders[req.OrderNo]
	s.mu.Unlock()
	if dup {
		failure(w, "order_no "+req.OrderNo+" already exists")
		return
	}
	s.mu.Lock()
	s.created++
	n := s.created
	s.mu.Unlock()
	express := fmt.Sprintf("CGKFT%010d", n)
	shipper, receiver := req.Shipper, req.Receiver
	o := flowery.OrderDetail{OrderNo: req.OrderNo, OrderType: string(req.OrderType), ExpressNo: express,
		OrderStatus: status.FloweryCollected, GoodsStatus: status.FloweryCollected, GoodsStatusTime: flowery.NewTime(time.Now()),
		Shipper: &shipper, Receiver: &receiver, GoodsNameCN: req.GoodsNameCN, GoodsNameEN: req.GoodsNameEN,
		GoodsQty: flowery.NewInt64(req.GoodsQty), Weight: flowery.NewDecimal(req.Weight), ServiceType: req.ServiceType,
		OldOrderNo: req.OldOrderNo, OldExpressNo: req.OldExpressNo}
	s.Put(o)
	detail, _ := json.Marshal(o)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(detail, &m)
	m["logistics_sn"], _ = json.Marshal(fmt.Sprintf("FT%08d", n))
	reply(w, map[string]any{"status": "success", "detail": m})
}

// failure answers as Flowery fails: {"status": "failure", "message": ...}.
func failure(w http.ResponseWriter, message string) {
	reply(w, map[string]any{"status": "failure", "message": message})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// DocumentedFailure is the document's own failure example, verbatim. It is
// not valid JSON ("orders_detail" has no value); clients must cope.
const DocumentedFailure = `{
    "status": "failure",
    "message": "错误原因",
    "orders_detail": 
}`
