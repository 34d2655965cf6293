package watch

import (
	"slices"

	"github.com/ordertrack/ordertrack/status"
)

// MissesToNotFound is how many answers in a row must miss a sub-order a
// Watcher knows (leave it out, or say the whole order is not found) before
// it takes the provider at its word: the sub-order is then reported
// NowNotFound, once, and kept with what was known of it (its tracking
// number, carrier, events and problems), so that its return is no news
// but its stage. Fewer misses are a replica behind, or a page cut short:
// nothing is reported, and the sub-order stays as it was.
const MissesToNotFound = 3

// baseline is what a Watcher knows of one ref: each sub-order as it last
// stood, with every event ever seen of it. It is not the last answer:
//
//   - an event is never forgotten: an answer that lacks one seen before
//     keeps it, and it is never reported again;
//   - a tracking number or carrier is never replaced by an absent one,
//     and an answer older than what is known (its UpdatedAt before the
//     sub-order's) changes nothing but the events it brings: a replica
//     behind never moves a stage or a tracking number back;
//   - a sub-order missing from an answer (or said not found) is kept as
//     it was, and is taken as not found only after MissesToNotFound
//     answers in a row (misses counts them, by OrderNo);
//   - a pushed express is taken into the sub-order it names by tracking
//     number, and never guessed at (see pushInto).
type baseline struct {
	subs   []status.Snapshot
	misses map[string]int
}

// take merges one answer of the ref (cur, at least one snapshot of it
// answering) into b, and returns what it says that b did not know, as
// Diff gives it (no IDs stamped). diff false makes the answer the
// baseline, reporting nothing (a ref's first answer). whole says cur is
// every sub-order the provider has (a poll's answer): then the sub-orders
// known that it misses are counted.
func (b *baseline) take(cur []status.Snapshot, diff, whole bool) []status.Change {
	var out []status.Change
	notFound := len(cur) == 1 && cur[0].Stage == status.NotFound && cur[0].Err == nil && len(b.subs) > 0
	if notFound && len(b.subs) == 1 && b.subs[0].Stage == status.NotFound {
		notFound = false // not found before too: the answer matches it below
	}
	matched := make([]bool, len(b.subs))
	if !notFound {
		for _, c := range cur {
			i := b.match(c, len(cur))
			if i >= 0 {
				matched[i] = true
			}
			switch {
			case c.Err != nil && c.Stage == status.Unknown:
				// This sub-order failed: it stays as it was, a miss of nothing.
				continue
			case i < 0 && c.Stage == status.NotFound && len(b.subs) > 0:
				// A sub-order not found that was never known: nothing to say.
				continue
			case i < 0:
				c.Err = nil
				if diff {
					out = append(out, status.Diff(status.Snapshot{Provider: c.Provider, Ref: c.Ref, OrderNo: c.OrderNo}, c)...)
				}
				b.subs = append(b.subs, c)
				matched = append(matched, true)
				continue
			}
			old := b.subs[i]
			if c.Stage == status.NotFound && old.Stage != status.NotFound {
				// Said not found: a miss (below), unless it was not found before.
				matched[i] = false
				continue
			}
			m := merged(old, c)
			if diff {
				out = append(out, status.Diff(old, m)...)
			}
			b.subs[i] = m
			delete(b.misses, keyOf(old))
		}
	}
	// The sub-orders this answer missed: counted; taken as not found at
	// the last miss.
	for i, s := range b.subs {
		if !whole || matched[i] || s.Stage == status.NotFound {
			continue
		}
		if slices.ContainsFunc(cur, func(c status.Snapshot) bool { return c.Err != nil && c.Stage == status.Unknown }) && !notFound {
			// Some sub-order failed: this one may be it.
			continue
		}
		if b.misses == nil {
			b.misses = map[string]int{}
		}
		k := keyOf(s)
		b.misses[k]++
		if b.misses[k] < MissesToNotFound {
			continue
		}
		delete(b.misses, k)
		nf := s
		nf.Stage = status.NotFound
		if len(cur) > 0 && cur[0].Stage == status.NotFound {
			nf.Codes = cur[0].Codes
		}
		if diff {
			out = append(out, status.Diff(s, nf)...)
		}
		b.subs[i] = nf
	}
	if len(b.misses) == 0 {
		b.misses = nil
	}
	return out
}

// keyOf names a sub-order in misses.
func keyOf(s status.Snapshot) string { return s.OrderNo }

// match returns the index of the known sub-order c answers for, -1 for
// none: the one of the same OrderNo, or, where one of the two has no
// OrderNo (an order not found has none), the only one known when the
// answer has only c.
func (b *baseline) match(c status.Snapshot, answered int) int {
	for i, s := range b.subs {
		if s.OrderNo == c.OrderNo {
			return i
		}
	}
	if len(b.subs) == 1 && answered == 1 && (b.subs[0].OrderNo == "" || c.OrderNo == "") {
		return 0
	}
	return -1
}

// merged returns what is known of a sub-order once c, an answer for it,
// is taken into old.
func merged(old, c status.Snapshot) status.Snapshot {
	if c.Err != nil {
		// Its stage came, its events did not: the events known stand.
		c.Err = nil
	}
	events := status.MergeEvents(old.Events, c.Events)
	if !c.UpdatedAt.IsZero() && c.UpdatedAt.Before(old.UpdatedAt) {
		// An answer older than what is known: its events alone are news.
		old.Events = events
		return old
	}
	c.Events = events
	if c.TrackingNo == "" {
		c.TrackingNo = old.TrackingNo
	}
	if c.Carrier == "" {
		c.Carrier = old.Carrier
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = old.UpdatedAt
	}
	if c.OrderNo == "" {
		c.OrderNo = old.OrderNo
	}
	return c
}

// pushInto returns the ref's answer a pushed snapshot makes of what is
// known, and false when it cannot say which sub-order the push is of.
//
// A push with an OrderNo is a whole answer for that sub-order. One without
// (a reseller notification speaks of one express) is of the sub-order of
// the same TrackingNo: it brings its carrier (where none was known) and its
// events; its stage, codes, problems and UpdatedAt are the sub-order's
// own. A push whose tracking number no sub-order has (the first of an
// express, or one the provider changed) is not guessed at: the Watcher
// polls its ref instead.
func (b *baseline) pushInto(p status.Snapshot) ([]status.Snapshot, bool) {
	if p.OrderNo != "" {
		return []status.Snapshot{p}, true
	}
	if p.TrackingNo == "" {
		return nil, false
	}
	i := slices.IndexFunc(b.subs, func(s status.Snapshot) bool { return s.TrackingNo == p.TrackingNo })
	if i < 0 {
		return nil, false
	}
	m := b.subs[i]
	if m.Carrier == "" {
		m.Carrier = p.Carrier
	}
	m.Events = status.MergeEvents(m.Events, p.Events)
	return []status.Snapshot{m}, true
}
