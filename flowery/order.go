package flowery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/status"
)

// ordersPath is the order status endpoint (订单状态).
const ordersPath = "/orders"

// QueryBy says what the numbers asked about are: the request's command.
type QueryBy string

// The commands.
const (
	// ByOrderNo is 按订单编号查询: by the customer's order number.
	ByOrderNo QueryBy = "1"
	// ByExpressNo is 按运单编号查询: by the waybill number.
	ByExpressNo QueryBy = "2"
)

// Request is the body of POST /orders and of the tracking-detail endpoint
// (Request对象).
type Request struct {
	// AccountID is account_id, 客户ID.
	AccountID string `json:"account_id"`
	// Logistics is 所选物流, the logistics channel.
	Logistics string `json:"logistics"`
	// SerialNo is serial_no: the numbers asked about, joined by ",".
	SerialNo string `json:"serial_no"`
	// Command is 1 (by order number) or 2 (by waybill number).
	Command QueryBy `json:"command"`
}

// OrderDetail is one order's status (OrderDetail对象).
type OrderDetail struct {
	// OrderStatus is order_status, 订单状态 (退件, Updating).
	OrderStatus status.FloweryStatus `json:"order_status"`
	// OrderType is order_type, 订单类型 ("1").
	OrderType string `json:"order_type"`
	// OrderNo is order_no, 订单号: the customer's order number.
	OrderNo string `json:"order_no"`
	// ExpressNo is express_no, 运单号: the waybill number.
	ExpressNo string `json:"express_no"`
	// GoodsStatus is goods_status, 最新货态: the latest cargo status (拒收).
	GoodsStatus status.FloweryStatus `json:"goods_status"`
	// GoodsStatusTime is goods_status_time, 最新货态时间.
	GoodsStatusTime Time `json:"goods_status_time"`
	// LatestScanStatus is latest_scan_status, 最新扫描状态 (末端派件).
	LatestScanStatus status.FloweryStatus `json:"latest_scan_status"`
	// Shipper is the sender.
	Shipper *Party `json:"shipper"`
	// Receiver is the recipient.
	Receiver *Party `json:"receiver"`
	// GoodsNameCN is goods_name_cn, 中文品名: "name_qty&name_qty" in
	// Chinese; ItemsCN parses it.
	GoodsNameCN string `json:"goods_name_cn"`
	// GoodsNameEN is goods_name_en, 英文名称: "name_qty&name_qty" in
	// English; ItemsEN parses it.
	GoodsNameEN string `json:"goods_name_en"`
	// GoodsQty is goods_qty, 商品汇总数量: the total quantity.
	GoodsQty Int64 `json:"goods_qty"`
	// Weight is weight, 订单重量, kept as written.
	Weight Decimal `json:"weight"`
	// BillingWeight is billing_weight, 计费重量, kept as written.
	BillingWeight Decimal `json:"billing_weight,omitzero"`
	// CODAmount is cod_amount, COD代收款金额: cash to collect on delivery.
	CODAmount Money `json:"cod_amount"`
	// InsuranceAmount is insurance_amount, 保险金额.
	InsuranceAmount Money `json:"insurance_amount"`
	// CollectAmount is collect_amount, 到付运费金额: freight to collect.
	CollectAmount Money `json:"collect_amount"`
	// ServiceType is service_type, 服务类型 ("1").
	ServiceType string `json:"service_type"`
	// SenderOrderTime is sender_order_time, 寄件时间: when it was sent.
	SenderOrderTime Time `json:"sender_order_time"`
	// OldOrderNo is old_order_no, 原始订单号: the original order number.
	OldOrderNo string `json:"old_order_no"`
	// OldExpressNo is old_express_no, 原始运单号: the original waybill.
	OldExpressNo string `json:"old_express_no"`
	// ReturnReason is return_reason, 退件原因.
	ReturnReason NullString `json:"return_reason,omitzero"`
	// ReturnDetail is return_detail, 退件详情.
	ReturnDetail NullString `json:"return_detail,omitzero"`
	// ProblemReason is problem_reason, 问题件原因.
	ProblemReason NullString `json:"problem_reason,omitzero"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *OrderDetail) UnmarshalJSON(b []byte) error {
	type plain OrderDetail
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r OrderDetail) MarshalJSON() ([]byte, error) {
	type plain OrderDetail
	return record.Encode(plain(r), r.Unfit)
}

// Party is a shipper or receiver.
type Party struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Postcode string `json:"postcode"`
	Mobile   string `json:"mobile"`
	Phone    string `json:"phone"`
	Country  string `json:"country"`
	// Province is prov.
	Province string `json:"prov"`
	City     string `json:"city"`
	Area     string `json:"area"`
	Address  string `json:"address"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *Party) UnmarshalJSON(b []byte) error {
	type plain Party
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r Party) MarshalJSON() ([]byte, error) {
	type plain Party
	return record.Encode(plain(r), r.Unfit)
}

