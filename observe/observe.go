package observe

import (
	"context"

	"github.com/ordertrack/ordertrack/status"
)

// Observer hears each call a client makes and each HTTP attempt of it.
// Each Start method returns the context the work runs under (an adapter
// that traces puts its span in it) and a function the SDK calls once,
// when that work ends. An Observer is called from many goroutines at once,
// and must not block: it runs on the path of every request.
type Observer interface {
	// StartCall is called as a call begins.
	StartCall(ctx context.Context, c Call) (context.Context, func(err error))
	// StartAttempt is called as each HTTP request of a call is sent,
	// after its turn under the client's rate limit; the function it
	// returns is called once the answer has been read whole, or the
	// attempt failed.
	StartAttempt(ctx context.Context, a Attempt) (context.Context, func(AttemptEnd))
}

// Call is one call of a client: one of its exported methods.
type Call struct {
	Provider status.Provider
	// Account is the account the call is made for, as WithAccount put it
	// in the call's context ("" when none did): the Watcher puts the
	// account a tracker was added with.
	Account string
	// Name is the method's name: "Track", "QueryOrder", ...
	Name string
	// Refs counts the refs the call asks about (0 for a call that names
	// none, such as a create).
	Refs int
}

// Attempt is one HTTP request sent for a call.
type Attempt struct {
	Provider status.Provider
	Account  string
	// Method is the HTTP method; Endpoint the path the SDK names the
	// request by (its template: no ref, no query, never a secret), such
	// as "/apiV2/bailunOrder/queryOrderStatus".
	Method, Endpoint string
	// Host and Port are where the request is sent.
	Host string
	Port int
	// Resend counts the requests of the same request sent before this
	// one: 0 for the first, then 1 for the first retry (or redirect
	// followed), and so on.
	Resend int
}

// AttemptEnd is how an attempt ended: the HTTP status of its answer (0
// when none came), or the error that ended it (a connection refused, a
// timeout, a body cut short or over the size cap, the context's end).
type AttemptEnd struct {
	StatusCode int
	Err        error
}

type accountKey struct{}

// WithAccount returns ctx carrying the account that calls made under it
// are for, for Call.Account and Attempt.Account.
func WithAccount(ctx context.Context, account string) context.Context {
	return context.WithValue(ctx, accountKey{}, account)
}

// Account returns the account WithAccount put in ctx, or "".
func Account(ctx context.Context) string {
	a, _ := ctx.Value(accountKey{}).(string)
	return a
}
