package bailun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/status"
)

// Fixture tests replay testdata/bailun with gock. gock is global, so none
// of them runs in parallel.

const fixtureHost = "https://bailun.fixture"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/bailun/" + name)
	require.NoError(t, err)
	return b
}

// gockClient returns a client whose inner HTTP client gock intercepts, with
// the token endpoint already mocked.
func gockClient(t *testing.T) *bailun.Client {
	t.Helper()
	t.Cleanup(gock.Off)
	hc := &http.Client{}
	gock.InterceptClient(hc)
	gock.New(fixtureHost).Post("/oauth/token/get").
		MatchType("json").JSON(map[string]string{"app_id": "app", "app_key": "key-123456", "app_secret": "key-123456"}).
		Reply(200).BodyString(string(fixture(t, "token.json")))
	c, err := bailun.New(bailun.Config{BaseURL: fixtureHost, AppID: "app", AppKey: bailun.NewSecret("key-123456"), HTTPClient: hc,
		MaxRetries: -1})
	require.NoError(t, err)
	return c
}

func mockStatus(t *testing.T, orderNo string, code int, file string) {
	gock.New(fixtureHost).Get("/apiV2/bailunOrder/queryOrderStatus").
		MatchParam("originOrderNo", "^"+orderNo+"$").
		MatchHeader("Authorization", "^Bearer fixture-token-0001$").
		Reply(code).BodyString(string(fixture(t, file)))
}

func TestFixtureDocumentedExample(t *testing.T) {
	c := gockClient(t)
	mockStatus(t, "string", 200, "query-order-status.json")
	o, err := c.QueryOrderStatus(context.Background(), "string")
	require.NoError(t, err)
	assert.Equal(t, "string", o.OriginOrderNo)
	assert.Equal(t, status.BailunOrderUnpackaged, o.OrderStatus)
	assert.Equal(t, "string", o.TrackingNo.String)
	assert.Equal(t, "string", o.LastUpdateTime.Raw, "an unparseable time keeps its text")
	assert.True(t, o.LastUpdateTime.IsZero())
	assert.Nil(t, o.ShipFailedType)
	assert.Nil(t, o.ExceptionType)
	assert.True(t, gock.IsDone())
}

func TestFixtureShipped(t *testing.T) {
	c := gockClient(t)
	mockStatus(t, "CP-20200103-0001", 200, "shipped.json")
	snaps, err := c.Track(context.Background(), "CP-20200103-0001")
	require.NoError(t, err)
	require.Len(t, snaps, 1)
	s := snaps[0]
	assert.Equal(t, status.Shipped, s.Stage)
	assert.Equal(t, "YT2001031234567", s.TrackingNo)
	assert.Equal(t, time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC), s.UpdatedAt)
	assert.Equal(t, []status.Code{{Provider: status.Bailun, Field: "orderStatus", Value: "4"}}, s.Codes)
	assert.Empty(t, s.Problems)
}

func TestFixtureShipFailed(t *testing.T) {
	c := gockClient(t)
	mockStatus(t, "CP-20200103-0002", 200, "ship-failed.json")
	snaps, err := c.Track(context.Background(), "CP-20200103-0002")
	require.NoError(t, err)
	s := snaps[0]
	assert.Equal(t, status.Exception, s.Stage)
	assert.Equal(t, []status.Problem{
		{Reason: status.ReasonStock, Code: status.Code{Provider: status.Bailun, Field: "shipFaildType", Value: "4"}},
		{Reason: status.ReasonAddress, Code: status.Code{Provider: status.Bailun, Field: "exceptionType", Value: "2"}},
	}, s.Problems, "shipFaildType first, then exceptionType")
	assert.Len(t, s.Codes, 3)
}

func TestFixtureUnknownValuesKeptVerbatim(t *testing.T) {
	c := gockClient(t)
	mockStatus(t, "CP-20200103-0003", 200, "unknown-status.json")
	o, err := c.QueryOrderStatus(context.Background(), "CP-20200103-0003")
	require.NoError(t, err)
	assert.Equal(t, status.BailunOrderStatus(9), o.OrderStatus)
	assert.False(t, o.OrderStatus.Known())
	assert.Equal(t, time.Date(2020, 1, 5, 7, 5, 9, 0, time.UTC), o.LastUpdateTime.Time, "unpadded time")
	s := o.Snapshot("CP-20200103-0003")
	assert.Equal(t, status.Unknown, s.Stage)
	assert.Equal(t, "9", s.Codes[0].Value)
	require.Len(t, s.Problems, 2)
	assert.Equal(t, status.ReasonUnknown, s.Problems[0].Reason)
	assert.Equal(t, "42", s.Problems[0].Code.Value)
	assert.Equal(t, "3", s.Problems[1].Code.Value)
}

