package flowery

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// Success is the value of "code" or "status" in a successful answer.
const Success = "success"

// Failure is the "status" of a failed answer.
const Failure = "failure"

// Response is Flowery's answer (Response对象). Flowery reports success as
// "code": "success" (the document's example), as "status": "success" (its
// table) or, in older versions, as "true"; every spelling is accepted.
type Response[T any] struct {
	// Code is "success" in the document's example.
	Code wire.String `json:"code,omitzero"`
	// Status is the 响应信息: "success" by default, "failure" on error.
	Status wire.String `json:"status,omitzero"`
	// Message is the 错误响应信息, the error message.
	Message string `json:"message"`
	// SNStr is sn_str, 未找到信息的No 信息: the numbers asked about that
	// were not found, comma-separated.
	SNStr string `json:"sn_str"`
	// OrdersDetail is orders_detail, 订单详细; absent or null on failure.
	OrdersDetail []T `json:"orders_detail"`
	// Unfit holds, verbatim, the entries of orders_detail that are not
	// order objects (a number, a string); the other entries are decoded.
	Unfit []json.RawMessage `json:"-"`
}

// wireResponse is a Response as decoded: its orders read one by one when
// one entry does not fit.
type wireResponse[T any] struct {
	Code         wire.String    `json:"code"`
	Status       wire.String    `json:"status"`
	Message      string         `json:"message"`
	SNStr        string         `json:"sn_str"`
	OrdersDetail record.Rows[T] `json:"orders_detail"`
}

// OK reports whether the answer says success in any of its spellings.
func (r *Response[T]) OK() bool { return succeeded(r.Code, r.Status) }

func succeeded(code, st wire.String) bool {
	for _, v := range []wire.String{code, st} {
		if strings.EqualFold(v.String, Success) || v.String == "true" {
			return true
		}
	}
	return false
}

// head is the part of every Flowery answer that says how it went.
type head struct {
	Code    wire.String `json:"code"`
	Status  wire.String `json:"status"`
	Message string      `json:"message"`
}

// OK reports whether the answer says success in any of its spellings.
func (h *head) OK() bool { return succeeded(h.Code, h.Status) }

