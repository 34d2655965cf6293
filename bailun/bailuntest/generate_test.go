package bailuntest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
)

// SetGenerate while the fake serves requests from other goroutines is no
// data race (run with -race).
func TestSetGenerateWhileServing(t *testing.T) {
	srv := bailuntest.NewServer()
	defer srv.Close()
	c, err := bailun.New(srv.Config())
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				_, _ = c.QueryOrderStatus(context.Background(), "CP-77")
			}
		})
	}
	srv.SetGenerate(bailuntest.Generated)
	wg.Wait()
	out, err := c.QueryOrderStatus(context.Background(), "CP-77")
	require.NoError(t, err)
	assert.Equal(t, "CP-77", out.OriginOrderNo)
}
