package fanout

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ordertrack/ordertrack/status"
)

// CheckRefs refuses a Track call before anything is sent: a nil context, or
// a ref that is empty or only white space. Every provider refuses them the
// same way, with an error matching status.ErrInvalidRequest.
func CheckRefs(ctx context.Context, p status.Provider, refs []string) error {
	if ctx == nil {
		return fmt.Errorf("%s: nil context: %w", p, status.ErrInvalidRequest)
	}
	for i, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			return fmt.Errorf("%s: ref %d is empty: %w", p, i, status.ErrInvalidRequest)
		}
	}
	return nil
}

// Track is the Track of a provider that looks refs up one at a time. It
// refuses the call before anything is sent when CheckRefs does, then calls
// lookup for each ref, at most limit at once, and returns the snapshots in
// ref order, at least one per ref. A ref the provider says it does not know
// gives one snapshot of Stage status.NotFound (see NotFound); a ref whose
// lookup failed gives one snapshot with Err set (see status.Failed). When
// ctx ends midway, the refs already answered keep their snapshots and the
// rest fail with the context's error.
func Track(ctx context.Context, p status.Provider, refs []string, limit int,
	lookup func(ctx context.Context, ref string) ([]status.Snapshot, error)) ([]status.Snapshot, error) {
	if err := CheckRefs(ctx, p, refs); err != nil {
		return nil, err
	}
	if len(refs) == 1 {
		// One ref needs no goroutine, and no gathering.
		if err := ctx.Err(); err != nil {
			return []status.Snapshot{status.Failed(p, refs[0], err)}, nil
		}
		return trackOne(ctx, p, refs[0], lookup), nil
	}
	per := make([][]status.Snapshot, len(refs))
	Each(ctx, len(refs), limit, func(ctx context.Context, i int) error {
		per[i] = trackOne(ctx, p, refs[i], lookup)
		return nil
	})
	n := 0
	for _, s := range per {
		n += max(len(s), 1)
	}
	out := make([]status.Snapshot, 0, n)
	for i, s := range per {
		if s == nil {
			// Never started: the context ended first.
			s = []status.Snapshot{status.Failed(p, refs[i], ctx.Err())}
		}
		out = append(out, s...)
	}
	return out, nil
}

// trackOne looks ref up, and gives the snapshots of its answer, or the one
// snapshot of its absence or of its failure.
func trackOne(ctx context.Context, p status.Provider, ref string, lookup func(ctx context.Context, ref string) ([]status.Snapshot, error)) []status.Snapshot {
	snaps, err := lookup(ctx, ref)
	if nf, ok := NotFound(p, ref, err); ok {
		return []status.Snapshot{nf}
	}
	if err != nil {
		return []status.Snapshot{status.Failed(p, ref, err)}
	}
	return snaps
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
