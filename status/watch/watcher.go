package watch

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// The defaults of Options.
const (
	DefaultBatch    = 100
	DefaultClaimFor = time.Minute
	DefaultTick     = 5 * time.Second
)

// Options configure a Watcher; every zero value has a default.
type Options struct {
	// Store keeps the follow set, the schedule, the snapshots and the
	// outbox; nil gives NewMemoryStore() (forgotten when the process
	// ends). Package sqlitestore keeps them in a file.
	Store Store
	// Schedule decides when each ref is polled next; nil gives a
	// DefaultSchedule.
	Schedule Schedule
	// Batch is how many due refs of one tracker are claimed and tracked
	// together (one Track call: the client batches its requests as its
	// provider allows); 0 gives DefaultBatch.
	Batch int
	// ClaimFor is how long a tracker lease and a claim last; 0 gives
	// DefaultClaimFor. It is three things at once:
	//
	//   - the takeover delay: the trackers and claimed refs of a process
	//     that dies (or stops answering) are taken up again this much
	//     later, by another process or the next one;
	//   - the renewal period: a live holder renews its lease a third of
	//     the way into it, and each third after, while a batch runs and
	//     while its consumer works, so a slow provider or consumer never
	//     loses the account; a holder that cannot renew (a pause, a
	//     partition, the Store down) sends no further request once it
	//     ends, and delivers nothing;
	//   - the bound on one request: a request sent just before its
	//     process stalls may still be answered up to the client's timeout
	//     after the lease ends, so keep ClaimFor above the clients'
	//     request timeout, and well above the Store's round trip.
	//
	// A lease is measured on this Watcher's Clock from before the call that
	// took it, and on the Store's own clock by the Store (pgstore: the
	// database's), so that machines whose clocks disagree still never
	// drive one account at once.
	ClaimFor time.Duration
	// Tick is how often a tracker with nothing due asks its Store again;
	// 0 gives DefaultTick. Follow wakes its tracker at once.
	Tick time.Duration
	// ReportFirstLook reports a ref's first answer as changes from
	// nothing: a stage change from unknown, every event. By default the
	// first answer is the baseline, reported as one Following change.
	ReportFirstLook bool
	// OnError is called with each error of the Store; the tracker's next
	// pass then waits twice as long each time, up to 16 Ticks, until the
	// Store answers again. Nothing is lost: claims not saved come back when
	// their lease ends, changes not acknowledged come again (with the same
	// IDs). Nil ignores them, beyond Logger.
	OnError func(error)
	// Logger, when set, hears of Store errors at Error, and gives one line
	// per tracker and pass over its due refs at Debug (refs, answered,
	// failing, changes, unfollowed), at Warn when some failed.
	Logger *slog.Logger
	// OnPass, when set, is called as each pass of this Watcher over a
	// tracker's due refs ends (one it held the tracker for), with what it
	// did: the source for metrics, and for tests that wait for a pass. It
	// runs on the pass's goroutine: keep it short.
	OnPass func(Pass)
	// Observer, when set, hears each batch (under whose context its
	// Tracker is asked) and each pass, for tracing and metrics; the
	// otelordertrack module gives one.
	Observer Observer
	// Owner names this process in tracker leases, for people reading
	// Health and the Store (a pod's name, say); "" gives host and pid. A
	// suffix unique to the Watcher is added (see Watcher.Owner): two
	// Watchers given one Owner are two holders, and never drive one
	// account at once.
	Owner string
	// Clock gives the Watcher's time and timers: when refs are followed,
	// polled and next due, the poll time of its changes, how long it holds
	// a tracker lease as far as it knows (a batch's requests stop when it
	// ends, and it is renewed while the batch runs). Nil is the system's
	// clock. Tests and the simulator (package watchsim) set a clock they
	// advance.
	Clock Clock
}

// Pass is what one pass over a tracker's due refs did (Options.OnPass).
type Pass struct {
	Tracker TrackerID `json:"tracker"`
	// Refs counts the refs the pass claimed; Answered those whose lookup
	// answered, Failing those whose lookup failed; Changes the changes it
	// saved; Unfollowed the refs it stopped following.
	Refs       int `json:"refs"`
	Answered   int `json:"answered"`
	Failing    int `json:"failing"`
	Changes    int `json:"changes"`
	Unfollowed int `json:"unfollowed"`
	// Started and Ended bound the pass, on the Watcher's Clock.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// Err is why the pass stopped before every due ref was polled (the
	// Store's error, the context's); nil when it went to the end, or gave
	// the tracker up to another process.
	Err error `json:"-"`
}

