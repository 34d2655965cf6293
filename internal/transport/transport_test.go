package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

// server counts the requests it gets and answers each with handle(n, w, r),
// n counting from 1.
type server struct {
	*httptest.Server
	hits   atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func newServer(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		handle(int(s.hits.Add(1)), w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func newClient(t *testing.T, url string, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Provider: status.Bailun, BaseURL: url, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

func TestAttemptsPerStatus(t *testing.T) {
	cases := []struct {
		code     int
		attempts int
		sentinel error
	}{
		{200, 1, nil},
		{204, 1, nil},
		{400, 1, status.ErrInvalidRequest},
		{401, 1, status.ErrUnauthorized},
		{403, 1, status.ErrUnauthorized},
		{404, 1, status.ErrNotFound},
		{409, 1, nil},
		{422, 1, status.ErrInvalidRequest},
		{429, 4, status.ErrRateLimited},
		{500, 4, status.ErrUnavailable},
		{501, 1, status.ErrUnavailable},
		{502, 4, status.ErrUnavailable},
		{503, 4, status.ErrUnavailable},
		{504, 4, status.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.code)
				fmt.Fprint(w, `{"why":"because"}`)
			})
			c := newClient(t, srv.URL)
			res, err := c.Do(context.Background(), &Request{Method: "GET", Path: "/q"})
			assert.Equal(t, tc.attempts, int(srv.hits.Load()), "attempts")
			if tc.code < 300 {
				require.NoError(t, err)
				assert.Equal(t, tc.code, res.StatusCode)
				return
			}
			var ae *status.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.HTTPStatus)
			assert.Equal(t, `{"why":"because"}`, ae.Body)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			} else {
				assert.NoError(t, ae.Err)
			}
		})
	}
}

func TestMaxRetries(t *testing.T) {
	for _, tc := range []struct{ max, attempts int }{{0, 4}, {1, 2}, {-1, 1}, {5, 6}} {
		srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
		c := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = tc.max })
		_, err := c.Do(context.Background(), &Request{Path: "/"})
		assert.ErrorIs(t, err, status.ErrUnavailable)
		assert.Equal(t, tc.attempts, int(srv.hits.Load()), "MaxRetries %d", tc.max)
	}
}

func TestRecoversAfterRetry(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(502)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	})
	c := newClient(t, srv.URL)
	res, err := c.Do(context.Background(), &Request{Path: "/"})
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`, string(res.Body))
	assert.Equal(t, 3, int(srv.hits.Load()))
}

func TestReadOnlyPostIsRetriedWithTheSameBody(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(503)
			return
		}
		fmt.Fprint(w, `{}`)
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/orders", Body: []byte(`{"serial_no":"1"}`), ContentType: "application/json", ReadOnly: true})
	require.NoError(t, err)
	assert.Equal(t, []string{`{"serial_no":"1"}`, `{"serial_no":"1"}`}, srv.bodies)
}

func TestCreateIsNotResentAfter503(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(503)
		fmt.Fprint(w, "busy")
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("a=1")})
	assert.Equal(t, 1, int(srv.hits.Load()), "a create is sent once")
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown, "a gateway's 503 says nothing of whether the provider acted")
}

func TestCreateRefusedByTheProviderIsNotOutcomeUnknown(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		fmt.Fprint(w, `{"success":false}`)
	})
	c := newClient(t, srv.URL, func(c *Config) {
		c.Definitive = func(code int, body []byte) bool { return string(body) == `{"success":false}` }
	})
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("a=1")})
	assert.Equal(t, 1, int(srv.hits.Load()))
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown, "the provider's own refusal")
}

func TestCreateIsNotResentAfterDroppedConnection(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the request was read; no answer comes back
		}
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("a=1")})
	require.Error(t, err)
	assert.Equal(t, 1, int(srv.hits.Load()), "a create is sent once")
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.Contains(t, err.Error(), "may or may not")

	// The same fault on a query is retried, and is not "outcome unknown".
	srv.hits.Store(0)
	_, err = c.Do(context.Background(), &Request{Path: "/query"})
	assert.Equal(t, 4, int(srv.hits.Load()))
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown)
}

// A create whose connection could not be made has sent nothing, so it is
// retried, and reaches the server exactly once.
func TestCreateIsRetriedWhenNothingWasSent(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"id":"1"}`) })
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, errors.New("dial: connection refused")
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c := newClient(t, srv.URL, func(c *Config) { c.HTTPClient = &http.Client{Transport: tr} })
	res, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("a=1")})
	require.NoError(t, err)
	assert.Equal(t, `{"id":"1"}`, string(res.Body))
	assert.Equal(t, 2, int(dials.Load()))
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, "http://"+addr, func(c *Config) { c.MaxRetries = 1 })
	_, err = c.Do(context.Background(), &Request{Path: "/x"})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "bailun: GET /x: ")
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr, "the underlying error stays reachable")

	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("x")})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown, "nothing was sent")
}