func TestFixtureErrors(t *testing.T) {
	cases := []struct {
		file     string
		httpCode int
		sentinel error
		code     string
		message  string
	}{
		{"not-found.json", 200, status.ErrNotFound, "10000", "订单不存在"},
		{"null-result.json", 200, status.ErrNotFound, "10000", ""},
		{"code-10001.json", 200, status.ErrInvalidRequest, "10001", "请求参数异常"},
		{"code-10010.json", 200, status.ErrUnavailable, "10010", "系统内部异常"},
		{"code-undocumented.json", 200, nil, "10404", "接口未实现"},
		{"html-502.html", 502, status.ErrUnavailable, "", ""},
		{"html-502.html", 200, status.ErrMalformedResponse, "", ""},
		{"code-10010.json", 500, status.ErrUnavailable, "10010", "系统内部异常"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c := gockClient(t)
			mockStatus(t, "X1", tc.httpCode, tc.file)
			o, err := c.QueryOrderStatus(context.Background(), "X1")
			assert.Nil(t, o)
			var ae *status.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, status.Bailun, ae.Provider)
			assert.Equal(t, tc.httpCode, ae.HTTPStatus)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			} else {
				assert.NoError(t, ae.Err)
			}
			if tc.message != "" {
				assert.Equal(t, tc.code, ae.Code)
				assert.Equal(t, tc.message, ae.Message, "the provider's message verbatim")
			}
		})
	}
}

func TestFixtureNotFoundInTrack(t *testing.T) {
	c := gockClient(t)
	mockStatus(t, "GONE", 200, "not-found.json")
	mockStatus(t, "CP-20200103-0001", 200, "shipped.json")
	snaps, err := c.Track(context.Background(), "GONE", "CP-20200103-0001")
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.Equal(t, status.Snapshot{Provider: status.Bailun, Ref: "GONE", Stage: status.NotFound, Codes: []status.Code{
		{Provider: status.Bailun, Field: "code", Value: "10000"}, {Provider: status.Bailun, Field: "message", Value: "订单不存在"}}}, snaps[0],
		"the provider's raw answer stays on the snapshot")
	assert.Equal(t, status.Shipped, snaps[1].Stage)
}

func TestFixtureTokenSpellings(t *testing.T) {
	for _, file := range []string{"token.json", "token-camel.json"} {
		t.Run(file, func(t *testing.T) {
			defer gock.Off()
			hc := &http.Client{}
			gock.InterceptClient(hc)
			body := fixture(t, file)
			var tok struct {
				A string `json:"access_token"`
				B string `json:"accessToken"`
			}
			require.NoError(t, json.Unmarshal(body, &tok))
			gock.New(fixtureHost).Post("/oauth/token/get").Reply(200).BodyString(string(body))
			gock.New(fixtureHost).Get("/apiV2/bailunOrder/queryOrderStatus").
				MatchHeader("Authorization", "^"+tok.A+tok.B+"$").
				Reply(200).BodyString(string(fixture(t, "shipped.json")))
			c, err := bailun.New(bailun.Config{BaseURL: fixtureHost, AppID: "a", AppKey: bailun.NewSecret("k"), HTTPClient: hc, MaxRetries: -1})
			require.NoError(t, err)
			_, err = c.QueryOrderStatus(context.Background(), "CP-20200103-0001")
			require.NoError(t, err, "the token's own Bearer prefix is sent once")
		})
	}
}

func TestFixtureTokenRefused(t *testing.T) {
	defer gock.Off()
	hc := &http.Client{}
	gock.InterceptClient(hc)
	gock.New(fixtureHost).Post("/oauth/token/get").Reply(200).BodyString(string(fixture(t, "token-refused.json")))
	c, err := bailun.New(bailun.Config{BaseURL: fixtureHost, AppID: "a", AppKey: bailun.NewSecret("wrong-key"), HTTPClient: hc, MaxRetries: -1})
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "X")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.ErrorContains(t, err, "invalid app_id or app_key")
}

// Decoding a fixture and encoding it again gives the provider's JSON back.
func TestFixtureWireRoundTrip(t *testing.T) {
	for _, file := range []string{"query-order-status.json", "shipped.json", "ship-failed.json", "unknown-status.json", "not-found.json"} {
		raw := fixture(t, file)
		var env bailun.BaseResponse[bailun.OrderStatusOutput]
		require.NoError(t, json.Unmarshal(raw, &env), file)
		out, err := json.Marshal(env)
		require.NoError(t, err)
		assert.JSONEq(t, string(raw), string(out), file)
	}
}

// The request's tag is checked through go-querystring, so that a typo
// cannot ship silently, and the query the client sends is held equal to
// it.
func TestQueryOrderStatusDTOValues(t *testing.T) {
	dto := bailun.QueryOrderStatusDTO{OriginOrderNo: "A 1&2"}
	v, err := query.Values(dto)
	require.NoError(t, err)
	assert.Equal(t, "originOrderNo=A+1%262", v.Encode())
	assert.Equal(t, v, bailun.QueryValues(dto))

	c := gockClient(t)
	gock.New(fixtureHost).Get("/apiV2/bailunOrder/queryOrderStatus").
		MatchParam("originOrderNo", `^A 1&2$`).Reply(200).JSON(fixture(t, "query-order-status.json"))
	_, err = c.QueryOrderStatus(context.Background(), "A 1&2")
	require.NoError(t, err)
	assert.True(t, gock.IsDone())
}

// An answer without Bailun's code is not its envelope, even with a 200.
func TestAnswerWithoutCodeIsMalformed(t *testing.T) {
	c := gockClient(t)
	gock.New(fixtureHost).Get("/apiV2/bailunOrder/queryOrderStatus").Reply(200).BodyString(`{"error":"not found"}`)
	_, err := c.QueryOrderStatus(context.Background(), "X1")
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.NotErrorIs(t, err, status.ErrNotFound)
}
