package status

import (
	"context"
	"errors"
	"iter"
	"log/slog"
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
// its Store, and delivers what changed. A ref's first answer is its
// baseline, one Following change. Refs whose orders reach a final stage
// (see Stage.Final) stop being polled Linger later, with an Unfollowed
// change. A ref whose lookup fails keeps its last snapshots, is reported
// NowFailing once and Recovered when it answers again, and is asked again
// next round. A Store that fails is reported to OnError and Logger, and
// its provider's rounds back off until it answers. Its zero value is not usable: build one with
// NewWatcher. It is safe for concurrent use: Add and Remove may be called
// while it runs.
type Watcher struct {
	interval time.Duration
	jitter   float64
	linger   time.Duration
	store    Store
	now      func() time.Time
	// reportFirst diffs a first answer against nothing, as before
	// Following; onError and log hear of Store failures.
	reportFirst bool
	onError     func(error)
	log         *slog.Logger

	mu       sync.Mutex
	trackers map[Tracker]*followed
	wake     chan struct{} // a tracker was added while running
	// unfollowed are the Unfollowed changes of refs Remove took, for the
	// next round of their provider to deliver.
	unfollowed []Change
}

// followed is one Tracker's refs.
type followed struct {
	refs map[string]*refState
	// order keeps the refs in the order they were added, for Track.
	order []string
}

type refState struct {
	finalSince time.Time // zero: not in a final stage
	stage      Stage     // the last stage answered
	failing    bool      // its last lookup failed, and NowFailing was sent
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
	// ReportFirstLook reports a ref's first answer (one with no snapshot
	// in the Store) as changes from nothing: a stage change from unknown,
	// every event. By default the first answer is the baseline, reported
	// as one Following change per snapshot.
	ReportFirstLook bool
	// OnError is called with each error of the Store (a Load, Save or
	// Delete that failed); the round then stops for that provider, and its
	// next round waits twice as long each time, up to 16 intervals, until
	// the Store answers again. The changes of a ref whose Save failed come
	// again (with the same IDs). Nil ignores them, beyond Logger.
	OnError func(error)
	// Logger, when set, hears of Store errors at Error and gives one line
	// per provider and round at Debug (refs asked, answered, failing,
	// changes), at Warn when some refs failed.
	Logger *slog.Logger
}

// NewWatcher returns a Watcher following nothing yet.
func NewWatcher(opts WatcherOptions) *Watcher {
	w := &Watcher{interval: opts.Interval, jitter: opts.Jitter, linger: opts.Linger, store: opts.Store,
		now: time.Now, trackers: map[Tracker]*followed{}, wake: make(chan struct{}, 1),
		reportFirst: opts.ReportFirstLook, onError: opts.OnError, log: opts.Logger}
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
// and forgets their snapshots. The next round of p delivers an Unfollowed
// change for each.
func (w *Watcher) Remove(ctx context.Context, p Provider, refs ...string) error {
	w.mu.Lock()
	for t, f := range w.trackers {
		if t.Provider() != p {
			continue
		}
		for _, r := range refs {
			if st, ok := f.refs[r]; ok {
				delete(f.refs, r)
				w.unfollowed = append(w.unfollowed, newChange(Unfollowed, Snapshot{Provider: p, Ref: r}, func(c *Change) { c.To = st.stage }))
			}
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
	failures := 0
	for {
		if w.round(ctx, t, send) {
			failures = 0
		} else {
			failures = min(failures+1, 4) // the Store failed: back off
		}
		wait := w.interval << failures
		if w.jitter > 0 {
			spread := float64(wait) * w.jitter
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
// every Interval; batch jobs may call it alone.
func (w *Watcher) Round(ctx context.Context, t Tracker, send func(Change)) {
	w.round(ctx, t, func(c Change) bool {
		send(c)
		return true
	})
}

// round polls t once, and reports false when the Store failed.
func (w *Watcher) round(ctx context.Context, t Tracker, send func(Change) bool) bool {
	w.mu.Lock()
	f := w.trackers[t]
	if f == nil {
		w.mu.Unlock()
		return true
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
		if err := w.Remove(ctx, p, done...); err != nil {
			w.storeFailed(ctx, p, err)
			return false
		}
	}
	if !w.sendUnfollowed(p, send) || len(refs) == 0 {
		return true
	}
	snaps, err := t.Track(ctx, refs...)
	if err != nil {
		snaps = w.isolate(ctx, t, refs, send)
	}
	var tally roundTally
	for i := 0; i < len(snaps); {
		j := i + 1
		for j < len(snaps) && snaps[j].Ref == snaps[i].Ref {
			j++
		}
		if err := w.settle(ctx, t, p, snaps[i].Ref, snaps[i:j:j], send, &tally); err != nil {
			w.storeFailed(ctx, p, err)
			return false
		}
		i = j
	}
	w.sendUnfollowed(p, send) // refs isolate gave up on
	w.logRound(ctx, p, len(refs), &tally)
	return true
}

// roundTally counts what one round of one provider did, for its log line.
type roundTally struct{ answered, failing, changes int }

func (w *Watcher) logRound(ctx context.Context, p Provider, refs int, n *roundTally) {
	level := slog.LevelDebug
	if n.failing > 0 {
		level = slog.LevelWarn
	}
	if w.log == nil || !w.log.Enabled(ctx, level) {
		return
	}
	w.log.LogAttrs(ctx, level, "ordertrack: watch round", slog.String("provider", string(p)), slog.Int("refs", refs),
		slog.Int("answered", n.answered), slog.Int("failing", n.failing), slog.Int("changes", n.changes))
}

// storeFailed tells of a Store error: to OnError, and at Error to Logger.
func (w *Watcher) storeFailed(ctx context.Context, p Provider, err error) {
	if w.onError != nil {
		w.onError(err)
	}
	if w.log != nil {
		w.log.LogAttrs(ctx, slog.LevelError, "ordertrack: watch store failed", slog.String("provider", string(p)), slog.String("error", err.Error()))
	}
}

// sendUnfollowed delivers the Unfollowed changes of p's removed refs; it
// reports false when one was not taken (it stays, for the next round).
func (w *Watcher) sendUnfollowed(p Provider, send func(Change) bool) bool {
	w.mu.Lock()
	var mine, rest []Change
	for _, c := range w.unfollowed {
		if c.Provider == p {
			mine = append(mine, c)
		} else {
			rest = append(rest, c)
		}
	}
	w.unfollowed = rest
	w.mu.Unlock()
	for i, c := range mine {
		if !send(c) {
			w.mu.Lock()
			w.unfollowed = append(w.unfollowed, mine[i:]...)
			w.mu.Unlock()
			return false
		}
	}
	return true
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
		if send(newChange(NowFailing, b, func(c *Change) { c.Err = b.Err })) {
			_ = w.Remove(ctx, b.Provider, b.Ref)
		}
	}
	return out
}

// settle diffs one ref's answer against its saved snapshots and saves it
// once every change is delivered, and returns the Store's error. Snapshots
// are matched by OrderNo (a sub-order); a ref of one snapshot is matched
// whatever its OrderNo (an order gone not found has none). A ref whose
// lookup failed whole keeps its last answer, and is reported NowFailing
// once, Recovered when it answers again; a sub-order whose lookup failed
// keeps its last answer; one whose events alone failed (Err set, the stage
// known) keeps its last events. A ref with no snapshot saved is reported
// Following (unless ReportFirstLook). A ref removed meanwhile is neither
// reported nor saved.
func (w *Watcher) settle(ctx context.Context, t Tracker, p Provider, ref string, cur []Snapshot, send func(Change) bool, n *roundTally) error {
	answered := slices.ContainsFunc(cur, func(s Snapshot) bool { return s.Err == nil || s.Stage != Unknown })
	st := w.state(t, ref)
	if ctx.Err() != nil || st == nil {
		return nil
	}
	if !answered {
		n.failing++
		if !st.failing && len(cur) > 0 {
			c := newChange(NowFailing, cur[0], func(c *Change) { c.Err = cur[0].Err })
			n.changes++
			if send(c) {
				w.setFailing(st, true)
			}
		}
		return nil
	}
	n.answered++
	prev, saved, err := w.store.Load(ctx, p, ref)
	if err != nil {
		return err
	}
	if st.failing {
		n.changes++
		if !send(newChange(Recovered, cur[0], nil)) {
			return nil
		}
		w.setFailing(st, false)
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
		var changes []Change
		switch {
		case !saved && !w.reportFirst:
			changes = []Change{newChange(Following, c, func(ch *Change) { ch.To = c.Stage })}
		case !found:
			changes = Diff(Snapshot{Provider: c.Provider, Ref: c.Ref, OrderNo: c.OrderNo}, c)
		default:
			changes = Diff(old, c)
		}
		for _, ch := range changes {
			n.changes++
			if !send(ch) {
				return nil // not delivered: not saved either, so it comes again
			}
		}
		keep = append(keep, c)
		final = final && c.Stage.Final()
	}
	if err := w.store.Save(ctx, p, ref, keep); err != nil {
		return err
	}
	w.mu.Lock()
	st = nil
	if f := w.trackers[t]; f != nil {
		st = f.refs[ref]
	}
	if st != nil {
		if len(keep) > 0 {
			st.stage = keep[0].Stage
		}
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
		return w.store.Delete(ctx, p, ref)
	}
	return nil
}

// state returns ref's state through t; nil when it is not followed.
func (w *Watcher) state(t Tracker, ref string) *refState {
	w.mu.Lock()
	defer w.mu.Unlock()
	if f := w.trackers[t]; f != nil {
		return f.refs[ref]
	}
	return nil
}

func (w *Watcher) setFailing(st *refState, failing bool) {
	w.mu.Lock()
	st.failing = failing
	w.mu.Unlock()
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