func TestRetryAfterHonoured(t *testing.T) {
	var first time.Time
	var gap time.Duration
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		gap = time.Since(first)
		fmt.Fprint(w, `{}`)
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, gap, 900*time.Millisecond, "the second attempt waited for Retry-After")
}

func TestRetryAfterBeyondCapStopsRetrying(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.ErrorIs(t, err, status.ErrRateLimited)
	assert.Equal(t, time.Hour, ae.RetryAfter)
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestBackoff(t *testing.T) {
	c := newClient(t, "http://127.0.0.1", func(c *Config) {
		c.RetryWaitMin, c.RetryWaitMax, c.RetryAfterMax = 100*time.Millisecond, time.Second, 10*time.Second
	})
	for attempt := 0; attempt < 40; attempt++ {
		for i := 0; i < 50; i++ {
			d := c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, attempt, nil)
			assert.GreaterOrEqual(t, d, 100*time.Millisecond)
			assert.LessOrEqual(t, d, time.Second)
			if attempt == 2 {
				assert.GreaterOrEqual(t, d, 200*time.Millisecond, "400ms with equal jitter")
				assert.LessOrEqual(t, d, 400*time.Millisecond)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for i := 0; i < 20; i++ {
		seen[c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, 3, nil)] = true
	}
	assert.Greater(t, len(seen), 1, "jitter")

	res := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"2"}}}
	assert.Equal(t, 2*time.Second, c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, 0, res))
	res.Header.Set("Retry-After", time.Now().Add(5*time.Second).UTC().Format(http.TimeFormat))
	d := c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, 0, res)
	assert.InDelta(t, 5*time.Second, d, float64(1500*time.Millisecond), "HTTP date")
	res.Header.Set("Retry-After", "60")
	assert.Equal(t, 10*time.Second, c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, 0, res), "capped")
	res.Header.Set("Retry-After", "soon")
	assert.LessOrEqual(t, c.backoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, 0, res), 100*time.Millisecond, "unparseable: ordinary backoff")
	res.Header.Set("Retry-After", "-5")
	_, ok := retryAfter(res.Header)
	assert.False(t, ok)
	res.Header.Set("Retry-After", "Mon, 02 Jan 2006 15:04:05 GMT")
	past, ok := retryAfter(res.Header)
	assert.True(t, ok)
	assert.Zero(t, past, "a date in the past means now")
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	c := newClient(t, srv.URL, func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Minute, time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.hits.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	_, err := c.Do(ctx, &Request{Path: "/"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, status.ErrUnavailable, "a cancelled call is the caller's doing")
	assert.Less(t, time.Since(start), 10*time.Second, "not the minute-long backoff")
	assert.Equal(t, 1, int(srv.hits.Load()))
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A cancel that lands at any moment around a 503 answer (before it is
// written, or after it has arrived but before the retry check) always wins:
// the call ends with the context's error, never the 503's.
func TestCancelAlwaysWinsOverAnErrorAnswer(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	for _, when := range []string{"before the request", "after the answer arrived"} {
		var cancel context.CancelFunc
		base := http.DefaultTransport.(*http.Transport).Clone()
		t.Cleanup(base.CloseIdleConnections)
		c := newClient(t, srv.URL, func(c *Config) {
			c.RetryWaitMin, c.RetryWaitMax = time.Minute, time.Minute
			c.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if when == "before the request" {
					cancel()
				}
				res, err := base.RoundTrip(r.WithContext(context.WithoutCancel(r.Context())))
				if when == "after the answer arrived" {
					cancel()
				}
				return res, err
			})}
		})
		var ctx context.Context
		ctx, cancel = context.WithCancel(context.Background())
		_, err := c.Do(ctx, &Request{Path: "/"})
		assert.ErrorIs(t, err, context.Canceled, when)
		assert.NotErrorIs(t, err, status.ErrUnavailable, when)
		cancel()
	}
}

