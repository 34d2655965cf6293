package watch

import (
	"context"
	"errors"
	"time"
)

// Health is how one tracker of a Watcher fares, as Health reports it.
type Health struct {
	Tracker TrackerID `json:"tracker"`
	// Holder is the owner of the tracker's lease: this Watcher's Owner
	// when it drives the tracker, another's when another process does.
	Holder string `json:"holder,omitempty"`
	// LastPass is when a pass last ended with nothing due; LastSuccess
	// when a batch last had an answer.
	LastPass    time.Time `json:"last_pass,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// FailingSince is when the tracker began failing (no ref of a batch
	// answered); zero when it is not failing.
	FailingSince time.Time `json:"failing_since,omitzero"`
	// LeaseRefused counts the passes that found another process holding
	// the tracker; LeaseLost the times this Watcher lost it while it
	// worked (its batch or its delivery stopped); ClaimsLost the refs
	// whose save was refused (their claim was taken again, or the ref
	// unfollowed meanwhile). Counted since the Watcher was made.
	LeaseRefused int `json:"lease_refused,omitempty"`
	LeaseLost    int `json:"lease_lost,omitempty"`
	ClaimsLost   int `json:"claims_lost,omitempty"`
	// StoreFailing says the Store's last answer was an error, LastError.
	StoreFailing bool   `json:"store_failing,omitempty"`
	LastError    string `json:"last_error,omitempty"`
	// StatsError is why the Store's counts, lease and outage state could
	// not be read: Stats is zero then, not a count.
	StatsError string `json:"stats_error,omitempty"`
	// Stats are the Store's counts: refs followed, due now (the backlog),
	// changes pending.
	Stats
}

// Health returns how each tracker added fares, in the order they were
// added, with the Store's counts, its lease and its outage state: any
// process on the Store answers for every account, whoever drives it. A Store that fails to count leaves the
// counts zero and its error joined in err; the rest is still returned.
func (w *Watcher) Health(ctx context.Context) ([]Health, error) {
	w.mu.Lock()
	out := make([]Health, 0, len(w.order))
	for _, id := range w.order {
		out = append(out, w.trackers[id].health)
	}
	w.mu.Unlock()
	var errs []error
	now := w.now()
	for i := range out {
		st, err := w.store.Stats(ctx, out[i].Tracker, now)
		if err != nil {
			errs = append(errs, err)
			out[i].StatsError = err.Error()
			continue
		}
		out[i].Stats = st
		// What the Store knows beats what this process saw: it may not
		// drive the account, or no longer.
		out[i].Holder = st.Lease.Owner
		switch o := st.Lease.Outage; {
		case o.Failing:
			out[i].FailingSince = o.Since
		case st.Lease.Owner != w.owner:
			out[i].FailingSince = time.Time{} // said by the holder, from the Store
		}
	}
	return out, errors.Join(errs...)
}
