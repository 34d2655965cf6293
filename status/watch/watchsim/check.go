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

// consumer is the user's service: it takes each change delivered, and
// checks it against the truth.
type consumer struct {
	w         *world
	delivered int
	// ids counts each change ID delivered; mayRepeat how many more times
	// each may come (the one in flight when a process died).
	ids       map[string]int
	mayRepeat map[string]int
	// facts holds, by what a change says, the ID it was first delivered
	// under.
	facts map[string]string
	refs  map[refKey]*followedRef
	// trackerDown says, by account, that the consumer was told the
	// account is failing.
	trackerDown map[watch.TrackerID]bool
	// savedAt is the step at which each change was saved to the outbox;
	// savedWhen the virtual time, for an account's own.
	savedAt   map[string]int
	savedWhen map[string]time.Time
}

type refKey struct {
	t   watch.TrackerID
	ref string
}

// followedRef is what the consumer knows of one ref.
type followedRef struct {
	following bool // the user follows it (Follow was the last word)
	// unfollowedAt is the step at which Unfollow returned, -1 when the
	// ref is followed; ended says its Unfollowed came.
	unfollowedAt int
	ended        bool
	// since is the poll time of its Following, zero before it came.
	since   time.Time
	episode int // how many times it was followed
	// expectEnd says it was followed again after Unfollow returned and
	// before its Unfollowed came: the Unfollowed may still come, of the
	// episode before.
	expectEnd  bool
	refollowed int // the step it was followed again at
	failing    bool
	// baseEvents are the events of the baselines saved with a Following.
	baseEvents map[string]bool
	subs       map[string]*seenSub // by OrderNo
	stage0     status.Stage        // the Following's stage
}

// seenSub is what the consumer was told of a sub-order.
type seenSub struct {
	stage      status.Stage
	rank       int // the stage's place in the sub-order's truth, -1 unknown
	staged     bool
	trackingNo string
	events     map[string]bool
}

func newConsumer(w *world) *consumer {
	return &consumer{w: w, ids: map[string]int{}, mayRepeat: map[string]int{}, facts: map[string]string{}, refs: map[refKey]*followedRef{},
		trackerDown: map[watch.TrackerID]bool{}, savedAt: map[string]int{}, savedWhen: map[string]time.Time{}}
}

func (c *consumer) ref(a *account, ref string) *followedRef {
	k := refKey{a.id, ref}
	r := c.refs[k]
	if r == nil {
		r = &followedRef{unfollowedAt: -1, subs: map[string]*seenSub{}}
		c.refs[k] = r
	}
	return r
}

func (c *consumer) following(a *account, ref string) bool { return c.ref(a, ref).following }

func (c *consumer) followed(a *account, ref string) {
	r := c.ref(a, ref)
	if r.following {
		return
	}
	if r.unfollowedAt >= 0 && !r.ended {
		r.expectEnd, r.refollowed = true, c.w.step
	}
	r.following, r.unfollowedAt = true, -1
	if r.ended {
		// A new episode: it starts from a new Following.
		r.ended, r.since, r.failing, r.episode = false, time.Time{}, false, r.episode+1
		r.subs = map[string]*seenSub{}
	}
}

func (c *consumer) unfollowed(a *account, ref string) {
	r := c.ref(a, ref)
	r.following, r.unfollowedAt = false, c.w.step
}

// saved records the step at which each change was saved, and the
// events of each baseline saved with a Following: the events the
// consumer is not told of one by one.
func (c *consumer) saved(p *proc, t watch.TrackerID, results []watch.Result, err error) {
	var lost *watch.LeaseLostError
	if err != nil && !errors.As(err, &lost) {
		return
	}
	a := c.account(t)
	for _, r := range results {
		if lost != nil && slices.Contains(lost.Refs, r.Ref) {
			continue
		}
		for _, ch := range r.Changes {
			if ch.Kind == status.Following && a != nil {
				ref := c.ref(a, r.Ref)
				if ref.baseEvents == nil {
					ref.baseEvents = map[string]bool{}
				}
				for _, s := range r.Snapshots {
					for _, e := range s.Events {
						ref.baseEvents[eventKey(e)] = true
					}
				}
			}
			if _, ok := c.savedAt[ch.ID]; !ok {
				c.savedAt[ch.ID] = c.w.step
			}
		}
	}
}

