package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

// scripted is a Tracker whose answers the test sets.
type scripted struct {
	p     status.Provider
	mu    sync.Mutex
	stage map[string]status.Stage
	fail  map[string]error
	asked []string
	calls atomic.Int32
	// onTrack, when set, runs as Track is called (before it answers).
	onTrack func()
}

func (s *scripted) Provider() status.Provider { return s.p }

func (s *scripted) set(ref string, st status.Stage, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stage[ref] = st
	s.fail[ref] = err
}

func (s *scripted) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	if f := s.onTrack; f != nil {
		f()
	}
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, refs...)
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		if err := s.fail[r]; err != nil {
			out[i] = status.Failed(s.p, r, err)
			continue
		}
		out[i] = status.Snapshot{Provider: s.p, Ref: r, OrderNo: r, Stage: s.stage[r]}
	}
	return out, nil
}

// takeAsked returns the refs asked since the last call.
func (s *scripted) takeAsked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.asked
	s.asked = nil
	return a
}

func newScripted(p status.Provider) *scripted {
	return &scripted{p: p, stage: map[string]status.Stage{}, fail: map[string]error{}}
}

// clock is a Clock the test advances; its timers fire, in time order,
// as Add passes them.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*testTimer
}

type testTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &testTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *testTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = maxTime(c.now, next.at)
		c.mu.Unlock()
		next.f()
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func newWatcher(opts Options) (*Watcher, *clock) {
	c := &clock{now: time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)}
	opts.Clock = c
	return New(opts), c
}

// poll runs one pass and returns the changes as strings.
func poll(t *testing.T, w *Watcher, id TrackerID) []string {
	t.Helper()
	var got []string
	require.NoError(t, w.Poll(context.Background(), id, func(c status.Change) { got = append(got, c.String()) }))
	return got
}

func TestWatcherPasses(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	tr.set("B", status.Shipped, nil)
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Minute, Linger: time.Hour}})
	id, err := w.Add(tr, "")
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "A", "B", "A"))

	assert.Equal(t, []string{"bailun A following, processing", "bailun B following, shipped"}, poll(t, w, id), "the first answer is the baseline")
	assert.Empty(t, poll(t, w, id), "nothing is due")
	assert.Equal(t, []string{"A", "B"}, tr.takeAsked())
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w, id), "nothing changed")
	assert.Equal(t, []string{"A", "B"}, tr.takeAsked(), "due again after the schedule's minute")

	// A ref whose lookup fails keeps its last snapshot, and says so once;
	// its return says so too, then is diffed against the last answer.
	tr.set("A", status.Processing, errors.New("503"))
	clk.Add(time.Minute)
	assert.Equal(t, []string{`bailun A failing: bailun: ref "A": 503`}, poll(t, w, id))
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w, id), "said once")
	tr.set("A", status.ReadyToShip, nil)
	clk.Add(time.Minute)
	assert.Equal(t, []string{"bailun A recovered", "bailun A processing -> ready_to_ship"}, poll(t, w, id), "diffed against the last answer")

	// A final stage is still polled for Linger, then no more.
	tr.set("B", status.Delivered, nil)
	clk.Add(time.Minute)
	assert.Equal(t, []string{"bailun B shipped -> delivered"}, poll(t, w, id))
	clk.Add(30 * time.Minute)
	tr.takeAsked()
	poll(t, w, id)
	assert.Equal(t, []string{"A", "B"}, tr.takeAsked())
	clk.Add(time.Hour)
	assert.Equal(t, []string{"bailun B unfollowed, delivered (final)"}, poll(t, w, id), "and said so")
	tr.takeAsked()
	clk.Add(time.Minute)
	poll(t, w, id)
	assert.Equal(t, []string{"A"}, tr.takeAsked(), "B stopped being polled")
	h, err := w.Health(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, h[0].Followed)

	// Followed again, it is polled again, a new baseline; unfollowed,
	// forgotten, with a change.
	require.NoError(t, w.Follow(ctx, id, "B"))
	assert.Equal(t, []string{"bailun B following, delivered"}, poll(t, w, id))
	require.NoError(t, w.Unfollow(ctx, id, "A"))
	assert.Equal(t, []string{"bailun A unfollowed, ready_to_ship (removed)"}, poll(t, w, id))
	_, ok, err := w.store.Get(ctx, id, "A")
	require.NoError(t, err)
	assert.False(t, ok)
}