func TestCancelDuringRequest(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, &Request{Method: "POST", Path: "/create", Body: []byte("x")})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown, "the create was written before the deadline")
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestBodyCap(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 2048))
	})
	c := newClient(t, srv.URL, func(c *Config) { c.MaxBodyBytes = 1024 })
	_, err := c.Do(context.Background(), &Request{Path: "/big"})
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.ErrorContains(t, err, "1024-byte limit")
	assert.Equal(t, 1, int(srv.hits.Load()), "an oversized answer is not retried")

	c = newClient(t, srv.URL, func(c *Config) { c.MaxBodyBytes = 2048 })
	res, err := c.Do(context.Background(), &Request{Path: "/big"})
	require.NoError(t, err)
	assert.Len(t, res.Body, 2048, "exactly the limit is fine")
}

func TestHTMLErrorPage(t *testing.T) {
	page := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		fmt.Fprint(w, page)
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 502, ae.HTTPStatus)
	assert.Equal(t, page, ae.Body)
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.Equal(t, 4, int(srv.hits.Load()))
}

func TestTruncatedBody(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		fmt.Fprint(w, `{"result":`)
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.ErrorContains(t, err, "truncated")
	assert.Equal(t, 4, int(srv.hits.Load()), "a cut-short query is retried like a dropped connection")
}

func TestDecodeJSON(t *testing.T) {
	c := newClient(t, "http://127.0.0.1")
	res := &Response{StatusCode: 200, Body: []byte(`<html>oops</html>`), Method: "GET", Endpoint: "/x"}
	var v struct{ A int }
	err := c.DecodeJSON(res, &v)
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.ErrorContains(t, err, "not JSON")
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "<html>oops</html>", ae.Body)

	res.Body = []byte(`{"A":"x"}`)
	assert.ErrorIs(t, c.DecodeJSON(res, &v, "A"), status.ErrMalformedResponse, "a field that must fit")
	res.Body = []byte(`{"A":"x","B":2}`)
	var w struct{ A, B int }
	require.NoError(t, c.DecodeJSON(res, &w), "an envelope's odd field is left zero")
	assert.Equal(t, 2, w.B)
	res.Body = []byte(`[1]`)
	assert.ErrorIs(t, c.DecodeJSON(res, &v), status.ErrMalformedResponse, "not an object at all")
	res.Body = []byte(`{"A":1`)
	assert.ErrorIs(t, c.DecodeJSON(res, &v), status.ErrMalformedResponse)
	res.Body = nil
	assert.ErrorIs(t, c.DecodeJSON(res, &v), status.ErrMalformedResponse)
	res.Body = []byte(` {"A":2} `)
	require.NoError(t, c.DecodeJSON(res, &v))
	assert.Equal(t, 2, v.A)
}

func TestHooks(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		fmt.Fprint(w, `{"success":false,"message":"Delivery service is invalid"}`)
	})
	c := newClient(t, srv.URL, func(c *Config) {
		c.Definitive = func(code int, body []byte) bool { return bytes.Contains(body, []byte(`"success":false`)) }
		c.ParseError = func(res *Response, e *status.APIError) {
			var env struct{ Message string }
			if json.Unmarshal(res.Body, &env) == nil {
				e.Message = env.Message
				e.Err = status.ErrInvalidRequest
			}
		}
	})
	_, err := c.Do(context.Background(), &Request{Path: "/client/consignment"})
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "Delivery service is invalid", ae.Message)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Equal(t, 1, int(srv.hits.Load()), "a definitive 500 is not retried")
}

func TestRequestShape(t *testing.T) {
	var got *http.Request
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { got = r; fmt.Fprint(w, "{}") })
	c := newClient(t, srv.URL+"/base/", func(c *Config) { c.UserAgent = "shop/2" })
	_, err := c.Do(context.Background(), &Request{Path: "/client/consignment", Query: map[string][]string{"status": {"FINISHED"}},
		Header: http.Header{"Api_key": {"k"}}})
	require.NoError(t, err)
	assert.Equal(t, "/base/client/consignment", got.URL.Path)
	assert.Equal(t, "status=FINISHED", got.URL.RawQuery)
	assert.Equal(t, "shop/2 ordertrack/"+Version, got.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Equal(t, "k", got.Header.Get("Api_key"))
}

