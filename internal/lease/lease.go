// Package lease carries, in a context, the check of the lease its work
// runs under, so that the transport asks it, by the process's own clock,
// right before each request it sends.
//
// A Watcher's batch runs under a context that its lease's end cancels,
// by a timer. A process stopped (SIGSTOP, a long pause) past that end
// resumes with the timer not yet fired: for that moment the context is
// not done, and a request could leave after the lease ended, while
// another process drives the account. The check closes that moment.
package lease

import "context"

type key struct{}

// With returns ctx carrying check, which returns an error once the lease
// that ctx's work runs under has ended.
func With(ctx context.Context, check func() error) context.Context {
	return context.WithValue(ctx, key{}, check)
}

// Check returns the error of ctx's check, if it carries one and the
// lease ended; nil otherwise.
func Check(ctx context.Context) error {
	if check, ok := ctx.Value(key{}).(func() error); ok {
		return check()
	}
	return nil
}
