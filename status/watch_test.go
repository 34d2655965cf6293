package status

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
)

// scripted is a Tracker whose answers the test sets.
type scripted struct {
	p     Provider
	mu    sync.Mutex
	stage map[string]Stage
	fail  map[string]error
	asked []string
	calls atomic.Int32
}

func (s *scripted) Provider() Provider { return s.p }

func (s *scripted) set(ref string, st Stage, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stage[ref] = st
	s.fail[ref] = err
}

func (s *scripted) Track(_ context.Context, refs ...string) ([]Snapshot, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append([]string(nil), refs...)
	out := make([]Snapshot, len(refs))
	for i, r := range refs {
		if err := s.fail[r]; err != nil {
			out[i] = Failed(s.p, r, err)
			continue
		}
		out[i] = Snapshot{Provider: s.p, Ref: r, OrderNo: r, Stage: s.stage[r]}
	}
	return out, nil
}

func newScripted(p Provider) *scripted {
	return &scripted{p: p, stage: map[string]Stage{}, fail: map[string]error{}}
}

func TestWatcherRounds(t *testing.T) {
	tr := newScripted(Bailun)
	tr.set("A", Processing, nil)
	tr.set("B", Shipped, nil)
	now := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	w := NewWatcher(WatcherOptions{Linger: time.Hour})
	w.now = func() time.Time { return now }
	w.Add(tr, "A", "B", "A")
	var got []string
	collect := func(c Change) { got = append(got, c.String()) }

	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"bailun A following, processing", "bailun B following, shipped"}, got, "the first answer is the baseline")

	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Empty(t, got, "nothing changed")

	// A ref whose lookup fails keeps its last snapshot, and says so once;
	// its return says so too, then is diffed against the last answer.
	tr.set("A", Processing, errors.New("503"))
	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{`bailun A failing: bailun: ref "A": 503`}, got)
	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Empty(t, got, "said once")
	tr.set("A", ReadyToShip, nil)
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"bailun A recovered", "bailun A processing -> ready_to_ship"}, got, "diffed against the last answer")

	// A final stage is still polled for Linger, then no more.
	tr.set("B", Delivered, nil)
	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"bailun B shipped -> delivered"}, got)
	assert.Equal(t, 2, w.Following())
	now = now.Add(30 * time.Minute)
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"A", "B"}, tr.asked)
	now = now.Add(time.Hour)
	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"A"}, tr.asked, "B stopped being polled")
	assert.Equal(t, []string{"bailun B unfollowed, delivered"}, got, "and said so")
	assert.Equal(t, 1, w.Following())

	// Added again, it is followed again; removed, forgotten.
	w.Add(tr, "B")
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"A", "B"}, tr.asked)
	require.NoError(t, w.Remove(context.Background(), Bailun, "A"))
	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"B"}, tr.asked)
	assert.Equal(t, []string{"bailun A unfollowed, ready_to_ship"}, got)
	_, ok, _ := w.store.Load(context.Background(), Bailun, "A")
	assert.False(t, ok)
}

// Run polls every provider on its own interval until the context ends;
// Changes is the same as an iterator, and providers added while it runs
// are polled too.
func TestWatcherRunAndChanges(t *testing.T) {
	bl, fl := newScripted(Bailun), newScripted(Flowery)
	bl.set("A", Processing, nil)
	fl.set("F", Shipped, nil)
	w := NewWatcher(WatcherOptions{Interval: 10 * time.Millisecond})
	w.Add(bl, "A")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var seen []string
	for c := range w.Changes(ctx) {
		seen = append(seen, c.String())
		switch len(seen) {
		case 1:
			w.Add(fl, "F")
		case 2:
			bl.set("A", Shipped, nil)
		}
		if len(seen) == 3 {
			break
		}
	}
	assert.Equal(t, []string{"bailun A following, processing", "flowery F following, shipped", "bailun A processing -> shipped"}, seen)
	assert.NoError(t, ctx.Err(), "the loop ended it, not the deadline")

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := w.Run(ctx, func(Change) {})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, bl.calls.Load(), int32(3), "polled every interval")
}

