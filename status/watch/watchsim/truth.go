package watchsim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// progression is the order every simulated order moves in, one step a
// move; Flowery's start not found.
var progression = []status.Stage{status.Pending, status.Processing, status.ReadyToShip, status.Shipped, status.OutForDelivery, status.Delivered}

// account is one provider account of the world: its orders, as they
// truly are, and what was asked of it.
type account struct {
	id     watch.TrackerID
	orders map[string]*order
	refs   []string // in the order they were made
	// outages are the windows in which every request fails.
	outages []window
	// sent are the requests being answered, by process: from when each was
	// sent to when its answer was whole.
	sent map[*proc]window
	// holder is the owner the Store last granted the account's lease to,
	// until holderUntil; "" after it was given up.
	holder      string
	holderUntil time.Time
}

type window struct{ from, to time.Time }

func (w window) holds(t time.Time) bool { return !t.Before(w.from) && t.Before(w.to) }

// order is one ref's truth: its sub-orders (one but for the reseller's),
// and the windows in which its lookup fails.
type order struct {
	ref      string
	subs     []*sub
	failures []window
}

// sub is a sub-order's history, oldest first: the last version is the
// truth now.
type sub struct {
	no       string
	versions []version
}

// version is one state of a sub-order.
type version struct {
	at         time.Time
	stage      status.Stage // status.NotFound before a Flowery order exists
	rank       int          // its place in the history of stages
	trackingNo string
	carrier    string
	events     []status.Event
	problems   []status.Problem
}

func (s *sub) now() version { return s.versions[len(s.versions)-1] }

// at returns the version that was the truth at t.
func (s *sub) at(t time.Time) version {
	v := s.versions[0]
	for _, x := range s.versions {
		if x.at.After(t) {
			break
		}
		v = x
	}
	return v
}

// newAccount makes an account of provider p with n orders.
func (w *world) newAccount(p status.Provider, n int) *account {
	a := &account{id: watch.TrackerID{Provider: p, Account: "acct"}, orders: map[string]*order{}, sent: map[*proc]window{}}
	for i := range n {
		ref := fmt.Sprintf("%s-%d", p[:2], i+1)
		o := &order{ref: ref}
		subs := 1
		if p == status.Reseller {
			subs = 1 + w.rng.IntN(3)
		}
		for j := range subs {
			s := &sub{no: fmt.Sprintf("%s.%d", ref, j+1)}
			first := version{at: w.clock, stage: status.Pending}
			if p == status.Flowery {
				first.stage = status.NotFound // not in the carrier's system yet
			}
			s.versions = []version{first}
			o.subs = append(o.subs, s)
		}
		a.orders[ref] = o
		a.refs = append(a.refs, ref)
	}
	return a
}

// move makes one sub-order of one order take its next step, and says
// what it did; false when it has none left.
func (w *world) move(a *account, o *order, s *sub) (string, bool) {
	cur := s.now()
	next := cur
	next.at = w.clock
	next.events = slices.Clone(cur.events)
	next.problems = slices.Clone(cur.problems)
	switch {
	case a.id.Provider == status.Bailun && len(cur.problems) == 0 && cur.rank >= 1 && cur.rank < 5 && w.rng.IntN(4) == 0:
		// Bailun's exception: a problem, its stage kept.
		next.problems = []status.Problem{{Reason: status.ReasonAddress,
			Code: status.Code{Provider: status.Bailun, Field: "exceptionType", Value: "3"}}}
	case len(cur.problems) > 0:
		next.problems = nil // the problem is mended
	case cur.rank+1 >= len(progression):
		return "", false
	case a.id.Provider == status.Flowery && cur.stage == status.NotFound:
		next.stage = status.Shipped // Flowery knows an order once it holds it
		next.rank = 3
	case cur.trackingNo != "" && cur.rank == 3 && w.rng.IntN(5) == 0:
		// The parcel is handed to another carrier: a new number.
		next.trackingNo = cur.trackingNo + "b"
		next.rank = cur.rank
	default:
		next.rank = cur.rank + 1
		next.stage = progression[next.rank]
	}
	if next.stage == status.Shipped && next.trackingNo == "" {
		next.trackingNo, next.carrier = "T"+s.no, "carrier"
	}
	next.events = append(next.events, status.Event{Time: w.clock.UTC(), Description: fmt.Sprintf("%s %s %d", s.no, next.stage, len(cur.events)+1),
		Stage: next.stage})
	s.versions = append(s.versions, next)
	return fmt.Sprintf("%s now %s (%s)", s.no, next.stage, next.trackingNo), true
}