// Run polls every tracker until the context ends; Changes is the same as
// an iterator, and trackers added while it runs are polled too.
func TestWatcherRunAndChanges(t *testing.T) {
	bl, fl := newScripted(status.Bailun), newScripted(status.Flowery)
	bl.set("A", status.Processing, nil)
	fl.set("F", status.Shipped, nil)
	w := New(Options{Schedule: Every{Interval: 10 * time.Millisecond}, Tick: 5 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bid, _ := w.Add(bl, "")
	require.NoError(t, w.Follow(ctx, bid, "A"))
	var seen []string
	for c := range w.Changes(ctx) {
		seen = append(seen, c.String())
		switch len(seen) {
		case 1:
			fid, _ := w.Add(fl, "")
			require.NoError(t, w.Follow(ctx, fid, "F"))
		case 2:
			bl.set("A", status.Shipped, nil)
		}
		if len(seen) == 3 {
			break
		}
	}
	assert.Equal(t, []string{"bailun A following, processing", "flowery F following, shipped", "bailun A processing -> shipped"}, seen)
	assert.NoError(t, ctx.Err(), "the loop ended it, not the deadline")

	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	calls := bl.calls.Load()
	err := w.Run(ctx, func(context.Context, status.Change) error { return nil })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, bl.calls.Load()-calls, int32(3), "polled as the schedule says")
}

// Delivery is at least once: changes a consumer did not take stay in the
// outbox, and come again with the same IDs; taken ones do not.
func TestWatcherUndeliveredChangesComeAgain(t *testing.T) {
	tr := newScripted(status.Bailun)
	for _, r := range []string{"A", "B", "C"} {
		tr.set(r, status.Processing, nil)
	}
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Hour}})
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "A", "B", "C"))
	poll(t, w, id)
	for _, r := range []string{"A", "B", "C"} {
		tr.set(r, status.Shipped, nil)
	}
	clk.Add(time.Hour)
	var first status.Change
	for c := range w.Changes(ctx) {
		first = c
		break // B's and C's changes are not taken
	}
	assert.Equal(t, "bailun A processing -> shipped", first.String())
	assert.Len(t, tr.takeAsked(), 6, "two polls of three refs")
	var got []string
	var ids []string
	require.NoError(t, w.Poll(ctx, id, func(c status.Change) { got = append(got, c.String()); ids = append(ids, c.ID) }))
	assert.Equal(t, []string{"bailun B processing -> shipped", "bailun C processing -> shipped"}, got)
	assert.NotContains(t, ids, first.ID, "the change the loop took is not sent again")
	assert.Empty(t, tr.takeAsked(), "nothing polled again: the changes came from the outbox")
}

// refusing is a Tracker that refuses any call holding a ref with a comma,
// as Flowery's does.
type refusing struct{ *scripted }

func (r refusing) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	for _, ref := range refs {
		if strings.Contains(ref, ",") {
			return nil, fmt.Errorf("flowery: number %q contains a comma: %w", ref, status.ErrInvalidRequest)
		}
	}
	return r.scripted.Track(ctx, refs...)
}

// A ref its provider can never take stops being followed, said once, and
// the others go on.
func TestWatcherIsolatesABadRef(t *testing.T) {
	tr := refusing{newScripted(status.Flowery)}
	tr.set("N1", status.Shipped, nil)
	w, _ := newWatcher(Options{})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "N1", "N2,N3"))
	var got []string
	require.NoError(t, w.Poll(context.Background(), id, func(c status.Change) {
		got = append(got, c.Kind.String()+" "+c.Ref+" "+c.Why)
		if c.Kind == status.Unfollowed {
			assert.ErrorIs(t, c.Err, status.ErrInvalidRequest)
		}
	}))
	assert.ElementsMatch(t, []string{"unfollowed N2,N3 refused", "following N1 "}, got)
	h, _ := w.Health(context.Background())
	assert.Equal(t, 1, h[0].Followed)
}

