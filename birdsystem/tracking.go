package birdsystem

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ordertrack/ordertrack/internal/fanout"
	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// trackingPath is the tracking endpoint, on BaseURL's host unless
// Config.TrackingURL says otherwise (BirdSystem's docs show it on the
// api.birdsystem.com host).
const trackingPath = "/consignment/tracking"

// InvalidTrackReference is BirdSystem's message for tracking references it
// does not know.
const InvalidTrackReference = "Invalid track reference."

// CheckPoint is one step of a tracking history (check_points).
type CheckPoint struct {
	// CreateTime is create_time, when the step happened (RFC 3339:
	// "2015-01-01T08:10:19+00:00").
	CreateTime Time `json:"create_time"`
	// CurrentStatus is current_status, the consignment's status then.
	CurrentStatus status.BirdSystemStatus `json:"current_status"`
	// Note is note, BirdSystem's words for the step.
	Note NullString `json:"note"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *CheckPoint) UnmarshalJSON(b []byte) error {
	type plain CheckPoint
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r CheckPoint) MarshalJSON() ([]byte, error) {
	type plain CheckPoint
	return record.Encode(plain(r), r.Unfit)
}

// Tracking is one tracking reference's history.
type Tracking struct {
	// Reference is the tracking reference asked about: the key of its
	// history in BirdSystem's data, and so not a member of the history
	// itself (TrackingResult encodes it as that key).
	Reference string `json:"-"`
	// DestinationCountry is destination_country ("GB"); not in the older
	// answer shape.
	DestinationCountry NullString `json:"destination_country"`
	// CheckPoints is check_points, oldest first as BirdSystem sends them.
	CheckPoints []CheckPoint `json:"check_points"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`

	// list records the older shape: the check points alone, as a list.
	list bool
}

// UnmarshalJSON decodes a reference's history in either shape BirdSystem
// documents: an object with check_points, or the list of check points
// alone (the older shape).
func (r *Tracking) UnmarshalJSON(b []byte) error {
	type plain Tracking
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "[") {
		*r = Tracking{list: true}
		var rows record.Rows[CheckPoint]
		if err := json.Unmarshal(b, &rows); err != nil {
			return err
		}
		r.CheckPoints = rows.Items
		if len(rows.Unfit) > 0 {
			r.Unfit = Unfit{"check_points": append(json.RawMessage(nil), b...)}
		}
		return nil
	}
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record in the shape it came in, writing Unfit
// values back as they came.
func (r Tracking) MarshalJSON() ([]byte, error) {
	type plain Tracking
	if r.list {
		if raw, ok := r.Unfit["check_points"]; ok {
			return raw, nil
		}
		if r.CheckPoints == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(r.CheckPoints)
	}
	return record.Encode(plain(r), r.Unfit)
}

// TrackingResult is the answer to TrackingHistory.
type TrackingResult struct {
	// Tracking holds the history of every reference BirdSystem knows, in
	// the order asked.
	Tracking []Tracking
	// NotFound are the references BirdSystem has no history for
	// ("Invalid track reference."), in the order asked.
	NotFound []string
}

// MarshalJSON encodes the result in BirdSystem's own shape, the data of
// its answer: each history under its reference, {"JJD1": {...}}, in the
// order asked. With no history at all it is [], as BirdSystem (PHP) writes
// an empty map. The references not found are not in BirdSystem's data,
// and not in it either.
func (r TrackingResult) MarshalJSON() ([]byte, error) {
	if len(r.Tracking) == 0 {
		return []byte("[]"), nil
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i := range r.Tracking {
		if i > 0 {
			out.WriteByte(',')
		}
		k, err := json.Marshal(r.Tracking[i].Reference)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(r.Tracking[i])
		if err != nil {
			return nil, err
		}
		out.Write(k)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// UnmarshalJSON decodes BirdSystem's data, {"JJD1": {...}} (or [] for
// none), into Tracking in the order sent; NotFound stays empty, since only
// the question tells what was asked.
func (r *TrackingResult) UnmarshalJSON(b []byte) error {
	*r = TrackingResult{}
	if strings.TrimSpace(string(b)) == "[]" {
		return nil
	}
	members, err := record.Members(b)
	if err != nil {
		return fmt.Errorf("birdsystem: tracking data is not histories by reference: %w", err)
	}
	for _, m := range members {
		var t Tracking
		if err := json.Unmarshal(m.Value, &t); err != nil {
			return err
		}
		t.Reference = m.Key
		r.Tracking = append(r.Tracking, t)
	}
	return nil
}

// TrackingHistory returns the check points of each tracking reference (GET
// /consignment/tracking?tracking_references=A,B, with newest=true when
// Config.TrackingNewest is set, which bypasses BirdSystem's cache). A
// reference BirdSystem does not know is in NotFound. References that are
// empty or contain a comma are refused before anything is sent.
func (c *Client) TrackingHistory(ctx context.Context, refs ...string) (_ *TrackingResult, err error) {
	ctx, end := c.t.Start(ctx, "TrackingHistory", len(refs))
	defer func() { end(err) }()
	if err := fanout.CheckRefs(ctx, status.BirdSystem, refs); err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return &TrackingResult{}, nil
	}
	for _, r := range refs {
		if strings.Contains(r, ",") {
			return nil, fmt.Errorf("birdsystem: tracking reference %q contains a comma, BirdSystem's separator: %w", r, status.ErrInvalidRequest)
		}
	}
	q := url.Values{"tracking_references": {strings.Join(refs, ",")}}
	if c.cfg.TrackingNewest {
		q.Set("newest", "true")
	}
	req := &transport.Request{Method: http.MethodGet, Path: trackingPath, Query: q, Header: c.auth.header}
	if c.trackingURL != nil {
		req.Base, req.Path = c.trackingURL, ""
	}
	res, err := c.t.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var env envelope[json.RawMessage]
	if err := c.t.DecodeJSON(res, &env); err != nil {
		return nil, err
	}
	switch {
	case env.Success != nil && !*env.Success && env.Message == InvalidTrackReference:
		return &TrackingResult{NotFound: refs}, nil
	case loginRequired(&env) || env.Success != nil && !*env.Success:
		return nil, c.refused(res, env.Message)
	}
	var byRef map[string]Tracking
	if strings.TrimSpace(string(env.Data)) == "[]" {
		// PHP writes an empty map as []: no reference has a history.
		return &TrackingResult{NotFound: refs}, nil
	}
	if err := json.Unmarshal(env.Data, &byRef); err != nil {
		return nil, c.t.Error(res, "", "malformed response: data is not tracking by reference", status.ErrMalformedResponse)
	}
	out := &TrackingResult{}
	for _, r := range refs {
		t, ok := byRef[r]
		if !ok {
			out.NotFound = append(out.NotFound, r)
			continue
		}
		t.Reference = r
		out.Tracking = append(out.Tracking, t)
	}
	return out, nil
}
