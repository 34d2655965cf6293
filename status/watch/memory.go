package watch

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// NewMemoryStore returns a Store that keeps everything in memory, for one
// process: the default of a Watcher, and what tests use. It keeps the
// Store contract (claims, generations, leases, outbox) as the SQL stores
// do, and forgets everything when the process ends.
func NewMemoryStore() Store { return &memoryStore{trackers: map[TrackerID]*memTracker{}} }

type memoryStore struct {
	mu       sync.Mutex
	trackers map[TrackerID]*memTracker
	seq      int64 // the last heap entry's number
}

type memTracker struct {
	refs  map[string]*memRef
	due   dueHeap
	lease TrackerLease
	// outbox holds the changes not acknowledged, in order; pending finds
	// them by ID.
	outbox  []status.Change
	pending map[string]bool
	seq     *int64 // the store's
}

type memRef struct {
	Followed
	seq int64 // the heap entry that is current
}

type dueEntry struct {
	due time.Time
	ref string
	seq int64
}

// dueHeap orders refs by due time; an entry whose seq is not its ref's is
// stale and skipped.
type dueHeap []dueEntry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

func (s *memoryStore) tracker(t TrackerID) *memTracker {
	m := s.trackers[t]
	if m == nil {
		m = &memTracker{refs: map[string]*memRef{}, pending: map[string]bool{}, seq: &s.seq}
		s.trackers[t] = m
	}
	return m
}

// fail names the store, the operation and the tracker in err.
func fail(op string, t TrackerID, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("watch: memory store: %s %s: %w", op, t, err)
}

// next returns a new number of the store's: for heap entries and
// generations alike.
func (m *memTracker) next() int64 {
	*m.seq++
	return *m.seq
}

// schedule sets r's due time and puts it in the heap.
func (m *memTracker) schedule(r *memRef, due time.Time) {
	r.seq = m.next()
	r.Due = due.UTC()
	heap.Push(&m.due, dueEntry{due: r.Due, ref: r.Ref, seq: r.seq})
	// Compact when stale entries are most of the heap.
	if len(m.due) > 1024 && len(m.due) > 4*len(m.refs) {
		fresh := m.due[:0]
		for _, e := range m.due {
			if r := m.refs[e.ref]; r != nil && r.seq == e.seq {
				fresh = append(fresh, e)
			}
		}
		clear(m.due[len(fresh):])
		m.due = fresh
		heap.Init(&m.due)
	}
}