// Delivery is at least once: changes a consumer did not take are not
// saved, and come again.
func TestWatcherUndeliveredChangesComeAgain(t *testing.T) {
	tr := newScripted(Bailun)
	for _, r := range []string{"A", "B", "C"} {
		tr.set(r, Processing, nil)
	}
	w := NewWatcher(WatcherOptions{Interval: time.Hour})
	w.Add(tr, "A", "B", "C")
	w.Round(context.Background(), tr, func(Change) {})
	for _, r := range []string{"A", "B", "C"} {
		tr.set(r, Shipped, nil)
	}
	for c := range w.Changes(context.Background()) {
		assert.Equal(t, "bailun A processing -> shipped", c.String())
		break // B's and C's changes are not taken
	}
	var got []string
	w.Round(context.Background(), tr, func(c Change) { got = append(got, c.String()) })
	assert.Equal(t, []string{"bailun B processing -> shipped", "bailun C processing -> shipped"}, got)
}

// Removing a ref while a round runs (here, from the callback) leaves
// nothing of it in the Store; a ref that lingered its time after a final
// stage is no longer followed and is forgotten too.
func TestWatcherForgetsRemovedAndFinishedRefs(t *testing.T) {
	tr := newScripted(Bailun)
	tr.set("A", Shipped, nil)
	tr.set("B", Delivered, nil)
	w := NewWatcher(WatcherOptions{})
	w.Add(tr, "A", "B")
	w.Round(context.Background(), tr, func(c Change) {
		if c.Ref == "A" {
			require.NoError(t, w.Remove(context.Background(), Bailun, "A"))
		}
	})
	_, ok, _ := w.store.Load(context.Background(), Bailun, "A")
	assert.False(t, ok, "removed during the round: not saved back")
	w.Round(context.Background(), tr, func(Change) {}) // B has lingered (Linger 0)
	_, ok, _ = w.store.Load(context.Background(), Bailun, "B")
	assert.False(t, ok)
	assert.Zero(t, w.Following())
	w.mu.Lock()
	assert.Empty(t, w.trackers[tr].refs, "memory is bounded by the refs followed")
	w.mu.Unlock()
}

// refusing is a Tracker that refuses any call holding a ref with a comma,
// as Flowery's does.
type refusing struct{ *scripted }

func (r refusing) Track(ctx context.Context, refs ...string) ([]Snapshot, error) {
	for _, ref := range refs {
		if strings.Contains(ref, ",") {
			return nil, fmt.Errorf("flowery: number %q contains a comma: %w", ref, ErrInvalidRequest)
		}
	}
	return r.scripted.Track(ctx, refs...)
}

// A ref its provider can never take stops being followed, said once, and
// the others go on.
func TestWatcherIsolatesABadRef(t *testing.T) {
	tr := refusing{newScripted(Flowery)}
	tr.set("N1", Shipped, nil)
	w := NewWatcher(WatcherOptions{})
	w.Add(tr, "N1", "N2,N3")
	var got []string
	w.Round(context.Background(), tr, func(c Change) { got = append(got, c.Kind.String()+" "+c.Ref) })
	assert.Equal(t, []string{"now_failing N2,N3", "following N1", "unfollowed N2,N3"}, got)
	assert.Equal(t, 1, w.Following())
}

// An order gone not found and back is two stage changes, nothing more.
func TestWatcherNotFoundAndBack(t *testing.T) {
	at := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	tr := &eventful{snap: Snapshot{Provider: Reseller, Ref: "T1", OrderNo: "S1", Stage: Shipped, TrackingNo: "YT1",
		Events: []Event{{Time: at, Description: "已揽收"}}}}
	w := NewWatcher(WatcherOptions{})
	w.Add(tr, "T1")
	w.Round(context.Background(), tr, func(Change) {})
	saved := tr.snap
	tr.snap = Snapshot{Provider: Reseller, Ref: "T1", Stage: NotFound}
	var got []string
	w.Round(context.Background(), tr, func(c Change) { got = append(got, c.String()) })
	tr.snap = saved
	w.Round(context.Background(), tr, func(c Change) { got = append(got, c.String()) })
	assert.Equal(t, []string{"reseller T1 (S1) shipped -> not_found", "reseller T1 (S1) not_found -> shipped"}, got,
		"the tracking number and events known before are no news")
}

