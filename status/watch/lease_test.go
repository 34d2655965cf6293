package watch

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

// slowTracker sends one request a ref, each taking per on the test's
// clock, and stops at the first it would send with its context ended, as
// an HTTP client does. during, when set, runs before each request.
type slowTracker struct {
	clk    *clock
	per    time.Duration
	mu     sync.Mutex
	sent   []string
	during func(n int)
}

func (s *slowTracker) Provider() status.Provider { return status.Bailun }

func (s *slowTracker) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	out := make([]status.Snapshot, 0, len(refs))
	for i, r := range refs {
		if s.during != nil {
			s.during(i)
		}
		if err := ctx.Err(); err != nil {
			out = append(out, status.Failed(status.Bailun, r, err))
			continue
		}
		s.mu.Lock()
		s.sent = append(s.sent, r)
		s.mu.Unlock()
		s.clk.Add(s.per)
		out = append(out, status.Snapshot{Provider: status.Bailun, Ref: r, OrderNo: r, Stage: status.Processing})
	}
	return out, nil
}

func refsN(n int) []string {
	refs := make([]string, n)
	for i := range refs {
		refs[i] = fmt.Sprintf("R%d", i)
	}
	return refs
}

// A batch longer than the lease keeps it: the lease is renewed while the
// batch runs, so no other process takes the account in the middle, and
// every answer is saved.
func TestSlowBatchKeepsItsLease(t *testing.T) {
	store := NewMemoryStore()
	w, clk := newWatcher(Options{Store: store, ClaimFor: time.Minute, Schedule: Every{Interval: time.Hour}})
	tr := &slowTracker{clk: clk, per: 40 * time.Second}
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, refsN(6)...))
	taken := false
	tr.during = func(n int) {
		if n == 4 { // 160 s into a lease of 60 s
			now := clk.Now()
			_, taken, _ = store.Lease(ctx, id, "other", now, now.Add(time.Minute))
		}
	}
	got := poll(t, w, id)
	assert.False(t, taken, "another process took the account while its batch ran")
	assert.Len(t, tr.sent, 6)
	assert.Len(t, got, 6, "every answer saved: %q", got)
}

// A holder that loses the account mid-batch (its renewal finds another
// holder) sends no further request, and saves nothing of the batch.
func TestBatchStopsWhenItsLeaseEnds(t *testing.T) {
	store := NewMemoryStore()
	w, clk := newWatcher(Options{Store: store, ClaimFor: time.Minute, Schedule: Every{Interval: time.Hour}})
	tr := &slowTracker{clk: clk, per: 15 * time.Second}
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, refsN(8)...))
	tr.during = func(n int) {
		if n == 1 {
			// The lease is taken from under it (a pause longer than it,
			// seen from outside): another owner holds the account.
			require.NoError(t, store.Release(ctx, id, w.owner))
			now := clk.Now()
			_, ok, err := store.Lease(ctx, id, "other", now, now.Add(time.Hour))
			require.NoError(t, err)
			require.True(t, ok)
		}
	}
	assert.Empty(t, poll(t, w, id))
	assert.Len(t, tr.sent, 2, "the renewal at 20 s finds another holder: the request after it is not sent (%v)", tr.sent)
	h, err := w.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, h[0].LeaseLost)
	p, err := store.Pending(ctx, id, 10)
	require.NoError(t, err)
	assert.Empty(t, p, "nothing of the batch saved")
}

// Two Watchers given one Owner are two holders: the second is refused the
// account while the first holds it, and Health counts the refusal.
func TestSameOwnerTwoHolders(t *testing.T) {
	store := NewMemoryStore()
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	w1, clk := newWatcher(Options{Store: store, Owner: "pod-7"})
	w2 := New(Options{Store: store, Owner: "pod-7", Clock: clk})
	assert.NotEqual(t, w1.Owner(), w2.Owner())
	assert.Contains(t, w1.Owner(), "pod-7#")
	id, _ := w1.Add(tr, "")
	_, _ = w2.Add(tr, "")
	require.NoError(t, w1.Follow(context.Background(), id, "A"))
	var got []string
	require.NoError(t, w2.Poll(context.Background(), id, func(c status.Change) {
		got = append(got, c.String())
		require.NoError(t, w1.Poll(context.Background(), id, func(status.Change) { t.Error("w1 delivered while w2 held the account") }))
	}))
	assert.Equal(t, []string{"bailun A following, processing"}, got)
	h, err := w1.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, h[0].LeaseRefused)
	assert.Equal(t, w2.Owner(), h[0].Holder)
}

// Close during a Poll in flight waits for it, so that no other process
// takes the account from under the pass; with its context ended first,
// it says so, and releases nothing.
func TestCloseWaitsForThePass(t *testing.T) {
	store := NewMemoryStore()
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	w, clk := newWatcher(Options{Store: store})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "A"))
	inPoll, release := make(chan struct{}), make(chan struct{})
	polled := make(chan error, 1)
	go func() {
		polled <- w.Poll(context.Background(), id, func(status.Change) {
			close(inPoll)
			<-release
		})
	}()
	<-inPoll
	short, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, w.Close(short), context.Canceled, "a pass in flight")
	_, ok, err := store.Lease(context.Background(), id, "other", clk.Now(), clk.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, ok, "the lease was released under the pass")

	closed := make(chan error, 1)
	go func() { closed <- w.Close(context.Background()) }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the pass ran", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-polled)
	require.NoError(t, <-closed)
	_, ok, err = store.Lease(context.Background(), id, "other", clk.Now(), clk.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, ok, "released once the pass ended")
}
