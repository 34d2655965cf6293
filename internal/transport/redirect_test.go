package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

const redirectSecret = "S3CRET-redirect-key"

// Two hosts on loopback: the provider at 127.0.0.1, and another host at
// localhost (a different host name, and a different port). Each counts
// what reached it.
func twoHosts(t *testing.T, code int, sameHostTarget bool) (provider, other *server) {
	other = newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"other":true}`)) })
	provider = newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			w.Write([]byte(`{"moved":true}`))
			return
		}
		target := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/steal?token=" + redirectSecret
		if sameHostTarget {
			target = "/moved"
		}
		http.Redirect(w, r, target, code)
	})
	return provider, other
}

func TestRedirects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		code     int
		req      Request
		sameHost bool
		followed bool
	}{
		{"GET 302 to another host", 302, Request{Path: "/q"}, false, false},
		{"GET 307 to another host", 307, Request{Path: "/q"}, false, false},
		{"GET 308 to another host", 308, Request{Path: "/q"}, false, false},
		{"GET 301 to another host", 301, Request{Path: "/q"}, false, false},
		{"GET 302 on the same host", 302, Request{Path: "/q"}, true, true},
		{"GET 307 on the same host", 307, Request{Path: "/q"}, true, true},
		{"POST query 307 to another host", 307, Request{Method: "POST", Path: "/q", Body: []byte(`{"secret_key":"` + redirectSecret + `"}`), ReadOnly: true}, false, false},
		{"POST query 307 on the same host", 307, Request{Method: "POST", Path: "/q", Body: []byte(`{}`), ReadOnly: true}, true, false},
		{"create 302 on the same host", 302, Request{Method: "POST", Path: "/create", Body: []byte("a=1")}, true, false},
		{"create 301 to another host", 301, Request{Method: "POST", Path: "/create", Body: []byte("a=1")}, false, false},
		{"create 308 to another host", 308, Request{Method: "POST", Path: "/create", Body: []byte("a=1")}, false, false},
		{"create 303 on the same host", 303, Request{Method: "POST", Path: "/create", Body: []byte("a=1")}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			provider, other := twoHosts(t, tc.code, tc.sameHost)
			c := newClient(t, provider.URL, func(c *Config) { c.Secrets = []string{redirectSecret} })
			tc.req.Header = http.Header{"Api_key": {redirectSecret}, "Token": {redirectSecret}}
			res, err := c.Do(context.Background(), &tc.req)
			assert.Zero(t, other.hits.Load(), "nothing reaches another host")
			if tc.followed {
				require.NoError(t, err)
				assert.JSONEq(t, `{"moved":true}`, string(res.Body))
				assert.Equal(t, int32(2), provider.hits.Load())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, status.ErrRedirect)
			assert.NotErrorIs(t, err, status.ErrUnavailable)
			create := tc.req.Method == "POST" && !tc.req.ReadOnly
			assert.Equal(t, create && tc.code != 307 && tc.code != 308, errors.Is(err, status.ErrOutcomeUnknown),
				"a create answered 301/302/303 may have been made; 307/308 ask for it elsewhere")
			assert.Equal(t, int32(1), provider.hits.Load(), "sent once: never re-sent, never turned into a GET")
			assert.NotContains(t, err.Error(), redirectSecret, "the target is named without its query")
			if !tc.sameHost {
				assert.Contains(t, err.Error(), "localhost:"+strings.Split(other.URL, ":")[2]+"/steal")
			}
			var ae *status.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.HTTPStatus)
		})
	}
}

// A caller's own CheckRedirect is kept, wrapped: it is asked about the
// redirects ordertrack would follow, and its refusal stands.
func TestRedirectKeepsTheCallersCheck(t *testing.T) {
	provider, other := twoHosts(t, 302, true)
	var asked int
	mine := errors.New("my policy: no redirects at all")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { asked++; return mine }}
	c := newClient(t, provider.URL, func(c *Config) { c.HTTPClient = hc })
	_, err := c.Do(context.Background(), &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrRedirect)
	assert.ErrorContains(t, err, mine.Error(), "the caller's refusal stands, in its words")
	assert.Equal(t, 1, asked)
	assert.Zero(t, other.hits.Load())

	provider, other = twoHosts(t, 302, false)
	c = newClient(t, provider.URL, func(c *Config) { c.HTTPClient = hc })
	asked = 0
	_, err = c.Do(context.Background(), &Request{Path: "/q"})
	assert.ErrorIs(t, err, status.ErrRedirect, "another host is refused before the caller's check")
	assert.Zero(t, asked)
	assert.Zero(t, other.hits.Load())
}

// closeCounter is a caller's transport shared with the rest of a service:
// it counts CloseIdleConnections calls.
type closeCounter struct {
	*http.Transport
	closes int
}

func (c *closeCounter) CloseIdleConnections() { c.closes++; c.Transport.CloseIdleConnections() }

// A transport the caller shares with other code is never closed or
// mutated, however calls fail; the other client keeps its idle pool.
func TestCallersTransportIsNeverClosed(t *testing.T) {
	shared := &closeCounter{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer shared.Transport.CloseIdleConnections()
	failing := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	c := newClient(t, failing.URL, func(c *Config) { c.HTTPClient = &http.Client{Transport: shared} })
	_, err := c.Do(context.Background(), &Request{Path: "/"})
	require.ErrorIs(t, err, status.ErrUnavailable)
	_, err = c.Do(context.Background(), &Request{Path: "/create", Method: "POST", Body: []byte("x")})
	require.Error(t, err)
	assert.Zero(t, shared.closes, "go-retryablehttp's idle-connection closing never reaches the caller's transport")

	// The other client on the same transport reuses its connection.
	var conns atomic.Int32
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	other.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	other.Start()
	defer other.Close()
	mine := &http.Client{Transport: shared}
	for i := 0; i < 3; i++ {
		res, err := mine.Get(other.URL)
		require.NoError(t, err)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		_, _ = c.Do(context.Background(), &Request{Path: "/"})
	}
	assert.Equal(t, int32(1), conns.Load(), "one connection, kept alive between ordertrack's failures")
}
