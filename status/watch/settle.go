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
	failing, recovered, failures := tr.failing, tr.recovered, tr.failures
	w.mu.Unlock()
	var trackerChange *status.Change
	switch {
	case !answered:
		// No ref answered: the tracker is failing, not each ref. It was said
		// already when this process said it, or when every ref of the batch
		// was failing before (a process before this one said it).
		n.batchFailed = true
		n.failing += len(refs)
		said := failing || !slices.ContainsFunc(claims, func(c Claim) bool { return !c.Stopping && c.State.Failures == 0 })
		if !said {
			var cause error = errNoAnswer
			if s := answers[refs[0]]; len(s) > 0 && s[0].Err != nil {
				cause = s[0].Err
			}
			c := w.stampTracker(tr.id, now, status.Change{Kind: status.NowFailing, Provider: tr.id.Provider, Why: "tracker", Err: cause})
			trackerChange = &c
		}
	case failing || !recovered && slices.ContainsFunc(claims, func(c Claim) bool { return c.State.Outage && isAnsweredIn(answers, c.Ref) }):
		// Failing as this process knows, or as the refs of an outage a
		// process before it said: said once.
		c := w.stampTracker(tr.id, now, status.Change{Kind: status.Recovered, Provider: tr.id.Provider, Why: "tracker"})
		trackerChange = &c
	}
	if answered {
		n.batchAnswered = true
	}
	for _, c := range claims {
		if c.Stopping {
			continue
		}
		var r Result
		if answered {
			r = w.diffRef(tr, c, answers[c.Ref], true, now, n)
		} else {
			// The tracker's failure, not the ref's: no NowFailing for it
			// (nor Recovered later); rescheduled as the tracker's failures
			// say.
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
	n.trackerChange = ""
	if trackerChange != nil && len(results) > 0 {
		results[0].Changes = append([]status.Change{*trackerChange}, results[0].Changes...)
		n.trackerChange = results[0].Ref
		n.changes++
	}
	return results
}

// isAnsweredIn reports whether ref's answer says something of its order.
func isAnsweredIn(answers map[string][]status.Snapshot, ref string) bool {
	return slices.ContainsFunc(answers[ref], isAnswer)
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
