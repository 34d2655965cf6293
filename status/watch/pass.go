package watch

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/internal/lease"
	"github.com/ordertrack/ordertrack/status"
)

// One pass over a tracker's due refs, top to bottom: lease the tracker
// and deliver what its outbox holds; then, a batch at a time, claim the
// due refs, ask the provider, merge each answer into what is known of its
// ref (baseline.go), decide the account's outage, save, and deliver.

// pass is Poll with a sender; nil polls only.
func (w *Watcher) pass(ctx context.Context, tr *tracked, send sender) error {
	select {
	case tr.pass <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-tr.pass }()
	err := w.passLocked(ctx, tr, send)
	if errors.Is(err, errLeaseEnded) {
		return nil // the next pass asks for the lease again
	}
	return err
}

func (w *Watcher) passLocked(ctx context.Context, tr *tracked, send sender) (err error) {
	// Lease the tracker: one process drives it at a time.
	now := w.now()
	lease, ok, err := w.store.Lease(ctx, tr.id, w.owner, now, now.Add(w.claimFor))
	if err != nil {
		return w.storeFailed(ctx, tr, err)
	}
	w.mu.Lock()
	tr.health.Holder = lease.Owner
	tr.health.StoreFailing = false
	if !ok {
		tr.health.LeaseRefused++
	}
	w.mu.Unlock()
	if !ok || !w.now().Before(now.Add(w.claimFor)) {
		return nil // another process drives this tracker (or the call outlasted the lease)
	}
	tr.hold(now.Add(w.claimFor), lease.Gen)
	tr.outage = lease.Outage
	leased, start := now, now
	var log passLog
	started := leased
	// endBatch ends the batch under way for the Observer; nil between
	// batches.
	var endBatch func(BatchEnd)
	defer func() {
		if endBatch != nil {
			e := BatchEnd{Err: err}
			if err == nil {
				e.Err = errLeaseEnded // the pass gave the tracker up mid-batch
			}
			endBatch(e)
		}
		w.logPass(ctx, tr, &log)
		if w.onPass != nil || w.observer != nil {
			var perr error
			if err != nil && !errors.Is(err, errLeaseEnded) {
				perr = err
			}
			p := Pass{Tracker: tr.id, Refs: log.refs, Answered: log.answered, Failing: log.failing, Changes: log.changes,
				Unfollowed: log.unfollowed, Started: started, Ended: w.now(), Err: perr}
			if w.observer != nil {
				w.observer.EndPass(ctx, p)
			}
			if w.onPass != nil {
				w.onPass(p)
			}
		}
	}()
	// Deliver what an earlier pass (or a push) left in the outbox.
	if send != nil {
		if err := w.drain(ctx, tr, send); err != nil {
			return err
		}
	}
	for {
		now := w.now()
		if now.Sub(leased) > w.claimFor/2 {
			if ok, err := w.renew(ctx, tr); err != nil {
				return w.storeFailed(ctx, tr, err)
			} else if !ok {
				w.count(tr, &tr.health.LeaseLost, 1)
				return nil // another process held it meanwhile
			}
			leased = tr.until().Add(-w.claimFor)
		}

		// Claim: a pass claims what was due when it started, so a ref it
		// polls is not polled again before the next pass.
		claims, err := w.store.Claim(ctx, tr.id, start, now.Add(w.claimFor), w.batch)
		if err != nil {
			return w.storeFailed(ctx, tr, err)
		}
		if len(claims) == 0 {
			w.mu.Lock()
			tr.health.StoreFailing = false
			tr.health.LastPass = w.now()
			w.mu.Unlock()
			return nil
		}

		// Ask, under the lease: the batch's requests stop when the lease
		// ends, and it is renewed while they run.
		var answers map[string][]status.Snapshot
		var refused map[string]error
		var bctx context.Context
		bctx, endBatch = w.startBatch(ctx, tr, len(claims))
		until, held := func() (time.Time, bool) {
			bctx, done := w.underLease(bctx, tr)
			defer done() // a panic in the Tracker stops the timers too
			answers, refused = w.ask(bctx, tr, claims)
			return done()
		}()
		if held {
			tr.extend(until)
			leased = until.Add(-w.claimFor)
		} else if ctx.Err() == nil {
			w.count(tr, &tr.health.LeaseLost, 1)
			return errLeaseEnded // another process may drive the tracker now
		}
		if ctx.Err() != nil {
			// Stopped mid-batch: give the claims back as they were, due now,
			// so that the next Watcher need not wait for their lease.
			back := make([]Result, len(claims))
			for i, c := range claims {
				c.Decode()
				back[i] = Result{Ref: c.Ref, Gen: c.Gen, Seen: c.Seen, Snapshots: c.Snapshots, Same: c.Raw != nil, State: c.State, Due: now}
			}
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = w.store.Save(sctx, tr.id, back)
			cancel()
			return ctx.Err()
		}
		if !w.now().Before(tr.until()) {
			// The batch outlived the lease (a stall, a slow provider): the
			// tracker may be another process's now, and what this batch
			// saw is old. Its claims go back; the next pass asks again.
			return errLeaseEnded
		}

		// Merge, and decide the account's outage.
		b := w.merge(tr, claims, answers, refused, now)
		log.add(b)

		// Save: the outage first, so that its change comes before the
		// refs', while this process still holds the lease it read it
		// under; then the refs, each fenced by its claim.
		if !sameOutage(tr.outage, b.outage) {
			var said []status.Change
			if b.said != nil {
				said = []status.Change{*b.said}
			}
			if err := w.store.SaveOutage(ctx, tr.id, tr.gen(), b.outage, said); err != nil {
				if errors.Is(err, ErrLeaseLost) {
					// Another process drives the tracker now: the claims go
					// back when their lease ends.
					return nil
				}
				return w.storeFailed(ctx, tr, err)
			}
			tr.outage = b.outage
		}
		var lost *LeaseLostError
		if err := w.store.Save(ctx, tr.id, b.results); err != nil {
			if !errors.As(err, &lost) {
				return w.storeFailed(ctx, tr, err)
			}
			w.count(tr, &tr.health.ClaimsLost, len(lost.Refs))
			if w.log != nil {
				// Info: fencing at work (another process's claim, a push's, or
				// an Unfollow meanwhile), counted in Health.ClaimsLost.
				w.log.LogAttrs(ctx, slog.LevelInfo, "ordertrack: watch claims lost", slog.String("tracker", tr.id.String()),
					slog.Int("refs", len(lost.Refs)), slog.String("error", err.Error()))
			}
		}
		if b.changes > 0 {
			w.wakeConsumers() // Consume, at once
		}
		if endBatch != nil {
			var refused []string
			if lost != nil {
				refused = lost.Refs
			}
			endBatch(b.end(refused))
			endBatch = nil
		}
		w.mu.Lock()
		switch {
		case b.asked == 0:
		case b.answered == 0:
			tr.failures++
			if tr.health.FailingSince.IsZero() {
				tr.health.FailingSince = now
			}
		default:
			tr.failures = 0
			tr.health.FailingSince = time.Time{}
			tr.health.LastSuccess = now
		}
		w.mu.Unlock()

		// Deliver, from the outbox, in its order: changes saved before this
		// batch's (a push's, or a pass's that died before delivering) come
		// first, so a ref's news never comes after its Unfollowed. A
		// refused result's changes were never saved.
		if send != nil {
			if err := w.drain(ctx, tr, send); err != nil {
				return err
			}
		} else {
			tr.wakeDeliveries() // Run's deliveries, beside this pass
		}
	}
}