// Clock is where a Watcher reads the time and sets its timers.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f once d has passed, unless stop is called first;
	// stop reports whether it stopped the call.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// systemClock is the system's clock.
type systemClock struct{}

// Now implements Clock.
func (systemClock) Now() time.Time { return time.Now() }

// AfterFunc implements Clock, with time.AfterFunc.
func (systemClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Watcher follows orders over time. It keeps nothing of its own: the
// Store holds which refs are followed, when each is due, its last
// snapshots and the changes not yet delivered, so a Watcher started again
// on the same Store goes on where the last one stopped.
//
// For each tracker added, a Watcher claims the refs due (Options.Batch at
// a time), tracks them in one call, diffs each answer against the last,
// saves the new snapshots with their changes (the outbox) and the next
// due time the Schedule gives, then delivers the changes and acknowledges
// each. Delivery is at least once: a change delivered but not yet
// acknowledged when the process dies comes again, with the same ID.
//
// A ref's first answer is its baseline, one Following change. A ref whose
// lookup fails keeps what is known of it, is reported NowFailing once and
// Recovered when it answers again; an account's outage (see OutageRefs)
// is reported once, as a whole (Ref empty, Why "tracker"). A ref
// stops being followed when Unfollow asks or its Schedule says (final and
// lingered, expired), with an Unfollowed change.
//
// Its zero value is not usable: build one with New. It is safe for
// concurrent use.
type Watcher struct {
	store    Store
	sched    Schedule
	batch    int
	claimFor time.Duration
	tick     time.Duration
	first    bool
	onError  func(error)
	log      *slog.Logger
	owner    string
	onPass   func(Pass)
	observer Observer
	clock    Clock
	now      func() time.Time
	follows  atomic.Int64 // follow names given

	mu       sync.Mutex
	trackers map[TrackerID]*tracked
	order    []TrackerID
	wakers   map[chan struct{}]bool // of each Run: a tracker was added
	// saved wakes Consume: a pass or a push saved changes.
	saved map[chan struct{}]bool
}

// tracked is one tracker added to a Watcher.
type tracked struct {
	t    status.Tracker
	id   TrackerID
	poke chan struct{} // Follow made refs due

	// pass is held (sent to) for a whole pass: one pass of a tracker at a
	// time in a Watcher, whoever calls it (Run, Changes, Poll, Close).
	pass chan struct{}
	// deliver wakes the tracker's deliveries (Run): a pass saved changes.
	deliver chan struct{}
	// delivering is held (sent to) while the outbox is delivered: by Run's
	// deliveries, or a Poll's pass.
	delivering chan struct{}

	// lmu guards leaseUntil and leaseGen: when this Watcher's lease of
	// the tracker ends, as far as it knows (it sends and delivers nothing
	// after it, for the tracker is another process's then), and the
	// lease's generation.
	lmu        sync.Mutex
	leaseUntil time.Time
	leaseGen   int64
	// outage is the tracker's outage state as the Store keeps it
	// (guarded by pass).
	outage Outage

	// guarded by Watcher.mu
	health   Health
	failures int // batches in a row in which no ref answered
}

// New returns a Watcher following no tracker yet.
func New(opts Options) *Watcher {
	w := &Watcher{store: opts.Store, sched: opts.Schedule, batch: opts.Batch, claimFor: opts.ClaimFor,
		tick: opts.Tick, first: opts.ReportFirstLook, onError: opts.OnError, log: opts.Logger,
		owner: opts.Owner, onPass: opts.OnPass, observer: opts.Observer, clock: opts.Clock, trackers: map[TrackerID]*tracked{}, wakers: map[chan struct{}]bool{},
		saved: map[chan struct{}]bool{}}
	if w.store == nil {
		w.store = NewMemoryStore()
	}
	if w.clock == nil {
		w.clock = systemClock{}
	}
	w.now = w.clock.Now
	if w.sched == nil {
		w.sched = &DefaultSchedule{}
	}
	if w.batch <= 0 {
		w.batch = DefaultBatch
	}
	if w.claimFor <= 0 {
		w.claimFor = DefaultClaimFor
	}
	if w.tick <= 0 {
		w.tick = DefaultTick
	}
	if w.owner == "" {
		host, _ := os.Hostname()
		w.owner = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	var b [4]byte
	_, _ = crand.Read(b[:])
	w.owner += "#" + hex.EncodeToString(b[:])
	return w
}

// Get returns what is kept of one ref followed through id: its due time,
// its schedule state, and what is known of it (its last snapshots, the
// baseline changes are found against); ok is false when it is not
// followed. Any process on the Store may ask, whoever drives the account.
func (w *Watcher) Get(ctx context.Context, id TrackerID, ref string) (f Followed, ok bool, err error) {
	return w.store.Get(ctx, id, ref)
}

// Owner returns the name this Watcher holds tracker leases under:
// Options.Owner (or host and pid) and a suffix unique to the Watcher.
// Health's Holder is it when this Watcher drives the tracker.
func (w *Watcher) Owner() string { return w.owner }

// Add makes t the client of account at its provider, and returns the
// tracker's ID. The refs the Store follows for that ID are polled through
// t from now on, by Run, without being followed again. Adding the same
// client twice returns the same ID; another client under an ID already
// added is refused (two accounts need two names).
func (w *Watcher) Add(t status.Tracker, account string) (TrackerID, error) {
	if t == nil {
		return TrackerID{}, fmt.Errorf("watch: add: nil Tracker: %w", status.ErrInvalidRequest)
	}
	id := TrackerID{Provider: t.Provider(), Account: account}
	w.mu.Lock()
	defer w.mu.Unlock()
	if tr := w.trackers[id]; tr != nil {
		if !same(tr.t, t) {
			return id, fmt.Errorf("watch: add %s: added already, with another client: give each account its own name: %w", id, status.ErrInvalidRequest)
		}
		return id, nil
	}
	w.trackers[id] = &tracked{t: t, id: id, poke: make(chan struct{}, 1), pass: make(chan struct{}, 1),
		deliver: make(chan struct{}, 1), delivering: make(chan struct{}, 1), health: Health{Tracker: id}}
	w.order = append(w.order, id)
	for wake := range w.wakers {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	return id, nil
}

// hold records this Watcher's lease of tr: until when, of which
// generation.
func (tr *tracked) hold(until time.Time, gen int64) {
	tr.lmu.Lock()
	tr.leaseUntil, tr.leaseGen = until, gen
	tr.lmu.Unlock()
}

// extend moves the lease's end to until, never back.
func (tr *tracked) extend(until time.Time) {
	tr.lmu.Lock()
	if until.After(tr.leaseUntil) {
		tr.leaseUntil = until
	}
	tr.lmu.Unlock()
}

// until is when this Watcher's lease of tr ends, as far as it knows.
func (tr *tracked) until() time.Time {
	tr.lmu.Lock()
	defer tr.lmu.Unlock()
	return tr.leaseUntil
}

// gen is the generation of this Watcher's lease of tr.
func (tr *tracked) gen() int64 {
	tr.lmu.Lock()
	defer tr.lmu.Unlock()
	return tr.leaseGen
}

// wakeDeliveries wakes tr's deliveries, if Run runs them.
func (tr *tracked) wakeDeliveries() {
	select {
	case tr.deliver <- struct{}{}:
	default:
	}
}

// same reports whether a and b are one Tracker; a Tracker of a type that
// cannot be compared is only itself when it is the same interface value
// by address, which no two Adds can show: it is never the same.
func same(a, b status.Tracker) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

// Follow follows refs through the tracker id, due at once. Following a
// ref already followed does nothing (its schedule stands); one being
// unfollowed is followed again. The tracker need not be added in this
// process: another process running a Watcher on the same Store polls it.
func (w *Watcher) Follow(ctx context.Context, id TrackerID, refs ...string) error {
	if _, err := w.store.Follow(ctx, id, w.now(), refs...); err != nil {
		return err // the Store's error names it and the tracker
	}
	w.poke(id)
	return nil
}

// Unfollow stops following refs through the tracker id: each is not
// polled again, and its next pass reports it Unfollowed (Why "removed")
// and forgets it.
func (w *Watcher) Unfollow(ctx context.Context, id TrackerID, refs ...string) error {
	if _, err := w.store.Unfollow(ctx, id, w.now(), refs...); err != nil {
		return err
	}
	w.poke(id)
	return nil
}

func (w *Watcher) poke(id TrackerID) {
	w.mu.Lock()
	tr := w.trackers[id]
	w.mu.Unlock()
	if tr != nil {
		select {
		case tr.poke <- struct{}{}:
		default:
		}
	}
}

// Run polls every tracker added (and those added later) until ctx ends,
// calling deliver with each change, and returns ctx's error.
//
// Delivery runs beside polling, one goroutine a tracker: deliver is
// called with one change of a tracker at a time, in the outbox's order,
// and with the changes of different trackers at once. A slow consumer
// slows its tracker's delivery, never polling, nor another tracker's
// delivery. deliver's context ends when Run's does, or when this Watcher
// loses the tracker to another process (the change then comes again,
// there). A change is acknowledged when deliver returns nil. An error
// refuses it: it stays first in the outbox, and the tracker's delivery
// tries again after a Tick, then twice as long each time, up to 16 Ticks,
// while polling goes on. A panic in deliver stops Run, which re-panics
// with it once every tracker has stopped.
//
// With a nil deliver, Run only polls: the changes stay in the Store's
// outbox, for consumers of their own (pgstore's Consume hands each one
// over in the consumer's own transaction, once).
func (w *Watcher) Run(ctx context.Context, deliver func(ctx context.Context, c status.Change) error) error {
	if deliver == nil {
		return w.run(ctx, nil)
	}
	return w.run(ctx, func(ctx context.Context, c status.Change) error {
		if ctx.Err() != nil {
			return errNotTaken
		}
		return deliver(ctx, c)
	})
}

// Changes returns the changes as an iterator, polling until ctx ends or
// the loop stops. A change the loop did not take is not lost: it stays in
// the Store's outbox, and comes again next time. A panic (or
// runtime.Goexit) in the loop's body stops the polling, and reaches the
// caller once it has.
func (w *Watcher) Changes(ctx context.Context) iter.Seq[status.Change] {
	return func(yield func(status.Change) bool) {
		ctx, cancel := context.WithCancel(ctx)
		type handed struct {
			c     status.Change
			taken chan bool
		}
		ch := make(chan handed)
		done := make(chan struct{})
		ended := make(chan struct{}) // the loop ended: returned, panicked, or Goexit
		var runPanic any             // a Tracker's panic, for the caller
		go func() {
			defer close(done)
			defer func() { runPanic = recover() }()
			_ = w.run(ctx, func(lctx context.Context, c status.Change) error {
				h := handed{c, make(chan bool, 1)}
				select {
				case ch <- h:
				case <-lctx.Done():
					return errNotTaken
				}
				// The loop has c: it says it took it, or ends (panicked,
				// Goexit) without a word: not taken.
				select {
				case <-h.taken:
					return nil
				case <-ended:
					select {
					case <-h.taken:
						return nil
					default:
						return errNotTaken
					}
				}
			})
		}()
		// Runs however the loop ends: a return, a panic, a Goexit.
		normal := false
		defer func() {
			close(ended)
			cancel()
			<-done
			if normal && runPanic != nil {
				panic(runPanic) // a Tracker's, raised where the caller can recover it
			}
		}()
		for {
			select {
			case h := <-ch:
				// The loop's body took c, even when it then stops the loop.
				ok := yield(h.c)
				h.taken <- true
				if !ok {
					normal = true
					return
				}
			case <-ctx.Done():
				normal = true
				return
			case <-done:
				normal = true
				return
			}
		}
	}
}

// run is Run with a sender.
func (w *Watcher) run(ctx context.Context, send sender) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	wake := make(chan struct{}, 1)
	w.mu.Lock()
	w.wakers[wake] = true
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.wakers, wake)
		w.mu.Unlock()
	}()
	var wg sync.WaitGroup
	var panicked any
	var once sync.Once
	// guard runs f, and stops Run with its panic, for Run's goroutine to
	// raise once every goroutine has stopped.
	guard := func(f func()) {
		wg.Go(func() {
			completed := false
			defer func() {
				r := recover()
				if r == nil && !completed {
					// runtime.Goexit: it cannot reach the caller as itself.
					r = errGoexit
				}
				if r != nil {
					once.Do(func() { panicked = r })
					stop()
				}
			}()
			f()
			completed = true
		})
	}
	started := map[TrackerID]bool{}
	startNew := func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, id := range w.order {
			if !started[id] {
				started[id] = true
				tr := w.trackers[id]
				guard(func() { w.loop(ctx, tr) })
				if send != nil {
					guard(func() { w.deliveries(ctx, tr, send) })
				}
			}
		}
	}
	startNew()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			// Every pass and delivery has stopped (their lease renewals
			// with them): give the leases up, so that another process
			// need not wait for them to end.
			w.mu.Lock()
			var trs []*tracked
			for id := range started {
				trs = append(trs, w.trackers[id])
			}
			w.mu.Unlock()
			for _, tr := range trs {
				w.release(tr)
			}
			if panicked != nil {
				panic(panicked)
			}
			return ctx.Err()
		case <-wake:
			startNew()
		}
	}
}