// When no ref of a batch answers, the tracker is failing: one change for
// it, not one per ref, and one Recovered when it answers again.
func TestWatcherTrackerFailingOnce(t *testing.T) {
	tr := newScripted(status.Bailun)
	refs := []string{"A", "B", "C", "D"}
	for _, r := range refs {
		tr.set(r, status.Processing, nil)
	}
	var logs strings.Builder
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Minute}, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	id, _ := w.Add(tr, "acme")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, refs...))
	poll(t, w, id)
	for _, r := range refs {
		tr.set(r, status.Processing, &status.APIError{Provider: status.Bailun, HTTPStatus: 503})
	}
	for range 3 {
		clk.Add(time.Minute)
		got := poll(t, w, id)
		if len(got) > 0 {
			assert.Len(t, got, 1)
			assert.True(t, strings.HasPrefix(got[0], "bailun/acme failing: "), got[0])
		}
	}
	h, err := w.Health(ctx)
	require.NoError(t, err)
	assert.False(t, h[0].FailingSince.IsZero(), "health says the tracker is failing")
	assert.Equal(t, 4, h[0].Followed)
	assert.Equal(t, 4, strings.Count(logs.String(), "ordertrack: watch pass"), "one line per pass, not one per ref:\n%s", logs.String())
	assert.Equal(t, 3, strings.Count(logs.String(), "level=WARN msg=\"ordertrack: watch pass\" tracker=bailun/acme refs=4 answered=0 failing=4"), logs.String())
	// A process started meanwhile knows the tracker's failure was said.
	w2 := New(Options{Store: w.store, Schedule: Every{Interval: time.Minute}})
	w2.now = clk.Now
	_, _ = w2.Add(tr, "acme")
	require.NoError(t, w.store.Release(ctx, id, w.owner))
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w2, id), "said by the process before")
	require.NoError(t, w.store.Release(ctx, id, w2.owner))

	for _, r := range refs {
		tr.set(r, status.Shipped, nil)
	}
	clk.Add(time.Hour)
	got := poll(t, w, id)
	assert.Equal(t, "bailun/acme recovered", got[0])
	assert.Len(t, got, 5, "recovered, then each ref's stage change")
	h, _ = w.Health(ctx)
	assert.True(t, h[0].FailingSince.IsZero())
	assert.False(t, h[0].LastSuccess.IsZero())
}

// An order gone not found and back is two stage changes, nothing more;
// not found in fewer than MissesToNotFound answers in a row is nothing.
func TestWatcherNotFoundAndBack(t *testing.T) {
	at := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	tr := &eventful{snap: status.Snapshot{Provider: status.Reseller, Ref: "T1", OrderNo: "S1", Stage: status.Shipped, TrackingNo: "YT1",
		Events: []status.Event{{Time: at, Description: "已揽收"}}}}
	w, clk := newWatcher(Options{Schedule: Every{}})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "T1"))
	poll(t, w, id)
	saved := tr.snap
	tr.snap = status.Snapshot{Provider: status.Reseller, Ref: "T1", Stage: status.NotFound}
	for range MissesToNotFound - 1 {
		clk.Add(time.Second)
		require.Empty(t, poll(t, w, id), "a replica behind, until it says so %d times", MissesToNotFound)
	}
	clk.Add(time.Second)
	tr.snap = saved
	require.Empty(t, poll(t, w, id), "back before the last miss: nothing happened")
	tr.snap = status.Snapshot{Provider: status.Reseller, Ref: "T1", Stage: status.NotFound}
	var got []string
	for range MissesToNotFound {
		clk.Add(time.Second)
		got = append(got, poll(t, w, id)...)
	}
	tr.snap = saved
	clk.Add(time.Second)
	got = append(got, poll(t, w, id)...)
	assert.Equal(t, []string{"reseller T1 (S1) shipped -> not_found", "reseller T1 (S1) not_found -> shipped"}, got,
		"the tracking number and events known before are no news")
}

type eventful struct{ snap status.Snapshot }

func (e *eventful) Provider() status.Provider { return e.snap.Provider }
func (e *eventful) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	return []status.Snapshot{e.snap}, nil
}

// A snapshot whose stage came but whose events did not (Err set, the stage
// known) still reports the stage, and keeps the events known before.
func TestWatcherEventsFailedStageKept(t *testing.T) {
	at := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	ev := status.Event{Time: at, Description: "Picking"}
	tr := &eventful{snap: status.Snapshot{Provider: status.BirdSystem, Ref: "7", OrderNo: "7", Stage: status.Processing, Events: []status.Event{ev}}}
	w, clk := newWatcher(Options{Schedule: Every{}})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "7"))
	poll(t, w, id)
	tr.snap = status.Snapshot{Provider: status.BirdSystem, Ref: "7", OrderNo: "7", Stage: status.Shipped,
		Err: &status.RefError{Provider: status.BirdSystem, Ref: "7", Op: "events", Err: status.ErrUnavailable}}
	clk.Add(time.Second)
	assert.Equal(t, []string{"birdsystem 7 processing -> shipped"}, poll(t, w, id))
	tr.snap = status.Snapshot{Provider: status.BirdSystem, Ref: "7", OrderNo: "7", Stage: status.Shipped, Events: []status.Event{ev}}
	clk.Add(time.Second)
	assert.Empty(t, poll(t, w, id), "the events known before are no news")
}

// failingStore fails every Save while down.
type failingStore struct {
	Store
	down  atomic.Bool
	saves atomic.Int32
}