// count adds n to one of tr's Health counts.
func (w *Watcher) count(tr *tracked, c *int, n int) {
	w.mu.Lock()
	*c += n
	w.mu.Unlock()
}

// renew renews tr's lease, and reports whether this Watcher still holds
// it: the same lease (no other process held it between), and the call
// answered before the lease it asked for would have ended. As far as this
// Watcher knows, the lease lasts ClaimFor from before the call: the Store
// (on its own clock) gave it no earlier.
func (w *Watcher) renew(ctx context.Context, tr *tracked) (bool, error) {
	now := w.now()
	l, ok, err := w.store.Lease(ctx, tr.id, w.owner, now, now.Add(w.claimFor))
	if err != nil || !ok || l.Gen != tr.gen() {
		return false, err
	}
	until := now.Add(w.claimFor)
	if !w.now().Before(until) {
		return false, nil // a pause in the call outlasted the lease
	}
	tr.extend(until)
	return true, nil
}

// underLease returns a context for work done under tr's lease (one
// batch's requests, one delivery) that ends while a third of the lease,
// as far as this Watcher knows, is still left: a request starts with time
// to finish inside the lease, and a timer that fires late (a loaded
// machine, a process resumed after SIGSTOP) still fires before the
// Store's lease ends. The lease is renewed a third of the way into it,
// and each third after, for as long as the work runs. done stops the
// timers, waits for a renewal in flight, and reports until when the lease
// is held, or false when it ended or another process took it; it may be
// called more than once.
func (w *Watcher) underLease(ctx context.Context, tr *tracked) (lctx context.Context, done func() (until time.Time, held bool)) {
	margin := w.claimFor / 3
	if now := w.now(); now.Before(tr.until()) && !now.Before(tr.until().Add(-2*margin)) {
		// A third of the lease gone: renew it now, so that the work starts
		// with the whole of it (and a fast one needs no renewal of its own).
		_, _ = w.renew(ctx, tr)
	}
	lctx, cancel := context.WithCancelCause(ctx)
	var (
		mu              sync.Mutex
		renewing        sync.WaitGroup
		until           = tr.until()
		held, finished  = true, false
		stopEnd, stopRe = func() bool { return false }, func() bool { return false }
	)
	end := func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			held = false
			cancel(errLeaseEnded)
		}
	}
	var renew func()
	renew = func() {
		mu.Lock()
		if finished || !held || ctx.Err() != nil {
			mu.Unlock()
			return
		}
		renewing.Add(1)
		mu.Unlock()
		defer renewing.Done()
		now := w.now()
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), margin)
		l, ok, err := w.store.Lease(sctx, tr.id, w.owner, now, now.Add(w.claimFor))
		scancel()
		mu.Lock()
		defer mu.Unlock()
		switch {
		case finished || !held:
			return
		case err != nil:
			// The Store did not answer: the lease ends when it was to,
			// unless the next try renews it.
		case !ok || l.Gen != tr.gen():
			held = false
			cancel(errLeaseEnded)
			return
		default:
			until = now.Add(w.claimFor)
			stopEnd()
			stopEnd = w.clock.AfterFunc(until.Add(-margin).Sub(w.now()), end)
		}
		stopRe = w.clock.AfterFunc(margin, renew)
	}
	finish := func() (time.Time, bool) {
		mu.Lock()
		finished = true
		stopEnd()
		stopRe()
		mu.Unlock()
		renewing.Wait() // a renewal in flight lands (or not) before the caller goes on
		cancel(nil)
		mu.Lock()
		defer mu.Unlock()
		return until, held && w.now().Before(until.Add(-margin))
	}
	if !w.now().Before(until.Add(-margin)) {
		// Ended (as far as work under it goes) before the work began: a
		// stall since the lease was last seen.
		mu.Lock()
		held = false
		mu.Unlock()
		cancel(errLeaseEnded)
		return lctx, finish
	}
	mu.Lock()
	stopEnd = w.clock.AfterFunc(until.Add(-margin).Sub(w.now()), end)
	stopRe = w.clock.AfterFunc(max(until.Sub(w.now())-2*margin, 0), renew)
	mu.Unlock()
	// The end's timer fires late in a process resumed from a stop: each
	// request asks the clock itself before it leaves (internal/lease).
	lctx = lease.With(lctx, func() error {
		mu.Lock()
		defer mu.Unlock()
		if finished || held && w.now().Before(until.Add(-margin)) {
			return nil
		}
		return errLeaseEnded
	})
	return lctx, finish
}

