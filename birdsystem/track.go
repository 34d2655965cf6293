package birdsystem

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/status"
)

// Track returns one snapshot per consignment id, in the order given. Lookups
// run concurrently, at most Config.Concurrency at once. A ref that is not a
// number, or names no consignment, comes back with Stage status.NotFound;
// any other failure fails the call, naming the ref. Empty refs are refused
// before anything is sent.
func (c *Client) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	for _, ref := range refs {
		if ref == "" {
			return nil, fmt.Errorf("birdsystem: empty consignment id: %w", status.ErrInvalidRequest)
		}
	}
	out := make([]status.Snapshot, len(refs))
	err := fanout.Each(ctx, len(refs), c.cfg.Concurrency, func(ctx context.Context, i int) error {
		notFound := status.Snapshot{Provider: status.BirdSystem, Ref: refs[i], Stage: status.NotFound}
		id, err := strconv.ParseInt(refs[i], 10, 64)
		if err != nil || id <= 0 {
			out[i] = notFound
			return nil
		}
		con, err := c.GetConsignment(ctx, id)
		switch {
		case errors.Is(err, status.ErrNotFound):
			out[i] = notFound
		case err != nil:
			return fmt.Errorf("birdsystem: track %q: %w", refs[i], err)
		default:
			out[i] = con.Snapshot(refs[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Snapshot converts the consignment to canonical terms: Stage from status,
// a Problem when the status is one (PROBLEM, REVIEWING, WAITING_...),
// TrackingNo from tracking_reference or else delivery_reference, Carrier
// from delivery_service_name, UpdatedAt from update_time.
func (c *Consignment) Snapshot(ref string) status.Snapshot {
	code := c.Status.Code()
	s := status.Snapshot{
		Provider:   status.BirdSystem,
		Ref:        ref,
		OrderNo:    c.ID.String(),
		Stage:      c.Status.Stage(),
		Codes:      []status.Code{code, c.Type.Code()},
		TrackingNo: c.TrackingReference.String,
		Carrier:    c.DeliveryServiceName.String,
		UpdatedAt:  c.UpdateTime.Time,
	}
	if s.TrackingNo == "" {
		s.TrackingNo = c.DeliveryReference.String
	}
	if r := c.Status.Reason(); r != status.ReasonUnknown {
		s.Problems = []status.Problem{{Reason: r, Code: code}}
	}
	return s
}
