package bailun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// queryOrderStatusPath is 百伦OMS获取订单状态. Bailun marked it "未实现" (not
// implemented) when it documented it; the client follows the document.
const queryOrderStatusPath = "/apiV2/bailunOrder/queryOrderStatus"

// NotFoundMessage is the message Bailun gives for an order it does not know
// (订单不存在, "the order does not exist").
const NotFoundMessage = "订单不存在"

// QueryOrderStatusDTO is the request of GET queryOrderStatus.
type QueryOrderStatusDTO struct {
	// OriginOrderNo is 平台订单号, the platform order number. Required.
	OriginOrderNo string `url:"originOrderNo"`
}

// values is the query of d, as query.Values(d) (go-querystring) gives it,
// built without reflection for the call every Track makes; a test holds
// the two equal.
// encode is the query d is sent as: url.Values{"originOrderNo":
// {d.OriginOrderNo}}.Encode(), without the map.
func (d QueryOrderStatusDTO) encode() string {
	return "originOrderNo=" + url.QueryEscape(d.OriginOrderNo)
}

// OrderStatusOutput is one order's status (OrderStatusOutput).
type OrderStatusOutput struct {
	// OriginOrderNo is 平台订单号, the platform order number.
	OriginOrderNo string `json:"originOrderNo"`
	// OrderStatus is 订单状态 (OrderStatusDTO).
	OrderStatus status.BailunOrderStatus `json:"orderStatus"`
	// TrackingNo is 跟踪号（物流单号）, the carrier's tracking number; it is
	// optional, so it may be null (TrackingNo.Valid false).
	TrackingNo NullString `json:"trackingNo"`
	// LastUpdateTime is 最后更新时间(UTC), such as "2020-01-03 00:00:00".
	LastUpdateTime Time `json:"lastUpdateTime"`
	// ShipFailedType is shipFaildType, 发货异常类型 (why shipping failed); nil
	// when Bailun sends null.
	ShipFailedType *status.BailunShipFailure `json:"shipFaildType"`
	// ExceptionType is 订单异常类型 (why the order is held); nil when Bailun
	// sends null.
	ExceptionType *status.BailunException `json:"exceptionType"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type (orderStatus "abc", say); that field is left zero. See the
	// package doc.
	Unfit Unfit `json:"-"`

	// noStatus records that the answer had no orderStatus at all.
	noStatus bool
}

// missingStatus stands in OrderStatus until decoding fills it, so that an
// absent orderStatus can be told from a 0.
const missingStatus = status.BailunOrderStatus(-1 << 63)

// UnfitStatus is the OrderStatus of a record whose orderStatus did not fit
// (a word, a null): not a documented value, so it claims no stage. The
// value sent is in Unfit["orderStatus"].
const UnfitStatus = status.BailunOrderStatus(-1)

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (o *OrderStatusOutput) UnmarshalJSON(b []byte) error {
	type plain OrderStatusOutput
	*o = OrderStatusOutput{OrderStatus: missingStatus}
	if err := record.Decode(b, (*plain)(o), &o.Unfit); err != nil {
		return err
	}
	o.OrderStatus, o.noStatus = record.Required(b, "orderStatus", o.OrderStatus, missingStatus, UnfitStatus, &o.Unfit)
	return nil
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (o OrderStatusOutput) MarshalJSON() ([]byte, error) {
	type plain OrderStatusOutput
	return record.Encode(plain(o), o.Unfit)
}

// BaseResponse is Bailun's envelope (BaseResponse<T>).
type BaseResponse[T any] struct {
	// Result is 结果集; nil when Bailun sends null.
	Result *T `json:"result"`
	// Message is 返回消息, such as 订单不存在.
	Message string `json:"message"`
	// Code is 返回状态码 (ExternalCode): 10000 is success.
	Code status.BailunResultCode `json:"code"`
}

// QueryOrderStatus returns the status of the order with platform order
// number originOrderNo (GET /apiV2/bailunOrder/queryOrderStatus).
//
// Bailun's code 10000 is success; 10001 gives an error matching
// status.ErrInvalidRequest, 10010 status.ErrUnavailable, and the message
// 订单不存在 or a null result status.ErrNotFound. Any other code is a
// *status.APIError with the code verbatim. An empty originOrderNo is refused
// before anything is sent.
func (c *Client) QueryOrderStatus(ctx context.Context, originOrderNo string) (_ *OrderStatusOutput, err error) {
	ctx, end := c.t.Start(ctx, "QueryOrderStatus", 1)
	defer func() { end(err) }()
	if originOrderNo == "" {
		return nil, errEmptyRef
	}
	q := QueryOrderStatusDTO{OriginOrderNo: originOrderNo}.encode()
	res, err := c.do(ctx, &transport.Request{Method: http.MethodGet, Path: queryOrderStatusPath, RawQuery: q})
	if err != nil {
		return nil, err
	}
	return c.decodeOrderStatus(res)
}

// decodeOrderStatus decodes a queryOrderStatus answer and its envelope. An
// answer without a code is not Bailun's BaseResponse, and a result without
// an orderStatus is not an OrderStatusOutput: both are malformed.
func (c *Client) decodeOrderStatus(res *transport.Response) (*OrderStatusOutput, error) {
	if o, ok := decodeOrderStatusFast(res.Body); ok {
		return o, nil
	}
	return c.decodeOrderStatusCareful(res)
}

// decodeOrderStatusFast reads a successful answer by hand, in one pass
// (record.Reader), straight into the record. It reports false when the
// answer needs the careful path: it is not a success with a result that
// has an orderStatus, or it holds something encoding/json would read
// otherwise (a null or a value of another kind where a field's Go type
// has none, a name in another case, a name given twice).
func decodeOrderStatusFast(body []byte) (*OrderStatusOutput, bool) {
	var (
		out     *OrderStatusOutput
		message string
		code    status.BailunResultCode
		fields  uint64
	)
	rd := record.NewReader(body)
	defer rd.Close()
	err := rd.Object(func(name []byte) (uint64, error) {
		var field uint64
		var err error
		switch string(name) {
		case "result":
			out = new(OrderStatusOutput)
			field, err = 1<<0, out.readFrom(rd)
		case "message":
			field, err = 1<<1, rd.String(&message)
		case "code":
			field, err = 1<<2, record.Int(rd, &code)
		default:
			return 0, rd.Skip(name, "result", "message", "code")
		}
		fields |= field
		return field, err
	})
	const resultAndCode = 1<<0 | 1<<2
	if err != nil || !rd.End() || fields&resultAndCode != resultAndCode || code != status.BailunSuccess || message == NotFoundMessage {
		return nil, false
	}
	return out, true
}

// readFrom reads the record, for the one-pass decode. An answer without
// an orderStatus needs the careful path, which says it is malformed.
func (o *OrderStatusOutput) readFrom(rd *record.Reader) error {
	var fields uint64
	err := rd.Object(func(name []byte) (uint64, error) {
		var field uint64
		var err error
		switch string(name) {
		case "originOrderNo":
			field, err = 1<<0, rd.String(&o.OriginOrderNo)
		case "orderStatus":
			field, err = 1<<1, record.Int(rd, &o.OrderStatus)
		case "trackingNo":
			field, err = 1<<2, rd.Value(&o.TrackingNo)
		case "lastUpdateTime":
			field, err = 1<<3, rd.Value(&o.LastUpdateTime)
		case "shipFaildType":
			field, err = 1<<4, record.IntOrNull(rd, &o.ShipFailedType)
		case "exceptionType":
			field, err = 1<<5, record.IntOrNull(rd, &o.ExceptionType)
		default:
			return 0, rd.Skip(name, "originOrderNo", "orderStatus", "trackingNo", "lastUpdateTime", "shipFaildType", "exceptionType")
		}
		fields |= field
		return field, err
	})
	if err == nil && fields&(1<<1) == 0 {
		return errNoStatus
	}
	return err
}

var errNoStatus = errors.New("bailun: result has no orderStatus")

// decodeOrderStatusCareful decodes an answer field by field, keeping every
// odd value in the record's Unfit.
func (c *Client) decodeOrderStatusCareful(res *transport.Response) (*OrderStatusOutput, error) {
	var env struct {
		Result  *OrderStatusOutput       `json:"result"`
		Message string                   `json:"message"`
		Code    *status.BailunResultCode `json:"code"`
	}
	if err := c.t.DecodeJSON(res, &env, "result"); err != nil {
		return nil, err
	}
	if env.Code == nil {
		// An older version of the doc answers with the OrderStatusOutput
		// alone, without the BaseResponse around it.
		var bare OrderStatusOutput
		if env.Result == nil && c.t.DecodeJSON(res, &bare) == nil && !bare.noStatus {
			return &bare, nil
		}
		return nil, c.t.Error(res, "", "malformed response: no code", status.ErrMalformedResponse)
	}
	if err := c.check(res, *env.Code, env.Message, env.Result == nil); err != nil {
		return nil, err
	}
	if env.Result.noStatus {
		return nil, c.t.Error(res, env.Code.Code().Value, "malformed response: result has no orderStatus", status.ErrMalformedResponse)
	}
	return env.Result, nil
}

var errEmptyRef = fmt.Errorf("bailun: empty order number: %w", status.ErrInvalidRequest)

// check turns an envelope's code and message into an error.
func (c *Client) check(res *transport.Response, code status.BailunResultCode, message string, noResult bool) error {
	switch {
	case message == NotFoundMessage:
		return c.t.Error(res, code.Code().Value, message, status.ErrNotFound)
	case code != status.BailunSuccess:
		return c.t.Error(res, code.Code().Value, message, code.Err())
	case noResult:
		// Success with a null result: Bailun has no such order.
		return c.t.Error(res, code.Code().Value, message, status.ErrNotFound)
	}
	return nil
}

// do sends an authorised request. A 401 means the token expired: a new one
// is fetched once and the request repeated.
func (c *Client) do(ctx context.Context, r *transport.Request) (*transport.Response, error) {
	if c.tokens == nil {
		r.Header = c.authHeader(c.cfg.AccessToken.Value())
		return c.t.Do(ctx, r)
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.Get(ctx)
		if err != nil {
			return nil, err
		}
		r.Header = c.authHeader(tok)
		res, err := c.t.Do(ctx, r)
		var ae *status.APIError
		if attempt == 0 && errors.As(err, &ae) && ae.HTTPStatus == http.StatusUnauthorized {
			c.tokens.Invalidate(tok)
			continue
		}
		return res, err
	}
}

// authHeader returns the header that authorises a request with tok, built
// once per token: every call of a busy client sends the same one. The
// transport copies it and never writes to it.
func (c *Client) authHeader(tok string) http.Header {
	if h := c.auth.Load(); h != nil && h.token == tok {
		return h.header
	}
	h := &authorized{token: tok, header: http.Header{"Authorization": {authorization(tok)}}}
	c.auth.Store(h)
	return h.header
}

// authorized is a token and the header it gives.
type authorized struct {
	token  string
	header http.Header
}
