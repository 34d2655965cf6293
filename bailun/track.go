package bailun

import (
	"context"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/status"
)

// Provider returns status.Bailun.
func (c *Client) Provider() status.Provider { return status.Bailun }

// Track returns one snapshot per platform order number, in the order given,
// whatever fails. Lookups run concurrently, at most Config.Concurrency at
// once. An order Bailun does not know comes back with Stage
// status.NotFound; a ref whose lookup failed comes back with Err set, and
// the other refs are still asked. Its error is non-nil only when the call is
// refused before anything is sent: a nil context, or an empty or blank ref.
func (c *Client) Track(ctx context.Context, refs ...string) (_ []status.Snapshot, err error) {
	ctx, end := c.t.Start(ctx, "Track", len(refs))
	defer func() { end(err) }()
	return fanout.Track(ctx, status.Bailun, refs, c.cfg.Concurrency, func(ctx context.Context, ref string) ([]status.Snapshot, error) {
		o, err := c.QueryOrderStatus(ctx, ref)
		if err != nil {
			return nil, err
		}
		return []status.Snapshot{o.Snapshot(ref)}, nil
	})
}

// Snapshot converts the order's status to canonical terms: Stage from
// orderStatus, Problems from shipFaildType then exceptionType, Codes holding
// every raw value, UpdatedAt from lastUpdateTime (in UTC, whatever offset
// it was sent with).
func (o *OrderStatusOutput) Snapshot(ref string) status.Snapshot {
	// One allocation for the codes and problems an answer has at most
	// (orderStatus, shipFaildType, exceptionType), each slice capped at
	// its own part.
	buf := new(struct {
		codes    [3]status.Code
		problems [2]status.Problem
	})
	s := status.Snapshot{
		Provider:   status.Bailun,
		Ref:        ref,
		OrderNo:    o.OriginOrderNo,
		Stage:      o.OrderStatus.Stage(),
		Codes:      buf.codes[:1:3],
		Problems:   buf.problems[:0:2],
		TrackingNo: o.TrackingNo.String,
		UpdatedAt:  o.LastUpdateTime.Time.UTC(),
	}
	s.Codes[0] = o.OrderStatus.Code()
	if code, ok := o.Unfit.Code(status.Bailun, "orderStatus"); ok {
		s.Codes[0], s.Stage = code, status.Unknown
	}
	if f := o.ShipFailedType; f != nil {
		s.Codes = append(s.Codes, f.Code())
		s.Problems = append(s.Problems, status.Problem{Reason: f.Reason(), Code: f.Code()})
	}
	if e := o.ExceptionType; e != nil {
		s.Codes = append(s.Codes, e.Code())
		s.Problems = append(s.Problems, status.Problem{Reason: e.Reason(), Code: e.Code()})
	}
	for _, field := range []string{"shipFaildType", "exceptionType"} {
		if code, ok := o.Unfit.Code(status.Bailun, field); ok {
			s.Codes = append(s.Codes, code)
			s.Problems = append(s.Problems, status.Problem{Reason: status.ReasonUnknown, Code: code})
		}
	}
	if len(s.Problems) == 0 {
		s.Problems = nil // empty when the provider reports none, as everywhere
	}
	return s
}