func (s *failingStore) Save(ctx context.Context, t TrackerID, results []Result) error {
	s.saves.Add(1)
	if s.down.Load() {
		return errors.New("disk full")
	}
	return s.Store.Save(ctx, t, results)
}

// A Store that fails is said (OnError, Logger), the pass stops and
// nothing is delivered before it is saved; once the Store answers (and the
// claims' leases end), the changes come, once.
func TestWatcherStoreErrorsAreSaid(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	tr.set("B", status.Processing, nil)
	store := &failingStore{Store: NewMemoryStore()}
	var errs []error
	var logs strings.Builder
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Minute}, ClaimFor: time.Minute,
		OnError: func(err error) { errs = append(errs, err) }, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "A", "B"))
	poll(t, w, id)
	tr.set("A", status.Shipped, nil)
	store.down.Store(true)
	clk.Add(time.Minute)
	var got []string
	err := w.Poll(ctx, id, func(c status.Change) { got = append(got, c.String()) })
	assert.ErrorContains(t, err, "disk full")
	assert.Empty(t, got, "nothing delivered that is not saved")
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "disk full")
	assert.Contains(t, logs.String(), "ordertrack: watch store failed")
	h, _ := w.Health(ctx)
	assert.True(t, h[0].StoreFailing)
	assert.Contains(t, h[0].LastError, "disk full")

	store.down.Store(false)
	assert.Empty(t, poll(t, w, id), "the claims are leased until they end")
	clk.Add(time.Minute)
	assert.Equal(t, []string{"bailun A processing -> shipped"}, poll(t, w, id))
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w, id), "saved at last: not sent again")
	h, _ = w.Health(ctx)
	assert.False(t, h[0].StoreFailing)
}

// A Watcher started again on the same Store follows what the last one
// followed, without being told, and reports nothing again.
func TestWatcherRestartResumes(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	store := NewMemoryStore()
	w1, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Minute}})
	id, _ := w1.Add(tr, "")
	require.NoError(t, w1.Follow(context.Background(), id, "A"))
	assert.Equal(t, []string{"bailun A following, processing"}, poll(t, w1, id))

	w2 := New(Options{Store: store, Schedule: Every{Interval: time.Minute}})
	w2.now = clk.Now
	_, err := w2.Add(tr, "")
	require.NoError(t, err)
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w2, id), "another process's lease: it waits")
	require.NoError(t, store.Release(context.Background(), id, w1.owner))
	assert.Empty(t, poll(t, w2, id), "no Following again")
	tr.set("A", status.Shipped, nil)
	clk.Add(time.Minute)
	assert.Equal(t, []string{"bailun A processing -> shipped"}, poll(t, w2, id))
}

// Two accounts of one provider are two trackers: the same ref in each is
// two refs, and a second client under one name is refused.
func TestWatcherAccountsApart(t *testing.T) {
	a, b := newScripted(status.Bailun), newScripted(status.Bailun)
	a.set("X", status.Processing, nil)
	b.set("X", status.Shipped, nil)
	w, _ := newWatcher(Options{})
	ida, err := w.Add(a, "acme")
	require.NoError(t, err)
	idb, err := w.Add(b, "globex")
	require.NoError(t, err)
	_, err = w.Add(b, "acme")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, ida, "X"))
	require.NoError(t, w.Follow(ctx, idb, "X"))
	var ids []string
	for _, id := range []TrackerID{ida, idb} {
		require.NoError(t, w.Poll(ctx, id, func(c status.Change) { ids = append(ids, c.ID+" "+c.String()) }))
	}
	require.Len(t, ids, 2)
	assert.Contains(t, ids[0], "bailun/acme X following, processing")
	assert.Contains(t, ids[1], "bailun/globex X following, shipped")
	assert.NotEqual(t, ids[0][:24], ids[1][:24])
}

// A ref claimed by a process whose claim ran out and was taken again is
// refused at Save: its changes are not delivered by the late process.
func TestWatcherLateSaveRefused(t *testing.T) {
	store := NewMemoryStore()
	slow := &stalling{scripted: newScripted(status.Bailun)}
	slow.set("A", status.Processing, nil)
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Minute}, ClaimFor: time.Minute})
	slow.during = func() {
		// While this Watcher waits on the provider, its claim runs out and
		// another process claims A and saves it.
		clk.Add(2 * time.Minute)
		c, err := store.Claim(context.Background(), TrackerID{Provider: status.Bailun}, clk.Now(), clk.Now().Add(time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, c, 1)
		require.NoError(t, store.Save(context.Background(), TrackerID{Provider: status.Bailun}, []Result{{Ref: "A", Gen: c[0].Gen, Seen: true, Due: clk.Now().Add(time.Hour)}}))
	}
	id, _ := w.Add(slow, "")
	require.NoError(t, w.Follow(context.Background(), id, "A"))
	assert.Empty(t, poll(t, w, id), "the late save was refused, and its change not delivered")
	f, _, _ := store.Get(context.Background(), id, "A")
	assert.Nil(t, f.Snapshots, "the other process's save stands")
}

