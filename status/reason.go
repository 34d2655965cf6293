package status

import (
	"fmt"
	"strconv"
	"strings"
)

// Reason says why an order is held up, in words every provider shares. The
// zero value is ReasonUnknown.
type Reason uint8

// The canonical reasons.
const (
	// ReasonUnknown: the provider gave a problem code ordertrack cannot place.
	ReasonUnknown Reason = iota
	// ReasonOther: the provider reports a problem without saying which kind.
	ReasonOther
	// ReasonAddress: the recipient's address or contact details are wrong.
	ReasonAddress
	// ReasonStock: not enough stock.
	ReasonStock
	// ReasonProduct: product data is wrong or missing (SKU mapping, size, weight).
	ReasonProduct
	// ReasonLogistics: no usable carrier, channel or shipping rule.
	ReasonLogistics
	// ReasonWarehouse: no usable warehouse, or the warehouse is busy with it.
	ReasonWarehouse
	// ReasonPayment: payment or account balance.
	ReasonPayment
	// ReasonHeld: held or intercepted on purpose, by a person or a rule.
	ReasonHeld
	// ReasonReturned: the carrier sent the parcel back.
	ReasonReturned
	// ReasonRefused: the recipient refused the parcel.
	ReasonRefused
	// ReasonProduction: the item cannot be produced.
	ReasonProduction
	// ReasonAwaitingCustomer: the provider waits for the merchant or buyer to act.
	ReasonAwaitingCustomer
	// ReasonAwaitingProvider: the merchant waits for the provider to act.
	ReasonAwaitingProvider
	// ReasonSystem: a fault in the provider's own systems.
	ReasonSystem
	// ReasonData: the order's data cannot be processed as given (for example
	// characters the carrier does not accept).
	ReasonData
)

var reasonNames = [...]string{
	ReasonUnknown:          "unknown",
	ReasonOther:            "other",
	ReasonAddress:          "address",
	ReasonStock:            "stock",
	ReasonProduct:          "product",
	ReasonLogistics:        "logistics",
	ReasonWarehouse:        "warehouse",
	ReasonPayment:          "payment",
	ReasonHeld:             "held",
	ReasonReturned:         "returned",
	ReasonRefused:          "refused",
	ReasonProduction:       "production",
	ReasonAwaitingCustomer: "awaiting_customer",
	ReasonAwaitingProvider: "awaiting_provider",
	ReasonSystem:           "system",
	ReasonData:             "data",
}

// Reasons returns every reason, in declaration order.
func Reasons() []Reason {
	r := make([]Reason, len(reasonNames))
	for i := range r {
		r[i] = Reason(i)
	}
	return r
}

// Valid reports whether r is one of the declared reasons.
func (r Reason) Valid() bool { return int(r) < len(reasonNames) }

// String returns the reason's lower snake case name, such as "address".
func (r Reason) String() string {
	if r.Valid() {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText encodes the reason as its name; a value that is not a
// declared reason as its String ("Reason(42)"), which UnmarshalText reads
// back, so that no value is lost on its way through JSON, and none stops
// the save of a Store's batch.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a reason name; unknown text is an error.
func (r *Reason) UnmarshalText(text []byte) error {
	v, err := ParseReason(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseReason returns the reason named name ("awaiting_customer").
func ParseReason(name string) (Reason, error) {
	for i, n := range reasonNames {
		if n == name {
			return Reason(i), nil
		}
	}
	if n, ok := strings.CutPrefix(name, "Reason("); ok {
		if v, err := strconv.ParseUint(strings.TrimSuffix(n, ")"), 10, 8); err == nil && strings.HasSuffix(n, ")") && Reason(v).String() == name {
			return Reason(v), nil
		}
	}
	return ReasonUnknown, fmt.Errorf("status: unknown reason %q", name)
}

// Problem is one thing a provider reports as wrong with an order: its
// canonical reason and the raw code it came from.
type Problem struct {
	Reason Reason `json:"reason"`
	Code   Code   `json:"code"`
}

// String returns "reason (provider field=value)".
func (p Problem) String() string {
	return p.Reason.String() + " (" + p.Code.String() + ")"
}