func TestConfigValidation(t *testing.T) {
	for _, bad := range []Config{
		{Provider: status.Bailun},
		{Provider: status.Bailun, BaseURL: "testapi.example.com"},
		{Provider: status.Bailun, BaseURL: "ftp://x"},
		{Provider: status.Bailun, BaseURL: "https://x?a=1"},
		{Provider: status.Bailun, BaseURL: "https://x", RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond},
		{BaseURL: "https://x"},
		{Provider: status.Bailun, BaseURL: "http://api.example.com"},
		{Provider: status.Bailun, BaseURL: "http://10.0.0.1:8080"},
		{Provider: status.Bailun, BaseURL: "https://user:hunter2pass@api.example.com"},
		{Provider: status.Bailun, BaseURL: "https://user:hunter2pass@api.example.com\x7f"},
		{Provider: status.Bailun, BaseURL: "https://hunter2pass@api.example.com"},
	} {
		_, err := New(bad)
		if assert.Error(t, err, "%+v", bad) {
			assert.NotContains(t, err.Error(), "hunter2pass", "a password in BaseURL is never printed")
		}
	}
	for _, good := range []Config{
		{Provider: status.Bailun, BaseURL: "http://127.0.0.1:8080"},
		{Provider: status.Bailun, BaseURL: "http://127.8.9.10"},
		{Provider: status.Bailun, BaseURL: "http://localhost:1"},
		{Provider: status.Bailun, BaseURL: "http://[::1]:80"},
		{Provider: status.Bailun, BaseURL: "http://api.example.com", AllowInsecureHTTP: true},
	} {
		_, err := New(good)
		assert.NoError(t, err, "%+v", good)
	}
	orig := &http.Client{Timeout: 7 * time.Second}
	c, err := New(Config{Provider: status.Bailun, BaseURL: "https://x", HTTPClient: orig})
	require.NoError(t, err)
	assert.NotSame(t, orig, c.rc.HTTPClient, "copied")
	assert.Equal(t, 7*time.Second, c.pace.timeout, "the pacer holds each attempt to the caller's timeout")
	assert.Zero(t, c.rc.HTTPClient.Timeout)
	assert.Nil(t, orig.Transport, "never mutated")
	assert.Equal(t, DefaultMaxRetries, c.rc.RetryMax)
}

func TestRedactionInDebugLogs(t *testing.T) {
	const secret = "s3cr3t-app-key-1234"
	const token = "Bearer tok-abcdef-987"
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"message":"token %s rejected for %s"}`, token, secret)
	})
	c := newClient(t, srv.URL, func(c *Config) {
		c.Logger = log
		c.Secrets = []string{secret}
		c.ParseError = func(res *Response, e *status.APIError) {
			var m struct{ Message string }
			_ = json.Unmarshal(res.Body, &m)
			e.Message = m.Message
		}
	})
	c.AddSecret(token)
	_, err := c.Do(context.Background(), &Request{Path: "/q", Query: map[string][]string{"app_key": {"other-secret-value"}, "no": {"1"}},
		Header: http.Header{"Authorization": {token}, "Token": {"tok-abcdef-987"}, "X-Secret": {"hidden-value"}, "Api_key": {"another-key-1"}}})
	require.Error(t, err)
	// A connection failure, logged by retryablehttp itself.
	dead := newClient(t, "http://127.0.0.1:1", func(c *Config) { c.Logger = log; c.MaxRetries = 1; c.Secrets = []string{secret} })
	_, err2 := dead.Do(context.Background(), &Request{Path: "/q", Query: map[string][]string{"token": {secret}}})
	require.Error(t, err2)

	out := logs.String()
	assert.Contains(t, out, "ordertrack: attempt")
	assert.Contains(t, out, "status=503")
	for _, leak := range []string{secret, "tok-abcdef-987", "other-secret-value", "hidden-value", "another-key-1"} {
		assert.NotContains(t, out, leak)
		assert.NotContains(t, err.Error(), leak)
		assert.NotContains(t, err2.Error(), leak)
		assert.NotContains(t, fmt.Sprintf("%+v", err), leak)
	}
	assert.Contains(t, err.Error(), "rejected for "+Redacted)
	assert.Contains(t, out, Redacted)
}

func TestNilLoggerIsSilent(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	var logs bytes.Buffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	c := newClient(t, srv.URL)
	_, _ = c.Do(context.Background(), &Request{Path: "/"})
	assert.Empty(t, strings.TrimSpace(logs.String()))
}

// A secret that straddles the 4 KiB cut of an error body is redacted
// before the cut, so no part of it shows.
func TestSnippetRedactsBeforeCutting(t *testing.T) {
	const secret = "SUPERSECRET-VALUE-123"
	body := strings.Repeat("a", errorBodyMax-5) + secret + "tail"
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(400)
		fmt.Fprint(w, body)
	})
	c := newClient(t, srv.URL, func(c *Config) { c.Secrets = []string{secret} })
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.NotContains(t, ae.Body, "SUPER")
	assert.LessOrEqual(t, len(ae.Body), errorBodyMax)
}

func TestOverlappingSecrets(t *testing.T) {
	r := newRedactor([]string{"abcd", "abcdSECRETTAIL"})
	assert.Equal(t, "key "+Redacted+" and "+Redacted, r.text("key abcdSECRETTAIL and abcd"))
}

func TestSecretBodyIsNeverKept(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"access_token":"fresh-token-not-yet-known","code":"10000"}`)
	})
	c := newClient(t, srv.URL)
	res, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/oauth", ReadOnly: true, SecretBody: true})
	require.NoError(t, err)
	var v struct{ Code int }
	err = c.DecodeJSON(res, &v, "Code")
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, Redacted, ae.Body)
	assert.NotContains(t, err.Error(), "fresh-token")
}