type eventful struct{ snap Snapshot }

func (e *eventful) Provider() Provider { return e.snap.Provider }
func (e *eventful) Track(_ context.Context, refs ...string) ([]Snapshot, error) {
	return []Snapshot{e.snap}, nil
}

// A Change decoded without its details prints without panicking.
func TestChangeStringOfABareChange(t *testing.T) {
	for _, k := range []ChangeKind{ProblemAdded, ProblemCleared, NewEvent} {
		assert.NotEmpty(t, Change{Kind: k, Provider: Bailun, Ref: "A"}.String())
	}
}

// A snapshot whose stage came but whose events did not (Err set, the stage
// known) still reports the stage, and keeps the events known before.
func TestWatcherEventsFailedStageKept(t *testing.T) {
	at := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	ev := Event{Time: at, Description: "Picking"}
	tr := &eventful{snap: Snapshot{Provider: BirdSystem, Ref: "7", OrderNo: "7", Stage: Processing, Events: []Event{ev}}}
	w := NewWatcher(WatcherOptions{})
	w.Add(tr, "7")
	w.Round(context.Background(), tr, func(Change) {})
	tr.snap = Snapshot{Provider: BirdSystem, Ref: "7", OrderNo: "7", Stage: Shipped,
		Err: &RefError{Provider: BirdSystem, Ref: "7", Op: "events", Err: ErrUnavailable}}
	var got []string
	w.Round(context.Background(), tr, func(c Change) { got = append(got, c.String()) })
	assert.Equal(t, []string{"birdsystem 7 processing -> shipped"}, got)
	tr.snap = Snapshot{Provider: BirdSystem, Ref: "7", OrderNo: "7", Stage: Shipped, Events: []Event{ev}}
	got = nil
	w.Round(context.Background(), tr, func(c Change) { got = append(got, c.String()) })
	assert.Empty(t, got, "the events known before are no news")
}

// failingStore fails every Save while down.
type failingStore struct {
	Store
	down  atomic.Bool
	saves atomic.Int32
}

func (s *failingStore) Save(ctx context.Context, p Provider, ref string, snaps []Snapshot) error {
	s.saves.Add(1)
	if s.down.Load() {
		return errors.New("disk full")
	}
	return s.Store.Save(ctx, p, ref, snaps)
}

// A Store that fails is said (OnError, Logger), the round stops and the
// next waits longer; the changes not saved come again with the same IDs,
// and once the Store answers they are saved and not sent again.
func TestWatcherStoreErrorsAreSaid(t *testing.T) {
	tr := newScripted(Bailun)
	tr.set("A", Processing, nil)
	tr.set("B", Processing, nil)
	store := &failingStore{Store: NewMemoryStore()}
	var errs []error
	var logs strings.Builder
	w := NewWatcher(WatcherOptions{Store: store, OnError: func(err error) { errs = append(errs, err) },
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	w.Add(tr, "A", "B")
	w.Round(context.Background(), tr, func(Change) {})
	tr.set("A", Shipped, nil)
	store.down.Store(true)
	var ids []string
	ok := w.round(context.Background(), tr, func(c Change) bool { ids = append(ids, c.ID); return true })
	assert.False(t, ok, "the round says the Store failed, for the back-off")
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "disk full")
	assert.Contains(t, logs.String(), "ordertrack: watch store failed")
	assert.Equal(t, int32(3), store.saves.Load(), "the round stopped at the first failed Save")

	store.down.Store(false)
	var again []string
	assert.True(t, w.round(context.Background(), tr, func(c Change) bool { again = append(again, c.ID); return true }))
	assert.Equal(t, ids, again, "the same change, the same ID")
	var more []string
	w.Round(context.Background(), tr, func(c Change) { more = append(more, c.String()) })
	assert.Empty(t, more, "saved at last: not sent again")
}