type stalling struct {
	*scripted
	during func()
}

func (s *stalling) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	if s.during != nil {
		s.during()
		s.during = nil
	}
	return s.scripted.Track(ctx, refs...)
}

// A round polls only the due refs, in batches of Options.Batch: one Track
// call per batch.
func TestWatcherPollsOnlyDueRefsInBatches(t *testing.T) {
	tr := newScripted(status.Flowery)
	var refs []string
	for i := range 250 {
		r := fmt.Sprintf("N%03d", i)
		refs = append(refs, r)
		tr.set(r, status.Shipped, nil)
	}
	w, clk := newWatcher(Options{Batch: 100})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, refs...))
	poll(t, w, id)
	assert.Equal(t, int32(3), tr.calls.Load(), "250 refs in 3 batches")
	tr.takeAsked()
	clk.Add(time.Hour)
	poll(t, w, id)
	assert.Empty(t, tr.takeAsked(), "shipped refs are due in 4 hours, not in one")
	clk.Add(4 * time.Hour)
	poll(t, w, id)
	assert.Len(t, tr.takeAsked(), 250)
}

// The change ID is what the change says of the order: the same when the
// same change of the same ref's state is found by another poll (after a
// crash, later, in another zone), and another for another account or
// another change of the ref (a ref failing twice: its Serial).
func TestChangeIDStable(t *testing.T) {
	w := New(Options{Owner: "p1"})
	c := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Ref: "A", From: status.Processing, To: status.Shipped}
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	acme, globex := TrackerID{Provider: status.Bailun, Account: "acme"}, TrackerID{Provider: status.Bailun, Account: "globex"}
	st := State{Follow: "f1", Changes: 4}
	with := func(id TrackerID, at time.Time, st State) status.Change { return w.stamp(id, at, &st, c) }
	a := with(acme, at, st)
	assert.Equal(t, "f1.4", a.Serial)
	assert.Equal(t, a.ID, with(acme, at.In(time.FixedZone("CST", 8*3600)), st).ID, "the poll's zone")
	assert.Equal(t, a.ID, with(acme, at.Add(time.Hour), st).ID, "found again by a later poll, after a crash")
	assert.NotEqual(t, a.ID, with(globex, at, st).ID, "another account")
	next := st
	next.Changes++
	assert.NotEqual(t, a.ID, with(acme, at, next).ID, "the ref's next change")
	other := st
	other.Follow = "f2"
	assert.NotEqual(t, a.ID, with(acme, at, other).ID, "another follow of the ref")

	// A ref with no follow name gets one, and counts its changes.
	var fresh State
	x := w.stamp(acme, at, &fresh, c)
	y := w.stamp(acme, at, &fresh, c)
	assert.NotEmpty(t, fresh.Follow)
	assert.Equal(t, 2, fresh.Changes)
	assert.NotEqual(t, x.ID, y.ID)
}

// A loop body that ends the context has still taken its change: it is
// acknowledged, and not delivered again.
func TestChangesCancelInTheBody(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	store := NewMemoryStore()
	w, _ := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Hour}})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "A"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range w.Changes(ctx) {
		cancel() // the body's own end, then the loop goes on to the next
	}
	p, err := store.Pending(context.Background(), id, 10)
	require.NoError(t, err)
	assert.Empty(t, p, "the change the body took is acknowledged")
}

// One Watcher polling a tracker from two places (Run and Poll) delivers
// each change once: a tracker has one pass at a time.
func TestWatcherOnePassAtATime(t *testing.T) {
	tr := newScripted(status.Bailun)
	var refs []string
	for i := range 50 {
		r := fmt.Sprintf("R%02d", i)
		refs = append(refs, r)
		tr.set(r, status.Processing, nil)
	}
	w, _ := newWatcher(Options{Schedule: Every{Interval: time.Hour}, Batch: 5})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, refs...))
	var mu sync.Mutex
	ids := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			assert.NoError(t, w.Poll(context.Background(), id, func(c status.Change) {
				mu.Lock()
				ids[c.ID]++
				mu.Unlock()
			}))
		})
	}
	wg.Wait()
	assert.Len(t, ids, 50)
	for id, n := range ids {
		assert.Equal(t, 1, n, id)
	}
}

