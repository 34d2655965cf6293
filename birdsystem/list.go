package birdsystem

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"

	"github.com/google/go-querystring/query"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// consignmentPath is the consignment endpoint: GET lists, POST creates.
const consignmentPath = "/client/consignment"

// DefaultPageSize is the page size Consignments asks for when
// ListOptions.Limit is 0.
const DefaultPageSize = 50

// ListOptions are the filters and paging of GET /client/consignment. Zero
// fields are not sent.
type ListOptions struct {
	// Status keeps consignments in one status.
	Status status.BirdSystemStatus `url:"status,omitempty"`
	// Type keeps consignments of one type.
	Type status.BirdSystemType `url:"type,omitempty"`
	// ID keeps the consignment with this id.
	ID int64 `url:"id,omitempty"`
	// ConsignmentProductReference filters on consignment_product_reference.
	ConsignmentProductReference string `url:"consignment_product_reference,omitempty"`
	// SalesReference filters on sales_reference (销售跟踪号).
	SalesReference string `url:"sales_reference,omitempty"`
	// DeliveryReference filters on delivery_reference, the carrier's reference.
	DeliveryReference string `url:"delivery_reference,omitempty"`
	// PostCode filters on post_code (邮编).
	PostCode string `url:"post_code,omitempty"`
	// Contact filters on contact, the recipient's name.
	Contact string `url:"contact,omitempty"`
	// SalesOrderID filters on sales_order_id, the marketplace's order id
	// ("112-5539603-3130663").
	SalesOrderID string `url:"sales_order_id,omitempty"`
	// CustomIdentityReference filters on custom_identity_reference.
	CustomIdentityReference string `url:"custom_identity_reference,omitempty"`
	// Start is the offset of the first consignment of the page.
	Start int `url:"start,omitempty"`
	// Limit is the page size; 0 leaves it to BirdSystem (50), and -1 asks
	// for every matching record in one answer, as BirdSystem's own clients
	// do.
	Limit int `url:"limit,omitempty"`
	// Sort orders the listing (sort, JSON):
	// Sorts{{Property: "update_time", Direction: Descending}}.
	Sort Sorts `url:"sort,omitempty"`
	// SelectFields asks for these columns only (selectFields, joined by
	// commas); the others come back absent.
	SelectFields []string `url:"selectFields,comma,omitempty"`
	// Filter keeps the records matching every condition (filter, JSON):
	// Filters{DateFilter("update_time", GreaterThan, since)}.
	Filter Filters `url:"filter,omitempty"`
}

// ConsignmentPage is one page of consignments.
type ConsignmentPage struct {
	// Total is how many consignments match the filters, over all pages;
	// -1 when BirdSystem's answer gave no total.
	Total int `json:"total"`
	// Consignments is this page (data).
	Consignments []Consignment `json:"data"`
	// Unfit holds, verbatim, the rows of data that are not consignment
	// objects (a number, a string); the other rows are decoded.
	Unfit []json.RawMessage `json:"-"`
}

// ListConsignments returns one page of the consignments matching opts
// (GET /client/consignment); nil opts lists everything.
func (c *Client) ListConsignments(ctx context.Context, opts *ListOptions) (_ *ConsignmentPage, err error) {
	ctx, end := c.t.Start(ctx, "ListConsignments", 0)
	defer func() { end(err) }()
	if opts == nil {
		opts = &ListOptions{}
	}
	if opts.Start < 0 || opts.Limit < -1 {
		return nil, fmt.Errorf("birdsystem: Start must not be negative, nor Limit below -1 (every record): %w", status.ErrInvalidRequest)
	}
	q, err := query.Values(opts)
	if err != nil {
		return nil, err
	}
	res, err := c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: consignmentPath, Query: q, Header: c.auth.header})
	if err != nil {
		return nil, err
	}
	return c.decodePage(res, opts.Limit)
}

// decodePage decodes a list answer. An answer that is not BirdSystem's
// envelope (no data list, and no "success": false) is malformed.
//
// A page is read in one pass, each consignment by consignmentPlan; only
// when a value does not fit, or a record holds a null where its Go type has
// none, is the page decoded again record by record, keeping every odd value
// in Unfit.
func (c *Client) decodePage(res *transport.Response, limit int) (*ConsignmentPage, error) {
	if p, ok := c.decodePageFast(res, limit); ok {
		return p, nil
	}
	var env envelope[*record.Rows[Consignment]]
	if err := c.t.DecodeJSON(res, &env, "data"); err != nil {
		return nil, err
	}
	switch {
	case loginRequired(&env) || env.Success != nil && !*env.Success:
		return nil, c.refused(res, env.Message)
	}
	total := -1
	if env.Total.Valid {
		if env.Total.Int64 < 0 || env.Total.Int64 > 1<<40 {
			return nil, c.t.Error(res, "", "malformed response: total "+env.Total.String(), status.ErrMalformedResponse)
		}
		total = int(env.Total.Int64)
	}
	if env.Data == nil {
		if total == 0 && dataIsNull(res.Body) {
			// PHP's empty result: "data":null with a total of 0, an empty page.
			return &ConsignmentPage{Total: 0, Consignments: []Consignment{}}, nil
		}
		return nil, c.t.Error(res, "", "malformed response: no data list", status.ErrMalformedResponse)
	}
	return &ConsignmentPage{Total: total, Consignments: env.Data.Items, Unfit: env.Data.Unfit}, nil
}

