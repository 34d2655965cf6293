package watch

import (
	"context"
	"slices"

	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// Observer hears a Watcher's batches and passes, for tracing and metrics
// (the otelordertrack module gives one). Its methods are called from many
// goroutines at once and must not block: they run on every pass.
type Observer interface {
	// StartBatch is called as a batch of claimed refs is about to be
	// asked: the batch's calls to its Tracker run under the context it
	// returns (so a trace shows each Track call, and each request, under
	// its batch), and end is called once the batch's results are saved,
	// or it stopped.
	StartBatch(ctx context.Context, b Batch) (context.Context, func(BatchEnd))
	// EndPass is called as each pass this Watcher held a tracker for
	// ends, as Options.OnPass is.
	EndPass(ctx context.Context, p Pass)
}

// Batch is one batch of a tracker's due refs, claimed together and asked
// in one Track call.
type Batch struct {
	Tracker TrackerID `json:"tracker"`
	// Refs counts the refs claimed.
	Refs int `json:"refs"`
}

// BatchEnd is what a batch did: of the refs asked, how many answered and
// how many failed; how many refs it stopped following; the changes it
// saved, in the outbox's order (the account's outage first). Err is why
// it stopped before its results were saved (its lease ended, the
// context, the Store), nil when they were.
type BatchEnd struct {
	Answered   int             `json:"answered"`
	Failing    int             `json:"failing"`
	Unfollowed int             `json:"unfollowed"`
	Changes    []status.Change `json:"changes,omitempty"`
	Err        error           `json:"-"`
}

// startBatch returns the context a batch of tr's refs is asked under:
// naming the account for the clients' Observers, and the batch's own for
// this Watcher's Observer, with the function that ends it (nil without an
// Observer).
func (w *Watcher) startBatch(ctx context.Context, tr *tracked, refs int) (context.Context, func(BatchEnd)) {
	ctx = observe.WithAccount(ctx, tr.id.Account)
	if w.observer == nil {
		return ctx, nil
	}
	return w.observer.StartBatch(ctx, Batch{Tracker: tr.id, Refs: refs})
}

// end is what b did, for the Observer: the changes of the refs whose
// save was refused (lost) were not saved.
func (b *batch) end(lost []string) BatchEnd {
	e := BatchEnd{Answered: b.answered, Failing: b.asked - b.answered, Unfollowed: b.unfollowed}
	if b.changes > 0 {
		e.Changes = make([]status.Change, 0, b.changes)
		if b.said != nil {
			e.Changes = append(e.Changes, *b.said)
		}
		for _, r := range b.results {
			if !slices.Contains(lost, r.Ref) {
				e.Changes = append(e.Changes, r.Changes...)
			}
		}
	}
	return e
}