// A tracker that recovers is said Recovered once, not once a batch: its
// outage is OutageRefs refs failing in a row over OutageAfter, whatever
// the batches.
func TestWatcherTrackerRecoveredOnce(t *testing.T) {
	tr := newScripted(status.Bailun)
	refs := []string{"A", "B", "C"}
	for _, r := range refs {
		tr.set(r, status.Processing, nil)
	}
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Minute}, Batch: 1})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, refs...))
	poll(t, w, id)
	for _, r := range refs {
		tr.set(r, status.Processing, errors.New("503"))
	}
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w, id), "three refs failing at once: maybe an outage, not yet")
	clk.Add(OutageAfter)
	got := poll(t, w, id)
	require.Len(t, got, 1, "one NowFailing for the tracker: %q", got)
	assert.True(t, strings.HasPrefix(got[0], "bailun failing: "), got[0])
	for _, r := range refs {
		tr.set(r, status.Processing, nil)
	}
	clk.Add(time.Minute)
	assert.Equal(t, []string{"bailun recovered"}, poll(t, w, id), "once, though each ref is its own batch")
}

// One ref failing alone, in a batch of its own, is the ref's failure, not
// the account's; so are two refs of an account that follows two.
func TestWatcherOneRefFailingIsNotAnOutage(t *testing.T) {
	tr := newScripted(status.Bailun)
	refs := []string{"A", "B"}
	for _, r := range refs {
		tr.set(r, status.Processing, nil)
	}
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Minute}, Batch: 1})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, refs...))
	poll(t, w, id)
	for _, r := range refs {
		tr.set(r, status.Processing, errors.New("503"))
	}
	var got []string
	for range 3 {
		clk.Add(time.Minute)
		got = append(got, poll(t, w, id)...)
	}
	assert.Equal(t, []string{"bailun A failing: bailun: ref \"A\": 503", "bailun B failing: bailun: ref \"B\": 503"}, got)
	for _, r := range refs {
		tr.set(r, status.Processing, nil)
	}
	clk.Add(time.Minute)
	assert.Equal(t, []string{"bailun A recovered", "bailun B recovered"}, poll(t, w, id))
}

// The same kind of change on two polls has two IDs: a consumer
// de-duplicating by ID keeps both failures.
func TestWatcherTwoFailuresTwoIDs(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	tr.set("B", status.Processing, nil)
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Minute}})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "A", "B"))
	poll(t, w, id)
	var failing []string
	for range 2 {
		tr.set("A", status.Processing, errors.New("503"))
		clk.Add(time.Minute)
		require.NoError(t, w.Poll(context.Background(), id, func(c status.Change) {
			if c.Kind == status.NowFailing {
				failing = append(failing, c.ID)
			}
		}))
		tr.set("A", status.Processing, nil)
		clk.Add(time.Minute)
		poll(t, w, id)
	}
	require.Len(t, failing, 2)
	assert.NotEqual(t, failing[0], failing[1])
}

// Back-off never overflows: long intervals saturate at MaxBackoff.
func TestScheduleBackoffSaturates(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	s := &DefaultSchedule{Retry: 48 * time.Hour, InTransit: 48 * time.Hour, MaxBackoff: 30 * 24 * time.Hour, Expire: 10 * 365 * 24 * time.Hour, Jitter: -1}
	for _, n := range []int{1, 10, 17, 40, 1000} {
		due, stop, _ := s.Next(Polled{Now: now, Failed: true, State: State{Since: now, Failures: n}})
		assert.False(t, stop)
		assert.True(t, due.After(now), "failures %d: due %v", n, due)
		assert.LessOrEqual(t, due.Sub(now), s.MaxBackoff)
		due, _, _ = s.Next(Polled{Now: now, Snapshots: []status.Snapshot{{Stage: status.Shipped}}, State: State{Since: now, Quiet: n}})
		assert.GreaterOrEqual(t, due.Sub(now), 48*time.Hour, "quiet %d", n)
		assert.LessOrEqual(t, due.Sub(now), s.MaxBackoff, "quiet %d", n)
	}
	// A ref failing for longer than Expire stops too.
	_, stop, why := (&DefaultSchedule{}).Next(Polled{Now: now, Failed: true, State: State{Since: now.Add(-31 * 24 * time.Hour), Failures: 99}})
	assert.True(t, stop)
	assert.Equal(t, "expired", why)
	// A Providers entry that is the schedule itself does not recurse.
	self := &DefaultSchedule{}
	self.Providers = map[status.Provider]Schedule{status.Bailun: self}
	_, stop, _ = self.Next(Polled{Tracker: TrackerID{Provider: status.Bailun}, Now: now, State: State{Since: now}})
	assert.False(t, stop)
}

