package bailun_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/internal/leaktest"
)

// Every credential field × every surface × every way a hostile server can
// answer: no secret, the token learnt at run time included, ever shows.
func TestSecretsNeverLeak(t *testing.T) {
	const appKey, accessToken, runtimeToken = "bl-app/key&ü-7H9x", "bl-access/tok&é-3Q", "bl-runtime/tok&ñ-8Z"
	success := func(path string) string {
		if strings.HasSuffix(path, "/oauth/token/get") {
			return `{"appId":"app","accessToken":"Bearer ` + runtimeToken + `","expiresIn":3600,"statusCode":200,"errMsg":null}`
		}
		return `{"result":{"originOrderNo":"A1","orderStatus":4,"trackingNo":"YT1","lastUpdateTime":"2020-01-03 00:00:00"},"message":"","code":10000}`
	}
	isToken := func(path string) bool { return strings.HasSuffix(path, "/oauth/token/get") }
	for _, creds := range []bailun.Config{{AppID: "app", AppKey: bailun.NewSecret(appKey)}, {AccessToken: bailun.NewSecret(accessToken)}} {
		for _, sc := range leaktest.Scenarios {
			t.Run(string(sc), func(t *testing.T) {
				srv := leaktest.Server(t, sc, success, isToken)
				var logs leaktest.Logs
				cfg := creds
				cfg.BaseURL, cfg.Logger, cfg.RetryWaitMin, cfg.RetryWaitMax = srv.URL, logs.Logger(), 1, 2
				c, err := bailun.New(cfg)
				require.NoError(t, err)
				_, qerr := c.QueryOrderStatus(context.Background(), "A1")
				snaps, terr := c.Track(context.Background(), "A1", "A2")
				leaktest.Check(t, []string{appKey, accessToken, runtimeToken},
					leaktest.Surfaces(&logs, cfg, c, qerr, snaps, terr))
			})
		}
	}
}
