package transport

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// pacer holds back every request of one Client: the rate limit, shared by
// every call, retry and token request, and the pause a provider asked for
// with a 429's Retry-After, which holds every goroutine, not only the one
// that saw it.
type pacer struct {
	rt      http.RoundTripper
	limiter *rate.Limiter // nil: no rate limit
	// timeout bounds each request sent, from its turn to the end of its
	// answer's body (each redirect followed is a request of its own); 0
	// sets none. It stands in for http.Client.Timeout,
	// which net/http enforces with a goroutine and a timer of its own per
	// request when the transport is not its own, as this one is not.
	timeout time.Duration
	// timedOut is the cause of an attempt that outlasted timeout, made
	// once.
	timedOut error

	// until is the end of the pause, as monotonic nanoseconds since
	// epoch: no request before it. 0 is no pause ever asked for, so the
	// usual path reads one word and takes no lock.
	until atomic.Int64
}

// errPaced marks a request the pacer did not send: its context would end
// before its turn. No retry can mend that. It matches
// context.DeadlineExceeded, since the deadline is what cut the wait short.
var errPaced error = pacedError{}

type pacedError struct{}

func (pacedError) Error() string {
	return "the context ends before the request's turn under the rate limit"
}

// Is matches context.DeadlineExceeded.
func (pacedError) Is(target error) bool { return target == context.DeadlineExceeded }

// RoundTrip waits for the request's turn, then sends it, under the
// timeout.
func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	if p.timeout <= 0 {
		return p.rt.RoundTrip(r)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, p.timeout, p.timedOut)
	res, err := p.rt.RoundTrip(r.WithContext(ctx))
	if err != nil || res == nil || res.Body == nil {
		// Nothing to read: net/http makes of it what it makes of it
		// unwrapped (an error, or an empty body).
		cancel()
		return res, err
	}
	res.Body = &timedBody{ReadCloser: res.Body, cancel: cancel}
	return res, nil
}

// timeoutError is the failure of a request that outlasted the timeout.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return "no whole answer within the " + e.d.String() + " timeout per attempt"
}

// Timeout reports true: timeoutError is a net.Error, as the error of
// http.Client.Timeout is.
func (e *timeoutError) Timeout() bool { return true }

// Temporary reports true: another attempt may well be answered in time.
func (e *timeoutError) Temporary() bool { return true }

// Is matches context.DeadlineExceeded, as the error of http.Client.Timeout
// does.
func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// timedBody is an answer's body read under its request's timeout, which
// ends when the body has been read to its end or closed.
type timedBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.cancel()
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (p *pacer) wait(ctx context.Context) error {
	for {
		// A pause first; then a turn under the rate limit; then, since a
		// 429 may have paused the client meanwhile, the pause again.
		if err := p.waitPause(ctx); err != nil {
			return err
		}
		if p.limiter != nil {
			if err := p.limiter.Wait(ctx); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return errPaced
			}
		}
		if p.pausedFor() <= 0 {
			return nil
		}
	}
}

// waitPause waits out a pause; one that outlasts ctx's deadline is refused
// at once, as the rate limiter refuses a turn that comes too late.
func (p *pacer) waitPause(ctx context.Context) error {
	for {
		d := p.pausedFor()
		if d <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return errPaced
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pausedFor is how long the pause has still to run: 0 or less for none.
func (p *pacer) pausedFor() time.Duration {
	until := p.until.Load()
	if until == 0 {
		return 0
	}
	return time.Duration(until) - time.Since(epoch)
}

// epoch is the pacer's clock's zero: times since it are read on the
// monotonic clock, which a change of the wall clock does not move.
var epoch = time.Now()

// pause holds every request back for d; a longer pause already asked for
// stands. It reports whether a pause begins with it: none was running.
func (p *pacer) pause(d time.Duration) (begins bool) {
	now := time.Since(epoch)
	until := int64(now + d)
	for {
		old := p.until.Load()
		if until <= old {
			return false
		}
		if p.until.CompareAndSwap(old, until) {
			return old <= int64(now)
		}
	}
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, when it is ordertrack's own (a caller's is never closed:
// sharedTransport has no such method).
func (p *pacer) CloseIdleConnections() {
	if c, ok := p.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
