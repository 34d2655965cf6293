package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ordertrack/ordertrack/internal/lease"
	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
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
	// obs hears each request sent, for provider; nil for none.
	obs      observe.Observer
	provider status.Provider

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
// timeout, telling the Observer.
func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	// The lease the request is sent under, by this process's clock (a
	// process resumed past its lease's end sends nothing).
	if err := lease.Check(ctx); err != nil {
		return nil, err
	}
	var end func(observe.AttemptEnd)
	if p.obs != nil {
		ctx, end = p.startAttempt(ctx, r)
	}
	var cancel context.CancelFunc
	if p.timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, p.timeout, p.timedOut)
	}
	if cancel == nil && end == nil {
		return p.rt.RoundTrip(r)
	}
	res, err := p.rt.RoundTrip(r.WithContext(ctx))
	if err != nil || res == nil || res.Body == nil {
		// Nothing to read: net/http makes of it what it makes of it
		// unwrapped (an error, or an empty body).
		if cancel != nil {
			cancel()
		}
		if end != nil {
			e := observe.AttemptEnd{Err: err}
			if res != nil {
				e.StatusCode = res.StatusCode
			}
			end(e)
		}
		return res, err
	}
	res.Body = &timedBody{ReadCloser: res.Body, cancel: cancel, end: end, code: res.StatusCode}
	return res, nil
}

// startAttempt tells the Observer of r, a request of the call in ctx.
func (p *pacer) startAttempt(ctx context.Context, r *http.Request) (context.Context, func(observe.AttemptEnd)) {
	a := observe.Attempt{Provider: p.provider, Account: observe.Account(ctx), Method: r.Method, Endpoint: r.URL.Path, Host: r.URL.Hostname()}
	if port := r.URL.Port(); port != "" {
		a.Port, _ = strconv.Atoi(port)
	} else if r.URL.Scheme == "https" {
		a.Port = 443
	} else {
		a.Port = 80
	}
	if st := callFrom(ctx); st != nil {
		a.Endpoint = st.endpoint
		a.Resend = int(st.sent.Add(1)) - 1
	}
	return p.obs.StartAttempt(ctx, a)
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
// ends when the body has been read to its end or closed; the attempt's
// end is told to the Observer then too. Either may be nil.
type timedBody struct {
	io.ReadCloser
	cancel context.CancelFunc
	end    func(observe.AttemptEnd)
	code   int
	done   atomic.Bool
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		var failed error
		if err != io.EOF {
			failed = err
		}
		b.finish(failed)
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	// Closed before its end: over the size cap, a redirect refused, a
	// retry's answer drained in part. The attempt read no whole answer.
	b.finish(errUnread)
	return err
}

// errUnread ends an attempt whose answer was closed before its end.
var errUnread = errors.New("the answer was closed before its end (over the size cap, or not needed)")

// finish ends the timeout and the attempt, once.
func (b *timedBody) finish(err error) {
	if b.done.Swap(true) {
		return
	}
	if b.cancel != nil {
		b.cancel()
	}
	if b.end != nil {
		b.end(observe.AttemptEnd{StatusCode: b.code, Err: err})
	}
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