// errNoAnswer is a ref's failure when its Tracker gave no snapshot for it.
var errNoAnswer = errors.New("watch: the tracker gave no snapshot for this ref")

// ask tracks the claimed refs that are not stopping in one call, and
// returns the snapshots of each ref; refused holds the refs the provider
// can never take (refused before anything was sent), with why. A call
// refused whole is asked again one ref at a time, to find which.
func (w *Watcher) ask(ctx context.Context, tr *tracked, claims []Claim) (answers map[string][]status.Snapshot, refused map[string]error) {
	var refs []string
	for _, c := range claims {
		if !c.Stopping {
			refs = append(refs, c.Ref)
		}
	}
	answers = map[string][]status.Snapshot{}
	if len(refs) == 0 {
		return answers, nil
	}
	snaps, err := tr.t.Track(ctx, refs...)
	switch {
	case errors.Is(err, status.ErrInvalidRequest):
		snaps = nil
		for _, r := range refs {
			one, err := tr.t.Track(ctx, r)
			switch {
			case errors.Is(err, status.ErrInvalidRequest):
				if refused == nil {
					refused = map[string]error{}
				}
				refused[r] = err
				continue
			case err != nil:
				one = []status.Snapshot{status.Failed(tr.id.Provider, r, err)}
			}
			snaps = append(snaps, one...)
		}
	case err != nil:
		// Another Tracker's error for the whole call: each ref failed.
		snaps = make([]status.Snapshot, len(refs))
		for i, r := range refs {
			snaps[i] = status.Failed(tr.id.Provider, r, err)
		}
	}
	for _, s := range snaps {
		answers[s.Ref] = append(answers[s.Ref], s)
	}
	return answers, refused
}

