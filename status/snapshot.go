package status

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Snapshot is where one order stands at one provider, in canonical terms,
// with every raw value it was derived from.
//
// A ref whose lookup failed still has its Snapshot: Provider and Ref are
// set, Stage is Unknown, and Err says why, so that one ref's failure never
// hides another ref's answer.
type Snapshot struct {
	// Provider is the provider asked.
	Provider Provider `json:"provider"`
	// Ref is the reference the caller asked about, as given.
	Ref string `json:"ref"`
	// OrderNo is the provider's own order, sub-order or consignment number;
	// empty when the provider does not know the order.
	OrderNo string `json:"order_no,omitempty"`
	// Stage is the canonical stage; NotFound when the provider does not know
	// the order, Unknown when its code is not documented or the lookup
	// failed.
	Stage Stage `json:"stage"`
	// Codes holds every raw value the snapshot was derived from, verbatim.
	Codes []Code `json:"codes,omitempty"`
	// Problems lists what the provider reports as wrong; empty when nothing.
	Problems []Problem `json:"problems,omitempty"`
	// TrackingNo is the carrier's tracking (waybill) number, when known.
	TrackingNo string `json:"tracking_no,omitempty"`
	// Carrier names the carrier or delivery service, when known.
	Carrier string `json:"carrier,omitempty"`
	// UpdatedAt is when the provider last changed the order, in UTC; zero
	// when the provider gives no time.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Events is the order's history, oldest first: what came in the same
	// answer (reseller traces, BirdSystem's recorded times), and what costs
	// another request when the client's Config.TrackEvents asks for it
	// (Flowery scans, BirdSystem check points). Bailun documents none.
	Events []Event `json:"events,omitempty"`
	// Err is why this ref's lookup failed; nil when the provider answered.
	// It matches the sentinels with errors.Is (ErrUnavailable,
	// ErrUnauthorized, the context's error, ...), and its message names the
	// provider and the ref once. In JSON it is "error", the message.
	Err error `json:"-"`
}

// snapshotJSON is Snapshot's JSON form: every field, and Err as its message.
type snapshotJSON struct {
	plainSnapshot
	Error string `json:"error,omitempty"`
}

type plainSnapshot Snapshot

// MarshalJSON writes the snapshot with Err as "error", its message; the
// key is left out when Err is nil.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	v := snapshotJSON{plainSnapshot: plainSnapshot(s)}
	if s.Err != nil {
		v.Error = s.Err.Error()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads what MarshalJSON writes. An "error" comes back as an
// error with that message, which matches no sentinel.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	var v snapshotJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Snapshot(v.plainSnapshot)
	if v.Error != "" {
		s.Err = errors.New(v.Error)
	}
	return nil
}

// Failed returns the snapshot of a ref whose lookup failed: Stage Unknown
// and Err a *RefError naming p and ref.
func Failed(p Provider, ref string, err error) Snapshot {
	return Snapshot{Provider: p, Ref: ref, Err: &RefError{Provider: p, Ref: ref, Err: err}}
}

// Tracker is implemented by every provider client: it reports where each ref
// stands.
//
// Track returns at least one snapshot per ref (one per sub-order for
// providers that split orders), in the order the refs were given, whatever
// fails: a ref the provider does not know comes back with Stage NotFound,
// and a ref whose lookup failed with Err set. Its own error is non-nil only
// when the call is refused before anything is sent (an empty ref, a nil
// context); then it returns no snapshots.
type Tracker interface {
	// Provider names the provider the Tracker asks.
	Provider() Provider
	// Track reports where each ref stands.
	Track(ctx context.Context, refs ...string) ([]Snapshot, error)
}

// Errors returns the errors of every failed snapshot, joined with
// errors.Join, in snapshot order; nil when every lookup was answered. It is
// for callers who want all or nothing:
//
//	snaps, err := c.Track(ctx, refs...)
//	if err == nil {
//		err = status.Errors(snaps)
//	}
func Errors(snaps []Snapshot) error {
	var errs []error
	for i := range snaps {
		if snaps[i].Err != nil {
			errs = append(errs, snaps[i].Err)
		}
	}
	return errors.Join(errs...)
}

// AppendSnapshotsJSON appends the JSON of snaps to b: the bytes
// json.Marshal(snaps) gives (null for nil), written without encoding/json's
// second pass over each snapshot's MarshalJSON output, which is compact
// and HTML-escaped already. The Watcher and its stores compare and keep
// snapshots by these bytes, one encoding for every ref each poll.
func AppendSnapshotsJSON(b []byte, snaps []Snapshot) ([]byte, error) {
	if snaps == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i := range snaps {
		if i > 0 {
			b = append(b, ',')
		}
		j, err := snaps[i].MarshalJSON()
		if err != nil {
			return nil, err
		}
		b = append(b, j...)
	}
	return append(b, ']'), nil
}