// loop runs tr's passes until ctx ends: polling only, its deliveries
// woken after each.
func (w *Watcher) loop(ctx context.Context, tr *tracked) {
	failures := 0
	for {
		err := w.pass(ctx, tr, nil)
		tr.wakeDeliveries()
		if ctx.Err() != nil {
			return
		}
		wait := w.tick
		if err != nil {
			failures = min(failures+1, 4)
			wait = w.tick << failures
		} else {
			failures = 0
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-tr.poke:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// deliveries delivers tr's outbox until ctx ends, whenever a pass saved
// something (or every Tick), while this Watcher holds the tracker; a
// consumer's refusal backs the tracker's delivery off.
func (w *Watcher) deliveries(ctx context.Context, tr *tracked, send sender) {
	refusals := 0
	for {
		wait := w.tick
		err := w.drain(ctx, tr, send)
		var refused *refusedError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &refused):
			refusals = min(refusals+1, 4)
			wait = w.tick << refusals
			if w.log != nil {
				w.log.LogAttrs(ctx, slog.LevelWarn, "ordertrack: watch change refused", slog.String("tracker", tr.id.String()),
					slog.String("error", err.Error()), slog.Duration("retry_in", wait))
			}
		default:
			refusals = 0
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-tr.deliver:
			timer.Stop()
			if refusals > 0 {
				// Refused: wait out the back-off whatever was saved since.
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		case <-timer.C:
		}
	}
}

// Close gives up the Watcher's tracker leases, so that another process
// (or this one, started again) drives its trackers at once rather than
// when the leases end. Run gives its own up as it returns; Close is for a
// Watcher driven by Poll. A pass in flight (a Poll in another goroutine)
// ends first: Close waits for it, or for ctx. The Watcher may poll again
// after it, taking the leases back.
func (w *Watcher) Close(ctx context.Context) error {
	w.mu.Lock()
	trs := make([]*tracked, 0, len(w.order))
	for _, id := range w.order {
		trs = append(trs, w.trackers[id])
	}
	w.mu.Unlock()
	var errs []error
	for _, tr := range trs {
		select {
		case tr.pass <- struct{}{}:
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("watch: close %s: a pass in flight: %w", tr.id, context.Cause(ctx)))
			continue
		}
		select {
		case tr.delivering <- struct{}{}:
		case <-ctx.Done():
			<-tr.pass
			errs = append(errs, fmt.Errorf("watch: close %s: a delivery in flight: %w", tr.id, context.Cause(ctx)))
			continue
		}
		if err := w.store.Release(ctx, tr.id, w.owner); err != nil {
			errs = append(errs, err)
		}
		<-tr.delivering
		<-tr.pass
	}
	return errors.Join(errs...)
}

// release gives up tr's lease when the Watcher stops, so that another
// process need not wait for it to end.
func (w *Watcher) release(tr *tracked) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = w.store.Release(ctx, tr.id, w.owner)
}