// savedChanges records the step at which an account's own changes were
// saved.
func (c *consumer) savedChanges(changes []status.Change) {
	for _, ch := range changes {
		if _, ok := c.savedAt[ch.ID]; !ok {
			c.savedAt[ch.ID], c.savedWhen[ch.ID] = c.w.step, c.w.clock
		}
	}
}

func (c *consumer) account(t watch.TrackerID) *account {
	for _, a := range c.w.accounts {
		if a.id.Provider == t.Provider && a.id.Account == t.Account {
			return a
		}
	}
	return nil
}

// deliver takes one change, as the Watcher of p hands it over.
func (c *consumer) deliver(p *proc, ch status.Change) {
	w := c.w
	if w.chance(0.02) {
		w.faults++
		panic(consumerPanic{ch.ID})
	}
	c.delivered++
	w.logf("%s delivers %s %s %s %s->%s %s (%s)", p.owner, ch.Kind, ch.Ref, ch.OrderNo, ch.From, ch.To, detail(ch), ch.ID[:8])
	c.ids[ch.ID]++
	if n := c.ids[ch.ID]; n > 1 {
		if c.mayRepeat[ch.ID] > 0 {
			c.mayRepeat[ch.ID]--
		} else {
			w.violate(2, "id-repeated", "change %s (%s %s) delivered %d times, and no process died delivering it", ch.ID[:8], ch.Kind, ch.Ref, n)
		}
		p.inflight = ch.ID
		p.yield("delivered "+ch.ID[:8], 0)
		return
	}
	p.inflight = ch.ID
	c.check(ch)
	var slow time.Duration
	if w.chance(0.05) {
		w.faults++
		slow = time.Duration(w.rng.Int64N(int64(claimFor * 8 / 10))) // a slow consumer, within a lease
	}
	p.yield("delivered "+ch.ID[:8], slow)
}

// detail is what a change says beyond its kind and stages, for the trace.
func detail(ch status.Change) string {
	switch {
	case ch.Event != nil:
		return ch.Event.Description
	case ch.TrackingNo != "":
		return ch.PrevTrackingNo + "->" + ch.TrackingNo
	case ch.Problem != nil:
		return ch.Problem.Code.Value
	case ch.Why != "":
		return ch.Why
	}
	return ""
}

