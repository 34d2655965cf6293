package reseller_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// A client built from the environment works, its secret does not print,
// and an ID that is no integer is an error naming the variable.
func TestConfigFromEnv(t *testing.T) {
	srv := resellertest.NewServer()
	defer srv.Close()
	t.Setenv("RESELLER_BASE_URL", srv.URL)
	t.Setenv("RESELLER_ID", fmt.Sprint(resellertest.ResellerID))
	t.Setenv("RESELLER_SECRET", resellertest.Secret)
	cfg, err := reseller.ConfigFromEnv("")
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%+v", cfg), resellertest.Secret)
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrder(context.Background(), "NOPE")
	assert.ErrorIs(t, err, status.ErrNotFound)

	t.Setenv("RESELLER_ID", "ten")
	_, err = reseller.ConfigFromEnv("")
	assert.ErrorIs(t, err, status.ErrInvalidConfig)
	assert.ErrorContains(t, err, "RESELLER_ID")
}
