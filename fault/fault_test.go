package fault

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A ref is named whole, as the provider reads it, never as a part of
// another: in a query value or a list in one, a JSON body (escaped or
// not), a form body, JSON carried in a form value.
func TestRequestNames(t *testing.T) {
	for _, c := range []struct {
		req  Request
		ref  string
		want bool
	}{
		{Request{Query: "platformOrderNo=CP-10"}, "CP-1", false},
		{Request{Query: "platformOrderNo=CP-1"}, "CP-1", true},
		{Request{Query: "id=111%2C1100"}, "11", false},
		{Request{Query: "id=111%2C11"}, "11", true},
		{Request{Body: `{"orderNos":"1000,200"}`}, "100", false},
		{Request{Body: `{"orderNos":"1000,200"}`}, "200", true},
		{Request{Body: `{"orders":["A\u0026B-1"]}`}, "A&B-1", true},
		{Request{Body: `{"id":2010290360000002}`}, "2010290360000002", true},
		{Request{Body: `{"id":2010290360000002}`}, "201029036000000", false},
		{Request{Body: `bizContent=%7B%22thirdOrderNo%22%3A%22T-1%22%7D&resellerId=1`}, "T-1", true},
		{Request{Body: `bizContent=%7B%22thirdOrderNo%22%3A%22T-10%22%7D&resellerId=1`}, "T-1", false},
		{Request{Query: "bizContent=" + `{"thirdOrderNo":"T-1"}`}, "T-1", true},
		{Request{Body: `not json, T-1`}, "T-1", false},
		{Request{Query: "a=1"}, "", false},
	} {
		assert.Equal(t, c.want, c.req.Names(c.ref), "%+v names %q", c.req, c.ref)
	}
}

// A fault aimed at one ref fails that ref's request only.
func TestFaultRefIsWhole(t *testing.T) {
	var in Injector
	srv := httptest.NewServer(in.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) })))
	defer srv.Close()
	in.Inject(Fault{Ref: "CP-1", Status: 503, Times: Forever})
	for ref, want := range map[string]int{"CP-1": 503, "CP-10": 200, "XCP-1": 200} {
		resp, err := http.Get(srv.URL + "/orders?no=" + ref)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, ref)
	}
}

// The log keeps the newest 10,000 requests, oldest first, each with who
// sent it; in JSON, snake_case.
func TestRequestLogKeepsTheNewest(t *testing.T) {
	var in Injector
	h := in.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for i := range maxLog + 1 {
		r := httptest.NewRequest("GET", fmt.Sprintf("/orders?n=%d", i), nil)
		r.Header.Set("User-Agent", "worker-7")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	log := in.Requests()
	require.Len(t, log, maxLog)
	assert.Equal(t, "n=1", log[0].Query, "the oldest dropped, one at a time")
	assert.Equal(t, fmt.Sprintf("n=%d", maxLog), log[maxLog-1].Query)
	assert.Equal(t, "worker-7", log[0].UserAgent)
	assert.NotEmpty(t, log[0].RemoteAddr)
	b, err := json.Marshal(log[0])
	require.NoError(t, err)
	for _, k := range []string{`"time":`, `"method":"GET"`, `"path":"/orders"`, `"query":"n=1"`, `"user_agent":"worker-7"`, `"remote_addr":`} {
		assert.Contains(t, string(b), k)
	}
	assert.False(t, strings.Contains(string(b), `"At"`), string(b))
	in.ResetHits()
	assert.Empty(t, in.Requests())
}

// The fault kinds a client's rules are tested with: a redirect, extra
// headers, a body that trickles.
func TestFaultRedirectHeaderTrickle(t *testing.T) {
	var in Injector
	srv := httptest.NewServer(in.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})))
	defer srv.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	in.Inject(Fault{Location: "http://elsewhere.example/orders"})
	resp, err := noFollow.Get(srv.URL + "/orders")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, "http://elsewhere.example/orders", resp.Header.Get("Location"))

	in.Inject(Fault{Header: http.Header{"X-Ratelimit-Remaining": {"0"}}})
	resp, err = http.Get(srv.URL + "/orders")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "0", resp.Header.Get("X-Ratelimit-Remaining"))
	assert.Equal(t, `{"ok":true}`, string(b), "the fake's own answer, with the header")

	in.Inject(Fault{Trickle: 5 * time.Millisecond})
	start := time.Now()
	resp, err = http.Get(srv.URL + "/orders")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, `{"ok":true}`, string(b))
	assert.GreaterOrEqual(t, time.Since(start), 10*5*time.Millisecond, "a byte at a time")

	in.Inject(Fault{RetryAfter: "7"})
	resp, err = http.Get(srv.URL + "/orders")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "7", resp.Header.Get("Retry-After"), "a Retry-After alone is sent, on the fake's answer")

	in.Inject(Fault{Trickle: time.Millisecond, Status: 502, Body: "<html>bad gateway</html>", RetryAfter: "3"})
	resp, err = http.Get(srv.URL + "/orders")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, "<html>bad gateway</html>", string(b))
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))

	assert.True(t, Fault{}.Empty())
	assert.True(t, Fault{Path: "/orders", Times: 3}.Empty(), "where and how often, but nothing")
	assert.False(t, Fault{Trickle: time.Second}.Empty())
}

// With the fields that carry refs named, a value elsewhere (a limit, a
// version) names no order; a query with a pair that does not parse still
// has its others read; a body longer than the log keeps has its refs read
// before it is cut.
func TestRefKeys(t *testing.T) {
	var in Injector
	in.RefKeys("id", "value", "thirdOrderNo")
	h := in.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	send := func(target, body string) Request {
		r := httptest.NewRequest("POST", target, strings.NewReader(body))
		h.ServeHTTP(httptest.NewRecorder(), r)
		log := in.Requests()
		return log[len(log)-1]
	}
	batch := send(`/consignment?filter=`+url.QueryEscape(`[{"type":"list","field":"id","value":["5","7"]}]`)+`&limit=2`, "")
	assert.True(t, batch.Names("5"))
	assert.False(t, batch.Names("2"), "the limit is not a ref")
	env := send("/order", `bizContent=`+url.QueryEscape(`{"thirdOrderNo":"T-1"}`)+`&version=1`)
	assert.True(t, env.Names("T-1"))
	assert.False(t, env.Names("1"), "the version is not a ref")
	odd := send("/consignment?id=CP-1&x=a;b", "")
	assert.True(t, odd.Names("CP-1"), "a pair that does not parse spoils no other")
	long := `{"id":"` + strings.Repeat("9", maxLogBody) + `","value":["BIG-1"]}`
	big := send("/consignment", long)
	assert.Len(t, big.Body, maxLogBody)
	assert.True(t, big.Names("BIG-1"), "read before the cut")
}
