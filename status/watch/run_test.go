package watch

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// waitFor waits until cond holds, or fails after a long while (a loaded
// machine is slow, never wrong).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// twoAccounts is a Watcher on the system's clock following A through
// account "slow" and B through account "fast", each polled every Tick.
func twoAccounts(t *testing.T) (w *Watcher, slow, fast *scripted, ids [2]TrackerID) {
	slow, fast = newScripted(status.Bailun), newScripted(status.Bailun)
	slow.set("A", status.Processing, nil)
	fast.set("B", status.Processing, nil)
	w = New(Options{Tick: 5 * time.Millisecond, Schedule: Every{Interval: time.Millisecond}})
	ids[0], _ = w.Add(slow, "slow")
	ids[1], _ = w.Add(fast, "fast")
	require.NoError(t, w.Follow(context.Background(), ids[0], "A"))
	require.NoError(t, w.Follow(context.Background(), ids[1], "B"))
	return w, slow, fast, ids
}

// A consumer slow on one account holds up neither the other account's
// delivery nor anyone's polling.
func TestRunSlowConsumerStallsOneAccount(t *testing.T) {
	w, slow, fast, _ := twoAccounts(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var fastSeen atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(ctx context.Context, c status.Change) error {
			if c.Account == "slow" {
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
				return nil
			}
			fastSeen.Add(1)
			return nil
		})
	}()
	waitFor(t, "the fast account's change delivered", func() bool { return fastSeen.Load() > 0 })
	before := slow.calls.Load()
	fast.set("B", status.Shipped, nil)
	waitFor(t, "the fast account's news delivered while the slow one's consumer works", func() bool { return fastSeen.Load() > 1 })
	waitFor(t, "the slow account polled while its consumer works", func() bool { return slow.calls.Load() > before+2 })
	close(release)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

// A consumer that refuses a change leaves it in the outbox: it comes
// again, after a back-off, and polling goes on meanwhile.
func TestRunRefusedChangeComesAgain(t *testing.T) {
	w, slow, _, ids := twoAccounts(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tries atomic.Int32
	var took sync.Map
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(_ context.Context, c status.Change) error {
			if c.Account == "slow" && tries.Add(1) < 3 {
				return errors.New("the mail server is down")
			}
			took.Store(c.ID, c.String())
			return nil
		})
	}()
	waitFor(t, "the refused change taken at its third try", func() bool {
		n := 0
		took.Range(func(_, v any) bool {
			if v == "bailun/slow A following, processing" {
				n++
			}
			return true
		})
		return n == 1
	})
	assert.Equal(t, int32(3), tries.Load())
	assert.Greater(t, slow.calls.Load(), int32(1), "polled while its change was refused")
	p, err := w.store.Pending(context.Background(), ids[0], 10)
	require.NoError(t, err)
	assert.Empty(t, p, "taken, then acknowledged")
	cancel()
	<-done
}

// A panic in Run's deliver reaches Run's caller, once every tracker
// stopped; the change it panicked on stays in the outbox.
func TestRunPanicReachesTheCaller(t *testing.T) {
	w, _, _, ids := twoAccounts(t)
	got := make(chan any, 1)
	go func() {
		defer func() { got <- recover() }()
		_ = w.Run(context.Background(), func(_ context.Context, c status.Change) error {
			if c.Account == "slow" {
				panic("consumer bug")
			}
			return nil
		})
	}()
	select {
	case r := <-got:
		assert.Equal(t, "consumer bug", r)
	case <-time.After(20 * time.Second):
		t.Fatal("Run never returned: the panic did not reach its caller")
	}
	p, err := w.store.Pending(context.Background(), ids[0], 10)
	require.NoError(t, err)
	assert.Len(t, p, 1, "the change it panicked on is not acknowledged")
}

// A panic or a Goexit in the body of a range over Changes reaches the
// caller, and leaves nothing held: the next Poll runs.
func TestChangesPanicAndGoexitReleaseEverything(t *testing.T) {
	for _, how := range []string{"panic", "goexit"} {
		t.Run(how, func(t *testing.T) {
			w, _, _, ids := twoAccounts(t)
			out := make(chan any, 1)
			var first string
			go func() {
				defer func() { out <- recover() }()
				for c := range w.Changes(context.Background()) {
					first = c.String()
					if how == "panic" {
						panic("loop bug")
					}
					runtime.Goexit()
				}
			}()
			select {
			case r := <-out:
				if how == "panic" {
					assert.Equal(t, "loop bug", r)
				} else {
					assert.Nil(t, r)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the range never ended: deadlocked")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var got []string
			for _, id := range ids {
				require.NoError(t, w.Poll(ctx, id, func(c status.Change) { got = append(got, c.String()) }), "a Poll after it hangs")
			}
			assert.Contains(t, got, first, "the change the loop never took comes again")
		})
	}
}

// panicky is a Tracker that panics.
type panicky struct{}

func (panicky) Provider() status.Provider { return status.Bailun }
func (panicky) Track(context.Context, ...string) ([]status.Snapshot, error) {
	panic("tracker bug")
}

// Run gives its leases up as it returns, even with a consumer still at
// work when its context ended (no renewal takes them back).
func TestRunReleasesItsLeases(t *testing.T) {
	w, _, _, ids := twoAccounts(t)
	ctx, cancel := context.WithCancel(context.Background())
	took := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(context.Context, status.Change) error {
			took <- struct{}{}
			time.Sleep(50 * time.Millisecond) // still writing when Run is told to stop
			return nil
		})
	}()
	<-took
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	for _, id := range ids {
		now := time.Now()
		_, ok, err := w.store.Lease(context.Background(), id, "other", now, now.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, ok, "%s still held after Run returned", id)
	}
}