// check holds a change delivered for the first time to invariants 2, 3
// and 5.
func (c *consumer) check(ch status.Change) {
	w := c.w
	a := c.account(watch.TrackerID{Provider: ch.Provider, Account: ch.Account})
	if a == nil {
		w.violate(3, "unknown-account", "a change of an account the world does not have: %+v", ch)
		return
	}
	if ch.Ref == "" {
		c.checkTracker(a, ch)
		return
	}
	o := a.orders[ch.Ref]
	if o == nil {
		w.violate(3, "unknown-ref", "a change of a ref the world does not have: %s", ch.Ref)
		return
	}
	r := c.ref(a, ch.Ref)
	// Invariant 5: nothing after Unfollowed, or after Unfollow returned,
	// but the one Unfollowed.
	switch {
	case r.ended:
		w.violate(5, "after-unfollowed", "%s %s delivered for %s after its Unfollowed", ch.Kind, detail(ch), ch.Ref)
		return
	case r.unfollowedAt >= 0 && ch.Kind != status.Unfollowed && c.savedAt[ch.ID] > r.unfollowedAt:
		w.violate(5, "after-unfollow", "%s %s for %s saved at step %d, after Unfollow returned at step %d", ch.Kind, detail(ch), ch.Ref, c.savedAt[ch.ID], r.unfollowedAt)
	}
	// Invariant 2: one fact, one ID.
	key := c.factKey(r, ch)
	if key != "" {
		if id, ok := c.facts[key]; ok && id != ch.ID {
			w.violate(2, "fact-two-ids", "%s delivered again under another ID (%s, first %s)", key, ch.ID[:8], id[:8])
		}
		c.facts[key] = ch.ID
	}
	sub := func() (*sub, *seenSub) {
		i := slices.IndexFunc(o.subs, func(s *sub) bool { return s.no == ch.OrderNo })
		if i < 0 && len(o.subs) == 1 {
			i = 0
		}
		if i < 0 {
			return nil, nil
		}
		seen := r.subs[o.subs[i].no]
		if seen == nil {
			seen = &seenSub{rank: -1, events: map[string]bool{}}
			r.subs[o.subs[i].no] = seen
		}
		return o.subs[i], seen
	}
	switch ch.Kind {
	case status.Following:
		r.since, r.stage0 = ch.Polled, ch.To
	case status.Unfollowed:
		if r.expectEnd && c.savedAt[ch.ID] < r.refollowed {
			// The end of the episode before: the next starts afresh.
			r.expectEnd, r.since, r.failing, r.episode = false, time.Time{}, false, r.episode+1
			r.subs = map[string]*seenSub{}
			return
		}
		r.ended, r.expectEnd = true, false
	case status.NowFailing:
		if r.failing {
			w.violate(5, "ref-failing-twice", "%s reported failing twice without a recovery between", ch.Ref)
		}
		r.failing = true
	case status.Recovered:
		if !r.failing {
			w.violate(3, "ref-recovered-unfailed", "%s reported recovered, never reported failing", ch.Ref)
		}
		r.failing = false
	case status.StageChanged, status.NowNotFound:
		s, seen := sub()
		if s == nil {
			w.violate(3, "phantom-sub-order", "a stage change of sub-order %q, which %s does not have", ch.OrderNo, ch.Ref)
			return
		}
		rank := slices.IndexFunc(s.versions, func(v version) bool { return v.stage == ch.To })
		switch {
		case rank < 0:
			w.violate(3, "stage-never-had", "%s %s: stage %s, which it never had", ch.Ref, s.no, ch.To)
		case seen.staged && s.versions[rank].rank < seen.rank:
			w.violate(3, "stage-back", "%s %s moved back: %s -> %s", ch.Ref, s.no, ch.From, ch.To)
		}
		seen.stage, seen.staged = ch.To, true
		if rank >= 0 {
			seen.rank = max(seen.rank, s.versions[rank].rank)
		}
	case status.NewEvent:
		s, seen := sub()
		if s == nil || ch.Event == nil {
			w.violate(3, "phantom-sub-order", "an event of sub-order %q, which %s does not have", ch.OrderNo, ch.Ref)
			return
		}
		if !slices.ContainsFunc(s.now().events, func(e status.Event) bool { return sameEvent(e, *ch.Event) }) {
			w.violate(3, "event-never-happened", "%s %s: event %q, which never happened", ch.Ref, s.no, ch.Event.Description)
		}
		seen.events[eventKey(*ch.Event)] = true
	case status.TrackingNoAssigned, status.TrackingNoChanged:
		s, seen := sub()
		if s == nil {
			w.violate(3, "phantom-sub-order", "a tracking number of sub-order %q, which %s does not have", ch.OrderNo, ch.Ref)
			return
		}
		order := numbers(s)
		at, was := slices.Index(order, ch.TrackingNo), slices.Index(order, seen.trackingNo)
		switch {
		case at < 0:
			w.violate(3, "tracking-never-had", "%s %s: tracking number %q, which it never had", ch.Ref, s.no, ch.TrackingNo)
		case at < was:
			w.violate(3, "tracking-back", "%s %s: tracking number back from %q to %q", ch.Ref, s.no, seen.trackingNo, ch.TrackingNo)
		}
		seen.trackingNo = ch.TrackingNo
	}
}

// checkTracker checks an account's own change: failing and recovered
// alternate, and it fails only in an outage.
func (c *consumer) checkTracker(a *account, ch status.Change) {
	w := c.w
	switch ch.Kind {
	case status.NowFailing:
		if c.trackerDown[a.id] {
			w.violate(5, "outage-said-twice", "%s reported failing twice without a recovery between", a.id)
		}
		// Polled is when the batch that showed it began, and it was saved
		// after its last answer: the outage was on at some time between;
		// or every ref the account follows was failing on its own then,
		// which no one outside can tell from an outage.
		on := func(x window) bool { return x.from.Before(c.savedWhen[ch.ID]) && x.to.After(ch.Polled) }
		allDown := !slices.ContainsFunc(a.refs, func(ref string) bool {
			return c.following(a, ref) && !slices.ContainsFunc(a.orders[ref].failures, on)
		})
		if !slices.ContainsFunc(a.outages, on) && !allDown {
			w.violate(3, "outage-not-an-outage", "%s reported failing at %s, outside any outage", a.id, w.ago(ch.Polled))
		}
		c.trackerDown[a.id] = true
	case status.Recovered:
		if !c.trackerDown[a.id] {
			w.violate(5, "outage-recovered-unfailed", "%s reported recovered, never reported failing", a.id)
		}
		c.trackerDown[a.id] = false
	default:
		w.violate(3, "tracker-change-kind", "a %s change with no ref", ch.Kind)
	}
}