// Poll makes one pass over the due refs of the tracker id: it delivers the
// changes left in the outbox, then claims, tracks and saves the due refs a
// batch at a time until none is due, delivering each change. It returns
// the Store's error, and nil when another process holds the tracker's
// lease (it polls nothing then). Run calls it every Tick; batch jobs may
// call it alone.
func (w *Watcher) Poll(ctx context.Context, id TrackerID, deliver func(status.Change)) error {
	w.mu.Lock()
	tr := w.trackers[id]
	w.mu.Unlock()
	if tr == nil {
		return fmt.Errorf("watch: poll %s: not added: %w", id, status.ErrInvalidRequest)
	}
	if deliver == nil {
		return w.pass(ctx, tr, nil) // polling only: changes stay in the outbox
	}
	err := w.pass(ctx, tr, func(lctx context.Context, c status.Change) error {
		if lctx.Err() != nil {
			return errNotTaken
		}
		deliver(c)
		return nil
	})
	if errors.Is(err, errNotTaken) {
		if ctx.Err() != nil {
			// The change stays in the outbox, and the call says why it
			// stopped.
			return fmt.Errorf("watch: poll %s: %w", id, context.Cause(ctx))
		}
		return nil // the lease ended: the change stays, for its holder
	}
	return err
}

// errNotTaken stops a pass whose consumer did not take a change;
// errLeaseEnded one that outlived its tracker lease.
var (
	errNotTaken   = errors.New("watch: change not taken")
	errLeaseEnded = errors.New("watch: tracker lease ended")
)

