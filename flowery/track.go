package flowery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/status"
)

// Provider returns status.Flowery.
func (c *Client) Provider() status.Provider { return status.Flowery }

// Track returns one snapshot per number, in the order given, whatever
// fails. The numbers are order numbers, or waybill numbers when
// Config.TrackBy is ByExpressNo; each snapshot's Ref is the number asked
// about, with OrderNo and TrackingNo (the waybill) both filled. The numbers
// are sent in batches (see QueryOrders); a number Flowery does not know
// comes back with Stage status.NotFound (and, when Flowery's sn_str names
// it, that as its raw code); a batch that fails gives each of its numbers a
// snapshot with Err set, and the other batches keep their answers. Its error
// is non-nil only when the call is refused before anything is sent: a nil
// context, an empty or blank number, or one with a comma.
func (c *Client) Track(ctx context.Context, refs ...string) (_ []status.Snapshot, err error) {
	ctx, end := c.t.Start(ctx, "Track", len(refs))
	defer func() { end(err) }()
	by := c.cfg.TrackBy
	asked, batches, err := query(ctx, c, c.orders, by, refs, false, func(o *trackedOrder) status.Snapshot {
		s := o.detail().Snapshot(number(by, o.OrderNo, o.ExpressNo, o.Unfit))
		s.Carrier = c.cfg.Logistics
		if c.cfg.Location != nil {
			s.UpdatedAt = o.GoodsStatusTime.In(c.cfg.Location).UTC()
		}
		return s
	})
	if err != nil {
		return nil, err
	}
	type outcome struct {
		order   *status.Snapshot // the snapshot of the order found for it
		unknown bool
		err     error
	}
	byNo := make(map[string]outcome, len(refs))
	for _, b := range batches {
		if b.err != nil {
			for _, ref := range b.refs {
				byNo[ref] = outcome{err: b.err}
			}
			continue
		}
		for i := range b.snaps {
			k := b.snaps[i].Ref // the order's own number
			if o := byNo[k]; o.order == nil {
				byNo[k] = outcome{order: &b.snaps[i]}
			}
		}
		// sn_str speaks only for this batch's own numbers, and never
		// against an order some answer did bring.
		for _, n := range b.answer.NotFound() {
			if _, seen := byNo[n]; !seen && slices.Contains(b.refs, n) {
				byNo[n] = outcome{unknown: true}
			}
		}
		if len(b.answer.Unfit) > 0 {
			// Entries that are not orders may be this batch's missing
			// numbers: they are not known to be not found.
			for _, n := range b.refs {
				if o, seen := byNo[n]; !seen || o.unknown {
					byNo[n] = outcome{err: errUnfitEntries(b.answer.Unfit)}
				}
			}
		}
	}
	out := make([]status.Snapshot, len(refs))
	for i, ref := range refs {
		o := byNo[ref]
		switch {
		case o.err != nil:
			out[i] = status.Failed(status.Flowery, ref, o.err)
		case o.order != nil:
			out[i] = *o.order // its Ref is ref: the order was found by it
			if len(asked) < len(refs) {
				// A number given twice has two snapshots: neither shares
				// the other's slices.
				out[i].Codes, out[i].Problems = slices.Clone(out[i].Codes), slices.Clone(out[i].Problems)
			}
		default:
			out[i] = status.Snapshot{Provider: status.Flowery, Ref: ref, Stage: status.NotFound}
			if o.unknown {
				out[i].Codes = []status.Code{{Provider: status.Flowery, Field: "sn_str", Value: ref}}
			}
		}
	}
	if c.cfg.TrackEvents {
		c.addScans(ctx, by, out)
	}
	return out, nil
}

// addScans adds each found order's scans (the tracking-detail endpoint,
// batched as Track's query) to its snapshot's Events. A batch that fails
// leaves its snapshots' stages as they are and gives them its error.
func (c *Client) addScans(ctx context.Context, by QueryBy, snaps []status.Snapshot) {
	var refs []string
	for i := range snaps {
		if snaps[i].Err == nil && snaps[i].Stage != status.NotFound {
			refs = append(refs, snaps[i].Ref)
		}
	}
	if len(refs) == 0 {
		return
	}
	_, batches, err := query[TrackingDetail](ctx, c, c.detail, by, refs, false, nil)
	if err != nil {
		return // the refs were accepted by the query already
	}
	scans := map[string][]Scan{}
	failed := map[string]error{}
	for _, b := range batches {
		if b.err != nil {
			for _, r := range b.refs {
				failed[r] = b.err
			}
			continue
		}
		for i := range b.answer.OrdersDetail {
			d := &b.answer.OrdersDetail[i]
			k := number(by, d.OrderNo, d.ExpressNo, d.Unfit)
			scans[k] = append(scans[k], d.ScanList.Scans...)
		}
	}
	for i := range snaps {
		s := &snaps[i]
		if err := failed[s.Ref]; err != nil {
			s.Err = &status.RefError{Provider: status.Flowery, Ref: s.Ref, Op: "events", Err: err}
			continue
		}
		for i := range scans[s.Ref] {
			s.Events = append(s.Events, scans[s.Ref][i].Event())
		}
		status.SortEvents(s.Events)
	}
}