// batch is what one batch's answers make: each claim's result, the
// account's outage state after it and the change that says it, if any,
// and counts for the pass's log line.
type batch struct {
	results []Result
	outage  Outage
	said    *status.Change
	// asked counts the refs asked (not stopping, not refused); answered
	// those that answered; changes the changes made; unfollowed the refs
	// stopped.
	asked, answered, changes, unfollowed int
}

// merge takes one batch's answers into what is known of each claimed
// ref, and decides the account's outage (see OutageRefs). Every result's
// Due is after now, so that no ref is polled twice in a pass.
func (w *Watcher) merge(tr *tracked, claims []Claim, answers map[string][]status.Snapshot, refused map[string]error, now time.Time) batch {
	b := batch{results: make([]Result, 0, len(claims))}
	asked := make([]string, 0, len(claims))
	for _, c := range claims {
		if !c.Stopping && refused[c.Ref] == nil {
			asked = append(asked, c.Ref)
			if slices.ContainsFunc(answers[c.Ref], isAnswer) {
				b.answered++
			}
		}
	}
	b.asked = len(asked)

	// The account's outage, decided from what the Store keeps of it, so
	// that whoever drives it next goes on from there.
	o := tr.outage
	o.Refs = slices.Clone(o.Refs)
	switch {
	case b.asked == 0:
		// Each ref stopping or refused: nothing said of the account.
	case b.answered > 0:
		if o.Failing {
			c := w.stampTracker(tr.id, now, o.Count, status.Change{Kind: status.Recovered, Provider: tr.id.Provider, Why: "tracker"})
			b.said = &c
		}
		o.Failing, o.Since, o.Refs = false, time.Time{}, nil
	default:
		if o.Since.IsZero() {
			o.Since = now
		}
		for _, r := range asked {
			if len(o.Refs) < OutageRefs && !slices.Contains(o.Refs, r) {
				o.Refs = append(o.Refs, r)
			}
		}
		if !o.Failing && len(o.Refs) >= OutageRefs && now.Sub(o.Since) >= OutageAfter {
			var cause error = errNoAnswer
			if s := answers[asked[0]]; len(s) > 0 && s[0].Err != nil {
				cause = s[0].Err
			}
			o.Failing = true
			o.Count++
			c := w.stampTracker(tr.id, now, o.Count, status.Change{Kind: status.NowFailing, Provider: tr.id.Provider, Why: "tracker", Err: cause})
			b.said = &c
		}
	}
	b.outage = o

	w.mu.Lock()
	failures := tr.failures
	w.mu.Unlock()
	for _, c := range claims {
		var r Result
		switch {
		case c.Stopping:
			r = w.stop(tr, c, now, "removed", nil)
		case refused[c.Ref] != nil:
			r = w.stop(tr, c, now, "refused", refused[c.Ref])
		case b.answered > 0 || !o.Failing && c.State.Failures > 0:
			// Its own answer, or its own failure: it failed before, and
			// the account is not down.
			r = w.diffRef(tr, c, answers[c.Ref], true, now)
		default:
			// The account's outage, or maybe the start of one: nothing said
			// of the ref (its own NowFailing comes if it fails again with
			// the account not down); rescheduled as the account's failures
			// say.
			c.Decode()
			st := c.State
			st.Polled = now
			if st.Failures == 0 {
				st.Outage = true
			}
			st.Failures++
			p := st
			p.Failures = max(st.Failures, failures+1)
			due, _, _ := w.sched.Next(Polled{Tracker: tr.id, Ref: c.Ref, Now: now, Snapshots: c.Snapshots, Failed: true, State: p})
			r = Result{Ref: c.Ref, Gen: c.Gen, Seen: c.Seen, Snapshots: c.Snapshots, Same: c.Raw != nil, State: st, Due: due}
		}
		if !r.Due.After(now) {
			r.Due = now.Add(time.Nanosecond) // never due again in this pass
		}
		if r.Done {
			b.unfollowed++
		}
		b.changes += len(r.Changes)
		b.results = append(b.results, r)
	}
	if b.said != nil {
		b.changes++
	}
	return b
}

