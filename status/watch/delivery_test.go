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

// claimHook is a Store that runs hook once, at the next Claim: another
// process's work landing in the middle of a pass.
type claimHook struct {
	Store
	hook func()
}

func (s *claimHook) Claim(ctx context.Context, t TrackerID, now, until time.Time, limit int) ([]Claim, error) {
	if h := s.hook; h != nil {
		s.hook = nil
		h()
	}
	return s.Store.Claim(ctx, t, now, until, limit)
}

// A pass delivers from the outbox, in its order: news another process
// saved while the pass ran (the answer of a lookup that was in flight)
// comes before the pass's own changes, and so before the ref's
// Unfollowed, never after it.
func TestPassDeliversTheOutboxInOrder(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	mem := NewMemoryStore()
	store := &claimHook{Store: mem}
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Hour, Linger: 24 * time.Hour}})
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "A"))
	poll(t, w, id) // the baseline
	clk.Add(2 * time.Hour)

	// Another process claims A, and its lookup is in flight.
	claims, err := mem.Claim(ctx, id, clk.Now(), clk.Now().Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	news := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Ref: "A", From: status.Processing, To: status.Shipped}
	news.ID = news.HashID()
	store.hook = func() {
		// Its answer is saved while this pass starts, after the pass's
		// first look at the outbox; then the user unfollows A.
		require.NoError(t, mem.Save(ctx, id, []Result{{Ref: "A", Gen: claims[0].Gen, Seen: true, Snapshots: claims[0].Snapshots,
			State: claims[0].State, Due: clk.Now(), Changes: []status.Change{news}}}))
		require.NoError(t, w.Unfollow(ctx, id, "A"))
	}
	var got []status.ChangeKind
	require.NoError(t, w.Poll(ctx, id, func(c status.Change) { got = append(got, c.Kind) }))
	require.NoError(t, w.Poll(ctx, id, func(c status.Change) { got = append(got, c.Kind) }))
	assert.Equal(t, []status.ChangeKind{status.StageChanged, status.Unfollowed}, got, "the Unfollowed last: nothing of the ref after it")
}

// A ref unfollowed while its lookup is in flight: the lookup's answer is
// not saved, and nothing of the ref is delivered after Unfollow returned
// but its Unfollowed.
func TestNothingAfterUnfollow(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	mem := NewMemoryStore()
	w, clk := newWatcher(Options{Store: mem, Schedule: Every{Interval: time.Hour, Linger: 24 * time.Hour}})
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "A"))
	poll(t, w, id) // the baseline
	clk.Add(2 * time.Hour)
	tr.set("A", status.Shipped, nil)
	tr.onTrack = func() {
		require.NoError(t, w.Unfollow(ctx, id, "A")) // while the lookup is in flight
		tr.onTrack = nil
	}
	assert.Equal(t, []string{"bailun A unfollowed, processing (removed)"}, poll(t, w, id),
		"the news of the lookup in flight is not saved; the Unfollowed comes in the same pass")
	assert.Empty(t, poll(t, w, id))
	h, err := w.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, h[0].ClaimsLost, "the refused save is counted")
}
