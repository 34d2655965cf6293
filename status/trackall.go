package status

import (
	"context"
	"fmt"
	"sync"
)

// Query is one Tracker and the refs to ask it about.
type Query struct {
	// Provider names the tracker in errors.
	Provider Provider
	Tracker  Tracker
	Refs     []string
}

// TrackAll asks every query's Tracker at once and returns all their
// snapshots, in the order of the queries and, within one, in the order its
// Tracker returned them. Every tracker runs to its end; if any failed, the
// error of the first failing query (in query order) is returned, with its
// provider named, and no snapshots.
func TrackAll(ctx context.Context, queries ...Query) ([]Snapshot, error) {
	results := make([][]Snapshot, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		if len(q.Refs) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = q.Tracker.Track(ctx, q.Refs...)
		}()
	}
	wg.Wait()
	var all []Snapshot
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("track %s: %w", queries[i].Provider, err)
		}
		all = append(all, results[i]...)
	}
	return all, nil
}
