package flowery

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// createPath creates an order.
const createPath = "/logistics/api/orders"

// OrderType is order_type: a normal order, or a transfer.
type OrderType string

// The order types.
const (
	// OrderNormal is order_type "1": a normal order.
	OrderNormal OrderType = "1"
	// OrderTransfer is order_type "2": a transfer (转运) order.
	OrderTransfer OrderType = "2"
)

// GoodsType is goods_type: general cargo, or special cargo.
type GoodsType string

// The goods types.
const (
	// GoodsGeneral is goods_type "1": general cargo.
	GoodsGeneral GoodsType = "1"
	// GoodsSpecial is goods_type "2": special cargo.
	GoodsSpecial GoodsType = "2"
)

// PayType is pay_type, who pays and how.
type PayType string

// The pay types Flowery documents.
const (
	// PayPrepaid is PP: prepaid by the shipper.
	PayPrepaid PayType = "PP"
	// PayCash is CA: cash.
	PayCash PayType = "CA"
	// PayCollect is CC: collect, paid by the recipient.
	PayCollect PayType = "CC"
)

// Amount is an amount in an order to create: {"value": 150000, "unit":
// "IDR"}. Value is written as a JSON number, exactly as given.
type Amount struct {
	// Value is the amount as written ("150000", "12.5").
	Value string
	// Unit is the currency ("IDR").
	Unit string
}

// MarshalJSON writes {"value": <Value>, "unit": <Unit>}.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !json.Valid([]byte(a.Value)) || strings.ContainsAny(a.Value, `"{[`) {
		return nil, fmt.Errorf("flowery: amount %q is not a number", a.Value)
	}
	unit, _ := json.Marshal(a.Unit)
	return []byte(`{"value":` + a.Value + `,"unit":` + string(unit) + `}`), nil
}

// UnmarshalJSON reads an amount as Money does ({"value", "unit"} or
// "uint", or a bare number).
func (a *Amount) UnmarshalJSON(b []byte) error {
	var m Money
	if err := m.UnmarshalJSON(b); err != nil {
		return err
	}
	*a = Amount{Value: m.Value.Text, Unit: m.Unit}
	return nil
}

// NewOrder is an order to create (POST /logistics/api/orders). AccountID
// and Logistics come from the Config. OrderNo, the Receiver's Name, Address
// and Mobile or Phone, the Shipper's Name and Address, GoodsQty and Weight
// are required; OrderType, GoodsType and PackagePcs default to "1".
type NewOrder struct {
	// OrderNo is order_no, your order number.
	OrderNo string `json:"order_no"`
	// OrderType is order_type: OrderNormal or OrderTransfer.
	OrderType OrderType `json:"order_type"`
	// Shipper is shipper, the sender.
	Shipper Party `json:"shipper"`
	// Receiver is receiver, the recipient.
	Receiver Party `json:"receiver"`
	// GoodsType is goods_type: GoodsGeneral or GoodsSpecial.
	GoodsType GoodsType `json:"goods_type"`
	// GoodsNameCN and GoodsNameEN are goods_name_cn and goods_name_en: the
	// items as name_qty joined by & ("shirt_1&hat_2").
	GoodsNameCN string `json:"goods_name_cn"`
	GoodsNameEN string `json:"goods_name_en"`
	// GoodsQty is goods_qty, how many items.
	GoodsQty int64 `json:"goods_qty"`
	// Weight is weight, in kg, as written ("1.5").
	Weight string `json:"weight"`
	// CODAmount is cod_amount, cash to collect on delivery.
	CODAmount *Amount `json:"cod_amount,omitempty"`
	// InsuranceAmount is insurance_amount, the insured value.
	InsuranceAmount *Amount `json:"insurance_amount,omitempty"`
	// CollectAmount is collect_amount.
	CollectAmount *Amount `json:"collect_amount,omitempty"`
	// PayType is pay_type: PayPrepaid, PayCash or PayCollect.
	PayType PayType `json:"pay_type,omitempty"`
	// ServiceType is service_type.
	ServiceType string `json:"service_type,omitempty"`
	// Remark is remark, a note for the carrier.
	Remark string `json:"remark,omitempty"`
	// PackagePcs is package_pcs, how many packages, as text as Flowery
	// documents it (string, 必填, 系统默认是 "1"). Required by Flowery and
	// always sent; "" sends the default, "1".
	PackagePcs string `json:"package_pcs"`
	// OldOrderNo and OldExpressNo are old_order_no and old_express_no, the
	// numbers of the order a transfer replaces.
	OldOrderNo   string `json:"old_order_no,omitempty"`
	OldExpressNo string `json:"old_express_no,omitempty"`
}

