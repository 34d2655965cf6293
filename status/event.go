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

// SortEvents puts events sent oldest first in time order, oldest first.
// Where times cannot tell (an event whose time could not be parsed, or two
// events of the same instant), the order sent is kept: an event without a
// time keeps its place, and the others are ordered around it.
func SortEvents(events []Event) { sortByTime(events) }

// SortEventsNewestFirst is SortEvents for events sent newest first (the
// reseller platform's traces): in time order, oldest first, where times
// decide, and otherwise in the reverse of the order sent.
func SortEventsNewestFirst(events []Event) {
	slices.Reverse(events)
	sortByTime(events)
}

// sortByTime orders the events that have a time among the places they
// hold, stably; the events without one stay where they are.
func sortByTime(events []Event) {
	var at []int
	for i := range events {
		if !events[i].Time.IsZero() {
			at = append(at, i)
		}
	}
	if len(at) == len(events) {
		slices.SortStableFunc(events, func(a, b Event) int { return a.Time.Compare(b.Time) })
		return
	}
	timed := make([]Event, len(at))
	for j, i := range at {
		timed[j] = events[i]
	}
	slices.SortStableFunc(timed, func(a, b Event) int { return a.Time.Compare(b.Time) })
	for j, i := range at {
		events[i] = timed[j]
	}
}

// same reports whether two events are one: the same instant (or raw time
// when unparsed), text, place and code.
func (e Event) same(o Event) bool {
	return e.Time.Equal(o.Time) && (!e.Time.IsZero() || e.RawTime == o.RawTime) &&
		e.Description == o.Description && e.Location == o.Location && e.Code == o.Code
}

// MergeEvents returns the events of a, then those of b that a does not
// hold (the same instant, text, place and code), oldest first (see
// SortEvents): a history known before, and what a push added to it.
func MergeEvents(a, b []Event) []Event {
	out := slices.Clone(a)
	for _, e := range b {
		if !slices.ContainsFunc(out, e.same) {
			out = append(out, e)
		}
	}
	SortEvents(out)
	return out
}
