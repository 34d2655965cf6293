package watch

import (
	"context"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// Push takes answers that came without a poll (a provider's push, such as
// reseller.NoticeHandler's Notice.Snapshot) for refs followed through id.
// Each is diffed against its ref's last snapshots and saved as a poll's
// answer would be, with the same change IDs and Store; its changes are
// delivered by the tracker's next pass (at once, when Run is running), or
// wait in the outbox for Consume; and the ref's next poll is put back by
// the Schedule, so a pushed order costs no polls until it goes quiet.
//
// A push speaks of one express: a pushed snapshot without an OrderNo is
// the sub-order of the same TrackingNo (or the ref's only one), whose
// stage, codes and problems it keeps; it adds the tracking number, the
// carrier and the events it brings. Sub-orders it does not name are kept
// as they were. Refs not followed are ignored. It returns the Store's
// error.
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
	for _, ref := range order {
		c, ok, err := w.store.ClaimRef(ctx, id, ref, now.Add(w.claimFor))
		if err != nil {
			return err
		}
		if !ok || c.Stopping {
			continue
		}
		cur := merge(c.Snapshots, byRef[ref])
		var n tally
		r := w.diffRef(tr, c, cur, now, &n)
		if !r.Due.After(now) {
			r.Due = now.Add(time.Nanosecond)
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil
	}
	if err := w.store.Save(ctx, id, results); err != nil {
		return err
	}
	w.poke(id)
	return nil
}

// merge returns prev with the pushed snapshots taken in: see Push.
func merge(prev, pushed []status.Snapshot) []status.Snapshot {
	cur := append([]status.Snapshot(nil), prev...)
	for _, p := range pushed {
		i := -1
		for j, s := range cur {
			if p.OrderNo != "" && s.OrderNo == p.OrderNo || p.OrderNo == "" && p.TrackingNo != "" && s.TrackingNo == p.TrackingNo {
				i = j
				break
			}
		}
		if i < 0 && p.OrderNo == "" && len(cur) == 1 {
			i = 0
		}
		if i < 0 {
			cur = append(cur, p)
			continue
		}
		if p.OrderNo != "" {
			cur[i] = p // a whole answer for the sub-order
			continue
		}
		m := cur[i]
		if p.TrackingNo != "" {
			m.TrackingNo = p.TrackingNo
		}
		if p.Carrier != "" && m.Carrier == "" {
			m.Carrier = p.Carrier
		}
		if p.UpdatedAt.After(m.UpdatedAt) {
			m.UpdatedAt = p.UpdatedAt
		}
		m.Events = status.MergeEvents(m.Events, p.Events)
		cur[i] = m
	}
	return cur
}
