package status

import (
	"fmt"
	"strconv"
	"strings"
)

// Stage is where an order is in its life, in words every provider shares.
// The zero value is Unknown. A Stage claims only what the provider knows: a
// warehouse that has dispatched a parcel reports Shipped, not Delivered.
type Stage uint8

// The canonical stages, in the order an order usually passes through them.
const (
	// Unknown: the provider gave a value ordertrack cannot place, or none.
	Unknown Stage = iota
	// NotFound: the provider does not know the order.
	NotFound
	// Pending: the order is accepted but nobody works on it yet (awaiting
	// payment, being prepared, queued).
	Pending
	// Processing: the order is being fulfilled (production, picking, packing).
	Processing
	// ReadyToShip: packed or labelled, waiting for the carrier.
	ReadyToShip
	// Shipped: handed to a carrier or in transit.
	Shipped
	// OutForDelivery: on the last mile to the recipient.
	OutForDelivery
	// Delivered: received by the recipient.
	Delivered
	// Returned: sent back, or received back by the sender.
	Returned
	// Cancelled: cancelled or deleted before it shipped.
	Cancelled
	// Refunded: the buyer's money was returned.
	Refunded
	// Exception: stopped by a problem that needs someone to act; see the
	// snapshot's Problems.
	Exception
)

var stageNames = [...]string{
	Unknown:        "unknown",
	NotFound:       "not_found",
	Pending:        "pending",
	Processing:     "processing",
	ReadyToShip:    "ready_to_ship",
	Shipped:        "shipped",
	OutForDelivery: "out_for_delivery",
	Delivered:      "delivered",
	Returned:       "returned",
	Cancelled:      "cancelled",
	Refunded:       "refunded",
	Exception:      "exception",
}

// Stages returns every stage, in declaration order.
func Stages() []Stage {
	s := make([]Stage, len(stageNames))
	for i := range s {
		s[i] = Stage(i)
	}
	return s
}

// Valid reports whether s is one of the declared stages.
func (s Stage) Valid() bool { return int(s) < len(stageNames) }

// String returns the stage's lower snake case name, such as "ready_to_ship".
func (s Stage) String() string {
	if s.Valid() {
		return stageNames[s]
	}
	return "Stage(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText encodes the stage as its name; a value that is not a
// declared stage as its String ("Stage(42)"), which UnmarshalText reads
// back, so that no value is lost on its way through JSON.
func (s Stage) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a stage name; unknown text is an error.
func (s *Stage) UnmarshalText(text []byte) error {
	v, err := ParseStage(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStage returns the stage named name ("ready_to_ship").
func ParseStage(name string) (Stage, error) {
	for i, n := range stageNames {
		if n == name {
			return Stage(i), nil
		}
	}
	if n, ok := strings.CutPrefix(name, "Stage("); ok {
		if v, err := strconv.ParseUint(strings.TrimSuffix(n, ")"), 10, 8); err == nil && strings.HasSuffix(n, ")") && Stage(v).String() == name {
			return Stage(v), nil
		}
	}
	return Unknown, fmt.Errorf("status: unknown stage %q", name)
}

// Final reports whether s is a stage an order does not leave: delivered,
// cancelled, refunded or returned.
func (s Stage) Final() bool {
	switch s {
	case Delivered, Cancelled, Refunded, Returned:
		return true
	}
	return false
}
