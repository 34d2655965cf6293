package bailun_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/status"
)

// Tests of answers shaped as Bailun's fuller docs show them: a loopback
// server sends the exact bytes.

// bailunServer answers the token endpoint with token and the order
// endpoint with order, and records the token requests' bodies.
func bailunServer(t *testing.T, tokenCode int, token, order string) (*httptest.Server, *[]string) {
	t.Helper()
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/oauth/token/get") {
			b, _ := io.ReadAll(r.Body)
			bodies = append(bodies, string(b))
			w.WriteHeader(tokenCode)
			fmt.Fprint(w, token)
			return
		}
		fmt.Fprint(w, order)
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies
}

const docOrder = `{"result":{"originOrderNo":"A1","orderStatus":4,"trackingNo":"YT1","lastUpdateTime":"2020-01-03 00:00:00"},"message":"","code":10000}`

// The doc's own token answer is camelCase with statusCode; a refusal comes
// inside an HTTP 200 with statusCode and errMsg, and is an APIError with
// them verbatim, matching the sentinel of the status it mirrors.
func TestAnswerTokenStatusCode(t *testing.T) {
	for _, tc := range []struct {
		body     string
		sentinel error
	}{
		{`{"appId":"a","accessToken":null,"expiresIn":0,"statusCode":400,"errMsg":"参数错误"}`, status.ErrInvalidRequest},
		{`{"appId":"a","accessToken":null,"expiresIn":0,"statusCode":401,"errMsg":"非法id"}`, status.ErrUnauthorized},
		{`{"appId":"a","accessToken":null,"expiresIn":0,"statusCode":403,"errMsg":"禁止访问"}`, status.ErrUnauthorized},
		{`{"appId":"a","accessToken":null,"expiresIn":0,"statusCode":500,"errMsg":"服务器错误"}`, status.ErrUnavailable},
	} {
		srv, _ := bailunServer(t, 200, tc.body, docOrder)
		c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456"), MaxRetries: -1})
		require.NoError(t, err)
		_, err = c.QueryOrderStatus(context.Background(), "A1")
		assert.ErrorIs(t, err, tc.sentinel, tc.body)
		var ae *status.APIError
		require.ErrorAs(t, err, &ae)
		assert.NotEmpty(t, ae.Message)
		assert.Contains(t, tc.body, `"errMsg":"`+ae.Message+`"`, "errMsg verbatim")
		assert.Contains(t, tc.body, `"statusCode":`+ae.Code)
	}
	// The same refusal as an HTTP 401 keeps errMsg too.
	srv, _ := bailunServer(t, 401, `{"statusCode":401,"errMsg":"非法id"}`, docOrder)
	c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456"), MaxRetries: -1})
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.ErrorContains(t, err, "非法id")

	// Not a token answer at all is malformed, not a refusal of the keys.
	for _, body := range []string{`{}`, `null`, `{"error":"gateway"}`} {
		srv, _ := bailunServer(t, 200, body, docOrder)
		c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456"), MaxRetries: -1})
		require.NoError(t, err)
		_, err = c.QueryOrderStatus(context.Background(), "A1")
		assert.ErrorIs(t, err, status.ErrMalformedResponse, body)
		assert.NotErrorIs(t, err, status.ErrUnauthorized, body)
	}
}

// The token request carries the key under both names the doc uses.
func TestAnswerTokenRequestNamesTheKeyTwice(t *testing.T) {
	srv, bodies := bailunServer(t, 200, `{"appId":"a","accessToken":"Bearer T-1","expiresIn":3600,"statusCode":200,"errMsg":null}`, docOrder)
	c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456")})
	require.NoError(t, err)
	o, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, status.BailunOrderShipped, o.OrderStatus)
	require.Len(t, *bodies, 1)
	assert.JSONEq(t, `{"app_id":"a","app_key":"k-123456","app_secret":"k-123456"}`, (*bodies)[0])
}

