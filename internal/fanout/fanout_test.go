package fanout

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachRunsAllWithinLimit(t *testing.T) {
	var running, peak atomic.Int32
	out := make([]int, 100)
	err := Each(context.Background(), 100, 5, func(_ context.Context, i int) error {
		r := running.Add(1)
		for {
			p := peak.Load()
			if r <= p || peak.CompareAndSwap(p, r) {
				break
			}
		}
		time.Sleep(100 * time.Microsecond)
		out[i] = i * i
		running.Add(-1)
		return nil
	})
	require.NoError(t, err)
	for i, v := range out {
		assert.Equal(t, i*i, v)
	}
	assert.LessOrEqual(t, peak.Load(), int32(5))
}

func TestEachStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int32
	err := Each(context.Background(), 1000, 2, func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 3 {
			return boom
		}
		<-time.After(time.Millisecond)
		return ctx.Err()
	})
	assert.ErrorIs(t, err, boom)
	assert.Less(t, int(started.Load()), 1000)
}

func TestEachHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int32
	err := Each(ctx, 10, 0, func(context.Context, int) error { calls.Add(1); return nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, calls.Load())
	assert.NoError(t, Each(context.Background(), 0, 3, nil))
}
