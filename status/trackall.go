package status

import (
	"context"
	"sync"
)

// Query is one Tracker and the refs to ask it about.
type Query struct {
	Tracker Tracker
	Refs    []string
}

// TrackAll asks every query's Tracker at once and returns all their
// snapshots, in the order of the queries and, within one, in the order its
// Tracker returned them. One provider's failure never loses another's
// answers: a Tracker that refuses its call (an empty ref, say) gives each of
// its refs a snapshot with Err set, and the other queries are unaffected.
// A query without refs is not asked. Use [Errors] on the result for all or
// nothing.
func TrackAll(ctx context.Context, queries ...Query) []Snapshot {
	results := make([][]Snapshot, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		if len(q.Refs) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			snaps, err := q.Tracker.Track(ctx, q.Refs...)
			if err != nil {
				snaps = make([]Snapshot, len(q.Refs))
				for j, ref := range q.Refs {
					snaps[j] = Failed(q.Tracker.Provider(), ref, err)
				}
			}
			results[i] = snaps
		}()
	}
	wg.Wait()
	n := 0
	for _, r := range results {
		n += len(r)
	}
	all := make([]Snapshot, 0, n)
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}
