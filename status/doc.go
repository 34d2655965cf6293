// Package status is ordertrack's canonical vocabulary: the stages an order
// passes through, the reasons it can be held up, and every code the four
// providers use, each mapped to them without losing the provider's value.
//
// It has no HTTP in it. The provider packages (bailun, reseller, birdsystem,
// flowery) decode their answers into the typed codes declared here, and every
// client implements [Tracker], whose [Snapshot] says where an order is in
// provider-neutral terms:
//
//	snaps, err := tracker.Track(ctx, "ORDER-1", "ORDER-2") // err: refused before sending
//	for _, s := range snaps {
//		if s.Err != nil { // this ref's lookup failed; the others are here
//			continue
//		}
//		fmt.Println(s.Ref, s.Stage, s.Problems)
//	}
//
// Track returns at least one snapshot per ref, whatever fails, and
// [TrackAll] asks several Trackers at once without letting one provider's
// failure lose another's answers; [Errors] joins the per-ref errors for
// callers who want all or nothing.
//
// Each provider code type (for example [BailunOrderStatus] or
// [BirdSystemStatus]) has a named constant for every documented value, with
// the provider's own words in its comment. Known reports whether the value is
// documented; String gives its documented English name; Description gives the
// provider's own words; Code gives the raw value as a [Code]; Stage or Reason
// give its canonical meaning. A value the provider has not documented is never
// an error: it is kept verbatim and maps to [Unknown] (or [ReasonUnknown]).
// Each type encodes to JSON in the provider's own wire form, so decoding then
// encoding gives the same bytes back.
//
// Errors from every provider are [*APIError] values that match the sentinel
// errors with errors.Is:
//
//	if errors.Is(err, status.ErrNotFound) { ... }
//
// # Following orders
//
// A Snapshot's [Event]s are the order's history, oldest first. [Diff]
// tells what changed between two snapshots (stage, problems, new events,
// tracking number, not found, failing, recovered). Package
// [github.com/ordertrack/ordertrack/status/watch] follows orders over
// time with them: a Watcher polls each Tracker for the refs due, diffs
// each answer against the last one its Store keeps, and delivers the
// changes, across restarts.
package status
