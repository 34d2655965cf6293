package watch

import (
	"bytes"
	"slices"
	"sync"
	"time"

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
// known that it misses are counted, and a placeholder known (a snapshot
// that stood for an order with no sub-order yet: no stage, or not found,
// with no tracking number or event) gives way to the sub-orders found.
func (b *baseline) take(cur []status.Snapshot, diff, whole bool) []status.Change {
	var out []status.Change
	notFound := len(cur) == 1 && cur[0].Stage == status.NotFound && cur[0].Err == nil && len(b.subs) > 0
	if notFound && len(b.subs) == 1 && b.subs[0].Stage == status.NotFound {
		notFound = false // not found before too: the answer matches it below
	}
	matched := make([]bool, len(b.subs))
	unplacedFailure := false // a failed snapshot of no known sub-order
	if !notFound {
		idx := b.place(cur)
		for j, c := range cur {
			i := idx[j]
			if i >= 0 {
				matched[i] = true
			}
			switch {
			case c.Err != nil && c.Stage == status.Unknown:
				// This sub-order failed: it stays as it was, a miss of nothing.
				if i < 0 {
					unplacedFailure = true
				}
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
	if whole && slices.ContainsFunc(cur, found) {
		// Placeholders give way to the sub-orders found.
		kept, keptMatched := b.subs[:0], matched[:0]
		for i, s := range b.subs {
			if !matched[i] && placeholder(s) {
				delete(b.misses, keyOf(s))
				continue
			}
			kept, keptMatched = append(kept, s), append(keptMatched, matched[i])
		}
		b.subs, matched = kept, keptMatched
	}
	// The sub-orders this answer missed: counted; taken as not found at
	// the last miss.
	for i, s := range b.subs {
		if !whole || matched[i] || s.Stage == status.NotFound {
			continue
		}
		if unplacedFailure && !notFound {
			// A sub-order failed, and which one is not known: this one may
			// be it.
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

// found reports whether s is a sub-order the provider knows.
func found(s status.Snapshot) bool {
	return s.Err == nil && s.Stage != status.Unknown && s.Stage != status.NotFound
}

// placeholder reports whether s stands for an order with no sub-order
// yet: no stage known, or not found, and nothing known of it.
func placeholder(s status.Snapshot) bool {
	return (s.Stage == status.Unknown || s.Stage == status.NotFound) && s.TrackingNo == "" && len(s.Events) == 0 && len(s.Problems) == 0
}

// active returns the sub-orders that lead a ref's schedule and its final
// stage: those found, when any is; else all.
func active(subs []status.Snapshot) []status.Snapshot {
	if !slices.ContainsFunc(subs, found) {
		return subs
	}
	return slices.DeleteFunc(slices.Clone(subs), func(s status.Snapshot) bool { return s.Stage == status.NotFound })
}

// keyOf names a sub-order in misses.
func keyOf(s status.Snapshot) string { return s.OrderNo }

// place returns, for each snapshot of an answer, the index of the known
// sub-order it answers for, -1 for none; no known sub-order is given two
// snapshots but by OrderNo (one sub-order given twice). By strength:
//
//  1. the same OrderNo; for a snapshot with none, the same tracking
//     number;
//  2. where one of the two has no OrderNo (an order not found has none),
//     the only one known when the answer has only the snapshot;
//  3. for a snapshot with no OrderNo, the next known with none, in order.
func (b *baseline) place(cur []status.Snapshot) []int {
	idx := make([]int, len(cur))
	taken := make([]bool, len(b.subs))
	for j, c := range cur {
		idx[j] = -1
		switch {
		case c.OrderNo != "":
			idx[j] = slices.IndexFunc(b.subs, func(s status.Snapshot) bool { return s.OrderNo == c.OrderNo })
		case c.TrackingNo != "":
			idx[j] = slices.IndexFunc(b.subs, func(s status.Snapshot) bool { return s.OrderNo == "" && s.TrackingNo == c.TrackingNo })
			if idx[j] >= 0 && taken[idx[j]] {
				idx[j] = -1
			}
		}
		if idx[j] >= 0 {
			taken[idx[j]] = true
		}
	}
	for j, c := range cur {
		if idx[j] >= 0 {
			continue
		}
		if len(b.subs) == 1 && len(cur) == 1 && (b.subs[0].OrderNo == "" || c.OrderNo == "") && !taken[0] {
			idx[j], taken[0] = 0, true
			continue
		}
		if c.OrderNo == "" {
			for i, s := range b.subs {
				if s.OrderNo == "" && !taken[i] {
					idx[j], taken[i] = i, true
					break
				}
			}
		}
	}
	return idx
}

// merged returns what is known of a sub-order once c, an answer for it,
// is taken into old.
func merged(old, c status.Snapshot) status.Snapshot {
	if c.Err != nil {
		// Its stage came, its events did not: the events known stand.
		c.Err = nil
	}
	if c.Stage == status.NotFound {
		// Not found says nothing of the order but that: what was known of
		// it (its problems among the rest) stands for its return.
		c.Problems = old.Problems
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

// takesAsIs reports whether taking snaps into a baseline of the same
// snapshots gives them back as they are, so that a quiet poll may be
// recognised from bytes: each sub-order is named once (by its OrderNo, or
// else its tracking number), and each one's timed events are in time
// order, as a merge leaves them.
func takesAsIs(snaps []status.Snapshot) bool {
	for i, s := range snaps {
		for _, o := range snaps[:i] {
			switch {
			case s.OrderNo != "" && s.OrderNo == o.OrderNo:
				return false
			case s.OrderNo == "" && o.OrderNo == "" && s.TrackingNo != "" && s.TrackingNo == o.TrackingNo:
				return false
			}
		}
		var last time.Time
		for _, e := range s.Events {
			if e.Time.IsZero() {
				continue
			}
			if e.Time.Before(last) {
				return false
			}
			last = e.Time
		}
	}
	return true
}

// sameBytes reports whether snaps encode to raw, a baseline's JSON as a
// Store keeps it.
func sameBytes(snaps []status.Snapshot, raw []byte) bool {
	p := scratch.Get().(*[]byte)
	b, err := status.AppendSnapshotsJSON((*p)[:0], snaps)
	same := err == nil && bytes.Equal(b, raw)
	if cap(b) <= 64<<10 {
		*p = b
		scratch.Put(p)
	}
	return same
}

// scratch holds the buffers sameBytes encodes into, one a poll.
var scratch = sync.Pool{New: func() any { return new([]byte) }}
