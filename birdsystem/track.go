package birdsystem

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/status"
)

// ParseRef returns the consignment id of a Track ref (its decimal text);
// an error matching status.ErrInvalidRequest when it names none.
func ParseRef(ref string) (int64, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("birdsystem: ref %q is not a consignment id: %w", ref, status.ErrInvalidRequest)
	}
	return id, nil
}

// Ref returns the consignment's ref for Track: its id's decimal text.
func (c *Consignment) Ref() string { return c.ID.String() }

// Ref returns the new consignment's ref for Track: its id's decimal text.
func (c *Created) Ref() string { return strconv.FormatInt(c.ID, 10) }

// Provider returns status.BirdSystem.
func (c *Client) Provider() status.Provider { return status.BirdSystem }

// Track returns one snapshot per consignment id, in the order given. The
// ids are asked about Config.BatchSize at a time, each batch in one listing
// filtered on id, at most Config.Concurrency batches at once. A ref that is
// not a number, or names no consignment, comes back with Stage
// status.NotFound; a batch whose request failed gives each of its refs a
// snapshot with Err set, and the other batches keep their answers. Its
// error is non-nil only when the call is refused before anything is sent:
// a nil context, or an empty or blank ref.
func (c *Client) Track(ctx context.Context, refs ...string) (_ []status.Snapshot, err error) {
	ctx, end := c.t.Start(ctx, "Track", len(refs))
	defer func() { end(err) }()
	var snaps []status.Snapshot
	if c.cfg.BatchSize <= 1 || len(refs) == 1 {
		snaps, err = fanout.Track(ctx, status.BirdSystem, refs, c.cfg.Concurrency, c.trackOne)
	} else {
		snaps, err = c.trackBatches(ctx, refs)
	}
	if err == nil && c.cfg.TrackEvents {
		c.addCheckPoints(ctx, snaps)
	}
	return snaps, err
}

// trackOne looks one ref up, alone.
func (c *Client) trackOne(ctx context.Context, ref string) ([]status.Snapshot, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return nil, status.ErrNotFound // no consignment has such an id
	}
	k, err := c.GetConsignment(ctx, id)
	if err != nil {
		return nil, err
	}
	return []status.Snapshot{c.snapshot(k, ref)}, nil
}

func (c *Client) snapshot(k *Consignment, ref string) status.Snapshot {
	snap := k.Snapshot(ref)
	if c.cfg.Location != nil {
		snap.UpdatedAt = k.UpdateTime.In(c.cfg.Location).UTC()
	}
	return snap
}

// trackBatches asks about refs a batch of ids at a time.
func (c *Client) trackBatches(ctx context.Context, refs []string) ([]status.Snapshot, error) {
	if err := fanout.CheckRefs(ctx, status.BirdSystem, refs); err != nil {
		return nil, err
	}
	ids := make([]int64, len(refs))
	var batches [][]int64
	seen := map[int64]bool{}
	for i, ref := range refs {
		id, err := ParseRef(ref)
		if err != nil {
			continue // not found, below
		}
		ids[i] = id
		if seen[id] {
			continue
		}
		seen[id] = true
		if n := len(batches); n == 0 || len(batches[n-1]) == c.cfg.BatchSize {
			batches = append(batches, make([]int64, 0, c.cfg.BatchSize))
		}
		batches[len(batches)-1] = append(batches[len(batches)-1], id)
	}
	found := make([]map[int64]batchOutcome, len(batches))
	fanout.Each(ctx, len(batches), c.cfg.Concurrency, func(ctx context.Context, b int) error {
		found[b] = c.lookupBatch(ctx, batches[b])
		return nil
	})
	byID := make(map[int64]batchOutcome, len(seen))
	for b, m := range found {
		if m == nil { // never started: the context ended first
			for _, id := range batches[b] {
				byID[id] = batchOutcome{err: ctx.Err()}
			}
		}
		for id, o := range m {
			byID[id] = o
		}
	}
	out := make([]status.Snapshot, len(refs))
	for i, ref := range refs {
		o, asked := byID[ids[i]]
		switch {
		case !asked || o.k == nil && o.err == nil:
			out[i] = status.Snapshot{Provider: status.BirdSystem, Ref: ref, Stage: status.NotFound}
		case o.err != nil:
			out[i] = status.Failed(status.BirdSystem, ref, o.err)
		default:
			out[i] = c.snapshot(o.k, ref)
		}
	}
	return out, nil
}

// batchOutcome is what a batch says of one id: its consignment, its
// error, or neither (not found).
type batchOutcome struct {
	k   *Consignment
	err error
}