// A runtime.Goexit in Run's deliver stops Run, which panics with
// errGoexit: no account goes silently undelivered.
func TestRunGoexitInDeliver(t *testing.T) {
	w, _, _, _ := twoAccounts(t)
	got := make(chan any, 1)
	go func() {
		defer func() { got <- recover() }()
		_ = w.Run(context.Background(), func(context.Context, status.Change) error {
			runtime.Goexit()
			return nil
		})
	}()
	select {
	case r := <-got:
		assert.Equal(t, errGoexit, r)
	case <-time.After(20 * time.Second):
		t.Fatal("Run went on without the account")
	}
}

// A Tracker's panic under a range over Changes reaches the ranging
// goroutine, where it can be recovered, and the tracker's lease is given
// up (no renewal timer keeps it).
func TestChangesTrackerPanicReachesTheCaller(t *testing.T) {
	w := New(Options{Tick: 5 * time.Millisecond})
	id, _ := w.Add(panicky{}, "")
	require.NoError(t, w.Follow(context.Background(), id, "A"))
	got := make(chan any, 1)
	go func() {
		defer func() { got <- recover() }()
		for range w.Changes(context.Background()) {
		}
	}()
	select {
	case r := <-got:
		assert.Equal(t, "tracker bug", r)
	case <-time.After(20 * time.Second):
		t.Fatal("the range never ended")
	}
	now := time.Now()
	_, ok, err := w.store.Lease(context.Background(), id, "other", now, now.Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, ok, "the lease is still held")
}

