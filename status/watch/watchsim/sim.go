package watchsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// Config is what a run is made of besides its seed.
type Config struct {
	// Store makes the Store the run's processes share, and its closer;
	// nil gives watch.NewMemoryStore. A Store whose leases and claims
	// follow the time its callers pass (memory, SQLite) runs on the
	// virtual clock; one with a clock of its own (pgstore) is given now,
	// the world's virtual clock, in its place.
	Store func(now func() time.Time) (watch.Store, func() error, error)
	// ProcessStore, when set, gives each process a Store of its own on
	// what Store made (another connection to its file, say), opened at
	// each start and closed when the process crashes or the run ends: so
	// that what a Store keeps in memory (sqlitestore's claims' leases)
	// dies with its process, and processes meet only in what they share.
	ProcessStore func() (watch.Store, func() error, error)
	// Steps is how many steps the faulty part of a run takes; 0 gives 400.
	Steps int
	// Processes is how many Watcher processes share the Store; 0 gives 3.
	Processes int
	// Faults scales how often processes crash and stall and providers fail:
	// 0 gives 1; a negative value injects none (the Watcher's own races
	// are still there).
	Faults float64
	// Trace keeps the trace of a run without violations too.
	Trace bool
}

// Report is what one run saw.
type Report struct {
	Seed int64
	// Faults counts the faults injected: crashes, stalls, outages, ref
	// failures, lagging and slow answers, consumer panics, late and
	// repeated pushes.
	Faults int
	// Requests counts the Track calls the providers took.
	Requests int
	// Delivered counts the changes the consumer took.
	Delivered int
	// Violations are the invariants broken, the first of each kind.
	Violations []Violation
	// Trace is what the run did, step by step, when it broke an invariant
	// or Config.Trace asked for it.
	Trace []string
}

// Violation is one invariant broken.
type Violation struct {
	Invariant int
	Step      int
	Text      string
	// Kind names the check that failed ("stage-back", "two-drivers").
	Kind string
}

// String says which invariant broke, where, and how.
func (v Violation) String() string {
	return fmt.Sprintf("invariant %d (%s) broken at step %d: %s", v.Invariant, v.Kind, v.Step, v.Text)
}

// The simulated world's constants: a claim and a tracker lease last
// claimFor; refs are polled every interval.
const (
	claimFor = 10 * time.Second
	interval = 30 * time.Second
	batch    = 4
)

// epoch is the virtual clock's start.
var epoch = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// world is one run.
type world struct {
	cfg      Config
	rng      *rand.Rand
	clock    time.Time
	step     int
	store    watch.Store
	front    *watch.Watcher // the users' Follow and Unfollow
	accounts []*account
	procs    []*proc
	cons     *consumer
	trace    []traceEntry
	faults   int
	requests int
	viols    []Violation
	broken   map[string]bool
	faulty   bool // the faulty part of the run; false while it settles
	aborted  bool
}

// Run runs the world seed makes, and reports what it saw.
func Run(seed int64, cfg Config) (rep Report) {
	if cfg.Steps <= 0 {
		cfg.Steps = 400
	}
	if cfg.Processes <= 0 {
		cfg.Processes = 3
	}
	if cfg.Faults == 0 {
		cfg.Faults = 1
	}
	w := &world{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), clock: epoch, broken: map[string]bool{}, faulty: true}
	w.cons = newConsumer(w)
	defer func() {
		rep = Report{Seed: seed, Faults: w.faults, Requests: w.requests, Delivered: w.cons.delivered, Violations: w.viols}
		if len(w.viols) > 0 || cfg.Trace {
			rep.Trace = w.lines()
		}
	}()
	store, closeStore := watch.Store(nil), func() error { return nil }
	if cfg.Store != nil {
		var err error
		if store, closeStore, err = cfg.Store(w.now); err != nil {
			w.violate(6, "store", "the store does not open: %v", err)
			return
		}
	} else {
		store = watch.NewMemoryStore()
	}
	defer func() {
		if err := closeStore(); err != nil {
			w.violate(6, "store", "the store does not close: %v", err)
		}
	}()
	w.store = store
	w.front = watch.New(watch.Options{Store: store, Clock: &clock{p: &proc{w: w}}, Owner: "front"})
	for _, p := range status.Providers() {
		w.accounts = append(w.accounts, w.newAccount(p, 2+w.rng.IntN(4)))
	}
	for i := range cfg.Processes {
		w.procs = append(w.procs, &proc{w: w, n: i})
		w.procs[i].start()
	}
	for _, a := range w.accounts {
		w.follow(a, a.refs...)
	}
	defer w.stopAll()
	for w.step = 0; w.step < cfg.Steps && !w.aborted; w.step++ {
		w.act()
	}
	w.settle()
	if !w.aborted {
		w.cons.checkEnd()
	}
	return
}

