package watch

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

// Poll whose context ends while it delivers returns the context's error,
// as every call that stops for its context does; the change not taken
// comes again.
func TestPollStoppedMidDeliveryReturnsTheContextsError(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	tr.set("B", status.Shipped, nil)
	w, _ := newWatcher(Options{Schedule: Every{Interval: time.Minute, Linger: time.Hour}})
	id, err := w.Add(tr, "")
	require.NoError(t, err)
	require.NoError(t, w.Follow(context.Background(), id, "A", "B"))

	ctx, cancel := context.WithCancel(context.Background())
	var got []string
	err = w.Poll(ctx, id, func(c status.Change) {
		got = append(got, c.Ref)
		cancel() // the consumer goes away after its first change
	})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.Len(t, got, 1)

	var again []string
	require.NoError(t, w.Poll(context.Background(), id, func(c status.Change) { again = append(again, c.Ref) }))
	assert.Len(t, again, 1, "the change not taken comes again")
}

// The jitter never wraps a due time around: a huge interval, spread up,
// stays in the future.
func TestScheduleJitterNeverOverflows(t *testing.T) {
	now := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	for _, r := range []float64{0, 0.5, 0.999999} {
		s := &DefaultSchedule{Early: math.MaxInt64 / 2, MaxBackoff: math.MaxInt64, Jitter: 0.5, rand: func() float64 { return r }}
		due, stop, _ := s.Next(Polled{Now: now, Snapshots: []status.Snapshot{{Stage: status.Pending}}, State: State{Since: now, Quiet: 40}})
		assert.False(t, stop)
		assert.True(t, due.After(now), "rand %v: due %v, before now", r, due)
	}
}
