// Package token caches a provider's access token: fetched on first use,
// shared by concurrent callers (one fetch at a time), refreshed before it
// expires, and dropped when the provider rejects it.
package token

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Fetch gets a new token and how long it lives; 0 means until rejected.
type Fetch func(ctx context.Context) (token string, lifetime time.Duration, err error)

// Source hands out a cached token. The zero value is not usable; build one
// with New.
type Source struct {
	fetch Fetch
	now   func() time.Time

	// cached is the token and when to stop handing it out, read without a
	// lock on the hit path; every change to it is made under mu.
	cached atomic.Pointer[cachedToken]

	mu       sync.Mutex
	token    string
	expiry   time.Time // zero: no expiry
	inflight *flight
	failed   error // the last fetch's failure, shared until failedAt+HoldFailure
	failedAt time.Time
}

type cachedToken struct {
	token  string
	expiry time.Time // zero: no expiry
}

// HoldFailure is how long a failed fetch's error is handed to every caller
// without fetching again: the callers of one Track arrive in waves (as
// many at once as its Concurrency), and during an outage each wave would
// otherwise run the whole retrying fetch again.
const HoldFailure = time.Second

// flight is one fetch under way; err is set before done is closed.
type flight struct {
	done chan struct{}
	err  error
}

// New returns a Source that gets tokens from fetch.
func New(fetch Fetch) *Source { return &Source{fetch: fetch, now: time.Now} }

// Get returns the cached token, fetching one when there is none or it is
// about to expire. Callers arriving during a fetch wait for it (or for their
// own context). A fetch that fails fails every caller waiting on it at
// once, with its error, so that an outage costs one fetch's retries, not
// one per caller; only when it failed because its own caller's context
// ended does the next waiter fetch again.
func (s *Source) Get(ctx context.Context) (string, error) {
	if c := s.cached.Load(); c != nil && (c.expiry.IsZero() || s.now().Before(c.expiry)) {
		return c.token, nil // the hit path takes no lock
	}
	for {
		s.mu.Lock()
		if s.token != "" && (s.expiry.IsZero() || s.now().Before(s.expiry)) {
			tok := s.token
			s.mu.Unlock()
			return tok, nil
		}
		if s.failed != nil && s.now().Before(s.failedAt.Add(HoldFailure)) {
			err := s.failed
			s.mu.Unlock()
			return "", err
		}
		if f := s.inflight; f != nil {
			s.mu.Unlock()
			select {
			case <-f.done:
				if f.err != nil && !errors.Is(f.err, errFetcherGone) {
					return "", f.err
				}
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		f := &flight{done: make(chan struct{})}
		s.inflight = f
		s.mu.Unlock()
		return s.fetchOnce(ctx, f)
	}
}

// errFetcherGone marks a fetch that failed only because the context of
// the caller running it ended.
var errFetcherGone = errors.New("token: the fetching caller went away")

// fetchOnce runs the fetch f stands for. Its cleanup is deferred, so that
// even a panicking fetch frees the callers waiting on it.
func (s *Source) fetchOnce(ctx context.Context, f *flight) (tok string, err error) {
	var life time.Duration
	defer func() {
		s.mu.Lock()
		s.inflight = nil
		switch {
		case err == nil && tok != "":
			s.token, s.expiry, s.failed = tok, time.Time{}, nil
			if life > 0 {
				// Refresh a minute early (a tenth early for short lifetimes),
				// so a token never expires on its way to the provider.
				s.expiry = s.now().Add(life - min(time.Minute, life/10))
			}
			s.cached.Store(&cachedToken{token: s.token, expiry: s.expiry})
		case ctx.Err() != nil:
			f.err = errFetcherGone
		case err != nil:
			f.err = err
			s.failed, s.failedAt = err, s.now()
		default:
			f.err = errFetcherGone // a panic: let the next caller try
		}
		s.mu.Unlock()
		close(f.done)
	}()
	tok, life, err = s.fetch(ctx)
	return tok, err
}

// Invalidate drops tok if it is still the cached token, so that the next
// Get fetches a new one; a token already replaced is left alone.
func (s *Source) Invalidate(tok string) {
	s.mu.Lock()
	if s.token == tok {
		s.token = ""
		s.cached.Store(nil)
	}
	s.mu.Unlock()
}