func (w *world) now() time.Time { return w.clock }

// ago names a virtual time as the time since the run's start.
func (w *world) ago(t time.Time) string { return "t+" + t.Sub(epoch).String() }

// traceEntry is one line of the trace, written out only when asked for.
type traceEntry struct {
	step   int
	clock  time.Time
	format string
	args   []any
}

func (w *world) logf(format string, args ...any) {
	w.trace = append(w.trace, traceEntry{w.step, w.clock, format, args})
}

// lines writes the trace out.
func (w *world) lines() []string {
	out := make([]string, len(w.trace))
	for i, e := range w.trace {
		out[i] = fmt.Sprintf("%4d %-14s %s", e.step, w.ago(e.clock), fmt.Sprintf(e.format, e.args...))
	}
	return out
}

// violate records invariant n broken, once per kind of violation.
func (w *world) violate(n int, kind, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	w.logf("VIOLATION of invariant %d (%s): %s", n, kind, text)
	if w.broken[kind] {
		return
	}
	w.broken[kind] = true
	w.viols = append(w.viols, Violation{Invariant: n, Kind: kind, Step: w.step, Text: text})
}

// chance reports true with probability p, scaled by the faults asked for.
func (w *world) chance(p float64) bool {
	if !w.faulty || w.cfg.Faults < 0 {
		return false
	}
	return w.rng.Float64() < p*w.cfg.Faults
}

// latency is how long a request takes: mostly a moment, now and then a
// slow batch (more than half a lease, less than one) or a 429's pause.
func (w *world) latency() time.Duration {
	switch {
	case w.chance(0.08):
		w.faults++
		return claimFor/2 + time.Duration(w.rng.Int64N(int64(claimFor/2)))
	case w.chance(0.04):
		w.faults++
		return 3 * time.Second // a 429's Retry-After
	}
	return time.Duration(50+w.rng.IntN(200)) * time.Millisecond
}

// lagging returns how far behind the truth an answer is: mostly not at
// all, now and then by up to two minutes (a replica behind).
func (w *world) lagging() time.Duration {
	if w.chance(0.1) {
		w.faults++
		return time.Duration(1+w.rng.IntN(120)) * time.Second
	}
	return 0
}

// act takes one step of the world: a process goes on, or something
// happens to the world, its processes or its users.
func (w *world) act() {
	type choice struct {
		weight float64
		do     func()
	}
	var choices []choice
	add := func(weight float64, do func()) {
		if weight > 0 {
			choices = append(choices, choice{weight, do})
		}
	}
	for _, p := range w.procs {
		switch {
		case p.th != nil && !p.th.wake.After(w.clock):
			add(6, func() { p.resume(w.crashHere(p)) })
		case p.th == nil && p.alive:
			add(2, func() { p.poll(w.accounts[w.rng.IntN(len(w.accounts))]) })
			add(0.3, func() { w.push(p) })
			add(0.05, func() { p.close() })
		case !p.alive:
			add(0.5, p.start)
		}
		if p.th != nil && w.faulty && w.cfg.Faults > 0 {
			add(0.05*w.cfg.Faults, func() { w.stall(p) })
		}
	}
	// Time passes while every process waits (for an answer, a consumer,
	// a stall): a process that can go on runs first.
	if !slices.ContainsFunc(w.procs, func(p *proc) bool { return p.th != nil && !p.th.wake.After(w.clock) }) {
		add(1.5, w.advance)
	}
	add(1, w.moveSomething)
	if w.faulty && w.cfg.Faults > 0 {
		add(0.1*w.cfg.Faults, w.outage)
		add(0.2*w.cfg.Faults, w.failRef)
	}
	add(0.15, w.userActs)
	total := 0.0
	for _, c := range choices {
		total += c.weight
	}
	x := w.rng.Float64() * total
	for _, c := range choices {
		if x < c.weight {
			c.do()
			return
		}
		x -= c.weight
	}
}

