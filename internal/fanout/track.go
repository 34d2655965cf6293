package fanout

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordertrack/ordertrack/status"
)

// Track is the Track of a provider that looks refs up one at a time. It
// refuses empty refs before anything is sent, then calls lookup for each
// ref, at most limit at once, and returns the snapshots in ref order. A
// lookup failing with status.ErrNotFound gives one snapshot of Stage
// status.NotFound; any other failure fails the call, naming the ref.
func Track(ctx context.Context, p status.Provider, refs []string, limit int,
	lookup func(ctx context.Context, ref string) ([]status.Snapshot, error)) ([]status.Snapshot, error) {
	for _, ref := range refs {
		if ref == "" {
			return nil, fmt.Errorf("%s: empty ref: %w", p, status.ErrInvalidRequest)
		}
	}
	per := make([][]status.Snapshot, len(refs))
	err := Each(ctx, len(refs), limit, func(ctx context.Context, i int) error {
		snaps, err := lookup(ctx, refs[i])
		switch {
		case errors.Is(err, status.ErrNotFound):
			per[i] = []status.Snapshot{{Provider: p, Ref: refs[i], Stage: status.NotFound}}
		case err != nil:
			return fmt.Errorf("%s: track %q: %w", p, refs[i], err)
		default:
			per[i] = snaps
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]status.Snapshot, 0, len(refs))
	for _, s := range per {
		out = append(out, s...)
	}
	return out, nil
}
