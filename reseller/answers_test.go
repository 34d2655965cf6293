package reseller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// The platform's text comes as message, msg or error: every one present
// reaches the APIError.
func TestAnswerMessageFields(t *testing.T) {
	for body, want := range map[string]string{
		`{"code":5000000,"msg":"参数校验错误","data":null}`:                      "参数校验错误",
		`{"code":5000000,"error":"sign invalid","data":null}`:              "sign invalid",
		`{"code":5000000,"msg":"参数校验错误","error":"sign invalid"}`:           "参数校验错误; sign invalid",
		`{"code":5000000,"message":"参数校验错误","msg":"参数校验错误","error":"bad"}`: "参数校验错误; bad",
	} {
		for _, code := range []int{200, 400} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(code)
				fmt.Fprint(w, body)
			}))
			c, err := reseller.New(reseller.Config{BaseURL: srv.URL, ResellerID: 1, Secret: reseller.NewSecret("s"), MaxRetries: -1})
			require.NoError(t, err)
			_, err = c.QueryOrder(context.Background(), "T1")
			srv.Close()
			var ae *status.APIError
			require.ErrorAs(t, err, &ae, body)
			assert.Equal(t, want, ae.Message, body)
			assert.Equal(t, "5000000", ae.Code)
			assert.ErrorIs(t, err, status.ErrInvalidRequest)
		}
	}
}

// Config.SignType is sent as signType and signed; the fake checks the
// signature with the signer the client is configured with, without regard
// to case, as the platform does.
func TestServerSignTypeAndSigners(t *testing.T) {
	upper := reseller.SignerFunc(func(p reseller.SignParams) (string, error) {
		s, err := reseller.YingeSigner.Sign(p)
		return strings.ToUpper(s), err
	})
	for _, tc := range []struct {
		name   string
		signer reseller.Signer
	}{{"default", nil}, {"upper-case yinge", upper}, {"md5", reseller.MD5Signer}, {"hmac", reseller.HMACSHA256Signer}} {
		srv := resellertest.NewServer()
		if tc.signer != nil {
			srv.Signer = tc.signer
		}
		if tc.name == "upper-case yinge" {
			srv.Signer = nil // the fake verifies with the default and accepts any case
		}
		srv.Put(reseller.Order{ThirdOrderNo: "T1", SubOrderList: []reseller.SubOrder{{OrderNo: "S1", OrderStatus: status.ResellerCompleted}}})
		cfg := srv.Config()
		cfg.Signer, cfg.SignType = tc.signer, 2
		c, err := reseller.New(cfg)
		require.NoError(t, err)
		_, err = c.QueryOrder(context.Background(), "T1")
		assert.NoError(t, err, tc.name)
		var e reseller.Envelope
		require.NoError(t, json.Unmarshal(srv.LastRequest(), &e))
		assert.Equal(t, 2, e.SignType, tc.name)
		srv.Close()
	}
	// A wrong secret is refused.
	srv := resellertest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.Secret = reseller.NewSecret("not-the-secret")
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrder(context.Background(), "T1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.ErrorContains(t, err, "bad sign")
}

// answering starts a loopback server that answers every request with body,
// and a client for it.
func answering(t *testing.T, body string) *reseller.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := reseller.New(reseller.Config{BaseURL: srv.URL, ResellerID: 1, Secret: reseller.NewSecret("s"), MaxRetries: -1})
	require.NoError(t, err)
	return c
}

// subOrders is an answer with the given sub-orders, raw JSON.
func subOrders(subs ...string) string {
	return `{"code":0,"message":"成功","data":{"outUserId":"u-1","unionOrderNo":"U1","thirdOrderNo":"T1","subOrderList":[` +
		strings.Join(subs, ",") + `]}}`
}

// A null row of traces or skus is kept aside (in Unfit, written back as
// sent), never read as a blank trace or item; the rows beside it answer.
func TestAnswerNullRows(t *testing.T) {
	body := subOrders(`{"orderNo":"S1","orderStatus":30,"skus":[null],"orderExpress":{"expressNumber":"SF1","traces":[null,` +
		`{"time":"2024-04-03 09:15:00","context":"快件已发车","status":"","city":"杭州市"}]}}`)
	c := answering(t, body)
	o, err := c.QueryOrder(context.Background(), "T1")
	require.NoError(t, err)
	s := o.SubOrderList[0]
	assert.Empty(t, s.SKUs, "no blank item")
	require.Len(t, s.OrderExpress.Traces, 1, "no blank trace, and the real one kept")
	assert.Equal(t, "快件已发车", s.OrderExpress.Traces[0].Context)
	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"skus":[null]`)
	assert.Contains(t, string(b), `"traces":[null,{"time":"2024-04-03 09:15:00"`)

	snaps, err := c.Track(context.Background(), "T1")
	require.NoError(t, err)
	require.Len(t, snaps, 1)
	require.Len(t, snaps[0].Events, 1)
	assert.Equal(t, "快件已发车", snaps[0].Events[0].Description)
}

// A sub-order without orderStatus loses none of its siblings: its own
// snapshot carries the error, and the others answer.
func TestAnswerSubOrderWithoutStatus(t *testing.T) {
	c := answering(t, subOrders(`{"orderNo":"S1","orderStatus":30}`, `{"orderNo":"S2"}`, `{"orderNo":"S3","orderStatus":70}`))
	o, err := c.QueryOrder(context.Background(), "T1")
	require.NoError(t, err)
	require.Len(t, o.SubOrderList, 3)
	assert.Equal(t, reseller.UnfitStatus, o.SubOrderList[1].OrderStatus, "never 0, cancelled")
	b, err := json.Marshal(o.SubOrderList[1])
	require.NoError(t, err)
	assert.NotContains(t, string(b), "orderStatus", "absent it came, absent it goes")

	snaps, err := c.Track(context.Background(), "T1")
	require.NoError(t, err)
	require.Len(t, snaps, 3)
	assert.NoError(t, snaps[0].Err)
	assert.Equal(t, status.Shipped, snaps[0].Stage)
	assert.ErrorIs(t, snaps[1].Err, status.ErrMalformedResponse)
	assert.Equal(t, "S2", snaps[1].OrderNo)
	assert.Equal(t, status.Unknown, snaps[1].Stage)
	assert.NoError(t, snaps[2].Err)
	assert.Equal(t, "S3", snaps[2].OrderNo)
}

// Traces come newest first. Where times decide they are put oldest first;
// where they cannot (an unreadable time, two in the same second), the
// reverse of the platform's order stands.
func TestAnswerTraceOrder(t *testing.T) {
	c := answering(t, subOrders(`{"orderNo":"S1","orderStatus":40,"orderExpress":{"expressNumber":"SF1","traces":[`+
		`{"time":"2024-04-03 18:40:12","context":"签收","status":"","city":""},`+
		`{"time":"2024-04-03 18:40:12","context":"派送中","status":"","city":""},`+
		`{"time":"昨天","context":"到达","status":"","city":""},`+
		`{"time":"2024-04-02 20:01:30","context":"揽收","status":"","city":""}]}}`))
	snaps, err := c.Track(context.Background(), "T1")
	require.NoError(t, err)
	var got []string
	for _, e := range snaps[0].Events {
		got = append(got, e.Description)
	}
	assert.Equal(t, []string{"揽收", "到达", "派送中", "签收"}, got)
}
