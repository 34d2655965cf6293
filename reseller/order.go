package reseller

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// orderQueryPath is the order query endpoint.
const orderQueryPath = "/open/order/query"

// OrderQuery is the bizContent of an order query (请求业务参数).
type OrderQuery struct {
	// ThirdOrderNo is 第三方订单编号, the third-party order number. Required.
	ThirdOrderNo string `json:"thirdOrderNo"`
}

// Response is the platform's answer envelope. The platform's text comes
// as message in the order-query doc, and as msg and error in its other
// answers: every one present is kept.
type Response[T any] struct {
	// Code is 0 on success, else an error code (错误码).
	Code status.ResellerResultCode `json:"code"`
	// Data is the answer; nil when the platform sends null or nothing.
	Data *T `json:"data"`
	// Message is the platform's message (成功 on success).
	Message string `json:"message,omitempty"`
	// Msg is msg, the message under the name other answers use.
	Msg string `json:"msg,omitempty"`
	// Error is error, a further description some answers carry.
	Error string `json:"error,omitempty"`
}

// Text is the platform's message: message, msg and error, the ones present
// and different joined by "; ".
func (r *Response[T]) Text() string { return joinText(r.Message, r.Msg, r.Error) }

func joinText(texts ...string) string {
	var out []string
	for _, t := range texts {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return strings.Join(out, "; ")
}

// Order is an order and its sub-orders (data).
type Order struct {
	// OutUserID is outUserId, 下单用户标识: who placed the order.
	OutUserID string `json:"outUserId"`
	// UnionOrderNo is 父订单号, the parent order number.
	UnionOrderNo string `json:"unionOrderNo"`
	// ThirdOrderNo is 三方单号, the third-party order number.
	ThirdOrderNo string `json:"thirdOrderNo"`
	// SubOrderList is 子订单列表, the sub-orders.
	SubOrderList []SubOrder `json:"subOrderList"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *Order) UnmarshalJSON(b []byte) error {
	type plain Order
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r Order) MarshalJSON() ([]byte, error) {
	type plain Order
	return record.Encode(plain(r), r.Unfit)
}

// SubOrder is one sub-order (subOrderList[i]).
type SubOrder struct {
	// OrderNo is 子订单号, the sub-order number.
	OrderNo string `json:"orderNo"`
	// OrderStatus is 子订单状态, the sub-order status.
	OrderStatus status.ResellerOrderStatus `json:"orderStatus"`
	// Address is 收件人信息, the recipient.
	Address *Address `json:"address"`
	// SKUs is skus, 子订单商品列表: the sub-order's items.
	SKUs []SKU `json:"skus"`
	// OrderExpress is 子订单物流信息, the shipment; nil until there is one.
	OrderExpress *OrderExpress `json:"orderExpress"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`

	// noStatus records that the answer had no orderStatus at all.
	noStatus bool
}

// missingStatus stands in OrderStatus until decoding fills it, so that an
// absent orderStatus can be told from the documented 0 (已取消, cancelled).
const missingStatus = status.ResellerOrderStatus(-1 << 63)

// UnfitStatus is the OrderStatus of a sub-order whose orderStatus did not
// fit (a quoted "40", a null) or was not sent: not a documented value, so it
// never reads as 0, 已取消 (cancelled). The value sent is in
// Unfit["orderStatus"]; [SubOrder.HasStatus] tells an absent one.
const UnfitStatus = status.ResellerOrderStatus(-1)

// UnmarshalJSON decodes the sub-order. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *SubOrder) UnmarshalJSON(b []byte) error {
	type plain SubOrder
	*r = SubOrder{OrderStatus: missingStatus}
	if err := record.Decode(b, (*plain)(r), &r.Unfit); err != nil {
		return err
	}
	r.OrderStatus, r.noStatus = record.Required(b, "orderStatus", r.OrderStatus, missingStatus, UnfitStatus, &r.Unfit)
	if r.noStatus {
		r.OrderStatus = UnfitStatus
	}
	return nil
}

// HasStatus reports whether the answer sent the sub-order's orderStatus at
// all (fitting or not). Its snapshot's Err says when it did not.
func (r *SubOrder) HasStatus() bool { return !r.noStatus }

// MarshalJSON encodes the record, writing Unfit values back as they came;
// an orderStatus that was not sent is not written.
func (r SubOrder) MarshalJSON() ([]byte, error) {
	type plain SubOrder
	b, err := record.Encode(plain(r), r.Unfit)
	if err != nil || !r.noStatus {
		return b, err
	}
	return record.Omit(b, "orderStatus")
}

// Address is a sub-order's recipient (address).
type Address struct {
	// Name is 收件人, the recipient.
	Name string `json:"name"`
	// Phone is 收件人手机号, the recipient's mobile number (masked by the
	// platform, as in "1*********9").
	Phone string `json:"phone"`
	// Province, City and District locate the address.
	Province string `json:"province"`
	City     string `json:"city"`
	District string `json:"district"`
	// Address is 详细地址, the street address.
	Address string `json:"address"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *Address) UnmarshalJSON(b []byte) error {
	type plain Address
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r Address) MarshalJSON() ([]byte, error) {
	type plain Address
	return record.Encode(plain(r), r.Unfit)
}

// SKU is one item of a sub-order (skus[j]).
type SKU struct {
	// CustomizeNo is 定制单号, the customisation number.
	CustomizeNo string `json:"customizeNo"`
	// ResellerSKUID is resellerSkuId, 商品id: the product id.
	ResellerSKUID int64 `json:"resellerSkuId"`
	// Count is 商品数量, the quantity.
	Count int64 `json:"count"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *SKU) UnmarshalJSON(b []byte) error {
	type plain SKU
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r SKU) MarshalJSON() ([]byte, error) {
	type plain SKU
	return record.Encode(plain(r), r.Unfit)
}

// OrderExpress is a sub-order's shipment (orderExpress).
type OrderExpress struct {
	// ExpressNumber is 物流单号, the tracking number.
	ExpressNumber string `json:"expressNumber"`
	// ExpressCompanyName is 物流公司名称, the carrier's name (韵达快递).
	ExpressCompanyName string `json:"expressCompanyName"`
	// ExpressCompany is 物流, the carrier's code (yd).
	ExpressCompany string `json:"expressCompany"`
	// PackageCount is packageCount, the number of parcels. It is not in
	// the document's field table; the number is kept as sent.
	PackageCount Int64 `json:"packageCount,omitzero"`
	// ShippingStatus is shippingStatus. Its meaning is not documented; the
	// number is kept as sent.
	ShippingStatus Int64 `json:"shippingStatus,omitzero"`
	// Traces is 物流轨迹列表, the tracking events, newest first in the
	// platform's example.
	Traces []Trace `json:"traces"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *OrderExpress) UnmarshalJSON(b []byte) error {
	type plain OrderExpress
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r OrderExpress) MarshalJSON() ([]byte, error) {
	type plain OrderExpress
	return record.Encode(plain(r), r.Unfit)
}

// Trace is one tracking event (traces[j]).
type Trace struct {
	// Time is 时间, in China Standard Time.
	Time Time `json:"time"`
	// Context is 说明, the event's text.
	Context string `json:"context"`
	// Status is 状态, the event's status; often "".
	Status string `json:"status"`
	// City is 城市; often "".
	City string `json:"city"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *Trace) UnmarshalJSON(b []byte) error {
	type plain Trace
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r Trace) MarshalJSON() ([]byte, error) {
	type plain Trace
	return record.Encode(plain(r), r.Unfit)
}

// QueryOrder returns the order with third-party order number thirdOrderNo
// (POST /open/order/query).
//
// Code 0 is success. 5000000 (参数校验错误) gives an error matching
// status.ErrInvalidRequest and 6010002 (订单查询失败, "order query
// failed") one matching status.ErrNotFound: the platform documents no
// other failure of this one-input query, so ordertrack takes it for an
// unknown order, an assumption to confirm with the platform. Every
// non-zero code is a *status.APIError with the code and message verbatim,
// and Track keeps them on the not-found snapshot's Codes. The query only reads, so it is retried like a
// GET. An empty thirdOrderNo is refused before anything is sent.
func (c *Client) QueryOrder(ctx context.Context, thirdOrderNo string) (_ *Order, err error) {
	ctx, end := c.t.Start(ctx, "QueryOrder", 1)
	defer func() { end(err) }()
	if thirdOrderNo == "" {
		return nil, errEmptyRef
	}
	biz, err := json.Marshal(OrderQuery{ThirdOrderNo: thirdOrderNo})
	if err != nil {
		return nil, err
	}
	body, err := c.envelope(biz)
	if err != nil {
		return nil, err
	}
	res, err := c.t.Do(ctx, &transport.Request{Method: http.MethodPost, Path: orderQueryPath, Body: body,
		ContentType: "application/json", ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return c.decodeOrder(res)
}

var errEmptyRef = fmt.Errorf("reseller: empty third-party order number: %w", status.ErrInvalidRequest)

// envelope builds the signed request body around bizContent. The bytes of
// biz are signed and sent as they are, so what is signed is exactly what is
// sent.
func (c *Client) envelope(biz []byte) ([]byte, error) {
	e := Envelope{Timestamp: c.cfg.Now().Unix(), ResellerID: c.cfg.ResellerID, Version: c.cfg.Version, SignType: c.cfg.SignType, BizContent: biz}
	if err := e.SignWith(c.cfg.Signer, c.cfg.Secret); err != nil {
		return nil, fmt.Errorf("reseller: sign: %w", err)
	}
	return json.Marshal(e)
}

// decodeOrder decodes an order query answer and its envelope. An answer
// without a code is not the platform's envelope: it is malformed.
func (c *Client) decodeOrder(res *transport.Response) (*Order, error) {
	if o, ok := decodeOrderFast(res.Body); ok {
		return o, nil
	}
	return c.decodeOrderCareful(res)
}

// decodeOrderCareful decodes an answer record by record, keeping every odd
// value in its record's Unfit.
func (c *Client) decodeOrderCareful(res *transport.Response) (*Order, error) {
	var env struct {
		Code    *status.ResellerResultCode `json:"code"`
		Data    *Order                     `json:"data"`
		Message string                     `json:"message"`
		Msg     string                     `json:"msg"`
		Error   string                     `json:"error"`
	}
	if err := c.t.DecodeJSON(res, &env, "data"); err != nil {
		return nil, err
	}
	text := joinText(env.Message, env.Msg, env.Error)
	switch {
	case env.Code == nil:
		return nil, c.t.Error(res, "", "malformed response: no code", status.ErrMalformedResponse)
	case *env.Code != status.ResellerOK:
		return nil, c.t.Error(res, env.Code.Code().Value, text, env.Code.Err())
	case env.Data == nil:
		// Success without data: the platform has no such order.
		return nil, c.t.Error(res, env.Code.Code().Value, text, status.ErrNotFound)
	}
	return env.Data, nil
}

// parseError reads the platform's envelope out of an HTTP error answer,
// when it is one.
func parseError(res *transport.Response, e *status.APIError) {
	var env Response[json.RawMessage]
	if json.Unmarshal(res.Body, &env) != nil {
		return
	}
	if env.Code != 0 || bytes.Contains(res.Body, []byte(`"code"`)) {
		e.Code = env.Code.Code().Value
	}
	e.Message = env.Text()
}

// subOrderPlan reads a sub-order in one pass; a sub-order
// without an orderStatus leaves the answer to the careful path, which
// tells an absent status from the documented 0.
var subOrderPlan = record.NewPlan[SubOrder]("orderStatus")

// decodeOrderFast decodes a successful answer in one pass. It reports false
// when the answer needs the careful path: it does not decode so, it is not
// a success with data, or a record holds a value its Go type does not take.
func decodeOrderFast(body []byte) (*Order, bool) {
	var (
		code *status.ResellerResultCode
		o    *Order
	)
	rd := record.NewReader(body)
	defer rd.Close()
	err := rd.Object(func(name []byte) (uint64, error) {
		switch string(name) {
		case "code":
			return 1 << 0, record.IntOrNull(rd, &code)
		case "data":
			if rd.PeekKind() != '{' {
				return 0, errNoOrder
			}
			o = new(Order)
			return 1 << 1, readOrder(rd, o)
		case "message", "msg", "error":
			return 0, rd.SkipValue()
		}
		return 0, rd.Skip(name, "code", "data", "message", "msg", "error")
	})
	if err != nil || !rd.End() || code == nil || *code != status.ResellerOK || o == nil {
		return nil, false
	}
	return o, true
}

var errNoOrder = errors.New("reseller: data is not an order")

// readOrder reads an order, its sub-orders each by subOrderPlan.
func readOrder(rd *record.Reader, o *Order) error {
	return rd.Object(func(name []byte) (uint64, error) {
		switch string(name) {
		case "outUserId":
			return 1 << 0, rd.String(&o.OutUserID)
		case "unionOrderNo":
			return 1 << 1, rd.String(&o.UnionOrderNo)
		case "thirdOrderNo":
			return 1 << 2, rd.String(&o.ThirdOrderNo)
		case "subOrderList":
			if rd.PeekKind() == 'n' {
				return 1 << 3, rd.SkipValue()
			}
			o.SubOrderList = []SubOrder{}
			return 1 << 3, subOrderPlan.ReadList(rd, &o.SubOrderList)
		}
		return 0, rd.Skip(name, "outUserId", "unionOrderNo", "thirdOrderNo", "subOrderList")
	})
}