// OnPass hears each pass end, with what it did; Get reads a ref's state.
func TestOnPassAndGet(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	tr.set("B", status.Processing, errors.New("503"))
	var passes []Pass
	w, clk := newWatcher(Options{OnPass: func(p Pass) { passes = append(passes, p) }, Schedule: Every{Interval: time.Hour}})
	id, _ := w.Add(tr, "acme")
	require.NoError(t, w.Follow(context.Background(), id, "A", "B"))
	poll(t, w, id)
	require.Len(t, passes, 1)
	p := passes[0]
	assert.Equal(t, id, p.Tracker)
	assert.Equal(t, 2, p.Refs)
	assert.Equal(t, 1, p.Answered)
	assert.Equal(t, 1, p.Failing)
	assert.Equal(t, 2, p.Changes, "A's Following, B's NowFailing")
	assert.NoError(t, p.Err)
	assert.Equal(t, clk.Now(), p.Ended)

	f, ok, err := w.Get(context.Background(), id, "A")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, f.Seen)
	assert.Equal(t, status.Processing, f.Snapshots[0].Stage)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"ref":"A"`)
	assert.Contains(t, string(b), `"snapshots":[`)
	_, ok, err = w.Get(context.Background(), id, "NOPE")
	require.NoError(t, err)
	assert.False(t, ok)
}

// A replica that does not drive an account still reports its outage and
// its holder, from the Store.
func TestHealthFromTheStore(t *testing.T) {
	store := NewMemoryStore()
	tr := newScripted(status.Bailun)
	refs := []string{"A", "B", "C"}
	for _, r := range refs {
		tr.set(r, status.Processing, nil)
	}
	driver, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Minute}})
	replica := New(Options{Store: store, Clock: clk})
	id, _ := driver.Add(tr, "acme")
	_, _ = replica.Add(tr, "acme")
	require.NoError(t, driver.Follow(context.Background(), id, refs...))
	poll(t, driver, id)
	for _, r := range refs {
		tr.set(r, status.Processing, errors.New("503"))
	}
	clk.Add(time.Minute)
	poll(t, driver, id)
	clk.Add(OutageAfter)
	require.Len(t, poll(t, driver, id), 1, "the account's outage said")
	h, err := replica.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, driver.Owner(), h[0].Holder)
	assert.True(t, h[0].Lease.Outage.Failing)
	assert.False(t, h[0].FailingSince.IsZero(), "the replica says the account is failing")
	assert.Equal(t, 3, h[0].Followed)

	// The driver gives the account up: the replica says no one holds it,
	// and the driver no longer says it does.
	require.NoError(t, driver.Close(context.Background()))
	for _, w := range []*Watcher{driver, replica} {
		h, err := w.Health(context.Background())
		require.NoError(t, err)
		assert.Empty(t, h[0].Holder)
		assert.False(t, h[0].FailingSince.IsZero(), "still failing, as the Store says")
	}
}

// obsRecorder is an Observer that writes down what it hears.
type obsRecorder struct {
	mu      sync.Mutex
	batches []Batch
	ends    []BatchEnd
	passes  []Pass
}

type batchKey struct{}

func (o *obsRecorder) StartBatch(ctx context.Context, b Batch) (context.Context, func(BatchEnd)) {
	o.mu.Lock()
	o.batches = append(o.batches, b)
	n := len(o.batches)
	o.mu.Unlock()
	return context.WithValue(ctx, batchKey{}, n), func(e BatchEnd) {
		o.mu.Lock()
		o.ends = append(o.ends, e)
		o.mu.Unlock()
	}
}

func (o *obsRecorder) EndPass(_ context.Context, p Pass) {
	o.mu.Lock()
	o.passes = append(o.passes, p)
	o.mu.Unlock()
}

// ctxTracker answers every ref Processing, and writes down the account
// and batch its calls were made under.
type ctxTracker struct {
	mu       sync.Mutex
	accounts []string
	batches  []any
}

func (*ctxTracker) Provider() status.Provider { return status.Flowery }

func (c *ctxTracker) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	c.mu.Lock()
	c.accounts = append(c.accounts, observe.Account(ctx))
	c.batches = append(c.batches, ctx.Value(batchKey{}))
	c.mu.Unlock()
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		out[i] = status.Snapshot{Provider: status.Flowery, Ref: r, OrderNo: r, Stage: status.Processing}
	}
	return out, nil
}

// The Observer hears each batch, ended with what it saved, and each
// pass; the Tracker is asked under the batch's context, which names the
// account for the clients' Observers.
func TestObserverHearsBatchesAndPasses(t *testing.T) {
	obs := &obsRecorder{}
	var onPass []Pass
	w, _ := newWatcher(Options{Observer: obs, OnPass: func(p Pass) { onPass = append(onPass, p) }, Batch: 2, Schedule: Every{Interval: time.Hour}})
	tr := &ctxTracker{}
	id, _ := w.Add(tr, "jakarta")
	require.NoError(t, w.Follow(context.Background(), id, "A", "B", "C"))
	poll(t, w, id)

	assert.Equal(t, []Batch{{Tracker: id, Refs: 2}, {Tracker: id, Refs: 1}}, obs.batches)
	require.Len(t, obs.ends, 2)
	assert.Equal(t, 2, obs.ends[0].Answered)
	assert.Equal(t, 1, obs.ends[1].Answered)
	assert.NoError(t, obs.ends[0].Err)
	var kinds []status.ChangeKind
	for _, e := range obs.ends {
		for _, c := range e.Changes {
			kinds = append(kinds, c.Kind)
			assert.NotEmpty(t, c.ID, "the changes as saved")
		}
	}
	assert.Equal(t, []status.ChangeKind{status.Following, status.Following, status.Following}, kinds)
	assert.Equal(t, []string{"jakarta", "jakarta"}, tr.accounts)
	assert.Equal(t, []any{1, 2}, tr.batches, "each Track call under its batch's context")
	require.Len(t, obs.passes, 1)
	assert.Equal(t, onPass, obs.passes, "EndPass hears what OnPass does")
	assert.Equal(t, 3, obs.passes[0].Answered)
}

// A batch that outlives its lease is ended, with why.
func TestObserverHearsABatchThatLostItsLease(t *testing.T) {
	obs := &obsRecorder{}
	store := NewMemoryStore()
	w, clk := newWatcher(Options{Store: store, Observer: obs, ClaimFor: time.Minute, Schedule: Every{Interval: time.Hour}})
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	id, _ := w.Add(tr, "acme")
	ctx := context.Background()
	tr.onTrack = func() {
		// Another owner takes the account while the batch runs.
		require.NoError(t, store.Release(ctx, id, w.owner))
		now := clk.Now()
		_, ok, err := store.Lease(ctx, id, "other", now, now.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
		clk.Add(30 * time.Second) // its renewal finds the other holder
	}
	require.NoError(t, w.Follow(ctx, id, "A"))
	poll(t, w, id)
	require.Len(t, obs.ends, 1)
	assert.ErrorIs(t, obs.ends[0].Err, errLeaseEnded)
	assert.Empty(t, obs.ends[0].Changes)
}

// A batch's changes whose save was refused (the ref unfollowed while it
// was asked) are not the batch's.
func TestObserverHearsOnlyTheChangesSaved(t *testing.T) {
	obs := &obsRecorder{}
	w, _ := newWatcher(Options{Observer: obs, Schedule: Every{Interval: time.Hour}})
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	tr.set("B", status.Processing, nil)
	id, _ := w.Add(tr, "acme")
	ctx := context.Background()
	tr.onTrack = func() { require.NoError(t, w.Unfollow(ctx, id, "A")) }
	require.NoError(t, w.Follow(ctx, id, "A", "B"))
	poll(t, w, id)
	require.NotEmpty(t, obs.ends)
	for _, c := range obs.ends[0].Changes {
		assert.NotEqual(t, "A", c.Ref, "A's Following was refused: %v", c)
	}
	assert.Len(t, obs.ends[0].Changes, 1, "B's Following")
}
