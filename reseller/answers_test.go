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
			c, err := reseller.New(reseller.Config{BaseURL: srv.URL, ResellerID: 1, Secret: "s", MaxRetries: -1})
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
	cfg.Secret = "not-the-secret"
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrder(context.Background(), "T1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.ErrorContains(t, err, "bad sign")
}