// factKey names what a change says of its order, so that saying it twice
// under two IDs shows; "" for what may be said more than once.
func (c *consumer) factKey(r *followedRef, ch status.Change) string {
	base := fmt.Sprintf("%s %s/%s#%d", ch.Kind, ch.Ref, ch.OrderNo, r.episode)
	switch ch.Kind {
	case status.StageChanged, status.NowNotFound:
		return fmt.Sprintf("%s %s->%s", base, ch.From, ch.To)
	case status.NewEvent:
		if ch.Event != nil {
			return base + " " + eventKey(*ch.Event)
		}
	case status.TrackingNoAssigned, status.TrackingNoChanged:
		return base + " " + ch.TrackingNo
	case status.Following, status.Unfollowed:
		return base
	}
	return ""
}

func eventKey(e status.Event) string {
	return e.Time.UTC().Format(time.RFC3339Nano) + " " + e.Description
}

func sameEvent(a, b status.Event) bool { return a.Time.Equal(b.Time) && a.Description == b.Description }

// numbers lists the tracking numbers s had, in order.
func numbers(s *sub) []string {
	var out []string
	for _, v := range s.versions {
		if v.trackingNo != "" && (len(out) == 0 || out[len(out)-1] != v.trackingNo) {
			out = append(out, v.trackingNo)
		}
	}
	return out
}

// checkEnd checks, once the world is at rest, invariant 1: every ref
// followed was told of where its order ended, its tracking number, and
// every event after its Following; and that no account was left failing.
func (c *consumer) checkEnd() {
	w := c.w
	for _, a := range w.accounts {
		if c.trackerDown[a.id] && slices.ContainsFunc(a.refs, func(ref string) bool { return c.following(a, ref) }) {
			// (An account that follows nothing is asked nothing: its
			// recovery is said by its next lookup, when it follows a ref
			// again.)
			w.violate(1, "outage-never-recovered", "%s was reported failing and never recovered", a.id)
		}
		for _, ref := range a.refs {
			r := c.ref(a, ref)
			if !r.following {
				if !r.ended && r.unfollowedAt >= 0 {
					w.violate(1, "unfollowed-lost", "%s was unfollowed and its Unfollowed never came", ref)
				}
				continue
			}
			if r.ended {
				w.violate(1, "unfollowed-while-followed", "%s is followed, and was reported Unfollowed", ref)
				continue
			}
			if r.since.IsZero() {
				w.violate(1, "following-lost", "%s is followed and its Following never came", ref)
				continue
			}
			if r.failing {
				w.violate(1, "ref-never-recovered", "%s was reported failing and never recovered", ref)
			}
			f, ok, err := w.store.Get(context.Background(), a.id, ref)
			if err != nil || !ok {
				w.violate(1, "ref-lost", "%s is followed, and the Store does not have it (%v)", ref, err)
				continue
			}
			o := a.orders[ref]
			for _, s := range o.subs {
				truth := s.now()
				seen := r.subs[s.no]
				if seen == nil {
					seen = &seenSub{rank: -1, events: map[string]bool{}}
				}
				stage, tracking := seen.stage, seen.trackingNo
				base := baseline(f.Snapshots, s.no, len(o.subs))
				if !seen.staged {
					// Never changed since the baseline: the Following's stage,
					// for an order of one; else the Store's baseline of it.
					stage = base.Stage
					if len(o.subs) == 1 {
						stage = r.stage0
					}
				}
				if tracking == "" {
					tracking = base.TrackingNo
				}
				if stage != truth.stage && !(truth.stage == status.NotFound && stage == status.NotFound) {
					w.violate(1, "stage-lost", "%s %s ended %s, and the consumer knows %s", ref, s.no, truth.stage, stage)
				}
				if tracking != truth.trackingNo {
					w.violate(1, "tracking-lost", "%s %s has tracking number %q, and the consumer knows %q", ref, s.no, truth.trackingNo, tracking)
				}
				for _, e := range truth.events {
					if k := eventKey(e); !seen.events[k] && !r.baseEvents[k] {
						w.violate(1, "event-lost", "%s %s: event %q, not in its baseline, never came", ref, s.no, e.Description)
					}
				}
			}
		}
	}
}

// baseline is the Store's snapshot of sub-order no.
func baseline(snaps []status.Snapshot, no string, subs int) status.Snapshot {
	for _, s := range snaps {
		if s.OrderNo == no {
			return s
		}
	}
	if subs == 1 && len(snaps) == 1 {
		return snaps[0]
	}
	return status.Snapshot{}
}