// errUnfitEntries is the error of a number whose batch's answer held
// entries that are not orders.
func errUnfitEntries(unfit []json.RawMessage) error {
	return fmt.Errorf("POST %s: %d entries of orders_detail are not orders (%s): %w",
		ordersPath, len(unfit), truncate(unfit[0]), status.ErrMalformedResponse)
}

func truncate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

// trackedOrder is the part of an OrderDetail that a snapshot is made of.
// Track decodes only it, and so skips the parties, amounts and goods names
// it would not use: most of each order's bytes.
type trackedOrder struct {
	OrderStatus      status.FloweryStatus `json:"order_status"`
	OrderNo          string               `json:"order_no"`
	ExpressNo        string               `json:"express_no"`
	GoodsStatus      status.FloweryStatus `json:"goods_status"`
	GoodsStatusTime  Time                 `json:"goods_status_time"`
	LatestScanStatus status.FloweryStatus `json:"latest_scan_status"`
	ReturnReason     NullString           `json:"return_reason"`
	ProblemReason    NullString           `json:"problem_reason"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *trackedOrder) UnmarshalJSON(b []byte) error {
	type plain trackedOrder
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

func (t *trackedOrder) detail() *OrderDetail {
	return &OrderDetail{OrderStatus: t.OrderStatus, OrderNo: t.OrderNo, ExpressNo: t.ExpressNo, GoodsStatus: t.GoodsStatus,
		GoodsStatusTime: t.GoodsStatusTime, LatestScanStatus: t.LatestScanStatus, ReturnReason: t.ReturnReason, ProblemReason: t.ProblemReason,
		Unfit: t.Unfit}
}

// Snapshot converts the order to canonical terms. Stage comes from
// order_status, falling back to goods_status and then latest_scan_status
// when no rule places it. Problems come from the three statuses (拒收
// refused, 退件 returned, 问题件 problem parcel), then problem_reason and
// return_reason when present. TrackingNo is express_no and UpdatedAt
// goods_status_time.
func (d *OrderDetail) Snapshot(ref string) status.Snapshot {
	s := status.Snapshot{
		Provider:   status.Flowery,
		Ref:        ref,
		OrderNo:    number(ByOrderNo, d.OrderNo, d.ExpressNo, d.Unfit),
		TrackingNo: number(ByExpressNo, d.OrderNo, d.ExpressNo, d.Unfit),
		UpdatedAt:  d.GoodsStatusTime.Time.UTC(),
		Codes:      make([]status.Code, 0, 3), // one per status field: grown once
	}
	fields := []struct {
		name string
		st   status.FloweryStatus
	}{{"order_status", d.OrderStatus}, {"goods_status", d.GoodsStatus}, {"latest_scan_status", d.LatestScanStatus}}
	for _, f := range fields {
		if raw, ok := d.Unfit.Code(status.Flowery, f.name); ok {
			s.Codes = append(s.Codes, raw)
			continue
		}
		if f.st == "" {
			continue
		}
		code := f.st.CodeAs(f.name)
		s.Codes = append(s.Codes, code)
		if s.Stage == status.Unknown {
			s.Stage = f.st.Stage()
		}
		if r := f.st.Reason(); r != status.ReasonUnknown {
			s.Problems = append(s.Problems, status.Problem{Reason: r, Code: code})
		}
	}
	if d.ProblemReason.String != "" {
		s.Problems = append(s.Problems, status.Problem{Reason: status.ReasonOther,
			Code: status.Code{Provider: status.Flowery, Field: "problem_reason", Value: d.ProblemReason.String}})
	}
	if d.ReturnReason.String != "" {
		s.Problems = append(s.Problems, status.Problem{Reason: status.ReasonReturned,
			Code: status.Code{Provider: status.Flowery, Field: "return_reason", Value: d.ReturnReason.String}})
	}
	return s
}