// Money is an amount (Price): {"value": 1, "uint": "IDR"}. Flowery spells
// the unit's key "uint" in this endpoint and "unit" elsewhere; both are
// read, and the spelling received is the one written back ("uint", this
// endpoint's, for a Money built in code). The first version of Flowery's
// doc sends a bare number (1) or numeric string instead: that is read as
// the value, with no unit, and written back bare.
type Money struct {
	// Value is the amount, kept as written.
	Value Decimal
	// Unit is the currency, IDR.
	Unit string
	// Valid is false when the amount was null or absent.
	Valid bool
	// spelledUnit reports that the unit arrived under "unit".
	spelledUnit bool
	// bare reports that the amount arrived as a bare number or string.
	bare bool
}

// NewMoney returns a valid amount, its value written as a JSON number when
// it is one ("150000.00") and as a string otherwise.
func NewMoney(value, unit string) Money {
	d := Decimal{Text: value, Valid: true, Quoted: !json.Valid([]byte(value))}
	return Money{Value: d, Unit: unit, Valid: true}
}

// UnmarshalJSON reads {"value", "uint"} or {"value", "unit"}, a bare
// number or string, or null.
func (m *Money) UnmarshalJSON(b []byte) error {
	*m = Money{}
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] != '{' {
		if err := m.Value.UnmarshalJSON(b); err != nil {
			return err
		}
		m.Valid, m.bare = true, true
		return nil
	}
	var v struct {
		Value Decimal `json:"value"`
		Uint  *string `json:"uint"`
		Unit  *string `json:"unit"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	m.Value, m.Valid = v.Value, true
	switch {
	case v.Unit != nil:
		m.Unit, m.spelledUnit = *v.Unit, true
	case v.Uint != nil:
		m.Unit = *v.Uint
	}
	return nil
}

// MarshalJSON writes the amount with the unit's key as it arrived; a Money
// with nothing in it is null.
func (m Money) MarshalJSON() ([]byte, error) {
	if !m.Valid && !m.Value.Valid && m.Unit == "" {
		return []byte("null"), nil
	}
	if m.bare && m.Unit == "" {
		return m.Value.MarshalJSON()
	}
	value, err := m.Value.MarshalJSON()
	if err != nil {
		return nil, err
	}
	unit, _ := json.Marshal(m.Unit)
	key := `,"uint":`
	if m.spelledUnit {
		key = `,"unit":`
	}
	var b bytes.Buffer
	b.WriteString(`{"value":`)
	b.Write(value)
	b.WriteString(key)
	b.Write(unit)
	b.WriteString("}")
	return b.Bytes(), nil
}

// String returns "1 IDR".
func (m Money) String() string {
	if !m.Valid {
		return ""
	}
	return strings.TrimSpace(m.Value.Text + " " + m.Unit)
}

// Item is one entry of goods_name_cn or goods_name_en.
type Item struct {
	// Name is the goods' name; it may contain "_".
	Name string
	// Quantity is the number after the last "_"; 0 when there is none.
	Quantity int64
}

// ParseItems splits Flowery's "name_qty&name_qty" text into items. The
// quantity follows the last "_", so a name may contain "_"; an entry with
// no numeric quantity is kept whole as the name, with Quantity 0.
func ParseItems(s string) []Item {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "&")
	items := make([]Item, 0, len(parts))
	for _, p := range parts {
		if p == "" {
			continue
		}
		if i := strings.LastIndexByte(p, '_'); i >= 0 {
			if q, err := strconv.ParseInt(p[i+1:], 10, 64); err == nil && q >= 0 {
				items = append(items, Item{Name: p[:i], Quantity: q})
				continue
			}
		}
		items = append(items, Item{Name: p})
	}
	return items
}

// ItemsCN parses GoodsNameCN.
func (d *OrderDetail) ItemsCN() []Item { return ParseItems(d.GoodsNameCN) }

// ItemsEN parses GoodsNameEN.
func (d *OrderDetail) ItemsEN() []Item { return ParseItems(d.GoodsNameEN) }

// QueryResult merges the answers to every batch of a query.
type QueryResult struct {
	// Orders are the orders found, in the order their numbers were asked
	// about; an order Flowery returns under a number not asked about comes
	// last.
	Orders []OrderDetail
	// NotFound are the numbers no order came back for, in the order asked
	// (Flowery's sn_str names them).
	NotFound []string
	// Unfit holds, verbatim, the entries of orders_detail that are not
	// order objects. When it is not empty, a number in NotFound may be
	// among them.
	Unfit []json.RawMessage
}

// QueryOrders asks for the status of the orders with the given numbers:
// customer order numbers (ByOrderNo) or waybill numbers (ByExpressNo). The
// numbers are sent in batches of Config.BatchSize, at most
// Config.Concurrency batches at once, and the answers merged. Repeated
// numbers are asked about once. A number that is empty or contains a comma
// (Flowery's separator) is refused before anything is sent.
func (c *Client) QueryOrders(ctx context.Context, by QueryBy, refs ...string) (_ *QueryResult, err error) {
	ctx, end := c.t.Start(ctx, "QueryOrders", len(refs))
	defer func() { end(err) }()
	refs, batches, err := query[OrderDetail](ctx, c, c.orders, by, refs, true, nil)
	if err != nil {
		return nil, err
	}
	if err := firstError(batches); err != nil {
		return nil, err
	}
	return merge(by, refs, batches), nil
}

// batch is one request of a query: the numbers it asked about, and its
// answer or its error.
type batch[T any] struct {
	refs   []string
	answer *Response[T]
	err    error
	// snaps are the answer's orders as snapshots, one per order, when the
	// query was given a snap function.
	snaps []status.Snapshot
}

// query checks refs, drops repeats, and posts them to path in batches,
// decoding each answer's orders_detail as T; it returns the refs asked
// about and every batch's outcome. Its error is only for refs refused
// before anything was sent. With stopEarly, the first failed batch stops
// the others (all or nothing); without it, every batch is asked and keeps
// its own outcome, and a batch that never started because ctx ended has
// ctx's error. snap, when not nil, makes each order's snapshot as soon as
// its batch is read, while other batches are still on their way.
func query[T any](ctx context.Context, c *Client, ep endpoint, by QueryBy, refs []string, stopEarly bool,
	snap func(*T) status.Snapshot) ([]string, []batch[T], error) {
	refs, err := c.checkRefs(ctx, by, refs)
	if err != nil {
		return nil, nil, err
	}
	batches := c.batches(refs)
	out := make([]batch[T], len(batches))
	for i, b := range batches {
		out[i].refs = b
	}
	run := func(ctx context.Context, i int) error {
		var r Response[T]
		if err := post(ctx, c, ep, by, out[i].refs, &r); err != nil {
			out[i].err = err
			if stopEarly {
				return err
			}
			return nil
		}
		out[i].answer = &r
		if snap != nil {
			out[i].snaps = make([]status.Snapshot, len(r.OrdersDetail))
			for j := range r.OrdersDetail {
				out[i].snaps[j] = snap(&r.OrdersDetail[j])
			}
		}
		return nil
	}
	if len(out) == 1 {
		if err := ctx.Err(); err != nil {
			out[0].err = err
		} else {
			_ = run(ctx, 0)
		}
		return refs, out, nil
	}
	_ = fanout.Each(ctx, len(out), c.cfg.Concurrency, run)
	for i := range out {
		if out[i].answer == nil && out[i].err == nil {
			out[i].err = ctx.Err()
			if out[i].err == nil {
				out[i].err = errStopped
			}
		}
	}
	return refs, out, nil
}

// errStopped marks a batch not sent because another batch failed first.
var errStopped = errors.New("flowery: batch not sent: another batch failed first")

// firstError returns the first failed batch's error, in batch order,
// preferring a real failure over a batch stopped because of it.
func firstError[T any](batches []batch[T]) error {
	var stopped error
	for _, b := range batches {
		switch {
		case b.err == nil:
		case errors.Is(b.err, errStopped) || errors.Is(b.err, context.Canceled):
			if stopped == nil {
				stopped = b.err
			}
		default:
			return b.err
		}
	}
	return stopped
}

// merge puts the orders of every batch in request order.
func merge(by QueryBy, refs []string, batches []batch[OrderDetail]) *QueryResult {
	key := func(d *OrderDetail) string { return number(by, d.OrderNo, d.ExpressNo, d.Unfit) }
	found := map[string][]OrderDetail{}
	var extra []OrderDetail
	asked := make(map[string]bool, len(refs))
	for _, r := range refs {
		asked[r] = true
	}
	for _, b := range batches {
		for _, d := range b.answer.OrdersDetail {
			if k := key(&d); asked[k] {
				found[k] = append(found[k], d)
			} else {
				extra = append(extra, d)
			}
		}
	}
	res := &QueryResult{Orders: make([]OrderDetail, 0, len(refs))}
	for _, r := range refs {
		if ds, ok := found[r]; ok {
			res.Orders = append(res.Orders, ds...)
		} else {
			res.NotFound = append(res.NotFound, r)
		}
	}
	res.Orders = append(res.Orders, extra...)
	for _, b := range batches {
		res.Unfit = append(res.Unfit, b.answer.Unfit...)
	}
	return res
}

// number is the order's number that by looks up: its order_no, or its
// express_no. A number sent as a JSON number (1000025) did not fit the
// string field and is read from Unfit, so the order still matches its ref.
func number(by QueryBy, orderNo, expressNo string, unfit Unfit) string {
	field, v := "order_no", orderNo
	if by == ByExpressNo {
		field, v = "express_no", expressNo
	}
	if v == "" {
		v, _ = unfit.Text(field)
	}
	return v
}

// checkRefs refuses bad input and drops repeated numbers.
func (c *Client) checkRefs(ctx context.Context, by QueryBy, refs []string) ([]string, error) {
	if by != ByOrderNo && by != ByExpressNo {
		return nil, fmt.Errorf("flowery: query by %q: want ByOrderNo or ByExpressNo: %w", string(by), status.ErrInvalidRequest)
	}
	if err := fanout.CheckRefs(ctx, status.Flowery, refs); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(refs))
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		switch {
		case strings.Contains(r, ","):
			return nil, fmt.Errorf("flowery: number %q contains a comma, Flowery's separator: %w", r, status.ErrInvalidRequest)
		case seen[r]:
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out, nil
}

func (c *Client) batches(refs []string) [][]string {
	var out [][]string
	for len(refs) > 0 {
		n := min(c.cfg.BatchSize, len(refs))
		out = append(out, refs[:n])
		refs = refs[n:]
	}
	return out
}

// post sends one batch with the token and decodes the answer into out. A
// token rejection registers a new token once and repeats the call.
func post[T any](ctx context.Context, c *Client, ep endpoint, by QueryBy, batch []string, out *Response[T]) error {
	body, err := json.Marshal(Request{AccountID: c.cfg.AccountID, Logistics: c.cfg.Logistics, SerialNo: strings.Join(batch, ","), Command: by})
	if err != nil {
		return err
	}
	return c.withToken(ctx, func(tok string) error {
		req := ep.request(http.MethodPost)
		req.Body, req.ContentType, req.Header, req.ReadOnly = body, "application/json", http.Header{"Token": {tok}}, true
		res, err := c.t.Do(ctx, req)
		if err != nil {
			return err
		}
		*out = Response[T]{}
		if err := decode(c.t, res, out, len(batch)); err != nil {
			return err
		}
		return check(c.t, res, out)
	})
}

// withToken calls send with the token. When Flowery rejects a registered
// token (a definite refusal: nothing was done), a new one is registered
// once and send called again.
func (c *Client) withToken(ctx context.Context, send func(tok string) error) error {
	for attempt := 0; ; attempt++ {
		tok := c.cfg.Token.Value()
		if c.tokens != nil {
			var err error
			if tok, err = c.tokens.Get(ctx); err != nil {
				return err
			}
		}
		err := send(tok)
		if attempt == 0 && errors.Is(err, status.ErrUnauthorized) && c.tokens != nil {
			c.tokens.Invalidate(tok)
			continue
		}
		return err
	}
}
