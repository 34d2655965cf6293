package flowery

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// trackingDetailPath is the tracking-detail endpoint; it takes the same
// body as /orders.
const trackingDetailPath = "/logistics/api/orders_tracking_detail/list"

// TrackingDetail is one order's scan history.
type TrackingDetail struct {
	// OrderStatus is order_status, the order's status (newest doc).
	OrderStatus status.FloweryStatus `json:"order_status,omitzero"`
	// OrderType is order_type: "1" normal, "2" transfer (newest doc).
	OrderType NullString `json:"order_type,omitzero"`
	// ScanList is scan_list: the scans, which Flowery sends as a
	// JSON-encoded string.
	ScanList ScanList `json:"scan_list"`
	// CreateOrderTime is create_order_time, when the order was created
	// (newest doc).
	CreateOrderTime Time `json:"create_order_time,omitzero"`
	// OrderNo is order_no, the customer's order number.
	OrderNo string `json:"order_no"`
	// ExpressNo is express_no, the waybill number.
	ExpressNo string `json:"express_no"`
	// OldOrderNo is old_order_no, the order number before a transfer
	// (newest doc).
	OldOrderNo NullString `json:"old_order_no,omitzero"`
	// OldExpressNo is old_express_no, the waybill number before a
	// transfer (newest doc).
	OldExpressNo NullString `json:"old_express_no,omitzero"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *TrackingDetail) UnmarshalJSON(b []byte) error {
	type plain TrackingDetail
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r TrackingDetail) MarshalJSON() ([]byte, error) {
	type plain TrackingDetail
	return record.Encode(plain(r), r.Unfit)
}

// Scan is one scan of a parcel.
type Scan struct {
	// Date is when it was scanned ("05-01-2016 10:41", day first).
	Date Time `json:"date"`
	// Desc describes the scan.
	Desc string `json:"desc"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *Scan) UnmarshalJSON(b []byte) error {
	type plain Scan
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r Scan) MarshalJSON() ([]byte, error) {
	type plain Scan
	return record.Encode(plain(r), r.Unfit)
}

// Event returns the scan as an event: its date (the raw text as sent, even
// when it did not fit), its desc as the description, and the stage of its
// text read by the same rules as an order's status (末端派件, 签收), with
// the text as its code when the rules know it.
func (r *Scan) Event() status.Event {
	ev := status.Event{Time: r.Date.Time.UTC(), RawTime: r.Date.Raw, Description: r.Desc}
	if raw, ok := r.Unfit.Text("date"); ok {
		ev.Time, ev.RawTime = time.Time{}, raw
	}
	if st := status.FloweryStatus(r.Desc); st.Known() {
		ev.Stage, ev.Code = st.Stage(), st.CodeAs("desc")
	}
	return ev
}

// ScanList is scan_list: Flowery sends the scans as a string holding JSON,
// which is decoded a second time into Scans. Raw keeps the string as sent,
// and is what encoding writes back.
type ScanList struct {
	// Raw is the string as sent; "" when it was null or absent.
	Raw string
	// Scans are the decoded scans.
	Scans []Scan
	// valid is false when scan_list was null or absent.
	valid bool
	// array reports that scan_list was sent as a JSON array, not a string.
	array bool
}

// UnmarshalJSON decodes scan_list: a string holding a JSON array (as
// Flowery documents), a plain array, an empty string, or null. A string
// that holds no list of scans is kept in Raw, with Scans nil.
func (l *ScanList) UnmarshalJSON(b []byte) error {
	*l = ScanList{}
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '[':
		l.Raw, l.valid, l.array = string(b), true, true
		return json.Unmarshal(b, &l.Scans)
	}
	var s wire.String
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	l.Raw, l.valid = s.String, true
	if l.Raw == "" {
		return nil
	}
	// A string that is not a list of scans is kept in Raw with no Scans:
	// one odd history does not fail the whole batch.
	if json.Unmarshal([]byte(l.Raw), &l.Scans) != nil {
		l.Scans = nil
	}
	return nil
}

// MarshalJSON writes scan_list back as it arrived.
func (l ScanList) MarshalJSON() ([]byte, error) {
	switch {
	case !l.valid:
		return []byte("null"), nil
	case l.array:
		return []byte(l.Raw), nil
	}
	return json.Marshal(l.Raw)
}

// TrackingResult merges the answers to every batch of a tracking-detail
// query.
type TrackingResult struct {
	// Details are the scan histories found, in the order asked about.
	Details []TrackingDetail
	// NotFound are the numbers no history came back for, in the order asked.
	NotFound []string
}

// TrackingDetail returns the scan history of each order
// (POST /logistics/api/orders_tracking_detail/list), batched and merged
// like QueryOrders.
func (c *Client) TrackingDetail(ctx context.Context, by QueryBy, refs ...string) (_ *TrackingResult, err error) {
	ctx, end := c.t.Start(ctx, "TrackingDetail", len(refs))
	defer func() { end(err) }()
	refs, batches, err := query[TrackingDetail](ctx, c, c.detail, by, refs, true, nil)
	if err != nil {
		return nil, err
	}
	if err := firstError(batches); err != nil {
		return nil, err
	}
	found := map[string]TrackingDetail{}
	for _, b := range batches {
		for _, d := range b.answer.OrdersDetail {
			k := number(by, d.OrderNo, d.ExpressNo, d.Unfit)
			found[k] = d
		}
	}
	res := &TrackingResult{}
	for _, r := range refs {
		if d, ok := found[r]; ok {
			res.Details = append(res.Details, d)
		} else {
			res.NotFound = append(res.NotFound, r)
		}
	}
	return res, nil
}
