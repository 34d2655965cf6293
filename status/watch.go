package status

import (
	"context"
	"errors"
	"iter"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Store keeps the last answered snapshots of each followed ref, for a
// Watcher to diff the next answer against. A ref's value is every snapshot
// its lookup gave (one per sub-order for providers that split orders).
// Implementations must be safe for concurrent use.
type Store interface {
	// Load returns the snapshots saved for (p, ref); ok is false when none
	// are.
	Load(ctx context.Context, p Provider, ref string) (snaps []Snapshot, ok bool, err error)
	// Save replaces the snapshots saved for (p, ref).
	Save(ctx context.Context, p Provider, ref string, snaps []Snapshot) error
	// Delete forgets (p, ref).
	Delete(ctx context.Context, p Provider, ref string) error
}

// NewMemoryStore returns a Store that keeps snapshots in memory: the
// default of a Watcher. Its size is bounded by the refs followed.
func NewMemoryStore() Store { return &memoryStore{m: map[storeKey][]Snapshot{}} }

type storeKey struct {
	p   Provider
	ref string
}

type memoryStore struct {
	mu sync.RWMutex
	m  map[storeKey][]Snapshot
}

func (s *memoryStore) Load(_ context.Context, p Provider, ref string) ([]Snapshot, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.m[storeKey{p, ref}]
	return v, ok, nil
}

func (s *memoryStore) Save(_ context.Context, p Provider, ref string, snaps []Snapshot) error {
	s.mu.Lock()
	s.m[storeKey{p, ref}] = snaps
	s.mu.Unlock()
	return nil
}

func (s *memoryStore) Delete(_ context.Context, p Provider, ref string) error {
	s.mu.Lock()
	delete(s.m, storeKey{p, ref})
	s.mu.Unlock()
	return nil
}

// Final reports whether s is a stage an order does not leave: delivered,
// cancelled, refunded or returned.
func (s Stage) Final() bool {
	switch s {
	case Delivered, Cancelled, Refunded, Returned:
		return true
	}
	return false
}

// DefaultInterval is how often a Watcher polls each provider when its
// Interval is 0.
const DefaultInterval = time.Minute

// Watcher follows orders over time: it polls each Tracker every Interval
// (with jitter), diffs each answer against the last answered snapshots in
// its Store, and delivers what changed. Refs whose orders reach a final
// stage (see Stage.Final) stop being polled Linger later. A provider whose
// lookups fail keeps its last snapshots and is asked again next round; a
// failure is never a change. Its zero value is not usable: build one with
// NewWatcher. It is safe for concurrent use: Add and Remove may be called
// while it runs.
type Watcher struct {
	interval time.Duration
	jitter   float64
	linger   time.Duration
	store    Store
	now      func() time.Time

	mu       sync.Mutex
	trackers map[Tracker]*followed
	wake     chan struct{} // a tracker was added while running
}

// followed is one Tracker's refs.
type followed struct {
	refs map[string]*refState
	// order keeps the refs in the order they were added, for Track.
	order []string
}

type refState struct {
	finalSince time.Time // zero: not in a final stage
}

// WatcherOptions configure a Watcher; every zero value has a default.
type WatcherOptions struct {
	// Interval is how often each provider is polled; 0 gives
	// DefaultInterval.
	Interval time.Duration
	// Jitter spreads the polls: each wait is Interval plus or minus up to
	// this fraction of it. 0 gives 0.1; negative gives none; more than 0.5
	// gives 0.5.
	Jitter float64
	// Linger is how long a ref in a final stage is still polled (a
	// delivered parcel can still be reported returned); 0 stops at once.
	// After it, the ref is no longer followed, and its snapshots are
	// deleted from the Store.
	Linger time.Duration
	// Store keeps the last snapshots; nil gives NewMemoryStore().
	Store Store
}

// NewWatcher returns a Watcher following nothing yet.
func NewWatcher(opts WatcherOptions) *Watcher {
	w := &Watcher{interval: opts.Interval, jitter: opts.Jitter, linger: opts.Linger, store: opts.Store,
		now: time.Now, trackers: map[Tracker]*followed{}, wake: make(chan struct{}, 1)}
	if w.interval <= 0 {
		w.interval = DefaultInterval
	}
	switch {
	case w.jitter == 0:
		w.jitter = 0.1
	case w.jitter < 0:
		w.jitter = 0
	case w.jitter > 0.5:
		w.jitter = 0.5 // a wait is never shorter than half the interval
	}
	if w.store == nil {
		w.store = NewMemoryStore()
	}
	return w
}

// Add follows refs through t (a client: two accounts of one provider are
// two Trackers, each polled on its own). Adding a ref already followed does
// nothing; a ref in a final stage is followed again. The Store keeps
// snapshots by provider and ref.
func (w *Watcher) Add(t Tracker, refs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.trackers[t]
	if f == nil {
		f = &followed{refs: map[string]*refState{}}
		w.trackers[t] = f
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	for _, r := range refs {
		if st, ok := f.refs[r]; ok {
			st.finalSince = time.Time{}
			continue
		}
		f.refs[r] = &refState{}
		f.order = append(f.order, r)
	}
}

// Remove stops following refs at provider p, through every Tracker of p,
// and forgets their snapshots.
func (w *Watcher) Remove(ctx context.Context, p Provider, refs ...string) error {
	w.mu.Lock()
	for t, f := range w.trackers {
		if t.Provider() != p {
			continue
		}
		for _, r := range refs {
			delete(f.refs, r)
		}
		f.order = slices.DeleteFunc(f.order, func(r string) bool { _, ok := f.refs[r]; return !ok })
	}
	w.mu.Unlock()
	var errs []error
	for _, r := range refs {
		errs = append(errs, w.store.Delete(ctx, p, r))
	}
	return errors.Join(errs...)
}

// Following returns how many refs are polled now, over every provider.
func (w *Watcher) Following() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, f := range w.trackers {
		for _, st := range f.refs {
			if st.finalSince.IsZero() || w.now().Sub(st.finalSince) < w.linger {
				n++
			}
		}
	}
	return n
}

// Run polls every provider until ctx ends, calling deliver with each
// change, one at a time, and returns ctx's error. The first round starts
// at once. Delivery is at least once: a ref's new snapshots are saved only
// once every change they make has been delivered, so changes cut off by the
// end of ctx come again from the next Watcher on the same Store.
func (w *Watcher) Run(ctx context.Context, deliver func(Change)) error {
	return w.run(ctx, func(c Change) bool {
		deliver(c)
		return true
	})
}

// run is Run with a deliver that reports whether the change was taken.
func (w *Watcher) run(ctx context.Context, deliver func(Change) bool) error {
	var mu sync.Mutex
	send := func(c Change) bool {
		mu.Lock()
		defer mu.Unlock()
		return ctx.Err() == nil && deliver(c)
	}
	var wg sync.WaitGroup
	started := map[Tracker]bool{}
	startNew := func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for t := range w.trackers {
			if !started[t] {
				started[t] = true
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.poll(ctx, t, send)
				}()
			}
		}
	}
	startNew()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		case <-w.wake:
			startNew()
		}
	}
}