// lookupBatch lists the consignments of ids, in one request, and gives
// each id its consignment, nothing (not found), or the request's error.
// Rows that are not consignments may be the ones missing: those ids fail
// as malformed rather than being not found.
func (c *Client) lookupBatch(ctx context.Context, ids []int64) map[int64]batchOutcome {
	values := make([]string, len(ids))
	for i, id := range ids {
		values[i] = strconv.FormatInt(id, 10)
	}
	out := make(map[int64]batchOutcome, len(ids))
	p, err := c.ListConsignments(ctx, &ListOptions{Filter: Filters{ListFilter("id", values...)}, Limit: len(ids)})
	if err != nil {
		for _, id := range ids {
			out[id] = batchOutcome{err: err}
		}
		return out
	}
	strangers := 0 // rows of ids not asked for
	for i := range p.Consignments {
		k := &p.Consignments[i]
		if !slices.Contains(ids, k.ID.Int64) {
			strangers++
			continue
		}
		if _, ours := out[k.ID.Int64]; !ours {
			out[k.ID.Int64] = batchOutcome{k: k}
		}
	}
	malformed := func(format string, n int) batchOutcome {
		return batchOutcome{err: &status.APIError{Provider: status.BirdSystem, Method: http.MethodGet, Endpoint: consignmentPath,
			HTTPStatus: http.StatusOK, Message: "malformed response: " + fmt.Sprintf(format, n), Err: status.ErrMalformedResponse}}
	}
	for _, id := range ids {
		switch _, ok := out[id]; {
		case ok:
		case strangers > 0:
			// The filter on id was not honoured (a server or a proxy that
			// ignores it): an id missing from the rows is not known missing.
			out[id] = malformed("%d rows of consignments not asked for: the filter on id was not honoured", strangers)
		case len(p.Unfit) > 0:
			out[id] = malformed("%d rows of data are not consignments", len(p.Unfit))
		default:
			out[id] = batchOutcome{} // not found
		}
	}
	return out
}

// addCheckPoints adds to each answered snapshot the check points of its
// tracking number, in one TrackingHistory request. When that request
// fails, each snapshot it was for keeps its stage and gets the error.
func (c *Client) addCheckPoints(ctx context.Context, snaps []status.Snapshot) {
	var refs []string
	seen := map[string]bool{}
	for i := range snaps {
		s := &snaps[i]
		if s.Err == nil && s.Stage != status.NotFound && strings.TrimSpace(s.TrackingNo) != "" && !strings.Contains(s.TrackingNo, ",") && !seen[s.TrackingNo] {
			seen[s.TrackingNo] = true
			refs = append(refs, s.TrackingNo)
		}
	}
	if len(refs) == 0 {
		return
	}
	res, err := c.TrackingHistory(ctx, refs...)
	byRef := map[string]*Tracking{}
	if err == nil {
		for i := range res.Tracking {
			byRef[res.Tracking[i].Reference] = &res.Tracking[i]
		}
	}
	for i := range snaps {
		s := &snaps[i]
		if !seen[s.TrackingNo] {
			continue
		}
		if err != nil {
			s.Err = &status.RefError{Provider: status.BirdSystem, Ref: s.Ref, Op: "events", Err: err}
			continue
		}
		if t := byRef[s.TrackingNo]; t != nil {
			s.Events = append(s.Events, t.Events()...)
			status.SortEvents(s.Events)
		}
	}
}

// Events returns the tracking history's check points as events: the
// check point's time and note, and its current_status as the code and
// stage. A value that did not fit (a current_status of 5, a create_time
// that is an object) is the event's code or raw time as sent, with stage
// Unknown.
func (t *Tracking) Events() []status.Event {
	out := make([]status.Event, len(t.CheckPoints))
	for i := range t.CheckPoints {
		cp := &t.CheckPoints[i]
		ev := status.Event{Time: cp.CreateTime.Time.UTC(), RawTime: cp.CreateTime.Raw, Description: cp.Note.String,
			Stage: cp.CurrentStatus.Stage(), Code: cp.CurrentStatus.CodeAs("current_status")}
		if raw, ok := cp.Unfit.Text("create_time"); ok {
			ev.Time, ev.RawTime = time.Time{}, raw
		}
		if code, ok := cp.Unfit.Code(status.BirdSystem, "current_status"); ok {
			ev.Code, ev.Stage = code, status.Unknown
		}
		out[i] = ev
	}
	status.SortEvents(out)
	return out
}

// consignmentTimes are the times a consignment records, each an event of
// its snapshot, described in words.
var consignmentTimes = []struct {
	field, words string
	of           func(*Consignment) Time
}{
	{"create_time", "consignment created", func(c *Consignment) Time { return c.CreateTime }},
	{"arrive_time", "arrived at the warehouse", func(c *Consignment) Time { return c.ArriveTime }},
	{"finish_time", "finished", func(c *Consignment) Time { return c.FinishTime }},
}

// Snapshot converts the consignment to canonical terms: Stage from status
// (read for the consignment's type: see status.BirdSystemStatus.StageFor),
// Events from create_time, arrive_time and finish_time ("consignment
// created", "arrived at the warehouse", "finished"; a time that did not
// fit is the event's raw time as sent),
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
	for _, t := range consignmentTimes {
		v := t.of(c)
		if v.Valid && v.Raw != "" {
			s.Events = append(s.Events, status.Event{Time: v.Time.UTC(), RawTime: v.Raw, Description: t.words})
		} else if raw, ok := c.Unfit.Text(t.field); ok {
			s.Events = append(s.Events, status.Event{RawTime: raw, Description: t.words})
		}
	}
	status.SortEvents(s.Events)
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