// Config.TokenURL puts the token endpoint on another host than the API.
func TestAnswerTokenURLOnAnotherHost(t *testing.T) {
	var tokenHits atomic.Int32
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokenHits.Add(1)
		assert.Equal(t, "/auth/oauth/token/get", r.URL.Path)
		fmt.Fprint(w, `{"accessToken":"Bearer T-9","expiresIn":3600,"statusCode":200}`)
	}))
	defer tokens.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer T-9", r.Header.Get("Authorization"))
		assert.NotContains(t, r.URL.Path, "oauth", "the token is not asked of the API host")
		fmt.Fprint(w, docOrder)
	}))
	defer api.Close()
	c, err := bailun.New(bailun.Config{BaseURL: api.URL, TokenURL: strings.Replace(tokens.URL, "127.0.0.1", "localhost", 1) + "/auth/oauth/token/get",
		AppID: "a", AppKey: bailun.NewSecret("k-123456")})
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, int32(1), tokenHits.Load())

	_, err = bailun.New(bailun.Config{BaseURL: api.URL, TokenURL: "http://coupang.blsct.com/oauth/token/get", AppID: "a", AppKey: bailun.NewSecret("k")})
	assert.ErrorContains(t, err, "TokenURL", "a plain-http token host is refused like BaseURL")
}

// An older version of the doc answers with the OrderStatusOutput alone.
func TestAnswerBareOrderStatusOutput(t *testing.T) {
	srv, _ := bailunServer(t, 200, `{"accessToken":"Bearer T","statusCode":200}`,
		`{"originOrderNo":"A1","orderStatus":2,"trackingNo":null,"lastUpdateTime":"2020-01-03 00:00:00","shipFaildType":null,"exceptionType":null}`)
	c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456")})
	require.NoError(t, err)
	o, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, status.BailunOrderPackaged, o.OrderStatus)
	assert.Equal(t, "A1", o.OriginOrderNo)
}

// An answer that gives a name twice is read as a record reads it, starting
// afresh: the later result stands whole, and a later null is kept as an
// odd value, never hidden behind the earlier one.
func TestAnswerRepeatedNames(t *testing.T) {
	const tok = `{"access_token":"Bearer T-1","expires_in":3600}`
	for _, tc := range []struct {
		body  string
		check func(t *testing.T, o *bailun.OrderStatusOutput, err error)
	}{
		{`{"result":{"originOrderNo":"A","orderStatus":4},"result":{},"code":10000}`, func(t *testing.T, _ *bailun.OrderStatusOutput, err error) {
			assert.ErrorIs(t, err, status.ErrMalformedResponse, "the later result has no orderStatus")
		}},
		{`{"result":{"originOrderNo":"A","orderStatus":4},"result":{"orderStatus":5},"code":10000}`, func(t *testing.T, o *bailun.OrderStatusOutput, err error) {
			require.NoError(t, err)
			assert.Equal(t, "", o.OriginOrderNo, "nothing merged from the first result")
			assert.Equal(t, status.BailunOrderStatus(5), o.OrderStatus)
		}},
		{`{"result":{"orderStatus":4,"OrderStatus":null},"code":10000}`, func(t *testing.T, o *bailun.OrderStatusOutput, err error) {
			require.NoError(t, err)
			assert.Equal(t, bailun.UnfitStatus, o.OrderStatus)
			assert.Equal(t, status.Unknown, o.Snapshot("A").Stage)
		}},
	} {
		srv, _ := bailunServer(t, 200, tok, tc.body)
		c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456"), MaxRetries: -1})
		require.NoError(t, err)
		o, err := c.QueryOrderStatus(context.Background(), "A")
		t.Run(tc.body, func(t *testing.T) { tc.check(t, o, err) })
	}
}

// A lastUpdateTime sent with an offset gives UpdatedAt in UTC, as every
// snapshot's time is.
func TestAnswerLastUpdateTimeOffset(t *testing.T) {
	srv, _ := bailunServer(t, 200, `{"accessToken":"tok","expiresIn":3600,"statusCode":200}`,
		`{"result":{"originOrderNo":"A1","orderStatus":4,"trackingNo":"YT1","lastUpdateTime":"2024-06-03T10:30:00+08:00"},"message":"","code":10000}`)
	c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456"), MaxRetries: -1})
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), "A1")
	require.NoError(t, err)
	require.NoError(t, snaps[0].Err)
	assert.Equal(t, time.UTC, snaps[0].UpdatedAt.Location())
	assert.Equal(t, "2024-06-03T02:30:00Z", snaps[0].UpdatedAt.Format(time.RFC3339))
}
