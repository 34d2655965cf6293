package bailun_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
)

// A client built from the environment (a second account's prefix) works,
// and its secret does not print.
func TestConfigFromEnv(t *testing.T) {
	srv := bailuntest.NewServer()
	defer srv.Close()
	t.Setenv("ACME_BAILUN_BASE_URL", srv.URL)
	t.Setenv("ACME_BAILUN_APP_ID", bailuntest.AppID)
	t.Setenv("ACME_BAILUN_APP_KEY", bailuntest.AppKey)
	cfg, err := bailun.ConfigFromEnv("ACME_BAILUN")
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%+v", cfg), bailuntest.AppKey)
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "NOPE")
	assert.ErrorIs(t, err, status.ErrNotFound)

	cfg, err = bailun.ConfigFromEnv("") // BAILUN_..., unset here
	require.NoError(t, err)
	_, err = bailun.New(cfg)
	assert.ErrorIs(t, err, status.ErrInvalidConfig, "New says what is missing")
}