// crashHere decides whether p crashes at the yield point it is stopped at.
func (w *world) crashHere(p *proc) bool {
	if w.chance(0.015) {
		w.faults++
		return true
	}
	return false
}

// stall stops p where it is for longer than its leases (a SIGSTOP, a
// pause of the whole machine): it goes on from there later.
func (w *world) stall(p *proc) {
	d := claimFor + time.Duration(w.rng.Int64N(int64(2*claimFor)))
	p.th.wake = maxTime(p.th.wake, w.clock.Add(d))
	p.stalledUntil = p.th.wake
	w.faults++
	if p.inflight != "" {
		// Its consumer has the change, and its acknowledgement waits: to
		// the others, it is a process that died delivering it.
		w.cons.mayRepeat[p.inflight]++
	}
	w.logf("%s stalls at %q until %s", p.owner, p.th.what, w.ago(p.th.wake))
}

// advance moves the clock: to the next process's wake time, or by a few
// seconds.
func (w *world) advance() {
	next := w.clock.Add(time.Duration(1+w.rng.IntN(15)) * time.Second)
	for _, p := range w.procs {
		if p.th != nil && p.th.wake.After(w.clock) && p.th.wake.Before(next) {
			next = p.th.wake
		}
		// A process that is not stalled has its timers fire on time (a
		// lease renewed while its request is out).
		if p.stalledUntil.After(w.clock) {
			continue
		}
		for _, t := range p.timers {
			if !t.stopped && t.at.After(w.clock) && t.at.Before(next) {
				next = t.at
			}
		}
	}
	w.clock = next
	for _, p := range w.procs {
		if !p.stalledUntil.After(w.clock) {
			p.fire()
		}
	}
}

// moveSomething moves one order of one account on a step.
func (w *world) moveSomething() {
	a := w.accounts[w.rng.IntN(len(w.accounts))]
	o := a.orders[a.refs[w.rng.IntN(len(a.refs))]]
	s := o.subs[w.rng.IntN(len(o.subs))]
	if what, ok := w.move(a, o, s); ok {
		w.logf("truth: %s", what)
	}
}

// outage makes every request of one account fail for a while.
func (w *world) outage() {
	a := w.accounts[w.rng.IntN(len(w.accounts))]
	a.outages = append(a.outages, w.down(a.id.String()))
}

// failRef makes one ref's lookup fail for a while.
func (w *world) failRef() {
	a := w.accounts[w.rng.IntN(len(w.accounts))]
	o := a.orders[a.refs[w.rng.IntN(len(a.refs))]]
	o.failures = append(o.failures, w.down(o.ref))
}

// down is a failure of what, from now for half a minute to four and a
// half.
func (w *world) down(what string) window {
	win := window{from: w.clock, to: w.clock.Add(time.Duration(30+w.rng.IntN(240)) * time.Second)}
	w.faults++
	w.logf("truth: %s fails until %s", what, w.ago(win.to))
	return win
}

// userActs: a user unfollows a ref, or follows one again.
func (w *world) userActs() {
	a := w.accounts[w.rng.IntN(len(w.accounts))]
	ref := a.refs[w.rng.IntN(len(a.refs))]
	if w.cons.following(a, ref) {
		w.unfollow(a, ref)
		return
	}
	w.follow(a, ref)
}

