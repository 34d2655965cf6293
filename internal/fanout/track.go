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
// ref the provider says it does not know gives one snapshot of Stage
// status.NotFound (see NotFound); any other failure fails the call, naming
// the ref.
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
		if nf, ok := NotFound(p, refs[i], err); ok {
			per[i] = []status.Snapshot{nf}
			return nil
		}
		switch {
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

// NotFound reports whether err says the provider does not know ref, and
// gives the snapshot for it, carrying the provider's code and message as
// raw Codes. Only the provider's own answer (an error in its envelope, in
// an HTTP 2xx answer) or a ref that cannot name anything (status.ErrNotFound
// itself) counts: an HTTP 404 is a wrong URL as often as a missing order,
// so it stays an error.
func NotFound(p status.Provider, ref string, err error) (status.Snapshot, bool) {
	if !errors.Is(err, status.ErrNotFound) {
		return status.Snapshot{}, false
	}
	s := status.Snapshot{Provider: p, Ref: ref, Stage: status.NotFound}
	var ae *status.APIError
	if !errors.As(err, &ae) {
		return s, true
	}
	if ae.HTTPStatus < 200 || ae.HTTPStatus > 299 {
		return status.Snapshot{}, false
	}
	if ae.Code != "" {
		s.Codes = append(s.Codes, status.Code{Provider: p, Field: "code", Value: ae.Code})
	}
	if ae.Message != "" {
		s.Codes = append(s.Codes, status.Code{Provider: p, Field: "message", Value: ae.Message})
	}
	return s, true
}
