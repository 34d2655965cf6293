package flowery

import (
	"bytes"
	"encoding/json"
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

// The records' plain forms, for decoding a batch in one pass: a record's
// own UnmarshalJSON would have each order scanned twice more.
type (
	plainOrderDetail  OrderDetail
	plainTrackedOrder trackedOrder
)

// fastFor returns the one-pass decoder of answers of T, or nil when T has
// none (then every answer takes the careful path).
func fastFor[T any]() func(body []byte, size int) (*Response[T], bool) {
	switch any((*T)(nil)).(type) {
	case *OrderDetail:
		return any(fastResponse[OrderDetail, plainOrderDetail]).(func([]byte, int) (*Response[T], bool))
	case *trackedOrder:
		return any(fastResponse[trackedOrder, plainTrackedOrder]).(func([]byte, int) (*Response[T], bool))
	}
	return nil
}

// fastResponse decodes a successful answer whose every value fits in one
// pass, into P, T's plain form, in a slice sized for size orders. It
// reports false when the answer needs the careful path: it does not
// decode, it is not a success, or an order may hold a null where its Go
// type has none.
func fastResponse[T, P any](body []byte, size int) (*Response[T], bool) {
	orders := make([]P, 0, size)
	w := struct {
		Code         wire.String `json:"code"`
		Status       wire.String `json:"status"`
		Message      string      `json:"message"`
		SNStr        string      `json:"sn_str"`
		OrdersDetail *[]P        `json:"orders_detail"`
	}{OrdersDetail: &orders}
	if record.UnmarshalFast(body, &w) != nil || !succeeded(w.Code, w.Status) || w.OrdersDetail == nil || len(*w.OrdersDetail) == 0 {
		// No orders, an empty list, or none at all: the careful path tells
		// which.
		return nil, false
	}
	orders = *w.OrdersDetail
	nulls := record.NullsOf(body)
	for i := range orders {
		if !record.Settled(&orders[i], &nulls) {
			return nil, false
		}
	}
	return &Response[T]{Code: w.Code, Status: w.Status, Message: w.Message, SNStr: w.SNStr, OrdersDetail: record.Records[T](orders)}, true
}
