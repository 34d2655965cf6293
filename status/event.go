package status

import (
	"slices"
	"time"
)

// Event is one entry of an order's history at a provider: a carrier's
// trace, a scan, a warehouse check point, a recorded time.
type Event struct {
	// Time is when it happened, in UTC; zero when the provider's text
	// could not be parsed (RawTime keeps it either way).
	Time time.Time `json:"time,omitzero"`
	// RawTime is the time as the provider sent it.
	RawTime string `json:"raw_time,omitempty"`
	// Description is the provider's text, verbatim (已签收, "Dispatched").
	Description string `json:"description,omitempty"`
	// Location is where it happened, when the provider says.
	Location string `json:"location,omitempty"`
	// Stage is the canonical stage of the event's code, when it carries a
	// documented one; Unknown otherwise.
	Stage Stage `json:"stage"`
	// Code is the event's raw status, when it has one.
	Code Code `json:"code,omitzero"`
}

// SortEvents puts events oldest first. Events whose time could not be
// parsed keep their place relative to the others: then the order the
// provider sent is kept as it is.
func SortEvents(events []Event) {
	for _, e := range events {
		if e.Time.IsZero() {
			return
		}
	}
	slices.SortStableFunc(events, func(a, b Event) int { return a.Time.Compare(b.Time) })
}

// same reports whether two events are one: the same instant (or raw time
// when unparsed), text, place and code.
func (e Event) same(o Event) bool {
	return e.Time.Equal(o.Time) && (!e.Time.IsZero() || e.RawTime == o.RawTime) &&
		e.Description == o.Description && e.Location == o.Location && e.Code == o.Code
}
