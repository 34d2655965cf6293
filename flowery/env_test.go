package flowery_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// A client built from the environment works, and its secret does not
// print.
func TestConfigFromEnv(t *testing.T) {
	srv := flowerytest.NewServer()
	defer srv.Close()
	t.Setenv("FLOWERY_BASE_URL", srv.URL)
	t.Setenv("FLOWERY_ACCOUNT_ID", flowerytest.AccountID)
	t.Setenv("FLOWERY_LOGISTICS", flowerytest.Logistics)
	t.Setenv("FLOWERY_SECRET_KEY", flowerytest.SecretKey)
	cfg, err := flowery.ConfigFromEnv("")
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%+v", cfg), flowerytest.SecretKey)
	c, err := flowery.New(cfg)
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), "NOPE-1")
	require.NoError(t, err)
	assert.Equal(t, status.NotFound, snaps[0].Stage)
}