// snapshot is what the provider answers for s in version v.
func snapshot(a *account, o *order, s *sub, v version) status.Snapshot {
	snap := status.Snapshot{Provider: a.id.Provider, Ref: o.ref, OrderNo: s.no, Stage: v.stage, TrackingNo: v.trackingNo, Carrier: v.carrier,
		UpdatedAt: v.at.UTC(), Events: slices.Clone(v.events), Problems: slices.Clone(v.problems),
		Codes: []status.Code{{Provider: a.id.Provider, Field: "status", Value: v.stage.String()}}}
	if v.stage == status.NotFound {
		snap.OrderNo, snap.Events, snap.UpdatedAt = "", nil, time.Time{}
	}
	return snap
}

// errCrashed is never returned: a yield point that crashes its process
// panics with crash, which the process's goroutine recovers.
var errOutage = fmt.Errorf("simulated outage: %w", status.ErrUnavailable)

// tracker is an account's provider as one process sees it.
type tracker struct {
	w *world
	a *account
	p *proc
}

// Provider implements status.Tracker.
func (t *tracker) Provider() status.Provider { return t.a.id.Provider }

// Track implements status.Tracker: it answers from the truth at the time
// the request was sent, after a latency the world draws, now and then
// from an older version (a replica behind), failing a ref in a window of
// its failures and every ref in an outage.
//
// Bailun and the reseller answer one order a request, sent one after
// another; BirdSystem and Flowery answer a batch in one.
func (t *tracker) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	w, a := t.w, t.a
	perRef := a.id.Provider == status.Bailun || a.id.Provider == status.Reseller
	var start time.Time
	out := make([]status.Snapshot, 0, len(refs))
	for i, ref := range refs {
		if i == 0 || perRef {
			if err := ctx.Err(); err != nil {
				return nil, err // a client sends nothing with its context ended
			}
			start = w.clock
			latency := w.latency()
			w.request(t.p, a, window{start, start.Add(latency)})
			t.p.yield(fmt.Sprintf("track %s %s (+%d) for %v", a.id, ref, len(refs)-1-i, latency), latency)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		o := a.orders[ref]
		switch {
		case o == nil:
			out = append(out, status.Snapshot{Provider: a.id.Provider, Ref: ref, Stage: status.NotFound})
			continue
		case slices.ContainsFunc(a.outages, func(x window) bool { return x.holds(start) }):
			out = append(out, status.Failed(a.id.Provider, ref, errOutage))
			continue
		case slices.ContainsFunc(o.failures, func(x window) bool { return x.holds(start) }):
			out = append(out, status.Failed(a.id.Provider, ref, errors.New("simulated failure of one ref")))
			continue
		}
		lag := w.lagging()
		skip := -1
		if len(o.subs) > 1 && w.chance(0.1) {
			skip = w.rng.IntN(len(o.subs)) // a sub-order missing from this answer
		}
		for i, s := range o.subs {
			if i == skip {
				continue
			}
			v := s.at(start)
			if lag > 0 {
				v = s.at(start.Add(-lag))
			}
			out = append(out, snapshot(a, o, s, v))
		}
	}
	return out, nil
}

// request records that p sends a request for a, answered within win, and
// checks invariant 4: p holds a's lease, as the Store granted it, and it
// has not ended, so that no two processes send requests for one account
// at once. (A request sent before its process stalled may still be
// answered after the lease ends: no client can take back what it sent.)
func (w *world) request(p *proc, a *account, win window) {
	if a.holder != p.watcher.Owner() || !win.from.Before(a.holderUntil) {
		held := "no one's"
		if a.holder != "" {
			held = fmt.Sprintf("%s's until %s", a.holder, w.ago(a.holderUntil))
		}
		w.violate(4, "two-drivers", "%s sends a request for %s at %s, and the lease is %s", p.owner, a.id, w.ago(win.from), held)
	}
	a.sent[p] = win
	w.requests++
}

// account returns the account of t.
func (w *world) account(t watch.TrackerID) *account {
	for _, a := range w.accounts {
		if a.id == t {
			return a
		}
	}
	return nil
}
