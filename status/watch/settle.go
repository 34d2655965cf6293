package watch

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// errNoAnswer is a ref's failure when its Tracker gave no snapshot for it.
var errNoAnswer = errors.New("watch: the tracker gave no snapshot for this ref")

// settle tracks one batch of claims and returns the result of each: its
// snapshots, changes and next due time.
func (w *Watcher) settle(ctx context.Context, tr *tracked, claims []Claim, now time.Time, n *tally) []Result {
	results := w.results(ctx, tr, claims, now, n)
	for i := range results {
		if !results[i].Due.After(now) {
			results[i].Due = now.Add(time.Nanosecond) // never due again in this pass
		}
	}
	return results
}

func (w *Watcher) results(ctx context.Context, tr *tracked, claims []Claim, now time.Time, n *tally) []Result {
	n.batchFailed, n.batchAnswered = false, false
	n.outageChanged, n.trackerChange = false, nil
	results := make([]Result, 0, len(claims))
	var refs []string
	for _, c := range claims {
		if c.Stopping {
			results = append(results, w.stop(tr, c, now, "removed", nil))
			continue
		}
		refs = append(refs, c.Ref)
	}
	n.refs += len(claims)
	n.unfollowed += len(results)
	if len(refs) == 0 {
		return results
	}
	answers := map[string][]status.Snapshot{}
	snaps, err := tr.t.Track(ctx, refs...)
	switch {
	case errors.Is(err, status.ErrInvalidRequest):
		// Refused before anything was sent (a ref the provider can never
		// take): ask one by one, and stop following a ref refused alone.
		snaps = nil
		var left []string
		for _, r := range refs {
			one, err := tr.t.Track(ctx, r)
			switch {
			case errors.Is(err, status.ErrInvalidRequest):
				for i := range claims {
					if claims[i].Ref == r {
						results = append(results, w.stop(tr, claims[i], now, "refused", err))
						claims[i].Stopping = true
					}
				}
				n.unfollowed++
				continue
			case err != nil:
				one = []status.Snapshot{status.Failed(tr.id.Provider, r, err)}
			}
			left = append(left, r)
			snaps = append(snaps, one...)
		}
		refs = left
		if len(refs) == 0 {
			return results // each refused: the tracker is not failing for it
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
	if ctx.Err() != nil {
		return nil
	}
	answered := false
	for _, c := range claims {
		if c.Stopping {
			continue
		}
		if slices.ContainsFunc(answers[c.Ref], isAnswer) {
			answered = true
			break
		}
	}
	w.mu.Lock()
	failures := tr.failures
	w.mu.Unlock()
	// The account's outage (see OutageRefs), decided from what the Store
	// keeps of it, so that whoever drives it next goes on from there.
	o := tr.outage
	o.Refs = slices.Clone(o.Refs)
	before := o
	var trackerChange *status.Change
	if answered {
		n.batchAnswered = true
		if o.Failing {
			c := w.stampTracker(tr.id, w.now(), o.Count, status.Change{Kind: status.Recovered, Provider: tr.id.Provider, Why: "tracker"})
			trackerChange = &c
		}
		o.Failing, o.Since, o.Refs = false, time.Time{}, nil
	} else {
		n.batchFailed = true
		if o.Since.IsZero() {
			o.Since = now
		}
		for _, r := range refs {
			if len(o.Refs) < OutageRefs && !slices.Contains(o.Refs, r) {
				o.Refs = append(o.Refs, r)
			}
		}
		if !o.Failing && len(o.Refs) >= OutageRefs && now.Sub(o.Since) >= OutageAfter {
			var cause error = errNoAnswer
			if s := answers[refs[0]]; len(s) > 0 && s[0].Err != nil {
				cause = s[0].Err
			}
			o.Failing = true
			o.Count++
			c := w.stampTracker(tr.id, w.now(), o.Count, status.Change{Kind: status.NowFailing, Provider: tr.id.Provider, Why: "tracker", Err: cause})
			trackerChange = &c
		}
	}
	n.outage, n.outageChanged = o, !sameOutage(before, o)
	n.trackerChange = trackerChange
	for _, c := range claims {
		if c.Stopping {
			continue
		}
		var r Result
		if answered || !o.Failing && c.State.Failures > 0 {
			// Each ref's own answer, or its own failure: it failed before,
			// and the account is not down.
			r = w.diffRef(tr, c, answers[c.Ref], true, now, n)
		} else {
			// The account's outage, or maybe the start of one: nothing said
			// of the ref (its own NowFailing comes if it fails again with
			// the account not down); rescheduled as the account's failures
			// say.
			n.failing++
			st := c.State
			st.Polled = now
			if st.Failures == 0 {
				st.Outage = true
			}
			st.Failures++
			p := st
			p.Failures = max(st.Failures, failures+1)
			due, _, _ := w.sched.Next(Polled{Tracker: tr.id, Ref: c.Ref, Now: now, Snapshots: c.Snapshots, Failed: true, State: p})
			r = Result{Ref: c.Ref, Gen: c.Gen, Seen: c.Seen, Snapshots: c.Snapshots, State: st, Due: due}
		}
		results = append(results, r)
	}
	return results
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
func (w *Watcher) diffRef(tr *tracked, cl Claim, cur []status.Snapshot, whole bool, now time.Time, n *tally) Result {
	st := cl.State
	st.Polled = now
	st.Misses = maps.Clone(st.Misses)
	prev := cl.Snapshots
	res := Result{Ref: cl.Ref, Gen: cl.Gen, Seen: cl.Seen, Snapshots: prev}
	var changes []status.Change
	add := func(c status.Change) { changes = append(changes, w.stamp(tr.id, now, &st, c)) }
	if !slices.ContainsFunc(cur, isAnswer) {
		n.failing++
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
		n.changes += len(changes)
		return res
	}
	n.answered++
	if whole {
		// A lookup answered (a push is not one).
		if st.Failures > 0 && !st.Outage {
			add(status.Change{Kind: status.Recovered, Provider: cur[0].Provider, Ref: cur[0].Ref, OrderNo: cur[0].OrderNo, At: cur[0].UpdatedAt})
		}
		st.Failures, st.Outage = 0, false
	}
	b := baseline{subs: slices.Clone(prev), misses: st.Misses}
	diff := b.take(cur, cl.Seen || w.first, whole)
	for _, d := range diff {
		add(d)
	}
	news := len(diff)
	keep := b.subs
	st.Misses = b.misses
	if !cl.Seen && !w.first && len(keep) > 0 {
		add(status.Change{Kind: status.Following, Provider: keep[0].Provider, Ref: keep[0].Ref, At: keep[0].UpdatedAt, To: keep[0].Stage})
		news++
	}
	if news > 0 {
		st.Changed, st.Quiet = now, 0
	} else {
		st.Quiet++
	}
	final := len(keep) > 0 && !slices.ContainsFunc(keep, func(s status.Snapshot) bool { return !s.Stage.Final() })
	switch {
	case !final:
		st.FinalSince = time.Time{}
	case st.FinalSince.IsZero():
		st.FinalSince = now
	}
	res.Seen, res.Snapshots = true, keep
	due, stop, why := w.sched.Next(Polled{Tracker: tr.id, Ref: cl.Ref, Now: now, Snapshots: keep, State: st})
	res.Due = due
	if stop {
		res.Done = true
		to := status.Unknown
		if len(keep) > 0 {
			to = keep[0].Stage
		}
		add(status.Change{Kind: status.Unfollowed, Provider: tr.id.Provider, Ref: cl.Ref, To: to, Why: why})
		n.unfollowed++
	}
	res.State = st
	res.Changes = changes
	n.changes += len(changes)
	return res
}
