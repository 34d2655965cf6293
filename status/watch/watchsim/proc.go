package watchsim

import (
	"context"
	"fmt"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// proc is one Watcher process. It runs at most one thread at a time: a
// pass (Poll) or a push.
type proc struct {
	w        *world
	n        int
	starts   int
	alive    bool
	owner    string
	watcher  *watch.Watcher
	trackers map[*account]watch.TrackerID
	th       *thread
	// inflight is the change it delivered and has not acknowledged yet.
	inflight string
	// timers are its Watcher's timers (its Clock's AfterFunc), fired in
	// virtual time when the process runs next; inTimer says one is firing.
	timers  []*simTimer
	inTimer bool
	// stalledUntil is when its last stall ends.
	stalledUntil time.Time
	// store is the Store its Watcher uses: the world's, or its own
	// (Config.ProcessStore), closed by closer when it dies.
	store  watch.Store
	closer func() error
}

// closeStore closes p's own Store, if it has one open: what it kept in
// memory is gone, as a process's is when it dies.
func (p *proc) closeStore() {
	if p.closer == nil {
		return
	}
	if err := p.closer(); err != nil {
		p.w.violate(6, "store", "%s's store does not close: %v", p.owner, err)
	}
	p.closer = nil
}

// simTimer is one AfterFunc of a process's Watcher.
type simTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

// clock is a process's Watcher's Clock: the world's virtual time, and
// timers that fire when the process runs after their time (a process
// stalled fires them when it wakes, as one stopped by SIGSTOP does; one
// that crashed, never).
type clock struct{ p *proc }

// Now implements watch.Clock.
func (c clock) Now() time.Time { return c.p.w.now() }

// AfterFunc implements watch.Clock.
func (c clock) AfterFunc(d time.Duration, f func()) func() bool {
	t := &simTimer{at: c.p.w.clock.Add(d), f: f}
	c.p.timers = append(c.p.timers, t)
	return func() bool {
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// fire runs p's timers that are due, in time order, each once, on the
// world's goroutine: a Store call from one goes straight to the Store
// (no yield point: it is the process's other thread).
func (p *proc) fire() {
	for {
		var next *simTimer
		for _, t := range p.timers {
			if !t.stopped && !t.at.After(p.w.clock) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			break
		}
		next.stopped = true
		p.inTimer = true
		next.f()
		p.inTimer = false
	}
	live := p.timers[:0]
	for _, t := range p.timers {
		if !t.stopped {
			live = append(live, t)
		}
	}
	p.timers = live
}

// thread is the goroutine running a process's call. It runs only between
// resume and its next yield: one goroutine of the world runs at a time.
type thread struct {
	what   string    // the yield point it is stopped at
	wake   time.Time // not resumed before
	resume chan bool // true: crash here
	events chan any  // yieldMsg or threadEnd
}

type yieldMsg struct {
	what string
	wake time.Time
}

type threadEnd struct {
	crashed bool
	panic   any
}

// crash is what a yield point panics with when its process crashes there.
type crash struct{}

// consumerPanic is what a consumer panics with.
type consumerPanic struct{ id string }

// start starts p (again): a new Watcher, a new owner, on the Store.
func (p *proc) start() {
	p.starts++
	p.alive = true
	p.inflight = ""
	p.owner = fmt.Sprintf("p%d.%d", p.n, p.starts)
	p.timers = nil
	p.store = p.w.store
	if open := p.w.cfg.ProcessStore; open != nil {
		p.closeStore() // the one of its life before a crash
		s, closer, err := open()
		if err != nil {
			p.w.violate(6, "store", "%s's store does not open: %v", p.owner, err)
		} else {
			p.store, p.closer = s, closer
		}
	}
	p.watcher = watch.New(watch.Options{Store: &store{p: p, s: p.store}, Clock: clock{p}, Owner: p.owner, Batch: batch,
		ClaimFor: claimFor, Schedule: watch.Every{Interval: interval, Linger: 1000 * time.Hour}})
	p.trackers = map[*account]watch.TrackerID{}
	for _, a := range p.w.accounts {
		id, err := p.watcher.Add(&tracker{w: p.w, a: a, p: p}, a.id.Account)
		if err != nil {
			p.w.violate(6, "harness", "%s adds %s: %v", p.owner, a.id, err)
		}
		p.trackers[a] = id
	}
	p.w.logf("%s starts", p.owner)
}

// poll has p make a pass over a's due refs, delivering each change to the
// consumer.
func (p *proc) poll(a *account) {
	p.run("poll "+a.id.String(), func() {
		err := p.watcher.Poll(context.Background(), p.trackers[a], func(c status.Change) { p.w.cons.deliver(p, c) })
		if err != nil {
			p.w.logf("%s poll %s: %v", p.owner, a.id, err)
		}
	})
}

// close has p's Watcher give up its tracker leases (Watcher.Close), as a
// process driven by Poll does when it winds down; it polls again later.
func (p *proc) close() {
	p.run("close", func() {
		if err := p.watcher.Close(context.Background()); err != nil {
			p.w.logf("%s close: %v", p.owner, err)
		}
	})
}

// run starts a thread for f and runs it to its first yield point.
func (p *proc) run(what string, f func()) {
	th := &thread{what: what, wake: p.w.clock, resume: make(chan bool), events: make(chan any)}
	p.th = th
	go func() {
		defer func() {
			r := recover()
			end := threadEnd{}
			switch r.(type) {
			case nil:
			case crash:
				end.crashed = true
			default:
				end.panic = r
			}
			th.events <- end
		}()
		if <-th.resume {
			panic(crash{})
		}
		f()
	}()
	p.resume(false)
}

// yield stops the thread at a yield point named what, for sleep of virtual
// time at least, and hands the world back to its scheduler; it panics with
// crash if the process crashes there.
func (p *proc) yield(what string, sleep time.Duration) {
	th := p.th
	th.events <- yieldMsg{what: what, wake: p.w.clock.Add(sleep)}
	if <-th.resume {
		panic(crash{})
	}
}

// hang is how long a thread may run without reaching a yield point before
// the world calls it hung: real time, far beyond any step's work.
const hang = 30 * time.Second

// resume lets p's thread run to its next yield point or its end; with
// crash, the process dies where it stands.
func (p *proc) resume(crashNow bool) {
	th := p.th
	if crashNow {
		p.w.logf("%s crashes at %q", p.owner, th.what)
	} else {
		p.fire()
	}
	th.resume <- crashNow
	timer := time.NewTimer(hang)
	defer timer.Stop()
	select {
	case m := <-th.events:
		switch m := m.(type) {
		case yieldMsg:
			th.what, th.wake = m.what, m.wake
			p.w.logf("%s at %s", p.owner, m.what)
		case threadEnd:
			p.th = nil
			switch {
			case m.crashed:
				p.die()
			case m.panic != nil:
				if cp, ok := m.panic.(consumerPanic); ok {
					p.w.logf("%s: the consumer panicked on %s; the panic reached Poll's caller", p.owner, cp.id)
					return
				}
				p.w.violate(6, "panic", "%s panicked: %v", p.owner, m.panic)
			}
		}
	case <-timer.C:
		p.w.violate(6, "hang", "%s hangs after %q: no yield point within %v", p.owner, th.what, hang)
		p.w.aborted = true
	}
}

// die ends the process: what it had in memory is gone; the change it was
// delivering may come again, once.
func (p *proc) die() {
	p.alive = false
	p.timers = nil
	if p.inflight != "" {
		p.w.cons.mayRepeat[p.inflight]++
		p.inflight = ""
	}
	p.w.logf("%s is dead", p.owner)
}

// kill ends p's thread at the end of a run.
func (p *proc) kill() {
	for p.th != nil && !p.w.aborted {
		p.resume(true)
	}
}

// store is the Store as one process reaches it: every call is a yield
// point before and after, where the process may crash or stall.
type store struct {
	p *proc
	s watch.Store
}

// around is a Store call between two yield points.
func (s *store) around(what string, t watch.TrackerID, call func()) {
	if s.p.inTimer {
		s.p.w.logf("%s timer: %s %s", s.p.owner, what, t)
		call()
		return
	}
	s.p.yield("before "+what+" "+t.String(), 0)
	call()
	s.p.yield("after "+what+" "+t.String(), 0)
}

// virtual drops ctx's deadline: a Watcher's real-time timeouts (its
// acknowledgement's, its release's) mean nothing on the virtual clock,
// where a process waits at a yield point for as long as the world runs,
// and would make a run depend on the machine's speed.
func virtual(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func (s *store) Follow(ctx context.Context, t watch.TrackerID, due time.Time, refs ...string) (n int, err error) {
	s.around("Follow", t, func() { n, err = s.s.Follow(virtual(ctx), t, due, refs...) })
	return
}

func (s *store) Unfollow(ctx context.Context, t watch.TrackerID, now time.Time, refs ...string) (n int, err error) {
	s.around("Unfollow", t, func() { n, err = s.s.Unfollow(virtual(ctx), t, now, refs...) })
	return
}

func (s *store) Claim(ctx context.Context, t watch.TrackerID, now, until time.Time, limit int) (c []watch.Claim, err error) {
	s.around("Claim", t, func() { c, err = s.s.Claim(virtual(ctx), t, now, until, limit) })
	return
}

func (s *store) ClaimRef(ctx context.Context, t watch.TrackerID, ref string, until time.Time) (c watch.Claim, ok bool, err error) {
	s.around("ClaimRef", t, func() { c, ok, err = s.s.ClaimRef(virtual(ctx), t, ref, until) })
	return
}

func (s *store) Save(ctx context.Context, t watch.TrackerID, results []watch.Result) (err error) {
	s.around("Save", t, func() {
		err = s.s.Save(virtual(ctx), t, results)
		s.p.w.cons.saved(s.p, t, results, err)
	})
	return
}

func (s *store) SaveOutage(ctx context.Context, t watch.TrackerID, gen int64, o watch.Outage, changes []status.Change) (err error) {
	s.around("SaveOutage", t, func() {
		err = s.s.SaveOutage(virtual(ctx), t, gen, o, changes)
		if err == nil {
			s.p.w.cons.savedChanges(changes)
		}
	})
	return
}

func (s *store) Pending(ctx context.Context, t watch.TrackerID, limit int) (c []status.Change, err error) {
	s.around("Pending", t, func() { c, err = s.s.Pending(virtual(ctx), t, limit) })
	return
}

func (s *store) Ack(ctx context.Context, t watch.TrackerID, ids ...string) (err error) {
	s.around("Ack", t, func() {
		err = s.s.Ack(virtual(ctx), t, ids...)
		if err == nil {
			for _, id := range ids {
				if id == s.p.inflight {
					s.p.inflight = ""
				}
			}
		}
	})
	return
}

func (s *store) Lease(ctx context.Context, t watch.TrackerID, owner string, now, until time.Time) (l watch.TrackerLease, ok bool, err error) {
	s.around("Lease", t, func() {
		l, ok, err = s.s.Lease(virtual(ctx), t, owner, now, until)
		if a := s.p.w.account(t); a != nil && err == nil && ok {
			a.holder, a.holderUntil = owner, until
		}
	})
	return
}

func (s *store) Release(ctx context.Context, t watch.TrackerID, owner string) (err error) {
	s.around("Release", t, func() {
		err = s.s.Release(virtual(ctx), t, owner)
		if a := s.p.w.account(t); a != nil && err == nil && a.holder == owner {
			a.holder = ""
		}
	})
	return
}

func (s *store) Get(ctx context.Context, t watch.TrackerID, ref string) (f watch.Followed, ok bool, err error) {
	s.around("Get", t, func() { f, ok, err = s.s.Get(virtual(ctx), t, ref) })
	return
}

func (s *store) Stats(ctx context.Context, t watch.TrackerID, now time.Time) (st watch.Stats, err error) {
	s.around("Stats", t, func() { st, err = s.s.Stats(virtual(ctx), t, now) })
	return
}