type uncomparable struct {
	*scripted
	_ []int
}

func TestWatcherAddRefusesNil(t *testing.T) {
	w := New(Options{})
	_, err := w.Add(nil, "")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	u := uncomparable{scripted: newScripted(status.Bailun)}
	_, err = w.Add(u, "x")
	require.NoError(t, err)
	_, err = w.Add(u, "x")
	assert.ErrorIs(t, err, status.ErrInvalidRequest, "not comparable: not known to be the same, never a panic")
}

// downStore fails every call while down.
type downStore struct {
	Store
	down  atomic.Bool
	calls atomic.Int32
}

func (s *downStore) Lease(ctx context.Context, t TrackerID, owner string, now, until time.Time) (TrackerLease, bool, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return TrackerLease{}, false, errors.New("sqlitestore: lease bailun: disk I/O error")
	}
	return s.Store.Lease(ctx, t, owner, now, until)
}

// A Store that stays down is not asked in a tight loop: each pass waits
// twice as long as the last, up to 16 Ticks, each failure said; once it
// is back, the Watcher goes on.
func TestWatcherBacksOffWhileTheStoreIsDown(t *testing.T) {
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	store := &downStore{Store: NewMemoryStore()}
	store.down.Store(true)
	var said atomic.Int32
	w := New(Options{Store: store, Schedule: Every{Interval: time.Hour}, Tick: 10 * time.Millisecond,
		OnError: func(error) { said.Add(1) }})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "A"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan status.Change, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx, func(_ context.Context, c status.Change) error { got <- c; return nil })
	}()
	time.Sleep(400 * time.Millisecond)
	calls := store.calls.Load()
	// Without back-off, 40 passes in 400 ms; with it, 10+20+40+80+160+160 ms.
	assert.LessOrEqual(t, calls, int32(9), "the Store is asked in a tight loop")
	assert.GreaterOrEqual(t, calls, int32(3))
	assert.Equal(t, calls, said.Load(), "each failure said")
	h, _ := w.Health(context.Background())
	assert.True(t, h[0].StoreFailing)
	store.down.Store(false)
	select {
	case c := <-got:
		assert.Equal(t, status.Following, c.Kind)
	case <-time.After(2 * time.Second):
		t.Fatal("the Watcher did not go on once the Store was back")
	}
	cancel()
	<-done
}

// A Watcher that loses its tracker lease while delivering (a GC pause, a
// partition: another process took the tracker) delivers nothing more: the
// outbox is another process's now. Its next pass takes the lease again
// (once it is free) and goes on. A slow consumer alone keeps the lease:
// it is renewed while the consumer works.
func TestWatcherStopsDeliveringPastItsLease(t *testing.T) {
	tr := newScripted(status.Bailun)
	for _, r := range []string{"A", "B", "C"} {
		tr.set(r, status.Processing, nil)
	}
	store := NewMemoryStore()
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Hour}, ClaimFor: time.Minute})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "A", "B", "C"))
	ctx := context.Background()
	var got []string
	require.NoError(t, w.Poll(ctx, id, func(c status.Change) {
		got = append(got, c.Ref)
		if len(got) == 1 {
			clk.Add(2 * time.Minute) // a slow consumer: the lease is renewed
			return
		}
		// Stalled, holding the second change: another process took the
		// tracker meanwhile.
		require.NoError(t, store.Release(ctx, id, w.owner))
		_, ok, err := store.Lease(ctx, id, "other", clk.Now(), clk.Now().Add(time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
		clk.Add(2 * time.Minute)
	}))
	assert.Equal(t, []string{"A", "B"}, got, "nothing delivered past the lease")
	p, err := store.Pending(ctx, id, 10)
	require.NoError(t, err)
	assert.Len(t, p, 1, "the rest wait in the outbox")
	require.NoError(t, store.Release(ctx, id, "other"))
	got = nil
	require.NoError(t, w.Poll(context.Background(), id, func(c status.Change) { got = append(got, c.Ref) }))
	assert.Equal(t, []string{"C"}, got)
}

// A slow consumer does not lose the tracker: the lease is renewed before a
// change is delivered once half of it is gone.
func TestWatcherRenewsItsLeaseForASlowConsumer(t *testing.T) {
	tr := newScripted(status.Bailun)
	var refs []string
	for i := range 5 {
		r := fmt.Sprintf("R%d", i)
		refs = append(refs, r)
		tr.set(r, status.Processing, nil)
	}
	store := NewMemoryStore()
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Hour}, ClaimFor: time.Minute})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, refs...))
	n := 0
	require.NoError(t, w.Poll(context.Background(), id, func(status.Change) {
		n++
		clk.Add(40 * time.Second) // each change takes two thirds of the lease
	}))
	assert.Equal(t, 5, n, "every change delivered by the holder, its lease renewed")
	l, ok, err := store.Lease(context.Background(), id, "another", clk.Now(), clk.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, ok, "still this Watcher's: %+v", l)
}