// A 5xx answer over the body cap is a malformed answer, whether or not the
// provider's Definitive hook would have read it.
func TestDefinitiveRespectsTheBodyCap(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		fmt.Fprint(w, `{"success":false,"message":"`+strings.Repeat("x", 100)+`"}`)
	})
	c := newClient(t, srv.URL, func(c *Config) {
		c.MaxBodyBytes = 10
		c.Definitive = func(int, []byte) bool { return true }
	})
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
}

func TestCreateWithOversizedAnswerIsOutcomeUnknown(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(201)
		w.Write(bytes.Repeat([]byte("x"), 2048))
	})
	c := newClient(t, srv.URL, func(c *Config) { c.MaxBodyBytes = 1024 })
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("a=1")})
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestHugeRetryAfterStopsRetrying(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "99999999999999999999")
		w.WriteHeader(503)
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.Equal(t, 1, int(srv.hits.Load()), "an overflowing Retry-After is longer than any cap")
}

// cancelOnClose cancels the call's context when the answer's body is
// closed: the context ends after the answer was read whole.
type cancelOnClose struct {
	cancel context.CancelFunc
}

func (c cancelOnClose) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r,
		Body: closeHook{Reader: strings.NewReader(`{"ok":true}`), fn: c.cancel}}, nil
}

type closeHook struct {
	io.Reader
	fn func()
}

func (h closeHook) Close() error { h.fn(); return nil }

func TestAnswerReadWholeSurvivesLateCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newClient(t, "http://127.0.0.1", func(c *Config) { c.HTTPClient = &http.Client{Transport: cancelOnClose{cancel}} })
	res, err := c.Do(ctx, &Request{Path: "/"})
	require.NoError(t, err, "the answer was whole before the context ended")
	assert.Equal(t, `{"ok":true}`, string(res.Body))
}

// Every attempt, retry and answer is one message in one style, with the
// same attributes; a call that gives up after retrying says so at Warn.
func TestLogStyle(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	c := newClient(t, srv.URL, func(c *Config) { c.Logger = log; c.MaxRetries = 1 })
	_, err := c.Do(context.Background(), &Request{Path: "/orders", Query: map[string][]string{"token": {"q-secret-value"}}})
	require.ErrorIs(t, err, status.ErrUnavailable)
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		for _, k := range []string{"provider", "method", "endpoint", "status", "attempt", "latency"} {
			assert.Contains(t, m, k, line)
		}
		assert.Equal(t, "/orders", m["endpoint"], "the endpoint, never the query")
		got = append(got, fmt.Sprintf("%s %s %v %v", m["level"], m["msg"], m["status"], m["attempt"]))
	}
	assert.Equal(t, []string{
		"DEBUG ordertrack: attempt 0 1",
		"DEBUG ordertrack: answer 503 1",
		"DEBUG ordertrack: retry 503 2",
		"DEBUG ordertrack: answer 503 2",
		"WARN ordertrack: gave up 503 2",
	}, got)
	assert.NotContains(t, logs.String(), "q-secret-value")
	assert.NotContains(t, logs.String(), "map[")
}

