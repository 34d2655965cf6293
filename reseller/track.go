package reseller

import (
	"context"
	"fmt"
	"time"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/status"
)

// Provider returns status.Reseller.
func (c *Client) Provider() status.Provider { return status.Reseller }

// Track returns one snapshot per sub-order of each third-party order number,
// in the order given, with Ref the third-party order number and OrderNo the
// sub-order number. Queries run concurrently, at most Config.Concurrency at
// once. An order the platform does not know comes back as one snapshot with
// Stage status.NotFound; a ref whose query failed comes back as one snapshot
// with Err set, and the other refs are still asked. Its error is non-nil
// only when the call is refused before anything is sent: a nil context, or
// an empty or blank ref.
func (c *Client) Track(ctx context.Context, refs ...string) (_ []status.Snapshot, err error) {
	ctx, end := c.t.Start(ctx, "Track", len(refs))
	defer func() { end(err) }()
	return fanout.Track(ctx, status.Reseller, refs, c.cfg.Concurrency, func(ctx context.Context, ref string) ([]status.Snapshot, error) {
		o, err := c.QueryOrder(ctx, ref)
		if err != nil {
			return nil, err
		}
		return o.Snapshots(ref), nil
	})
}

// Snapshots converts the order to canonical terms, one snapshot per
// sub-order. An order without sub-orders gives one snapshot of Stage
// status.Unknown with the parent order number.
func (o *Order) Snapshots(ref string) []status.Snapshot {
	if len(o.SubOrderList) == 0 {
		return []status.Snapshot{{Provider: status.Reseller, Ref: ref, OrderNo: o.UnionOrderNo}}
	}
	out := make([]status.Snapshot, len(o.SubOrderList))
	for i := range o.SubOrderList {
		out[i] = o.SubOrderList[i].Snapshot(ref)
	}
	return out
}

// Snapshot converts one sub-order: Stage from orderStatus, TrackingNo and
// Carrier from orderExpress, UpdatedAt from the newest trace.
func (s *SubOrder) Snapshot(ref string) status.Snapshot {
	code := s.OrderStatus.Code()
	snap := status.Snapshot{
		Provider: status.Reseller,
		Ref:      ref,
		OrderNo:  s.OrderNo,
		Stage:    s.OrderStatus.Stage(),
		Codes:    []status.Code{code},
	}
	if s.noStatus {
		// One sub-order's missing field loses none of its siblings: its own
		// snapshot says what is wrong.
		snap.Codes, snap.Stage = nil, status.Unknown
		snap.Err = &status.RefError{Provider: status.Reseller, Ref: ref,
			Err: fmt.Errorf("POST %s: malformed response: sub-order %q has no orderStatus: %w", orderQueryPath, s.OrderNo, status.ErrMalformedResponse)}
	} else if raw, ok := s.Unfit.Code(status.Reseller, "orderStatus"); ok {
		snap.Codes[0], snap.Stage = raw, status.Unknown
	} else if r := s.OrderStatus.Reason(); r != status.ReasonUnknown {
		snap.Problems = []status.Problem{{Reason: r, Code: code}}
	}
	if e := s.OrderExpress; e != nil {
		snap.TrackingNo = e.ExpressNumber
		snap.Carrier = e.ExpressCompanyName
		if snap.Carrier == "" {
			snap.Carrier = e.ExpressCompany
		}
		snap.UpdatedAt = e.LatestTrace().UTC()
		snap.Events = e.Events()
	}
	return snap
}

// Events returns the traces as events, oldest first (the platform sends
// them newest first: where times cannot tell, the reverse of its order): the trace's time, its
// context as the description, its city as the location, and its status as
// the raw code (the platform documents no trace statuses, so the stage is
// Unknown).
func (e *OrderExpress) Events() []status.Event {
	if len(e.Traces) == 0 {
		return nil
	}
	out := make([]status.Event, len(e.Traces))
	for i := range e.Traces {
		t := &e.Traces[i]
		ev := status.Event{Time: t.Time.Time.UTC(), RawTime: t.Time.Raw, Description: t.Context, Location: t.City}
		if raw, ok := t.Unfit.Text("time"); ok {
			ev.RawTime = raw
		}
		if t.Status != "" {
			ev.Code = status.Code{Provider: status.Reseller, Field: "status", Value: t.Status}
		}
		out[i] = ev
	}
	status.SortEventsNewestFirst(out)
	return out
}

// LatestTrace returns the time of the newest trace whose time could be
// parsed; zero when there is none.
func (e *OrderExpress) LatestTrace() time.Time {
	var latest time.Time
	for _, t := range e.Traces {
		if t.Time.Time.After(latest) {
			latest = t.Time.Time
		}
	}
	return latest
}
