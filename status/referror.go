package status

import (
	"strconv"
	"strings"
)

// RefError is the failure of one ref's lookup, as Snapshot.Err holds it.
// Its message names the provider and the ref once, followed by the cause
// without the provider's name again:
//
//	bailun: ref "CP-1001": GET /apiV2/bailunOrder/queryOrderStatus: HTTP 503 (provider unavailable)
type RefError struct {
	// Provider is the provider asked.
	Provider Provider
	// Ref is the ref as the caller gave it.
	Ref string
	// Op names the part of the lookup that failed, when not the lookup
	// itself ("events": the request for the ref's history).
	Op string
	// Err is the cause; errors.Is and errors.As see through to it.
	Err error
}

// Error returns `provider: ref "X": cause`.
func (e *RefError) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	msg = strings.TrimPrefix(msg, string(e.Provider)+": ")
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	return string(e.Provider) + ": ref " + strconv.Quote(e.Ref) + ": " + msg
}

// Unwrap returns the cause.
func (e *RefError) Unwrap() error { return e.Err }
