package transport

import (
	"context"
	"errors"
	"net/http"
	"sync"
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

	mu    sync.Mutex
	until time.Time // no request before this
}

// errPaced marks a request the pacer did not send: its context would end
// before its turn. No retry can mend that.
var errPaced = errors.New("the context ends before the request's turn under the rate limit")

// RoundTrip waits for the request's turn, then sends it.
func (p *pacer) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	return p.rt.RoundTrip(r)
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
		p.mu.Lock()
		paused := time.Now().Before(p.until)
		p.mu.Unlock()
		if !paused {
			return nil
		}
	}
}

// waitPause waits out a pause; one that outlasts ctx's deadline is refused
// at once, as the rate limiter refuses a turn that comes too late.
func (p *pacer) waitPause(ctx context.Context) error {
	for {
		p.mu.Lock()
		until := p.until
		p.mu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
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

// pause holds every request back for d.
func (p *pacer) pause(d time.Duration) {
	until := time.Now().Add(d)
	p.mu.Lock()
	if until.After(p.until) {
		p.until = until
	}
	p.mu.Unlock()
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, when it is ordertrack's own (a caller's is never closed:
// sharedTransport has no such method).
func (p *pacer) CloseIdleConnections() {
	if c, ok := p.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
