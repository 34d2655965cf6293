package watch

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordertrack/ordertrack/status"
)

// Push takes answers that came without a poll (a provider's push, such as
// reseller.NoticeHandler's Notice.Snapshot) for refs followed through id.
// Each is taken into what is known of its ref as a poll's answer would be
// (see MissesToNotFound for what is kept), with the same change IDs and
// Store; its changes are delivered by the tracker's next pass (at once,
// when Run is running), or wait in the outbox for Consume; and the ref's
// next poll is put back by the Schedule, so a pushed order costs no polls
// until it goes quiet. A push is not a lookup: a ref failing stays so
// until a poll answers.
//
// A push speaks of one express: a pushed snapshot without an OrderNo is
// of the sub-order of the same TrackingNo, whose stage, codes, problems
// and UpdatedAt stand; it adds the carrier (where none was known) and the
// events it brings, and an event known already is no news, whatever order
// pushes come in. A push whose sub-order is not known so (the first of an
// express, a tracking number the provider changed, a ref not yet
// answered) is not guessed at: its ref is polled at once instead, and
// tells. Sub-orders a push does not name are kept as they were.
//
// It returns an error matching ErrNotFollowed for each ref not followed
// or being unfollowed (whose due time it leaves alone), after saving the
// others, and the Store's error.
func (w *Watcher) Push(ctx context.Context, id TrackerID, snaps ...status.Snapshot) error {
	w.mu.Lock()
	tr := w.trackers[id]
	w.mu.Unlock()
	if tr == nil {
		tr = &tracked{id: id} // a process that takes pushes need not poll
	}
	byRef := map[string][]status.Snapshot{}
	var order []string
	for _, s := range snaps {
		if _, ok := byRef[s.Ref]; !ok {
			order = append(order, s.Ref)
		}
		byRef[s.Ref] = append(byRef[s.Ref], s)
	}
	now := w.now()
	var results []Result
	var errs []error
	for _, ref := range order {
		c, ok, err := w.store.ClaimRef(ctx, id, ref, now.Add(w.claimFor))
		switch {
		case err != nil:
			errs = append(errs, err)
			continue
		case !ok:
			errs = append(errs, fmt.Errorf("watch: push %s %q: %w", id, ref, ErrNotFollowed))
			continue
		case c.Stopping:
			errs = append(errs, fmt.Errorf("watch: push %s %q: being unfollowed: %w", id, ref, ErrNotFollowed))
			continue
		}
		c.Decode()
		b := baseline{subs: c.Snapshots}
		var answer []status.Snapshot
		unplaced := false
		for _, p := range byRef[ref] {
			if a, ok := b.pushInto(p); ok {
				answer = append(answer, a...)
			} else {
				unplaced = true
			}
		}
		var r Result
		if len(answer) > 0 {
			r = w.diffRef(tr, c, answer, false, now)
		} else {
			r = Result{Ref: c.Ref, Gen: c.Gen, Seen: c.Seen, Snapshots: c.Snapshots, State: c.State}
		}
		if unplaced && !r.Done {
			r.Due = now // polled at once: the poll says which sub-order it was
		}
		results = append(results, r)
	}
	if len(results) > 0 {
		if err := w.store.Save(ctx, id, results); err != nil {
			errs = append(errs, err)
		} else {
			w.poke(id)
			w.wakeConsumers()
		}
	}
	return errors.Join(errs...)
}

// ErrNotFollowed is matched by Push's error for a ref not followed, or
// being unfollowed.
var ErrNotFollowed = errors.New("watch: ref not followed")
