package status

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Every provider's errors match one of them with errors.Is
// where the provider's answer says which; an [*APIError] carries the detail.
var (
	// ErrNotFound: the provider does not know the order, consignment or SKU.
	ErrNotFound = errors.New("not found")
	// ErrInvalidRequest: the request was refused as malformed, either by
	// ordertrack before sending (an empty ref, a missing address) or by the
	// provider (HTTP 400/422 or a parameter-error code).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrInvalidConfig: a client's New refused its Config (a required field
	// missing, a URL that is not an https URL, a negative limit); nothing
	// was sent.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrUnauthorized: the credentials were refused (HTTP 401/403, a bad token).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRateLimited: the provider asked us to slow down (HTTP 429) and the
	// retries ran out, or its Retry-After was longer than ordertrack waits.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: the provider could not be reached, or answered with a
	// server error, after every retry.
	ErrUnavailable = errors.New("provider unavailable")
	// ErrMalformedResponse: the provider answered with a body ordertrack
	// cannot decode: not JSON (an HTML page), truncated, of an unexpected
	// shape, or larger than the body limit.
	ErrMalformedResponse = errors.New("malformed response")
	// ErrRedirect: the provider (or something in front of it) answered with
	// a redirect that ordertrack does not follow: to a host other than
	// BaseURL's, or of a request that is not a GET. Nothing was sent there:
	// credentials never leave the provider's host, and a POST is never
	// sent again or turned into a GET.
	ErrRedirect = errors.New("redirect refused")
	// ErrOutcomeUnknown: a request that changes something (a create) reached
	// the provider, but no answer came back, so it may or may not have taken
	// effect. Look the object up before trying again. It is never returned
	// for read-only queries, nor when the request provably was not sent.
	ErrOutcomeUnknown = errors.New("outcome unknown: the request may or may not have taken effect")
)

// APIError is an error reported by a provider: an HTTP error status, an error
// code inside a successful HTTP answer, or an answer that cannot be decoded.
// Code and Message are the provider's, verbatim.
type APIError struct {
	// Provider is the provider that answered.
	Provider Provider
	// Method and Endpoint name the call ("GET", "/apiV2/bailunOrder/queryOrderStatus").
	Method   string
	Endpoint string
	// HTTPStatus is the answer's HTTP status code.
	HTTPStatus int
	// Code is the provider's error code as sent ("10001", "failure"); empty
	// when the answer had none.
	Code string
	// Message is the provider's message as sent ("订单不存在").
	Message string
	// Body is the start of the raw answer (at most 4 KiB), for diagnosis.
	Body string
	// RetryAfter is the wait the provider asked for with Retry-After; zero
	// when it asked for none.
	RetryAfter time.Duration
	// Err is the sentinel this error matches (ErrNotFound, ErrUnauthorized,
	// ...); nil when none applies.
	Err error
}

// Error returns "provider: METHOD endpoint: HTTP n: code c: message".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Provider))
	if e.Method != "" || e.Endpoint != "" {
		b.WriteString(": ")
		b.WriteString(e.Method)
		b.WriteString(" ")
		b.WriteString(e.Endpoint)
	}
	b.WriteString(": HTTP ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	if e.Code != "" {
		b.WriteString(": code ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(" (")
		b.WriteString(e.Err.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the sentinel the error matches, so that
// errors.Is(err, status.ErrNotFound) works for every provider.
func (e *APIError) Unwrap() error { return e.Err }