// A secret echoed back in any escaped form is redacted from APIError.Body
// and messages: JSON-escaped as Go, PHP and ASCII-only encoders write it,
// query-, form- and path-escaped.
func TestEscapedSecretsAreRedacted(t *testing.T) {
	secret := "k/ey&v<a>l=ü+1 é"
	forms := []string{
		`k\/ey&v<a>l=ü+1 é`,
		`k/ey\u0026v\u003ca\u003el=ü+1 é`,
		`k\/ey\u0026v\u003ca\u003el=\u00fc+1 \u00e9`,
		`k/ey&v<a>l=\u00FC+1 \u00E9`,
		"k%2Fey%26v%3Ca%3El%3D%C3%BC%2B1+%C3%A9",
		"k%2Fey&v%3Ca%3El=%C3%BC+1%20%C3%A9",
	}
	body := `{"message":"bad key","echo":["` + strings.Join(forms, `","`) + `"]}`
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(400)
		w.Write([]byte(body))
	})
	c := newClient(t, srv.URL, func(c *Config) {
		c.Secrets = []string{secret}
		c.ParseError = func(res *Response, e *status.APIError) { e.Message = string(res.Body) }
	})
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	for _, f := range forms {
		assert.NotContains(t, ae.Body, f)
		assert.NotContains(t, ae.Message, f)
		assert.NotContains(t, err.Error(), f)
	}
	assert.Equal(t, 6, strings.Count(ae.Body, Redacted))
}

// A gateway's 5xx whose body is cut short or over the cap is still an
// outage (and, for a create, of unknown outcome); a cut-short 4xx to a
// create is a refusal, not an unknown outcome.
func TestCutShortErrorAnswersKeepTheirStatus(t *testing.T) {
	cut := func(code int) *server {
		return newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(code)
			w.Write([]byte("<html>bad"))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		})
	}
	c := newClient(t, cut(502).URL, func(c *Config) { c.MaxRetries = -1 })
	_, err := c.Do(context.Background(), &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown)

	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("x")})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 502, ae.HTTPStatus)

	c = newClient(t, cut(400).URL, func(c *Config) { c.MaxRetries = -1 })
	_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/create", Body: []byte("x")})
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown, "a 400 status line is a refusal")

	big := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(503)
		w.Write(bytes.Repeat([]byte("x"), 2048))
	})
	c = newClient(t, big.URL, func(c *Config) { c.MaxRetries = -1; c.MaxBodyBytes = 1024 })
	_, err = c.Do(context.Background(), &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
}

// An answer that may hold a secret (a token endpoint's) is never quoted in
// an error, even when it is of the wrong shape.
func TestSecretBodyIsNeverQuoted(t *testing.T) {
	c := newClient(t, "http://127.0.0.1")
	res := &Response{StatusCode: 200, Body: []byte(`{"code":0,"result":"Bearer eyJ.LIVE_TOKEN_VALUE"}`), Method: "POST", Endpoint: "/oauth", secret: true}
	var v struct {
		Code   int
		Result struct{ Token string } `json:"result"`
	}
	err := c.DecodeJSON(res, &v, "result")
	require.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.NotContains(t, err.Error(), "LIVE_TOKEN_VALUE")
}

// A notice printed before the JSON, HTML or not, is stripped, and a
// BirdSystem-like refusal behind one is still a refusal, not retried.
func TestNoticesBeforeTheJSON(t *testing.T) {
	for _, prefix := range []string{"<br />\n<b>Notice</b>: x in <b>/a.php</b><br />\n", "\nWarning: Undefined index: a in /a.php on line 3\n"} {
		srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(500)
			w.Write([]byte(prefix + `{"success":false,"message":"no"}`))
		})
		c := newClient(t, srv.URL, func(c *Config) {
			c.StripNotices = true
			c.Definitive = func(_ int, body []byte) bool { return string(body) == `{"success":false,"message":"no"}` }
			c.ParseError = func(res *Response, e *status.APIError) { e.Message = string(res.Body) }
		})
		_, err := c.Do(context.Background(), &Request{Path: "/"})
		var ae *status.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, `{"success":false,"message":"no"}`, ae.Message)
		assert.Equal(t, int32(1), srv.hits.Load(), "the refusal behind the notice is not retried")
	}
}