// Changes returns the changes as an iterator, polling until ctx ends or
// the loop stops. A change the loop did not take is not lost: its ref's
// snapshots are not saved, so it comes again next time.
func (w *Watcher) Changes(ctx context.Context) iter.Seq[Change] {
	return func(yield func(Change) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ch := make(chan Change)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = w.run(ctx, func(c Change) bool {
				select {
				case ch <- c:
					return true
				case <-ctx.Done():
					return false
				}
			})
		}()
		defer func() { cancel(); <-done }()
		for {
			select {
			case c := <-ch:
				if !yield(c) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}
}

// poll runs t's rounds until ctx ends.
func (w *Watcher) poll(ctx context.Context, t Tracker, send func(Change) bool) {
	for {
		w.round(ctx, t, send)
		wait := w.interval
		if w.jitter > 0 {
			spread := float64(w.interval) * w.jitter
			wait += time.Duration((rand.Float64()*2 - 1) * spread)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// Round polls t once: it tracks every ref still followed through t, diffs
// each answered ref against the Store, sends each change, and saves the new
// snapshots. Refs whose lookup failed keep their snapshots. Run calls it
// every Interval; a first Round with a send that drops the changes takes a
// first look without reporting it, and batch jobs may call it alone.
func (w *Watcher) Round(ctx context.Context, t Tracker, send func(Change)) {
	w.round(ctx, t, func(c Change) bool {
		send(c)
		return true
	})
}

func (w *Watcher) round(ctx context.Context, t Tracker, send func(Change) bool) {
	w.mu.Lock()
	f := w.trackers[t]
	if f == nil {
		w.mu.Unlock()
		return
	}
	p := t.Provider()
	now := w.now()
	refs := make([]string, 0, len(f.order))
	var done []string
	for _, r := range f.order {
		st := f.refs[r]
		switch {
		case st.finalSince.IsZero() || now.Sub(st.finalSince) < w.linger:
			refs = append(refs, r)
		default:
			done = append(done, r) // final, and lingered: no longer followed
		}
	}
	w.mu.Unlock()
	if len(done) > 0 {
		_ = w.Remove(ctx, p, done...)
	}
	if len(refs) == 0 {
		return
	}
	snaps, err := t.Track(ctx, refs...)
	if err != nil {
		snaps = w.isolate(ctx, t, refs, send)
	}
	for i := 0; i < len(snaps); {
		j := i + 1
		for j < len(snaps) && snaps[j].Ref == snaps[i].Ref {
			j++
		}
		w.settle(ctx, t, p, snaps[i].Ref, snaps[i:j:j], send)
		i = j
	}
}

// isolate tracks refs one by one after t refused them together (a ref the
// provider can never take, such as one holding a Flowery comma). A ref
// refused alone stops being followed, and its refusal is sent as its
// NowFailing change; the others are answered as usual.
func (w *Watcher) isolate(ctx context.Context, t Tracker, refs []string, send func(Change) bool) []Snapshot {
	var out, bad []Snapshot
	for _, r := range refs {
		snaps, err := t.Track(ctx, r)
		if err != nil {
			bad = append(bad, Failed(t.Provider(), r, err))
			continue
		}
		out = append(out, snaps...)
	}
	for _, b := range bad {
		if send(Change{Kind: NowFailing, Provider: b.Provider, Ref: b.Ref, Err: b.Err}) {
			_ = w.Remove(ctx, b.Provider, b.Ref)
		}
	}
	return out
}

// settle diffs one ref's answer against its saved snapshots and saves it
// once every change is delivered. Snapshots are matched by OrderNo (a
// sub-order); a ref of one snapshot is matched whatever its OrderNo (an
// order gone not found has none). A sub-order whose lookup failed keeps its
// last answer; one whose events alone failed (Err set, the stage known)
// keeps its last events. A ref removed meanwhile is neither reported nor
// saved.
func (w *Watcher) settle(ctx context.Context, t Tracker, p Provider, ref string, cur []Snapshot, send func(Change) bool) {
	answered := slices.ContainsFunc(cur, func(s Snapshot) bool { return s.Err == nil || s.Stage != Unknown })
	if !answered || ctx.Err() != nil || !w.follows(t, ref) {
		return
	}
	prev, _, err := w.store.Load(ctx, p, ref)
	if err != nil {
		return
	}
	if len(cur) == 1 && cur[0].Stage == NotFound && cur[0].Err == nil && len(prev) > 0 {
		// The whole ref is not found: each sub-order known is now not
		// found, by its own number, so that a return pairs with it.
		nf := cur[0]
		cur = make([]Snapshot, len(prev))
		for i, old := range prev {
			cur[i] = nf
			cur[i].OrderNo = old.OrderNo
		}
	}
	keep := make([]Snapshot, 0, len(cur))
	final := true
	for _, c := range cur {
		old, found := match(prev, cur, c)
		switch {
		case c.Err != nil && c.Stage == Unknown:
			// This sub-order failed: keep its last answer, unchanged.
			if found {
				keep = append(keep, old)
				final = final && old.Stage.Final()
			}
			continue
		case c.Err != nil:
			// Its stage came, its events did not: keep the last events,
			// and diff the rest.
			c.Events, c.Err = old.Events, nil
		case c.Stage == NotFound && found:
			// Not found says nothing of the order but that: it keeps what
			// was known (tracking number, events, problems), so that a
			// return is no news but the stage.
			c.TrackingNo, c.Events, c.Problems = old.TrackingNo, old.Events, old.Problems
		}
		if !found {
			old = Snapshot{Provider: c.Provider, Ref: c.Ref, OrderNo: c.OrderNo}
		}
		for _, ch := range Diff(old, c) {
			if !send(ch) {
				return // not delivered: not saved either, so it comes again
			}
		}
		keep = append(keep, c)
		final = final && c.Stage.Final()
	}
	if w.store.Save(ctx, p, ref, keep) != nil {
		return
	}
	w.mu.Lock()
	f := w.trackers[t]
	st := (*refState)(nil)
	if f != nil {
		st = f.refs[ref]
	}
	if st != nil {
		switch {
		case !final:
			st.finalSince = time.Time{}
		case st.finalSince.IsZero():
			st.finalSince = w.now()
		}
	}
	w.mu.Unlock()
	if st == nil {
		// Removed while this round ran: forget what was just saved.
		_ = w.store.Delete(ctx, p, ref)
	}
}

// follows reports whether ref is followed through t.
func (w *Watcher) follows(t Tracker, ref string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.trackers[t]
	return f != nil && f.refs[ref] != nil
}

// match finds the saved snapshot c is the new answer for.
func match(prev, cur []Snapshot, c Snapshot) (Snapshot, bool) {
	for _, s := range prev {
		if s.OrderNo == c.OrderNo {
			return s, true
		}
	}
	if len(prev) == 1 && len(cur) == 1 {
		return prev[0], true
	}
	return Snapshot{}, false
}
