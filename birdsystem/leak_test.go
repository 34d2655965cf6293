package birdsystem_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/internal/leaktest"
)

// The API key × every surface × every way a hostile server can answer, for
// queries and a create: it never shows.
func TestSecretsNeverLeak(t *testing.T) {
	const apiKey = "bs-api/key&ü-2M"
	success := func(string) string {
		return `{"success":true,"total":1,"data":[{"id":"2010290360000089","status":"FINISHED","type":"LOCAL"}]}`
	}
	for _, sc := range leaktest.Scenarios {
		t.Run(string(sc), func(t *testing.T) {
			srv := leaktest.Server(t, sc, success, func(string) bool { return false })
			var logs leaktest.Logs
			cfg := birdsystem.Config{BaseURL: srv.URL, APIKey: birdsystem.NewSecret(apiKey), CompanyID: "36", Logger: logs.Logger(), RetryWaitMin: 1, RetryWaitMax: 2}
			c, err := birdsystem.New(cfg)
			require.NoError(t, err)
			_, lerr := c.ListConsignments(context.Background(), nil)
			_, cerr := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
				DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
			snaps, terr := c.Track(context.Background(), "2010290360000089", "2")
			leaktest.Check(t, []string{apiKey}, leaktest.Surfaces(&logs, cfg, c, lerr, cerr, snaps, terr))
		})
	}
}
