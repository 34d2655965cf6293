package flowerytest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ordertrack/ordertrack/flowery/flowerytest"
)

// The fake's Config names the zone Flowery's dates are in, rather than
// leaving it nil (which means Asia/Jakarta, and prints as UTC).
func TestConfigNamesItsZone(t *testing.T) {
	srv := flowerytest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	assert.Equal(t, "Asia/Jakarta", cfg.Location.String())
	assert.False(t, strings.Contains(fmt.Sprintf("%+v", cfg.Location), "UTC"))
}