// validate refuses an order Flowery would refuse, before sending.
func (n *NewOrder) validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"order_no", n.OrderNo}, {"receiver.name", n.Receiver.Name}, {"receiver.address", n.Receiver.Address},
		{"shipper.name", n.Shipper.Name}, {"shipper.address", n.Shipper.Address}, {"weight", n.Weight},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if strings.TrimSpace(n.Receiver.Mobile) == "" && strings.TrimSpace(n.Receiver.Phone) == "" {
		missing = append(missing, "receiver.mobile or receiver.phone")
	}
	if n.GoodsQty <= 0 {
		missing = append(missing, "goods_qty")
	}
	switch {
	case len(missing) > 0:
		return fmt.Errorf("flowery: new order lacks %s: %w", strings.Join(missing, ", "), status.ErrInvalidRequest)
	case n.OrderType != "" && n.OrderType != OrderNormal && n.OrderType != OrderTransfer:
		return fmt.Errorf("flowery: order_type %q is not 1 or 2: %w", string(n.OrderType), status.ErrInvalidRequest)
	case n.GoodsType != "" && n.GoodsType != GoodsGeneral && n.GoodsType != GoodsSpecial:
		return fmt.Errorf("flowery: goods_type %q is not 1 or 2: %w", string(n.GoodsType), status.ErrInvalidRequest)
	case n.PayType != "" && n.PayType != PayPrepaid && n.PayType != PayCash && n.PayType != PayCollect:
		return fmt.Errorf("flowery: pay_type %q is not PP, CA or CC: %w", string(n.PayType), status.ErrInvalidRequest)
	case !json.Valid([]byte(n.Weight)):
		return fmt.Errorf("flowery: weight %q is not a number: %w", n.Weight, status.ErrInvalidRequest)
	case n.PackagePcs != "" && !positiveInteger(n.PackagePcs):
		return fmt.Errorf("flowery: package_pcs %q is not a whole number of packages: %w", n.PackagePcs, status.ErrInvalidRequest)
	case n.OrderType == OrderTransfer && n.OldOrderNo == "" && n.OldExpressNo == "":
		return fmt.Errorf("flowery: a transfer names the old order (old_order_no or old_express_no): %w", status.ErrInvalidRequest)
	}
	for _, a := range []*Amount{n.CODAmount, n.InsuranceAmount, n.CollectAmount} {
		if a != nil {
			if _, err := a.MarshalJSON(); err != nil {
				return fmt.Errorf("%w: %w", err, status.ErrInvalidRequest)
			}
		}
	}
	return nil
}

// positiveInteger reports whether s is a whole number above 0, in digits.
func positiveInteger(s string) bool {
	n, err := strconv.ParseUint(s, 10, 32)
	return err == nil && n > 0
}

// CreatedOrder is Flowery's answer to a create.
type CreatedOrder struct {
	// OrderNo is order_no, as Flowery recorded it.
	OrderNo string `json:"order_no"`
	// ExpressNo is express_no, the waybill number Flowery assigned.
	ExpressNo string `json:"express_no"`
	// LogisticsSN is logistics_sn, Flowery's own serial number.
	LogisticsSN string `json:"logistics_sn"`
	// Detail is the order as Flowery sent it back (detail), verbatim.
	Detail json.RawMessage `json:"-"`
	// Found reports that the create's answer was lost and the order was
	// found by its order number instead (CreateOrFindOrder); Detail is then
	// the order as QueryOrders gave it, and LogisticsSN, which the query
	// does not give, is empty.
	Found bool `json:"-"`
}

// CreateOrFindOrder creates an order as CreateOrder does, sent once, and
// when its outcome is unknown (the answer was lost), looks it up by its
// OrderNo, the field that makes a create findable (required already, and
// unique to the order).
//
// Found, it is checked against what was sent, on the fields both carry:
// goods_name_cn, goods_name_en, goods_qty, weight (by value),
// service_type, old_order_no, old_express_no, and the shipper's and the
// receiver's name, mobile, phone, postcode and address. The same, it is
// returned with Found set. Different (another order of that number, made
// before, and this create refused as a duplicate), the error matches
// status.ErrOutcomeUnknown and names the fields that differ. Not found, its
// error matches status.ErrOutcomeUnknown and status.ErrNotFound: Flowery
// knows no order of that number now, and nothing was sent again (create
// it again only once you know it was not made). A lookup that fails leaves
// the error matching status.ErrOutcomeUnknown.
func (c *Client) CreateOrFindOrder(ctx context.Context, n *NewOrder) (_ *CreatedOrder, err error) {
	ctx, end := c.t.Start(ctx, "CreateOrFindOrder", 0)
	defer func() { end(err) }()
	created, err := c.CreateOrder(ctx, n)
	if err == nil || !errors.Is(err, status.ErrOutcomeUnknown) {
		return created, err
	}
	res, lerr := c.QueryOrders(ctx, ByOrderNo, n.OrderNo)
	switch {
	case lerr != nil:
		return nil, fmt.Errorf("%w; and looking it up by order_no %q failed: %w", err, n.OrderNo, lerr)
	case len(res.Orders) == 0:
		return nil, fmt.Errorf("%w; and Flowery knows no order_no %q: %w", err, n.OrderNo, status.ErrNotFound)
	}
	o := &res.Orders[0]
	if diff := n.differs(o); len(diff) > 0 {
		return nil, fmt.Errorf("%w; and the order_no %q Flowery has is not the one sent (%s differ): another order made before, this create refused as its duplicate",
			err, n.OrderNo, strings.Join(diff, ", "))
	}
	detail, merr := json.Marshal(o)
	if merr != nil {
		return nil, merr
	}
	return &CreatedOrder{OrderNo: o.OrderNo, ExpressNo: o.ExpressNo, Detail: detail, Found: true}, nil
}

