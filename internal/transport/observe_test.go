package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// recorder is an Observer that writes down what it hears, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
	calls  []observe.Call
	tries  []observe.Attempt
	ends   []observe.AttemptEnd
}

type recKey struct{}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) StartCall(ctx context.Context, c observe.Call) (context.Context, func(error)) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	r.add("call " + c.Name)
	return context.WithValue(ctx, recKey{}, c.Name), func(err error) {
		s := "end " + c.Name
		if err != nil {
			s += ": failed"
		}
		r.add(s)
	}
}

func (r *recorder) StartAttempt(ctx context.Context, a observe.Attempt) (context.Context, func(observe.AttemptEnd)) {
	parent, _ := ctx.Value(recKey{}).(string)
	r.mu.Lock()
	r.tries = append(r.tries, a)
	r.mu.Unlock()
	r.add("attempt " + strconv.Itoa(a.Resend) + " of " + parent)
	var once sync.Once
	return ctx, func(e observe.AttemptEnd) {
		first := false
		once.Do(func() { first = true })
		if !first {
			r.add("attempt ended twice")
			return
		}
		r.mu.Lock()
		r.ends = append(r.ends, e)
		r.mu.Unlock()
		r.add("attempt end " + strconv.Itoa(e.StatusCode))
	}
}

func TestObserverHearsCallsAndAttempts(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"down":true}`))
		case 2:
			http.Redirect(w, r, "/moved", http.StatusFound)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	})
	rec := &recorder{}
	c := newClient(t, srv.URL, func(c *Config) { c.Observer = rec })
	ctx, end := c.Start(observe.WithAccount(context.Background(), "eu"), "QueryOrder", 1)
	res, err := c.Do(ctx, &Request{Path: "/orders/query", Query: url.Values{"orderNo": {"R-1"}}})
	end(err)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ok":true}`, string(res.Body))

	assert.Equal(t, []string{
		"call QueryOrder",
		"attempt 0 of QueryOrder", "attempt end 503",
		"attempt 1 of QueryOrder", "attempt end 302",
		"attempt 2 of QueryOrder", "attempt end 200",
		"end QueryOrder",
	}, rec.events, "each request sent is an attempt of the call, under its context, ended once its answer was read")
	assert.Equal(t, []observe.Call{{Provider: status.Bailun, Account: "eu", Name: "QueryOrder", Refs: 1}}, rec.calls)
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	for i, a := range rec.tries {
		assert.Equal(t, observe.Attempt{Provider: status.Bailun, Account: "eu", Method: "GET", Endpoint: "/orders/query", Host: host, Port: p, Resend: i}, a,
			"the endpoint is the path the SDK names, never the query")
	}
}

func TestObserverHearsFailedAttempts(t *testing.T) {
	// A connection refused: each attempt ends with the error, no status.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	rec := &recorder{}
	c := newClient(t, "http://"+addr, func(c *Config) { c.Observer = rec; c.MaxRetries = 1 })
	ctx, end := c.Start(context.Background(), "Track", 3)
	_, err = c.Do(ctx, &Request{Path: "/x"})
	end(err)
	require.ErrorIs(t, err, status.ErrUnavailable)
	assert.Equal(t, []string{"call Track", "attempt 0 of Track", "attempt end 0", "attempt 1 of Track", "attempt end 0", "end Track: failed"}, rec.events)
	for _, e := range rec.ends {
		var op *net.OpError
		assert.True(t, errors.As(e.Err, &op), "the attempt's own error: %v", e.Err)
	}

	// A body cut short: the attempt ends with the read's error and the
	// status that came.
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(`{"cut`))
	})
	rec = &recorder{}
	c = newClient(t, srv.URL, func(c *Config) { c.Observer = rec; c.MaxRetries = -1 })
	_, err = c.Do(context.Background(), &Request{Path: "/cut"})
	require.ErrorIs(t, err, status.ErrMalformedResponse)
	require.Len(t, rec.ends, 1)
	assert.Equal(t, 200, rec.ends[0].StatusCode)
	assert.Error(t, rec.ends[0].Err)
	assert.Equal(t, []string{"attempt 0 of ", "attempt end 200"}, rec.events, "a Do outside a call is still heard, with no call")
}

func TestStartWithoutObserverCostsNothing(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		got, end := c.Start(ctx, "Track", 1)
		end(nil)
		if got != ctx {
			t.Fatal("the context changed")
		}
	})
	assert.Zero(t, allocs)
}

// An answer over the size cap ends its attempt with an error, though its
// status was 200.
func TestObserverHearsAnAnswerOverTheCap(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			if !chunked {
				w.Header().Set("Content-Length", "5000")
			}
			w.Write(make([]byte, 5000))
		})
		rec := &recorder{}
		c := newClient(t, srv.URL, func(c *Config) { c.Observer = rec; c.MaxBodyBytes = 1000 })
		_, err := c.Do(context.Background(), &Request{Path: "/big"})
		require.ErrorIs(t, err, status.ErrMalformedResponse)
		require.Len(t, rec.ends, 1)
		assert.Equal(t, 200, rec.ends[0].StatusCode)
		assert.Error(t, rec.ends[0].Err, "chunked=%v", chunked)
	}
}