// sameOutage reports whether a and b say the same.
func sameOutage(a, b Outage) bool {
	return a.Failing == b.Failing && a.Since.Equal(b.Since) && a.Count == b.Count && slices.Equal(a.Refs, b.Refs)
}

// isAnswer reports whether s says something of the order.
func isAnswer(s status.Snapshot) bool { return s.Err == nil || s.Stage != status.Unknown }

// stop returns the result that stops following c, with its Unfollowed
// change.
func (w *Watcher) stop(tr *tracked, c Claim, now time.Time, why string, err error) Result {
	c.Decode()
	snap := status.Snapshot{Provider: tr.id.Provider, Ref: c.Ref}
	if len(c.Snapshots) > 0 {
		snap.Stage = c.Snapshots[0].Stage
	}
	st := c.State
	ch := w.stamp(tr.id, now, &st, status.Change{Kind: status.Unfollowed, Provider: snap.Provider, Ref: c.Ref, To: snap.Stage, Why: why, Err: err})
	return Result{Ref: c.Ref, Gen: c.Gen, Done: true, Changes: []status.Change{ch}}
}

// diffRef takes one ref's answer into what is known of it (see baseline),
// and returns its result. A ref whose lookup failed whole keeps what is
// known, and is reported NowFailing once, Recovered when it answers again.
// A ref with no baseline is reported Following (unless ReportFirstLook).
// whole says cur is a poll's answer, every sub-order the provider has;
// a push is not.
func (w *Watcher) diffRef(tr *tracked, cl Claim, cur []status.Snapshot, whole bool, now time.Time) Result {
	st := cl.State
	st.Polled = now
	st.Misses = maps.Clone(st.Misses)
	// A quiet poll, the usual one, is recognised from bytes: an answer
	// whose encoding is the baseline's, as the Store keeps it, changes
	// nothing (taking it into the baseline gives the baseline back), so
	// the baseline need not be decoded, nor written again.
	quiet := whole && cl.Seen && len(cl.Raw) > 0 && st.Failures == 0 && !st.Outage && len(st.Misses) == 0 &&
		len(cur) > 0 && !slices.ContainsFunc(cur, func(s status.Snapshot) bool { return !isAnswer(s) }) && takesAsIs(cur) &&
		sameBytes(cur, cl.Raw)
	if !quiet {
		cl.Decode()
	}
	prev := cl.Snapshots
	res := Result{Ref: cl.Ref, Gen: cl.Gen, Seen: cl.Seen, Snapshots: prev, Same: cl.Raw != nil}
	var changes []status.Change
	add := func(c status.Change) { changes = append(changes, w.stamp(tr.id, now, &st, c)) }
	if !slices.ContainsFunc(cur, isAnswer) {
		st.Failures++
		if st.Failures == 1 || st.Outage {
			// Its own failure now, where it was its tracker's.
			st.Outage = false
			var err error = errNoAnswer
			snap := status.Snapshot{Provider: tr.id.Provider, Ref: cl.Ref}
			if len(cur) > 0 {
				snap, err = cur[0], cur[0].Err
			}
			add(status.Change{Kind: status.NowFailing, Provider: snap.Provider, Ref: snap.Ref, OrderNo: snap.OrderNo, Err: err})
		}
		res.State = st
		res.Due, _, _ = w.sched.Next(Polled{Tracker: tr.id, Ref: cl.Ref, Now: now, Snapshots: prev, Failed: true, State: st})
		res.Changes = changes
		return res
	}
	if whole {
		// A lookup answered (a push is not one).
		if st.Failures > 0 && !st.Outage {
			add(status.Change{Kind: status.Recovered, Provider: cur[0].Provider, Ref: cur[0].Ref, OrderNo: cur[0].OrderNo, At: cur[0].UpdatedAt})
		}
		st.Failures, st.Outage = 0, false
	}
	var keep []status.Snapshot
	news := 0
	if quiet {
		keep = cur
	} else {
		b := baseline{subs: slices.Clone(prev), misses: st.Misses}
		diff := b.take(cur, cl.Seen || w.first, whole)
		for _, d := range diff {
			add(d)
		}
		news = len(diff)
		keep = b.subs
		st.Misses = b.misses
	}
	if !cl.Seen && !w.first && len(keep) > 0 {
		add(status.Change{Kind: status.Following, Provider: keep[0].Provider, Ref: keep[0].Ref, At: keep[0].UpdatedAt, To: keep[0].Stage})
		news++
	}
	if news > 0 {
		st.Changed, st.Quiet = now, 0
	} else {
		st.Quiet++
	}
	lead := active(keep) // a sub-order gone not found leads neither the schedule nor the end
	final := len(lead) > 0 && !slices.ContainsFunc(lead, func(s status.Snapshot) bool { return !s.Stage.Final() })
	switch {
	case !final:
		st.FinalSince = time.Time{}
	case st.FinalSince.IsZero():
		st.FinalSince = now
	}
	res.Seen, res.Snapshots, res.Same = true, keep, quiet
	due, stop, why := w.sched.Next(Polled{Tracker: tr.id, Ref: cl.Ref, Now: now, Snapshots: lead, State: st})
	res.Due = due
	if stop {
		res.Done = true
		to := status.Unknown
		if len(keep) > 0 {
			to = keep[0].Stage
		}
		add(status.Change{Kind: status.Unfollowed, Provider: tr.id.Provider, Ref: cl.Ref, To: to, Why: why})
	}
	res.State = st
	res.Changes = changes
	return res
}