// differs names the fields of o, an order found by n's number, that say
// something other than n, among those both carry.
func (n *NewOrder) differs(o *OrderDetail) []string {
	var out []string
	text := func(name, sent, got string) {
		sent, got = strings.TrimSpace(sent), strings.TrimSpace(got)
		if sent != "" && got != "" && sent != got {
			out = append(out, name)
		}
	}
	text("goods_name_cn", n.GoodsNameCN, o.GoodsNameCN)
	text("goods_name_en", n.GoodsNameEN, o.GoodsNameEN)
	if o.GoodsQty.Valid && n.GoodsQty != 0 && o.GoodsQty.Int64 != n.GoodsQty {
		out = append(out, "goods_qty")
	}
	if w, err := o.Weight.Float64(); err == nil && n.Weight != "" {
		if sent, err := strconv.ParseFloat(n.Weight, 64); err == nil && sent != w {
			out = append(out, "weight")
		}
	}
	text("service_type", n.ServiceType, o.ServiceType)
	text("old_order_no", n.OldOrderNo, o.OldOrderNo)
	text("old_express_no", n.OldExpressNo, o.OldExpressNo)
	for _, p := range []struct {
		name string
		sent Party
		got  *Party
	}{{"shipper", n.Shipper, o.Shipper}, {"receiver", n.Receiver, o.Receiver}} {
		if p.got == nil {
			continue
		}
		text(p.name+".name", p.sent.Name, p.got.Name)
		text(p.name+".mobile", p.sent.Mobile, p.got.Mobile)
		text(p.name+".phone", p.sent.Phone, p.got.Phone)
		text(p.name+".postcode", p.sent.Postcode, p.got.Postcode)
		text(p.name+".address", p.sent.Address, p.got.Address)
	}
	return out
}

// CreateOrder creates an order (POST /logistics/api/orders). It is
// refused before sending when a required field is missing or a code is
// not documented.
//
// A create is never sent twice: it is retried only when no connection could
// be made (or, once, after Flowery rejected the token, which is a refusal).
// When it may have reached Flowery without an answer coming back, the
// error matches status.ErrOutcomeUnknown: look the order up with
// QueryOrders before creating it again, or create through CreateOrFindOrder,
// which does.
func (c *Client) CreateOrder(ctx context.Context, n *NewOrder) (_ *CreatedOrder, err error) {
	ctx, end := c.t.Start(ctx, "CreateOrder", 0)
	defer func() { end(err) }()
	if n == nil {
		return nil, fmt.Errorf("flowery: nil order: %w", status.ErrInvalidRequest)
	}
	if err := n.validate(); err != nil {
		return nil, err
	}
	order := *n
	if order.OrderType == "" {
		order.OrderType = OrderNormal
	}
	if order.GoodsType == "" {
		order.GoodsType = GoodsGeneral
	}
	if order.PackagePcs == "" {
		order.PackagePcs = "1"
	}
	body, err := json.Marshal(struct {
		AccountID string `json:"account_id"`
		Logistics string `json:"logistics"`
		*NewOrder
	}{c.cfg.AccountID, c.cfg.Logistics, &order})
	if err != nil {
		return nil, err
	}
	var created *CreatedOrder
	err = c.withToken(ctx, func(tok string) error {
		res, err := c.t.Do(ctx, &transport.Request{Method: http.MethodPost, Path: createPath, Body: body,
			ContentType: "application/json", Header: http.Header{"Token": {tok}}})
		if err != nil {
			return err
		}
		var a struct {
			head
			Detail json.RawMessage `json:"detail"`
		}
		if err := decodeMended(c.t, res, &a); err != nil {
			return transport.OutcomeUnknown(err)
		}
		if !a.OK() {
			if !a.Code.Valid && !a.Status.Valid {
				return transport.OutcomeUnknown(c.t.Error(res, "", `malformed response: no "status" or "code"`, status.ErrMalformedResponse))
			}
			sentinel := status.ErrInvalidRequest
			if isTokenRejection(a.Message) {
				sentinel = status.ErrUnauthorized
			}
			return c.t.Error(res, cmp.Or(a.Status.String, a.Code.String), a.Message, sentinel)
		}
		// Read leniently: a logistics_sn sent as a number is text too.
		var d struct {
			OrderNo     NullString `json:"order_no"`
			ExpressNo   NullString `json:"express_no"`
			LogisticsSN NullString `json:"logistics_sn"`
		}
		var unfit Unfit
		if record.Decode(a.Detail, &d, &unfit) != nil || d.ExpressNo.String == "" {
			return transport.OutcomeUnknown(c.t.Error(res, "", "malformed response: no express_no in detail", status.ErrMalformedResponse))
		}
		created = &CreatedOrder{OrderNo: d.OrderNo.String, ExpressNo: d.ExpressNo.String, LogisticsSN: d.LogisticsSN.String, Detail: a.Detail}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}