// subOrders answers one ref with two sub-orders.
type subOrders struct{ snaps []status.Snapshot }

func (s *subOrders) Provider() status.Provider { return status.Reseller }
func (s *subOrders) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	return s.snaps, nil
}

// A pushed answer is diffed and saved like a polled one: it speaks of
// its express's sub-order alone, says only what is new, and puts the
// ref's next poll back.
func TestWatcherPush(t *testing.T) {
	at := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	e1 := status.Event{Time: at, Description: "已揽收"}
	e2 := status.Event{Time: at.Add(time.Hour), Description: "已发出"}
	tr := &subOrders{snaps: []status.Snapshot{
		{Provider: status.Reseller, Ref: "T1", OrderNo: "S1", Stage: status.Delivered, TrackingNo: "SF1", Events: []status.Event{e1}},
		{Provider: status.Reseller, Ref: "T1", OrderNo: "S2", Stage: status.Processing},
	}}
	store := NewMemoryStore()
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Hour, Linger: 24 * time.Hour}})
	id, _ := w.Add(tr, "")
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "T1"))
	poll(t, w, id) // the baseline
	clk.Add(10 * time.Minute)

	pushed := status.Snapshot{Provider: status.Reseller, Ref: "T1", Stage: status.Shipped, TrackingNo: "SF1", Carrier: "sf", Events: []status.Event{e2, e1}}
	err := w.Push(ctx, id, pushed, status.Snapshot{Provider: status.Reseller, Ref: "NOT-FOLLOWED"})
	require.ErrorIs(t, err, ErrNotFollowed, "a push to a ref not followed says so")
	assert.Contains(t, err.Error(), "NOT-FOLLOWED")
	got := poll(t, w, id) // delivers what the push saved; polls nothing (not due)
	assert.Equal(t, []string{"reseller T1 (S1) event 2024-06-03 10:00:00 UTC 已发出"}, got, "the new event of S1 alone: no stage moved back, S2 untouched")
	f, _, err := store.Get(ctx, id, "T1")
	require.NoError(t, err)
	require.Len(t, f.Snapshots, 2)
	assert.Equal(t, status.Delivered, f.Snapshots[0].Stage)
	assert.Len(t, f.Snapshots[0].Events, 2)
	assert.Equal(t, status.Processing, f.Snapshots[1].Stage)
	assert.True(t, f.Due.After(clk.Now().Add(50*time.Minute)), "the next poll put back by the schedule: %v", f.Due)

	require.NoError(t, w.Push(ctx, id, pushed))
	assert.Empty(t, poll(t, w, id), "the same push again is no news")

	// An express no sub-order is known by is not guessed at: the ref is
	// polled at once, and the poll tells.
	tr.snaps[1].TrackingNo, tr.snaps[1].Stage = "YT2", status.Shipped
	clk.Add(time.Minute)
	require.NoError(t, w.Push(ctx, id, status.Snapshot{Provider: status.Reseller, Ref: "T1", TrackingNo: "YT2", Events: []status.Event{e2}}))
	f, _, err = store.Get(ctx, id, "T1")
	require.NoError(t, err)
	assert.Len(t, f.Snapshots, 2, "no sub-order made of the push")
	assert.False(t, f.Due.After(clk.Now()), "due at once: %v", f.Due)
	assert.Equal(t, []string{"reseller T1 (S2) processing -> shipped", "reseller T1 (S2) tracking number YT2"}, poll(t, w, id))

	// A push to a ref being unfollowed says so, and leaves its Unfollowed
	// due at once.
	require.NoError(t, w.Unfollow(ctx, id, "T1"))
	require.ErrorIs(t, w.Push(ctx, id, pushed), ErrNotFollowed)
	f, _, err = store.Get(ctx, id, "T1")
	require.NoError(t, err)
	assert.False(t, f.Due.After(clk.Now()), "still due at once: %v", f.Due)
	assert.Equal(t, []string{"reseller T1 unfollowed, delivered (removed)"}, poll(t, w, id))
}
