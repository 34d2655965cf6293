package transport

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

// arrivals is a loopback server that records when each request arrived.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) add() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	a.times = append(a.times, now)
	return now
}

func (a *arrivals) sorted() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := slices.Clone(a.times)
	slices.SortFunc(out, func(x, y time.Time) int { return x.Compare(y) })
	return out
}

// With RateLimit 50 and Burst 1, 60 concurrent queries arrive no faster
// than the limit allows: the server sees them spread over at least 59/50 s.
func TestRateLimitMeasuredAtTheServer(t *testing.T) {
	var seen arrivals
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { seen.add() })
	c := newClient(t, srv.URL, func(c *Config) { c.RateLimit, c.Burst = 50, 1 })
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), &Request{Path: "/q"})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	times := seen.sorted()
	require.Len(t, times, 60)
	span := times[59].Sub(times[0])
	assert.GreaterOrEqual(t, span, 59*time.Second/50-20*time.Millisecond, "60 requests at 50/s take 1.18 s at least")
	for i := 1; i < len(times); i++ {
		assert.GreaterOrEqual(t, times[i].Sub(times[0]), time.Duration(i)*time.Second/50-20*time.Millisecond, "request %d came early", i)
	}
}

// Cancelling while waiting for a turn returns at once, with the context's
// error, and nothing is sent.
func TestRateLimitWaitHonoursTheContext(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {})
	c := newClient(t, srv.URL, func(c *Config) { c.RateLimit, c.Burst = 0.1, 1 })
	_, err := c.Do(context.Background(), &Request{Path: "/q"}) // takes the one token
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Do(ctx, &Request{Path: "/q"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, int32(1), srv.hits.Load())

	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrRateLimited, "the turn comes after the deadline: refused at once")
	assert.Equal(t, int32(1), srv.hits.Load())
}

// After one 429 with Retry-After: 1, no request from any goroutine arrives
// within that second: the whole client pauses, not only the goroutine that
// saw it.
func TestRetryAfterPausesTheWholeClient(t *testing.T) {
	var seen arrivals
	var first time.Time
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		at := seen.add()
		if n == 1 {
			first = at
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	c := newClient(t, srv.URL)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := c.Do(context.Background(), &Request{Path: "/first"}) // 429, waits, retried
		assert.NoError(t, err)
	}()
	for srv.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the 429 has been read
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), &Request{Path: "/other"})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	<-done
	times := seen.sorted()
	require.Len(t, times, 12, "the 429, its retry, and ten others")
	for _, at := range times[1:] {
		assert.GreaterOrEqual(t, at.Sub(first), 950*time.Millisecond, "nothing arrives within the second asked for")
	}
}

// Requests already waiting their turn under the rate limit do not go out
// during a pause that a 429 started meanwhile.
func TestPauseHoldsRequestsQueuedInTheLimiter(t *testing.T) {
	var seen arrivals
	var pausedAt time.Time
	var mu sync.Mutex
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		at := seen.add()
		if r.URL.Path == "/first" {
			mu.Lock()
			first := pausedAt.IsZero()
			if first {
				pausedAt = at
			}
			mu.Unlock()
			if first {
				time.Sleep(100 * time.Millisecond)
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusTooManyRequests)
			}
		}
	})
	// The pause starts when the client has the 429 (a loaded machine may
	// take a while to hand it over): measured where the answer reaches it.
	var heardAt time.Time
	var sent []time.Time // when the client sent each request to /q
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == "/q" {
			mu.Lock()
			sent = append(sent, time.Now())
			mu.Unlock()
		}
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			mu.Lock()
			heardAt = time.Now()
			mu.Unlock()
		}
		return resp, err
	})
	c := newClient(t, srv.URL, func(c *Config) { c.RateLimit, c.Burst, c.HTTPClient = 2, 1, &http.Client{Transport: rt} })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := c.Do(context.Background(), &Request{Path: "/first"})
		assert.NoError(t, err)
	}()
	time.Sleep(20 * time.Millisecond)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), &Request{Path: "/q"})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	require.False(t, heardAt.IsZero())
	require.Len(t, sent, 3)
	// Retry-After counts from when the client heard the 429, and holds
	// what the client sends from then (a request sent before is not held;
	// a moment is left for the pause to be set): measured at the client,
	// so that a loaded machine's delays cannot fake a request in the pause.
	for _, at := range sent {
		assert.False(t, at.After(heardAt.Add(250*time.Millisecond)) && at.Before(heardAt.Add(2*time.Second)),
			"a request sent %v into the pause (heard %v after the 429's request came)", at.Sub(heardAt), heardAt.Sub(pausedAt))
	}
}

// A pause that outlasts the call's deadline is refused at once, as the
// limiter refuses a turn that comes too late.
func TestPauseBeyondTheDeadlineIsRefusedAtOnce(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	c := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = -1 })
	_, err := c.Do(context.Background(), &Request{Path: "/q"})
	require.ErrorIs(t, err, status.ErrRateLimited)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err = c.Do(ctx, &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrRateLimited)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the deadline cut the wait short")
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	assert.Equal(t, int32(1), srv.hits.Load())
}

// A turn under the rate limit that comes after the deadline is refused at
// once, matching both ErrRateLimited and context.DeadlineExceeded.
func TestLimiterBeyondTheDeadlineMatchesBoth(t *testing.T) {
	srv := newServer(t, func(int, http.ResponseWriter, *http.Request) {})
	c := newClient(t, srv.URL, func(c *Config) { c.RateLimit, c.Burst = 0.5, 1 })
	_, err := c.Do(context.Background(), &Request{Path: "/q"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrRateLimited)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// The call that sees a 429 whose Retry-After outlasts its deadline returns
// at once with ErrRateLimited, with retries on: it neither sleeps to the
// deadline nor sends again.
func TestRetryAfterBeyondTheDeadlineReturnsAtOnce(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrRateLimited)
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 5*time.Second, ae.RetryAfter)
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	assert.Equal(t, int32(1), srv.hits.Load())
}

// A pause is logged once at Warn, with the provider and until when, so
// that a call waiting on it is never a silent hang.
func TestPauseIsLoggedOnce(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c := newClient(t, srv.URL, func(c *Config) { c.Logger, c.RetryAfterMax, c.MaxRetries = log, 2*time.Second, -1 })
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := c.Do(ctx, &Request{Path: "/q"})
			assert.ErrorIs(t, err, status.ErrRateLimited)
		}()
	}
	wg.Wait()
	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, `"msg":"ordertrack: paused"`), out)
	assert.Contains(t, out, `"provider":"bailun"`)
	assert.Contains(t, out, `"until":"`)
	assert.Contains(t, out, `"retry_after":"60"`)
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