// errGoexit is what Run panics with when a Tracker or deliver called
// runtime.Goexit on one of its goroutines.
var errGoexit = errors.New("watch: runtime.Goexit called by a Tracker or a deliver function")

// storeFailed tells of a Store failure (OnError, Logger, Health) and
// returns it, as the Store gave it: its message names the store, the
// operation and the tracker.
func (w *Watcher) storeFailed(ctx context.Context, tr *tracked, err error) error {
	if ctx.Err() != nil {
		return err
	}
	w.mu.Lock()
	tr.health.LastError = err.Error()
	tr.health.StoreFailing = true
	w.mu.Unlock()
	if w.onError != nil {
		w.onError(err)
	}
	if w.log != nil {
		w.log.LogAttrs(ctx, slog.LevelError, "ordertrack: watch store failed", slog.String("tracker", tr.id.String()), slog.String("error", err.Error()))
	}
	return err
}

// stamp gives c, a change of a ref whose state is st, the tracker's
// account, the poll's time and the ref's next Serial, and its ID again.
// A ref with no follow name yet is given one.
func (w *Watcher) stamp(id TrackerID, polled time.Time, st *State, c status.Change) status.Change {
	if st.Follow == "" {
		st.Follow = w.followName(id, c.Ref, polled)
	}
	c.Account, c.Polled = id.Account, polled.UTC()
	c.Serial = st.Follow + "." + strconv.Itoa(st.Changes)
	st.Changes++
	c.ID = c.HashID()
	return c
}