// drain delivers the changes left in tr's outbox, in its order, while
// this Watcher holds the tracker: one change at a time for the tracker,
// sent and acknowledged together, so that a process that dies has at most
// one change of each tracker delivered and not acknowledged. It returns
// errLeaseEnded when the lease is gone, errNotTaken when send did not take
// a change, and a *refusedError when the consumer refused one (it stays
// first in the outbox).
func (w *Watcher) drain(ctx context.Context, tr *tracked, send sender) error {
	select {
	case tr.delivering <- struct{}{}:
	case <-ctx.Done():
		return errNotTaken
	}
	defer func() { <-tr.delivering }()
	for {
		if !w.now().Before(tr.until()) {
			// This process stalled past its lease (a pause, a partition),
			// or lost it: another may hold the tracker and deliver the
			// outbox now.
			return errLeaseEnded
		}
		changes, err := w.store.Pending(ctx, tr.id, w.batch)
		if err != nil {
			return w.storeFailed(ctx, tr, err)
		}
		if len(changes) == 0 {
			return nil
		}
		for _, c := range changes {
			if err := w.deliver(ctx, tr, send, c); err != nil {
				if errors.Is(err, errLeaseEnded) {
					w.count(tr, &tr.health.LeaseLost, 1)
				}
				return err
			}
		}
	}
}