// decodePageFast decodes a page whose every value fits, in one pass. It
// reports false when the page needs the careful decode.
func (c *Client) decodePageFast(res *transport.Response, limit int) (*ConsignmentPage, bool) {
	rows := make([]Consignment, 0, max(limit, 0)) // pre-sized: no doubling
	var env envelope[struct{}]
	rd := record.NewReader(res.Body)
	defer rd.Close()
	err := rd.Object(func(name []byte) (uint64, error) {
		switch string(name) {
		case "success":
			return 1 << 0, rd.BoolOrNull(&env.Success)
		case "message":
			return 1 << 1, rd.String(&env.Message)
		case "total":
			return 1 << 2, rd.Value(&env.Total)
		case "data":
			if rd.PeekKind() != '[' {
				return 0, errNoList // null, or no list: the careful path tells which
			}
			return 1 << 3, consignmentPlan.ReadList(rd, &rows)
		case "moduleName":
			return 1 << 4, rd.String(&env.ModuleName)
		}
		return 0, rd.Skip(name, "success", "message", "total", "data", "moduleName")
	})
	if err != nil || !rd.End() || env.Success != nil && !*env.Success || loginRequired(&env) {
		return nil, false
	}
	if len(rows) == 0 {
		// An empty page, or no data at all: the careful path tells which.
		return nil, false
	}
	total := -1
	if env.Total.Valid {
		if env.Total.Int64 < 0 || env.Total.Int64 > 1<<40 {
			return nil, false
		}
		total = int(env.Total.Int64)
	}
	return &ConsignmentPage{Total: total, Consignments: rows}, true
}

// consignmentPlan reads a consignment in one pass.
var consignmentPlan = record.NewPlan[Consignment]()

var errNoList = errors.New("birdsystem: data is not a list")

// Consignments walks every consignment matching opts, page by page from
// opts.Start, until BirdSystem's total is reached or a page comes back
// empty (or, when the answers give no total, short). Breaking out of the
// loop stops the fetching. An error ends the walk after being yielded once.
// It never yields a consignment twice and never loops: a consignment
// already yielded is skipped (offset paging shifts by one when a
// consignment is created or changes status mid-walk), and a page that
// brings none that is new ends the walk with an error matching
// status.ErrMalformedResponse.
//
//	for c, err := range client.Consignments(ctx, &birdsystem.ListOptions{Status: status.BirdSystemFinished}) {
//		if err != nil { return err }
//		fmt.Println(c.ID.Int64, c.DeliveryReference.String)
//	}
func (c *Client) Consignments(ctx context.Context, opts *ListOptions) iter.Seq2[*Consignment, error] {
	return func(yield func(*Consignment, error) bool) {
		page := ListOptions{}
		if opts != nil {
			page = *opts
		}
		if page.Limit == 0 {
			page.Limit = DefaultPageSize
		}
		seen := map[string]bool{}
		for {
			p, err := c.ListConsignments(ctx, &page)
			if err != nil {
				yield(nil, err)
				return
			}
			fresh := 0
			for i := range p.Consignments {
				k := &p.Consignments[i]
				key := identity(k)
				if seen[key] {
					continue
				}
				seen[key] = true
				fresh++
				if !yield(k, nil) {
					return
				}
			}
			if fresh == 0 && len(p.Consignments) > 0 {
				yield(nil, fmt.Errorf("birdsystem: GET %s: the page at start %d brings no consignment not already listed: %w",
					consignmentPath, page.Start, status.ErrMalformedResponse))
				return
			}
			page.Start += len(p.Consignments)
			switch {
			case len(p.Consignments) == 0:
				return
			case p.Total >= 0 && page.Start >= p.Total:
				return
			case page.Limit < 0:
				return // -1 asked for every record at once
			case p.Total < 0 && len(p.Consignments) < page.Limit:
				return // no total: a short page is the last
			}
		}
	}
}

// dataIsNull reports whether the answer's data is there, as null.
func dataIsNull(body []byte) bool {
	raw, ok := record.Lookup(body, "data")
	return ok && strings.TrimSpace(string(raw)) == "null"
}

// identity is what tells consignments apart in a walk: the id, or for a
// row without a usable one, the row's own bytes.
func identity(k *Consignment) string {
	if id := k.ID.String(); id != "" {
		return id
	}
	b, _ := json.Marshal(k)
	return "row:" + string(b)
}

// GetConsignment returns the consignment with id, through the list
// endpoint's id filter. A missing id is an error matching status.ErrNotFound.
func (c *Client) GetConsignment(ctx context.Context, id int64) (_ *Consignment, err error) {
	ctx, end := c.t.Start(ctx, "GetConsignment", 1)
	defer func() { end(err) }()
	if id <= 0 {
		return nil, fmt.Errorf("birdsystem: consignment id %d: %w", id, status.ErrInvalidRequest)
	}
	q, err := query.Values(ListOptions{ID: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	res, err := c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: consignmentPath, Query: q, Header: c.auth.header})
	if err != nil {
		return nil, err
	}
	p, err := c.decodePage(res, 1)
	if err != nil {
		return nil, err
	}
	for i := range p.Consignments {
		if p.Consignments[i].ID.Int64 == id {
			return &p.Consignments[i], nil
		}
	}
	if len(p.Unfit) > 0 {
		// A row that is not a consignment may be the one asked for.
		return nil, c.t.Error(res, "", fmt.Sprintf("malformed response: %d rows of data are not consignments", len(p.Unfit)), status.ErrMalformedResponse)
	}
	// BirdSystem answered with no consignment of that id.
	return nil, c.t.Error(res, "", "", status.ErrNotFound)
}
