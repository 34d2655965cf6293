package demo

import (
	"context"
	"errors"
	"testing"

	"github.com/ordertrack/ordertrack/status"
)

// Every client refuses a blank ref the same way: before anything is sent,
// with status.ErrInvalidRequest and no snapshots.
func TestEveryClientRefusesBlankRefs(t *testing.T) {
	f := Start()
	defer f.Close()
	before := f.Bailun.Hits("") + f.Reseller.Hits("") + f.BirdSystem.Hits("") + f.Flowery.Hits("")
	for _, q := range f.Queries {
		for _, refs := range [][]string{{""}, {" "}, {"\t\n"}, {q.Refs[0], "  "}} {
			snaps, err := q.Tracker.Track(context.Background(), refs...)
			if !errors.Is(err, status.ErrInvalidRequest) || snaps != nil {
				t.Errorf("%s %q: %v, %d snapshots", q.Tracker.Provider(), refs, err, len(snaps))
			}
		}
	}
	if after := f.Bailun.Hits("") + f.Reseller.Hits("") + f.BirdSystem.Hits("") + f.Flowery.Hits(""); after != before {
		t.Errorf("%d requests were sent", after-before)
	}
}
