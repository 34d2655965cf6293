package status

import (
	"context"
	"time"
)

// Snapshot is where one order stands at one provider, in canonical terms,
// with every raw value it was derived from.
type Snapshot struct {
	// Provider is the provider asked.
	Provider Provider `json:"provider"`
	// Ref is the reference the caller asked about, as given.
	Ref string `json:"ref"`
	// OrderNo is the provider's own order, sub-order or consignment number;
	// empty when the provider does not know the order.
	OrderNo string `json:"order_no,omitempty"`
	// Stage is the canonical stage; NotFound when the provider does not know
	// the order, Unknown when its code is not documented.
	Stage Stage `json:"stage"`
	// Codes holds every raw value the snapshot was derived from, verbatim.
	Codes []Code `json:"codes,omitempty"`
	// Problems lists what the provider reports as wrong; empty when nothing.
	Problems []Problem `json:"problems,omitempty"`
	// TrackingNo is the carrier's tracking (waybill) number, when known.
	TrackingNo string `json:"tracking_no,omitempty"`
	// Carrier names the carrier or delivery service, when known.
	Carrier string `json:"carrier,omitempty"`
	// UpdatedAt is when the provider last changed the order; zero when the
	// provider gives no time.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Tracker is implemented by every provider client: it reports where each ref
// stands. Results come back one per ref (one per sub-order for providers that
// split orders), in the order the refs were given. A ref the provider does
// not know comes back with Stage NotFound rather than as an error.
type Tracker interface {
	Track(ctx context.Context, refs ...string) ([]Snapshot, error)
}