// sender hands one change to the consumer, under a context that ends
// when this Watcher loses the tracker: nil when it took it, errNotTaken
// when it could not be handed over (the context ended), another error
// when the consumer refused it.
type sender func(ctx context.Context, c status.Change) error

// refusedError is a change the consumer refused, with why.
type refusedError struct {
	id  string
	err error
}

func (e *refusedError) Error() string { return "watch: change " + e.id + " refused: " + e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// deliver sends one change and acknowledges it. The lease is renewed
// while the consumer works, so that no other process takes the tracker
// (and delivers this change again) meanwhile; the consumer's context ends
// if it is lost. The acknowledgement is made even when ctx has just
// ended: the change was taken.
func (w *Watcher) deliver(ctx context.Context, tr *tracked, send sender, c status.Change) error {
	now := w.now()
	if !now.Before(tr.until()) {
		return errLeaseEnded
	}
	err := func() error {
		lctx, done := w.underLease(ctx, tr)
		defer done() // a panic in the consumer stops the timers too
		err := send(lctx, c)
		if until, held := done(); held {
			tr.extend(until)
		}
		return err
	}()
	switch {
	case errors.Is(err, errNotTaken):
		return errNotTaken
	case err != nil:
		return &refusedError{id: c.ID, err: err}
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.store.Ack(actx, tr.id, c.ID); err != nil {
		return w.storeFailed(ctx, tr, err)
	}
	return nil
}

// passLog counts what one pass over a tracker's due refs did, for its
// log line.
type passLog struct{ refs, answered, failing, changes, unfollowed int }

func (l *passLog) add(b batch) {
	l.refs += len(b.results)
	l.answered += b.answered
	l.failing += b.asked - b.answered
	l.changes += b.changes
	l.unfollowed += b.unfollowed
}

func (w *Watcher) logPass(ctx context.Context, tr *tracked, n *passLog) {
	if n.refs == 0 {
		return
	}
	level := slog.LevelDebug
	if n.failing > 0 {
		level = slog.LevelWarn
	}
	if w.log == nil || !w.log.Enabled(ctx, level) {
		return
	}
	w.log.LogAttrs(ctx, level, "ordertrack: watch pass", slog.String("tracker", tr.id.String()), slog.Int("refs", n.refs),
		slog.Int("answered", n.answered), slog.Int("failing", n.failing), slog.Int("changes", n.changes),
		slog.Int("unfollowed", n.unfollowed))
}
