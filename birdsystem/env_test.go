package birdsystem_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
)

// A client built from the environment works, and its secret does not
// print.
func TestConfigFromEnv(t *testing.T) {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	t.Setenv("BIRDSYSTEM_BASE_URL", srv.URL)
	t.Setenv("BIRDSYSTEM_API_KEY", birdsystemtest.APIKey)
	t.Setenv("BIRDSYSTEM_COMPANY_ID", birdsystemtest.CompanyID)
	cfg, err := birdsystem.ConfigFromEnv("")
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%+v", cfg), birdsystemtest.APIKey)
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	_, err = c.ListConsignments(context.Background(), nil)
	assert.NoError(t, err)
}