// stampTracker is stamp for a change of the tracker itself, whose Serial
// is the number of its outage.
func (w *Watcher) stampTracker(id TrackerID, polled time.Time, outage int, c status.Change) status.Change {
	c.Account, c.Polled = id.Account, polled.UTC()
	c.Serial = "outage." + strconv.Itoa(outage)
	c.ID = c.HashID()
	return c
}

// followName names a follow of a ref: unique to this Watcher (its owner,
// and a count of the names it gave), the time and the ref, hashed short.
func (w *Watcher) followName(id TrackerID, ref string, now time.Time) string {
	n := w.follows.Add(1)
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d\x00%d", w.owner, id, ref, now.UnixNano(), n))
	return hex.EncodeToString(sum[:6])
}

// randFloat is the jitter's source.
func randFloat() float64 { return rand.Float64() }

// Consume runs the Store's hand-off until ctx ends: the outbox's changes
// go to f, up to limit at a time, each in the consumer's own transaction,
// exactly once (see Consumer: pgstore and sqlitestore implement it). It
// asks again as soon as this Watcher saves changes, and every Tick for
// those other processes save; while f or the Store fails, it waits a Tick,
// then twice as long each time, up to 16 Ticks. It returns ctx's error,
// or an error matching status.ErrInvalidRequest when the Store is no
// Consumer; a panic in f reaches its caller. Run the Watcher with a nil
// deliver beside it (Run(ctx, nil)): the changes stay in the outbox for
// Consume.
func (w *Watcher) Consume(ctx context.Context, limit int, f func(ctx context.Context, tx *sql.Tx, c status.Change) error) error {
	c, ok := w.store.(Consumer)
	if !ok {
		return fmt.Errorf("watch: consume: the Store (%T) hands nothing over in a transaction: %w", w.store, status.ErrInvalidRequest)
	}
	if limit <= 0 {
		limit = w.batch
	}
	wake := make(chan struct{}, 1)
	w.mu.Lock()
	w.saved[wake] = true
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.saved, wake)
		w.mu.Unlock()
	}()
	failures := 0
	for {
		n, err := c.Consume(ctx, limit, f)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := w.tick
		switch {
		case err != nil:
			failures = min(failures+1, 4)
			wait = w.tick << failures
			if w.log != nil {
				w.log.LogAttrs(ctx, slog.LevelWarn, "ordertrack: watch consume failed", slog.String("error", err.Error()),
					slog.Duration("retry_in", wait))
			}
		case n == limit:
			failures = 0
			continue // more waiting
		default:
			failures = 0
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-wake:
			timer.Stop()
			if failures > 0 {
				// Failing: wait out the back-off, whatever was saved since.
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(wait):
				}
			}
		case <-timer.C:
		}
	}
}

// wakeConsumers wakes each Consume: changes were saved.
func (w *Watcher) wakeConsumers() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for wake := range w.saved {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}