// NotFound splits sn_str into its numbers.
func (r *Response[T]) NotFound() []string {
	var out []string
	for _, s := range strings.Split(r.SNStr, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// emptyValue finds a key with no value before a closing brace or a comma,
// as in the document's own failure example ("orders_detail": }).
var emptyValue = regexp.MustCompile(`("[^"\\]*"\s*:)(\s*)([,}\]])`)

// decode reads an answer, mending an empty value as in the document's
// failure example, which is not valid JSON, before giving up on it. size is
// how many orders the answer may hold (the numbers asked about).
func decode[T any](t *transport.Client, res *transport.Response, v *Response[T], size int) error {
	if fast := fastFor[T](); fast != nil {
		if r, ok := fast(res.Body, size); ok {
			*v = *r
			return nil
		}
	}
	var w wireResponse[T]
	if err := decodeMended(t, res, &w, "orders_detail"); err != nil {
		return err
	}
	*v = Response[T]{Code: w.Code, Status: w.Status, Message: w.Message, SNStr: w.SNStr,
		OrdersDetail: w.OrdersDetail.Items, Unfit: w.OrdersDetail.Unfit}
	return nil
}

// decodeMended decodes res into v, mending an empty value (as in the
// documented failure examples: "orders_detail": } and "data": }) before
// giving up on it.
func decodeMended(t *transport.Client, res *transport.Response, v any, mustFit ...string) error {
	err := t.DecodeJSON(res, v, mustFit...)
	if err == nil {
		return nil
	}
	mended := emptyValue.ReplaceAll(res.Body, []byte("${1}${2}null${3}"))
	if bytes.Equal(mended, res.Body) || json.Unmarshal(mended, v) != nil {
		return err
	}
	return nil
}

// check turns a failed answer into an APIError with Flowery's message.
func check[T any](t *transport.Client, res *transport.Response, r *Response[T]) error {
	if r.OK() {
		return nil
	}
	if !r.Code.Valid && !r.Status.Valid {
		// Neither "code" nor "status": not Flowery's envelope at all.
		return t.Error(res, "", `malformed response: no "status" or "code"`, status.ErrMalformedResponse)
	}
	code := r.Status.String
	if code == "" {
		code = r.Code.String
	}
	var sentinel error
	if isTokenRejection(r.Message) {
		sentinel = status.ErrUnauthorized
	}
	return t.Error(res, code, r.Message, sentinel)
}

// isTokenRejection reports whether a failure message is about the token.
// Flowery documents no error codes, so the message is all there is.
func isTokenRejection(message string) bool {
	return strings.Contains(strings.ToLower(message), "token")
}

// parseError reads Flowery's failure envelope out of an HTTP error answer.
func parseError(res *transport.Response, e *status.APIError) {
	var r Response[json.RawMessage]
	if json.Unmarshal(emptyValue.ReplaceAll(res.Body, []byte("${1}${2}null${3}")), &r) != nil {
		return
	}
	e.Code, e.Message = r.Status.String, r.Message
}

// fastTracked reads a successful answer of Track's orders in one pass by
// hand, each order named member by member, and reports false when the
// answer needs the careful path (as fastResponse does). It reads past
// the members Track does not use without looking their names up again
// without regard to case, which most of an order's members would cost.
func fastTracked(body []byte, size int) (*Response[trackedOrder], bool) {
	return fastEnvelope(body, size, readOrders)
}

// fastEnvelope reads a successful answer in one pass, its orders with
// orders into a slice sized for size, and reports false when the answer
// needs the careful path: it does not read so, or it is not a success
// with orders.
func fastEnvelope[T any](body []byte, size int, orders func(*record.Reader, *[]T) error) (*Response[T], bool) {
	r := &Response[T]{OrdersDetail: make([]T, 0, size)}
	rd := record.NewReader(body)
	defer rd.Close()
	err := rd.Object(func(name []byte) (uint64, error) {
		switch string(name) {
		case "code":
			return 1 << 0, rd.Value(&r.Code)
		case "status":
			return 1 << 1, rd.Value(&r.Status)
		case "message":
			return 1 << 2, readText(rd, &r.Message)
		case "sn_str":
			return 1 << 3, readText(rd, &r.SNStr)
		case "orders_detail":
			if rd.PeekKind() != '[' {
				return 0, errNotOrders // a null, or a value that is no list: the careful path says which
			}
			return 1 << 4, orders(rd, &r.OrdersDetail)
		}
		return 0, rd.Skip(name, "code", "status", "message", "sn_str", "orders_detail")
	})
	if err != nil || !rd.End() || !r.OK() || len(r.OrdersDetail) == 0 {
		// No orders, an empty list, or none at all: the careful path tells
		// which.
		return nil, false
	}
	return r, true
}

// readText reads a string, or a null that leaves it as it is, as
// encoding/json reads the envelope's.
func readText(rd *record.Reader, s *string) error {
	if rd.PeekKind() == 'n' {
		return rd.SkipValue()
	}
	return rd.String(s)
}

// readOrders reads orders_detail: an array of orders, each an object.
func readOrders(rd *record.Reader, orders *[]trackedOrder) error {
	return rd.Array(func() error {
		*orders = append(*orders, trackedOrder{})
		return (*orders)[len(*orders)-1].readFrom(rd)
	})
}

var errNotOrders = errors.New("flowery: orders_detail is not a list")

// readFrom reads an order, each member Track uses into its field; the
// others are an OrderDetail's, and read past. A null, or a value of
// another kind, where a field's Go type has none needs the careful path,
// which keeps it in Unfit.
func (o *trackedOrder) readFrom(rd *record.Reader) error {
	return rd.Object(func(name []byte) (uint64, error) {
		switch string(name) {
		case "order_status":
			return 1 << 0, rd.String((*string)(&o.OrderStatus))
		case "order_no":
			return 1 << 1, rd.String(&o.OrderNo)
		case "express_no":
			return 1 << 2, rd.String(&o.ExpressNo)
		case "goods_status":
			return 1 << 3, rd.String((*string)(&o.GoodsStatus))
		case "goods_status_time":
			return 1 << 4, rd.Value(&o.GoodsStatusTime)
		case "latest_scan_status":
			return 1 << 5, rd.String((*string)(&o.LatestScanStatus))
		case "return_reason":
			return 1 << 6, rd.Value(&o.ReturnReason)
		case "problem_reason":
			return 1 << 7, rd.Value(&o.ProblemReason)
		case "order_type", "shipper", "receiver", "goods_name_cn", "goods_name_en", "goods_qty", "weight", "billing_weight",
			"cod_amount", "insurance_amount", "collect_amount", "service_type", "sender_order_time", "old_order_no",
			"old_express_no", "return_detail":
			return 0, rd.SkipValue() // an OrderDetail's
		}
		return 0, rd.Skip(name, "order_status", "order_no", "express_no", "goods_status",
			"goods_status_time", "latest_scan_status", "return_reason", "problem_reason")
	})
}

// fastFor returns the one-pass decoder of answers of T, or nil when T has
// none (then every answer takes the careful path).
func fastFor[T any]() func(body []byte, size int) (*Response[T], bool) {
	switch any((*T)(nil)).(type) {
	case *OrderDetail:
		return any(fastResponse).(func([]byte, int) (*Response[T], bool))
	case *trackedOrder:
		return any(fastTracked).(func([]byte, int) (*Response[T], bool))
	}
	return nil
}

// orderDetailPlan reads an order in one pass.
var orderDetailPlan = record.NewPlan[OrderDetail]()

// fastResponse decodes a successful answer whose every value fits in one
// pass, each order by orderDetailPlan. It reports false when the answer
// needs the careful path.
func fastResponse(body []byte, size int) (*Response[OrderDetail], bool) {
	return fastEnvelope(body, size, orderDetailPlan.ReadList)
}
