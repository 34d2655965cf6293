package flowery_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/internal/leaktest"
)

// Every credential field (a static token, or the secret key that registers
// one) × every surface × every way a hostile server can answer: no secret,
// the registered token included, ever shows.
func TestSecretsNeverLeak(t *testing.T) {
	const token, secretKey, registered = "fl-static/tok&ü-4P", "fl-secret/key&é-6R", "fl-registered/tok&ñ-9T"
	isToken := func(path string) bool { return strings.HasSuffix(path, "/token") }
	success := func(path string) string {
		if isToken(path) {
			return `{"status":"success","data":{"logistics":"L","token":"` + registered + `"}}`
		}
		return `{"code":"success","message":"","sn_str":"2","orders_detail":[{"order_no":"1","express_no":"E1","order_status":"已签收"}]}`
	}
	for _, creds := range []flowery.Config{{Token: flowery.NewSecret(token)}, {SecretKey: flowery.NewSecret(secretKey)}} {
		for _, sc := range leaktest.Scenarios {
			t.Run(string(sc), func(t *testing.T) {
				srv := leaktest.Server(t, sc, success, isToken)
				var logs leaktest.Logs
				cfg := creds
				cfg.BaseURL, cfg.AccountID, cfg.Logistics, cfg.Logger, cfg.RetryWaitMin, cfg.RetryWaitMax = srv.URL, "A", "L", logs.Logger(), 1, 2
				c, err := flowery.New(cfg)
				require.NoError(t, err)
				_, qerr := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1", "2")
				snaps, terr := c.Track(context.Background(), "1", "2")
				leaktest.Check(t, []string{token, secretKey, registered}, leaktest.Surfaces(&logs, cfg, c, qerr, snaps, terr))
			})
		}
	}
}
