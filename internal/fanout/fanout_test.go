package fanout

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
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

func TestTrack(t *testing.T) {
	boom := errors.New("boom")
	lookup := func(_ context.Context, ref string) ([]status.Snapshot, error) {
		switch ref {
		case "gone":
			return nil, fmt.Errorf("wrapped: %w", status.ErrNotFound)
		case "bad":
			return nil, boom
		case "two":
			return []status.Snapshot{{Ref: ref, OrderNo: "a"}, {Ref: ref, OrderNo: "b"}}, nil
		}
		return []status.Snapshot{{Ref: ref, Stage: status.Shipped}}, nil
	}
	snaps, err := Track(context.Background(), status.Bailun, []string{"two", "gone", "x"}, 2, lookup)
	require.NoError(t, err)
	require.Len(t, snaps, 4)
	assert.Equal(t, "b", snaps[1].OrderNo)
	assert.Equal(t, status.Snapshot{Provider: status.Bailun, Ref: "gone", Stage: status.NotFound}, snaps[2])
	assert.Equal(t, "x", snaps[3].Ref)

	snaps, err = Track(context.Background(), status.Bailun, []string{"bad", "x"}, 1, lookup)
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.ErrorIs(t, snaps[0].Err, boom)
	assert.EqualError(t, snaps[0].Err, `bailun: ref "bad": boom`)
	assert.Equal(t, status.Shipped, snaps[1].Stage, "the failure stops no other ref")

	calls := 0
	_, err = Track(context.Background(), status.Reseller, []string{"x", ""}, 1, func(context.Context, string) ([]status.Snapshot, error) {
		calls++
		return nil, nil
	})
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Zero(t, calls, "refused before any lookup")
}

func TestNotFoundOnlyFromTheProvidersAnswer(t *testing.T) {
	envelope := &status.APIError{Provider: status.Bailun, HTTPStatus: 200, Code: "10000", Message: "订单不存在", Err: status.ErrNotFound}
	s, ok := NotFound(status.Bailun, "A1", envelope)
	require.True(t, ok)
	assert.Equal(t, []status.Code{{Provider: status.Bailun, Field: "code", Value: "10000"}, {Provider: status.Bailun, Field: "message", Value: "订单不存在"}}, s.Codes)

	http404 := &status.APIError{Provider: status.Bailun, HTTPStatus: 404, Body: "<html>404 Not Found</html>", Err: status.ErrNotFound}
	_, ok = NotFound(status.Bailun, "A1", http404)
	assert.False(t, ok, "a bare 404 may be a wrong BaseURL: it stays an error")
	snaps, err := Track(context.Background(), status.Bailun, []string{"A1"}, 1, func(context.Context, string) ([]status.Snapshot, error) { return nil, http404 })
	require.NoError(t, err)
	assert.ErrorIs(t, snaps[0].Err, status.ErrNotFound)
	assert.Equal(t, status.Unknown, snaps[0].Stage)

	s, ok = NotFound(status.BirdSystem, "abc", status.ErrNotFound)
	require.True(t, ok)
	assert.Empty(t, s.Codes)
	_, ok = NotFound(status.BirdSystem, "abc", errors.New("other"))
	assert.False(t, ok)
}
