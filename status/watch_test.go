package status

import (
	"context"
	"errors"
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
	assert.Equal(t, []string{"bailun A unknown -> processing", "bailun B unknown -> shipped"}, got, "the first answer is news")

	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Empty(t, got, "nothing changed")

	// A provider that fails keeps its last snapshot, and is not a change.
	tr.set("A", Processing, errors.New("503"))
	got = nil
	w.Round(context.Background(), tr, collect)
	assert.Empty(t, got)
	tr.set("A", ReadyToShip, nil)
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"bailun A processing -> ready_to_ship"}, got, "diffed against the last answer")

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
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"A"}, tr.asked, "B stopped being polled")
	assert.Equal(t, 1, w.Following())

	// Added again, it is followed again; removed, forgotten.
	w.Add(tr, "B")
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"A", "B"}, tr.asked)
	require.NoError(t, w.Remove(context.Background(), Bailun, "A"))
	w.Round(context.Background(), tr, collect)
	assert.Equal(t, []string{"B"}, tr.asked)
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
	assert.Equal(t, []string{"bailun A unknown -> processing", "flowery F unknown -> shipped", "bailun A processing -> shipped"}, seen)
	assert.NoError(t, ctx.Err(), "the loop ended it, not the deadline")

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := w.Run(ctx, func(Change) {})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, bl.calls.Load(), int32(3), "polled every interval")
}