func (s *memoryStore) Follow(ctx context.Context, t TrackerID, due time.Time, refs ...string) (int, error) {
	if err := CheckRefs(refs); err != nil {
		return 0, fail("follow", t, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fail("follow", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	added := 0
	for _, ref := range refs {
		if r := m.refs[ref]; r != nil {
			if r.Stopping {
				r.Stopping = false
				r.Gen = m.next() // the claim that would stop it is refused
				m.schedule(r, due)
			}
			continue
		}
		r := &memRef{Followed: Followed{Ref: ref, State: State{Since: due.UTC()}}}
		m.refs[ref] = r
		m.schedule(r, due)
		added++
	}
	return added, nil
}

func (s *memoryStore) Unfollow(ctx context.Context, t TrackerID, now time.Time, refs ...string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fail("unfollow", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	n := 0
	for _, ref := range refs {
		if r := m.refs[ref]; r != nil && !r.Stopping {
			r.Stopping = true
			r.Gen = m.next() // a claim of it out is fenced off
			if r.Due.After(now) {
				m.schedule(r, now)
			}
			n++
		}
	}
	return n, nil
}

func (s *memoryStore) Claim(ctx context.Context, t TrackerID, now, until time.Time, limit int) ([]Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, fail("claim", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	var out []Claim
	for len(out) < limit && len(m.due) > 0 {
		e := m.due[0]
		r := m.refs[e.ref]
		if r == nil || r.seq != e.seq {
			heap.Pop(&m.due)
			continue
		}
		if e.due.After(now) {
			break
		}
		heap.Pop(&m.due)
		r.Gen = m.next() // unique in the store: a ref followed again never meets its old claims
		m.schedule(r, until)
		out = append(out, Claim{Ref: r.Ref, Gen: r.Gen, Stopping: r.Stopping, Seen: r.Seen,
			Snapshots: slices.Clone(r.Snapshots), State: r.State})
	}
	return out, nil
}

func (s *memoryStore) ClaimRef(ctx context.Context, t TrackerID, ref string, until time.Time) (Claim, bool, error) {
	if err := ctx.Err(); err != nil {
		return Claim{}, false, fail("claim", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	r := m.refs[ref]
	if r == nil {
		return Claim{}, false, nil
	}
	if !r.Stopping {
		r.Gen = m.next()
		m.schedule(r, until)
	}
	return Claim{Ref: r.Ref, Gen: r.Gen, Stopping: r.Stopping, Seen: r.Seen, Snapshots: slices.Clone(r.Snapshots), State: r.State}, true, nil
}

func (s *memoryStore) Save(ctx context.Context, t TrackerID, results []Result) error {
	if err := ctx.Err(); err != nil {
		return fail("save", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	var lost []string
	for _, res := range results {
		r := m.refs[res.Ref]
		if r == nil || r.Gen != res.Gen {
			lost = append(lost, res.Ref)
			continue
		}
		for _, c := range res.Changes {
			if !m.pending[c.ID] {
				m.pending[c.ID] = true
				m.outbox = append(m.outbox, c)
			}
		}
		if res.Done {
			delete(m.refs, res.Ref)
			continue
		}
		r.Seen, r.Snapshots, r.State = res.Seen, slices.Clone(res.Snapshots), res.State
		m.schedule(r, res.Due)
	}
	if lost != nil {
		return &LeaseLostError{Tracker: t, Refs: lost}
	}
	return nil
}

func (s *memoryStore) Pending(ctx context.Context, t TrackerID, limit int) ([]status.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, fail("pending", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	return slices.Clone(m.outbox[:max(0, min(limit, len(m.outbox)))]), nil
}

func (s *memoryStore) Ack(ctx context.Context, t TrackerID, ids ...string) error {
	if err := ctx.Err(); err != nil {
		return fail("ack", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	gone := map[string]bool{}
	for _, id := range ids {
		if m.pending[id] {
			delete(m.pending, id)
			gone[id] = true
		}
	}
	if len(gone) > 0 {
		m.outbox = slices.DeleteFunc(m.outbox, func(c status.Change) bool { return gone[c.ID] })
	}
	return nil
}

func (s *memoryStore) Lease(ctx context.Context, t TrackerID, owner string, now, until time.Time) (TrackerLease, bool, error) {
	if err := ctx.Err(); err != nil {
		return TrackerLease{}, false, fail("lease", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	l := &m.lease
	switch {
	case l.Owner == owner:
	case l.Owner == "" || !l.Until.After(now):
		l.Owner = owner
		l.Gen++
	default:
		out := *l
		out.Outage.Refs = slices.Clone(l.Outage.Refs)
		return out, false, nil
	}
	l.Until = until.UTC()
	out := *l
	out.Outage.Refs = slices.Clone(l.Outage.Refs)
	return out, true, nil
}

func (s *memoryStore) Release(ctx context.Context, t TrackerID, owner string) error {
	if err := ctx.Err(); err != nil {
		return fail("release", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.trackers[t]; m != nil && m.lease.Owner == owner {
		m.lease.Owner, m.lease.Until = "", time.Time{}
	}
	return nil
}

func (s *memoryStore) SaveOutage(ctx context.Context, t TrackerID, gen int64, o Outage, changes []status.Change) error {
	if err := ctx.Err(); err != nil {
		return fail("save outage", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	if m.lease.Gen != gen {
		return fail("save outage", t, fmt.Errorf("the lease is of generation %d, not %d: %w", m.lease.Gen, gen, ErrLeaseLost))
	}
	o.Refs = slices.Clone(o.Refs)
	o.Since = o.Since.UTC()
	m.lease.Outage = o
	for _, c := range changes {
		if !m.pending[c.ID] {
			m.pending[c.ID] = true
			m.outbox = append(m.outbox, c)
		}
	}
	return nil
}

func (s *memoryStore) Get(ctx context.Context, t TrackerID, ref string) (Followed, bool, error) {
	if err := ctx.Err(); err != nil {
		return Followed{}, false, fail("get", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.tracker(t).refs[ref]
	if r == nil {
		return Followed{}, false, nil
	}
	f := r.Followed
	f.Snapshots = slices.Clone(f.Snapshots)
	return f, true, nil
}

func (s *memoryStore) Stats(ctx context.Context, t TrackerID, now time.Time) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, fail("stats", t, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.tracker(t)
	st := Stats{Followed: len(m.refs), Pending: len(m.outbox), Lease: m.lease}
	st.Lease.Outage.Refs = slices.Clone(m.lease.Outage.Refs)
	for _, r := range m.refs {
		if !r.Due.After(now) {
			st.Due++
			if st.OldestDue.IsZero() || r.Due.Before(st.OldestDue) {
				st.OldestDue = r.Due
			}
		}
	}
	return st, nil
}