// The timeout holds each attempt, from the request to the end of its
// answer's body: an answer whose headers or body come too late is retried
// as an outage, and the error says why.
func TestTimeoutPerAttempt(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sentinel error // a status line that came is an answer cut short
		late     func(w http.ResponseWriter)
	}{
		{"headers", status.ErrUnavailable, func(w http.ResponseWriter) { time.Sleep(300 * time.Millisecond) }},
		{"body", status.ErrMalformedResponse, func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "20")
			w.Write([]byte(`{"a":`))
			w.(http.Flusher).Flush()
			time.Sleep(300 * time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 1 {
					tc.late(w)
					return
				}
				w.Write([]byte(`{}`))
			})
			c := newClient(t, srv.URL, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })
			res, err := c.Do(context.Background(), &Request{Path: "/slow"})
			require.NoError(t, err, "the second attempt answers in time")
			assert.Equal(t, `{}`, string(res.Body))
			assert.Equal(t, 2, int(srv.hits.Load()))

			c = newClient(t, srv.URL, func(c *Config) {
				c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
				c.MaxRetries = -1
			})
			srv.hits.Store(0)
			_, err = c.Do(context.Background(), &Request{Path: "/slow"})
			assert.ErrorIs(t, err, tc.sentinel)
			assert.ErrorContains(t, err, "no whole answer within the 100ms timeout per attempt")
		})
	}
}

// A timeout that ends with the answer read leaves no timer behind, and the
// connection is reused.
func TestTimeoutKeepsConnectionsAlive(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{}`)) }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	for range 20 {
		_, err := c.Do(context.Background(), &Request{Path: "/"})
		require.NoError(t, err)
	}
	assert.Equal(t, 1, int(conns.Load()))
}

// A per-attempt timeout's error is what http.Client.Timeout's was: a
// net.Error that times out, matching context.DeadlineExceeded as well as
// status.ErrUnavailable.
func TestTimeoutErrorIsATimeout(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { time.Sleep(300 * time.Millisecond) })
	c := newClient(t, srv.URL, func(c *Config) {
		c.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond}
		c.MaxRetries = -1
	})
	_, err := c.Do(context.Background(), &Request{Path: "/slow"})
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
}

// A caller's RoundTripper that answers without a body, or with nothing at
// all, gets what net/http makes of it, under a timeout as without one.
func TestRoundTripperWithoutBody(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Second} {
		c := newClient(t, "http://127.0.0.1:1", func(c *Config) {
			c.MaxRetries = -1
			c.HTTPClient = &http.Client{Timeout: timeout, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Request: r}, nil
			})}
		})
		res, err := c.Do(context.Background(), &Request{Path: "/"})
		require.NoError(t, err, "timeout %v", timeout)
		assert.Empty(t, res.Body)

		c = newClient(t, "http://127.0.0.1:1", func(c *Config) {
			c.MaxRetries = -1
			c.HTTPClient = &http.Client{Timeout: timeout, Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, nil })}
		})
		_, err = c.Do(context.Background(), &Request{Path: "/"})
		assert.ErrorIs(t, err, status.ErrUnavailable, "timeout %v", timeout)
	}
}

// An answer to HEAD declares a length it has no body for.
func TestHeadWithContentLength(t *testing.T) {
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "42")
	})
	c := newClient(t, srv.URL)
	res, err := c.Do(context.Background(), &Request{Method: http.MethodHead, Path: "/"})
	require.NoError(t, err)
	assert.Empty(t, res.Body)
}

// A provider down is one Warn line, not one a call: the calls that give
// up after the first are at Debug, and the next answer says so at Info.
func TestGaveUpOnceAnOutage(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var down atomic.Bool
	down.Store(true)
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(503)
			return
		}
		w.Write([]byte(`{}`))
	})
	c := newClient(t, srv.URL, func(c *Config) { c.Logger = log; c.MaxRetries = 1 })
	for range 5 {
		_, err := c.Do(context.Background(), &Request{Path: "/orders"})
		require.ErrorIs(t, err, status.ErrUnavailable)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "ordertrack: gave up"), logs.String())
	down.Store(false)
	for range 3 {
		_, err := c.Do(context.Background(), &Request{Path: "/orders"})
		require.NoError(t, err)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "level=INFO msg=\"ordertrack: answering again\""), logs.String())
	down.Store(true)
	_, _ = c.Do(context.Background(), &Request{Path: "/orders"})
	assert.Equal(t, 2, strings.Count(logs.String(), "level=WARN msg=\"ordertrack: gave up\""), "a new outage is said again")
}