func (w *world) follow(a *account, refs ...string) {
	if err := w.front.Follow(context.Background(), a.id, refs...); err != nil {
		w.violate(6, "store", "follow %s %v: %v", a.id, refs, err)
		return
	}
	for _, ref := range refs {
		w.cons.followed(a, ref)
	}
	w.logf("user follows %s %s", a.id, strings.Join(refs, " "))
}

func (w *world) unfollow(a *account, ref string) {
	if err := w.front.Unfollow(context.Background(), a.id, ref); err != nil {
		w.violate(6, "store", "unfollow %s %s: %v", a.id, ref, err)
		return
	}
	w.cons.unfollowed(a, ref)
	w.logf("user unfollows %s %s", a.id, ref)
}

// push has p take a reseller notification: a sub-order's logistics as
// they are, or as they were (late), sometimes twice.
func (w *world) push(p *proc) {
	var a *account
	for _, x := range w.accounts {
		if x.id.Provider == status.Reseller {
			a = x
		}
	}
	o := a.orders[a.refs[w.rng.IntN(len(a.refs))]]
	s := o.subs[w.rng.IntN(len(o.subs))]
	v := s.now()
	late := false
	if len(s.versions) > 1 && w.chance(0.3) {
		v = s.versions[w.rng.IntN(len(s.versions)-1)] // an older notice, retried late
		late = true
		w.faults++
	}
	if v.trackingNo == "" {
		return // the platform notifies of logistics only
	}
	// A notification speaks of one express: no sub-order number.
	snap := status.Snapshot{Provider: a.id.Provider, Ref: o.ref, TrackingNo: v.trackingNo, Carrier: v.carrier, UpdatedAt: v.at.UTC(),
		Events: slices.Clone(v.events)}
	times := 1
	if w.chance(0.2) {
		times = 2
		w.faults++
	}
	w.logf("%s takes a push for %s %s (late %v, %d times)", p.owner, o.ref, v.trackingNo, late, times)
	p.run("push "+o.ref, func() {
		for range times {
			if err := p.watcher.Push(context.Background(), a.id, snap); err != nil {
				p.w.logf("%s push: %v", p.owner, err)
			}
		}
	})
}

// settle ends the faults and lets the world come to rest: every process
// alive, every outage and failure over, every ref polled until nothing is
// left to say.
func (w *world) settle() {
	w.faulty = false
	w.logf("settling")
	for _, p := range w.procs {
		w.finish(p)
		if !p.alive {
			p.start()
		}
	}
	end := w.clock
	for _, a := range w.accounts {
		for _, win := range a.outages {
			end = maxTime(end, win.to)
		}
		for _, o := range a.orders {
			for _, win := range o.failures {
				end = maxTime(end, win.to)
			}
		}
	}
	w.clock = end.Add(claimFor * 4) // every lease of a process gone has ended
	for round := 0; round < 6 && !w.aborted; round++ {
		w.clock = w.clock.Add(interval + claimFor)
		for _, a := range w.accounts {
			p := w.procs[(round+len(a.refs))%len(w.procs)]
			p.poll(a)
			w.finish(p)
		}
	}
}

// finish runs p's thread to its end, its sleeps passing at once; a thread
// that yields on and on without ending (a livelock) breaks invariant 6.
func (w *world) finish(p *proc) {
	for n := 0; p.th != nil && !w.aborted; n++ {
		if n > 100000 {
			w.violate(6, "livelock", "%s yields %d times after the faults end, at %q, and never ends", p.owner, n, p.th.what)
			w.aborted = true
			return
		}
		if p.th.wake.After(w.clock) {
			w.clock = p.th.wake
		}
		p.resume(false)
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// stopAll ends every process's goroutine.
func (w *world) stopAll() {
	for _, p := range w.procs {
		if p.th != nil {
			p.kill()
		}
		p.closeStore()
	}
}
