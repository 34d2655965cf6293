package reseller_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/internal/leaktest"
	"github.com/ordertrack/ordertrack/reseller"
)

// The signing secret × every surface × every way a hostile server can
// answer: it never shows.
func TestSecretsNeverLeak(t *testing.T) {
	const secret = "rs-sign/secret&ü-5K"
	success := func(string) string {
		return `{"code":0,"message":"","data":{"thirdOrderNo":"T1","subOrderList":[{"orderNo":"S1","orderStatus":30}]}}`
	}
	for _, sc := range leaktest.Scenarios {
		t.Run(string(sc), func(t *testing.T) {
			srv := leaktest.Server(t, sc, success, func(string) bool { return false })
			var logs leaktest.Logs
			cfg := reseller.Config{BaseURL: srv.URL, ResellerID: 10000, Secret: reseller.NewSecret(secret), Logger: logs.Logger(), RetryWaitMin: 1, RetryWaitMax: 2}
			c, err := reseller.New(cfg)
			require.NoError(t, err)
			_, qerr := c.QueryOrder(context.Background(), "T1")
			snaps, terr := c.Track(context.Background(), "T1", "T2")
			p := reseller.SignParams{Timestamp: 1, ResellerID: 1, Version: 1, BizContent: []byte(`{}`), Secret: reseller.NewSecret(secret)}
			leaktest.Check(t, []string{secret}, leaktest.Surfaces(&logs, cfg, c, qerr, snaps, terr, p))
		})
	}
}
