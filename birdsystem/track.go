package birdsystem

import (
	"context"
	"strconv"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/status"
)

// Provider returns status.BirdSystem.
func (c *Client) Provider() status.Provider { return status.BirdSystem }

// Track returns one snapshot per consignment id, in the order given. Lookups
// run concurrently, at most Config.Concurrency at once. A ref that is not a
// number, or names no consignment, comes back with Stage status.NotFound; a
// ref whose lookup failed comes back with Err set, and the other refs are
// still asked. Its error is non-nil only when the call is refused before
// anything is sent: a nil context, or an empty or blank ref.
func (c *Client) Track(ctx context.Context, refs ...string) ([]status.Snapshot, error) {
	return fanout.Track(ctx, status.BirdSystem, refs, c.cfg.Concurrency, func(ctx context.Context, ref string) ([]status.Snapshot, error) {
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil || id <= 0 {
			return nil, status.ErrNotFound // no consignment has such an id
		}
		k, err := c.GetConsignment(ctx, id)
		if err != nil {
			return nil, err
		}
		snap := k.Snapshot(ref)
		if c.cfg.Location != nil {
			snap.UpdatedAt = k.UpdateTime.In(c.cfg.Location).UTC()
		}
		return []status.Snapshot{snap}, nil
	})
}

// Snapshot converts the consignment to canonical terms: Stage from status
// (read for the consignment's type: see status.BirdSystemStatus.StageFor),
// a Problem when the status is one (PROBLEM, REVIEWING, WAITING_...),
// TrackingNo from tracking_reference or else delivery_reference, Carrier
// from delivery_service_name, UpdatedAt from update_time.
func (c *Consignment) Snapshot(ref string) status.Snapshot {
	code := c.Status.Code()
	s := status.Snapshot{
		Provider:   status.BirdSystem,
		Ref:        ref,
		OrderNo:    c.ID.String(),
		Stage:      c.Status.StageFor(c.Type),
		Codes:      []status.Code{code, c.Type.Code()},
		TrackingNo: c.TrackingReference.String,
		Carrier:    c.DeliveryServiceName.String,
		UpdatedAt:  c.UpdateTime.Time.UTC(),
	}
	for i, field := range []string{"status", "type"} {
		if raw, ok := c.Unfit.Code(status.BirdSystem, field); ok {
			s.Codes[i], s.Stage = raw, status.Unknown
		}
	}
	if s.TrackingNo == "" {
		s.TrackingNo = c.DeliveryReference.String
	}
	if r := c.Status.ReasonFor(c.Type); r != status.ReasonUnknown && s.Stage != status.Unknown {
		s.Problems = []status.Problem{{Reason: r, Code: code}}
	}
	return s
}
