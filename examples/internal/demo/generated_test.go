package demo

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// Every fake answers refs it was never given when Generate is set, the
// same way each time, and stores none of them.
func TestFakesGenerateManyOrders(t *testing.T) {
	bl, rs, bs, fl := bailuntest.NewServer(), resellertest.NewServer(), birdsystemtest.NewServer(), flowerytest.NewServer()
	for _, s := range []interface{ Close() }{bl, rs, bs, fl} {
		defer s.Close()
	}
	bl.Generate, rs.Generate, bs.Generate, fl.Generate = bailuntest.Generated, resellertest.Generated, birdsystemtest.Generated, flowerytest.Generated
	trackers := []status.Tracker{must(bailun.New(bl.Config())), must(reseller.New(rs.Config())), must(birdsystem.New(bs.Config())), must(flowery.New(fl.Config()))}
	refs := []string{"9000000000000001", "9000000000000002", "9000000000000003", "9000000000000004", "9000000000000005"}
	for _, tr := range trackers {
		first, err := tr.Track(context.Background(), refs...)
		require.NoError(t, err)
		require.NoError(t, status.Errors(first), tr.Provider())
		stages := map[status.Stage]bool{}
		for _, s := range first {
			assert.NotEqual(t, status.NotFound, s.Stage, "%s %s", tr.Provider(), s.Ref)
			stages[s.Stage] = true
		}
		again, err := tr.Track(context.Background(), refs...)
		require.NoError(t, err)
		assert.Equal(t, first, again, "%s: the same each time", tr.Provider())
		assert.Greater(t, len(stages), 1, "%s: refs get different stages", tr.Provider())
	}
	// Nothing was stored: without Generate, they are unknown.
	bl.Generate = nil
	snaps, err := trackers[0].Track(context.Background(), refs[0])
	require.NoError(t, err)
	assert.Equal(t, status.NotFound, snaps[0].Stage)
}
