package status

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ChangeKind is what a Change says.
type ChangeKind uint8

// The kinds of change.
const (
	// StageChanged: the canonical stage moved, From -> To.
	StageChanged ChangeKind = iota + 1
	// ProblemAdded: the provider reports a problem it did not before.
	ProblemAdded
	// ProblemCleared: a problem the provider reported is gone.
	ProblemCleared
	// NewEvent: an event not seen before (one Change per event).
	NewEvent
	// TrackingNoAssigned: a tracking number where there was none.
	TrackingNoAssigned
	// TrackingNoChanged: the tracking number is another one.
	TrackingNoChanged
	// NowNotFound: the provider no longer knows the order.
	NowNotFound
	// NowFailing: the lookup failed where it had worked.
	NowFailing
	// Recovered: the lookup works again after failing.
	Recovered
	// Following: the first answer of a ref the Watcher has no snapshot
	// of: the baseline later answers are diffed against, its stage in To.
	// It is one change, never a stage change from unknown.
	Following
	// Unfollowed: the Watcher no longer follows the ref: it was removed,
	// or lingered in a final stage (To). Nothing ends silently.
	Unfollowed
)

var changeKindNames = [...]string{
	StageChanged: "stage_changed", ProblemAdded: "problem_added", ProblemCleared: "problem_cleared",
	NewEvent: "new_event", TrackingNoAssigned: "tracking_no_assigned", TrackingNoChanged: "tracking_no_changed",
	NowNotFound: "now_not_found", NowFailing: "now_failing", Recovered: "recovered",
	Following: "following", Unfollowed: "unfollowed",
}

// String returns the kind's name ("stage_changed").
func (k ChangeKind) String() string {
	if int(k) < len(changeKindNames) && changeKindNames[k] != "" {
		return changeKindNames[k]
	}
	return fmt.Sprintf("ChangeKind(%d)", uint8(k))
}

// MarshalText returns the kind's name.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *ChangeKind) UnmarshalText(b []byte) error {
	for i, n := range changeKindNames {
		if n != "" && n == string(b) {
			*k = ChangeKind(i)
			return nil
		}
	}
	return fmt.Errorf("status: unknown change kind %q: %w", b, ErrInvalidRequest)
}

// Change is one thing that changed about an order between two snapshots.
//
// Its ID is what it says about the order, never when or how it was seen:
// the same change found again (by another poll, after a crash, from an
// answer in another zone) has the same ID, and a consumer of at-least-once
// delivery de-duplicates by it. The ID hashes the change's Kind, Provider,
// Account, Ref, OrderNo and Serial, and what its kind says:
//
//   - StageChanged, NowNotFound: From, To, and At (the provider's time of
//     the answer);
//   - NewEvent: the event: its instant, raw time, text, place, stage and
//     code;
//   - TrackingNoAssigned, TrackingNoChanged: TrackingNo, PrevTrackingNo,
//     and At;
//   - ProblemAdded, ProblemCleared: the problem (its reason and code), and
//     At;
//   - Following, Unfollowed: To and Why;
//   - NowFailing, Recovered: Why.
//
// Times count by their instant, never their zone; Polled and Err are not
// part of it. Serial, set by a Watcher, tells apart changes that would
// otherwise say the same (a problem added, cleared and added again; a ref
// failing twice; a second follow of a ref): it is the ref's follow and its
// count of changes, kept with what the Watcher knows of the ref, so that
// at most the one change in flight when a process died is delivered
// twice, with its ID.
type Change struct {
	// Kind says what changed; the fields below that it names are set.
	Kind ChangeKind `json:"kind"`
	// Provider, Ref and OrderNo name the order, as the new snapshot does.
	Provider Provider `json:"provider"`
	// Account names the account of the provider the order was followed
	// through, as the Watcher was told it; empty from Diff.
	Account string `json:"account,omitempty"`
	Ref     string `json:"ref"`
	OrderNo string `json:"order_no,omitempty"`
	// At is when it changed, as far as the provider says: the event's time
	// for NewEvent, the new snapshot's UpdatedAt otherwise; zero when
	// neither is known.
	At time.Time `json:"at,omitzero"`
	// From and To are the stages, for StageChanged and NowNotFound; To
	// alone for Following and Unfollowed.
	From Stage `json:"from"`
	To   Stage `json:"to"`
	// Problem is the problem added or cleared.
	Problem *Problem `json:"problem,omitempty"`
	// Event is the new event.
	Event *Event `json:"event,omitempty"`
	// TrackingNo and PrevTrackingNo are the new and the former tracking
	// numbers, for TrackingNoAssigned and TrackingNoChanged.
	TrackingNo     string `json:"tracking_no,omitempty"`
	PrevTrackingNo string `json:"prev_tracking_no,omitempty"`
	// Polled is when the Watcher's poll (or push) that made the change was
	// made; zero from Diff. It is not part of the change's identity: the
	// same change found again later has the same ID.
	Polled time.Time `json:"polled,omitzero"`
	// Serial tells apart changes that say the same of one order at two
	// times (a problem added, cleared and added again; a ref failing
	// twice): the ref's follow (each Follow after an Unfollowed is another)
	// and the number of changes made of it before this one, as the Watcher
	// keeps them with what it knows of the ref, "<follow>.<n>". An account's
	// own change has its outage's number, "outage.<n>". Empty from Diff.
	Serial string `json:"serial,omitempty"`
	// Why says why a ref is Unfollowed ("removed", "final", "expired",
	// "refused"), or what a NowFailing or Recovered without a Ref is
	// ("tracker": the account's outage, as package watch decides it).
	Why string `json:"why,omitempty"`
	// Err is the new failure, for NowFailing.
	Err error `json:"-"`
	// ID tells the change apart, the same for the same change wherever and
	// whenever it is made again (see HashID). A consumer of at-least-once
	// delivery de-duplicates by it.
	ID string `json:"id"`
}

// HashID returns the ID of what c says about its order, as the Change
// type's documentation lists it. Diff sets each change's ID to it; code
// that makes a change itself, or sets a field of one (a Watcher sets
// Account and Serial), sets ID to it again.
func (c Change) HashID() string {
	h := sha256.New()
	var b []byte
	put := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	at := func(t time.Time) {
		if t.IsZero() {
			put("")
			return
		}
		put(t.UTC().Format(time.RFC3339Nano))
	}
	code := func(c Code) { put(string(c.Provider)); put(c.Field); put(c.Value) }
	put("change/2")
	put(c.Kind.String())
	put(string(c.Provider))
	put(c.Account)
	put(c.Ref)
	put(c.OrderNo)
	put(c.Serial)
	switch c.Kind {
	case StageChanged, NowNotFound:
		put(c.From.String())
		put(c.To.String())
		at(c.At)
	case NewEvent:
		if e := c.Event; e != nil {
			at(e.Time)
			put(e.RawTime)
			put(e.Description)
			put(e.Location)
			put(e.Stage.String())
			code(e.Code)
		}
	case TrackingNoAssigned, TrackingNoChanged:
		put(c.TrackingNo)
		put(c.PrevTrackingNo)
		at(c.At)
	case ProblemAdded, ProblemCleared:
		if p := c.Problem; p != nil {
			put(p.Reason.String())
			code(p.Code)
		}
		at(c.At)
	case Following, Unfollowed:
		put(c.To.String())
		put(c.Why)
	default:
		put(c.Why)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Diff returns what changed from prev to cur, two snapshots of the same
// order: nothing when they say the same. What is not a change is ignored:
// the order of Codes and Problems, a time re-parsed into another zone with
// the same instant, events seen before.
//
// A failing snapshot (Err set) says nothing about the order: cur failing
// where prev did not gives NowFailing alone, both failing give nothing, and
// prev failing where cur does not gives Recovered alone (a Watcher keeps
// the last answered snapshot, and diffs against that instead).
func Diff(prev, cur Snapshot) []Change {
	base := Change{Provider: cur.Provider, Ref: cur.Ref, OrderNo: cur.OrderNo, At: cur.UpdatedAt}
	with := func(k ChangeKind, f func(*Change)) Change {
		c := base
		c.Kind = k
		if f != nil {
			f(&c)
		}
		c.ID = c.HashID()
		return c
	}
	switch {
	case cur.Err != nil && prev.Err == nil:
		return []Change{with(NowFailing, func(c *Change) { c.Err = cur.Err })}
	case cur.Err != nil:
		return nil
	case prev.Err != nil:
		return []Change{with(Recovered, nil)}
	}
	var out []Change
	if prev.Stage != cur.Stage {
		kind := StageChanged
		if cur.Stage == NotFound {
			kind = NowNotFound
		}
		out = append(out, with(kind, func(c *Change) { c.From, c.To = prev.Stage, cur.Stage }))
	}
	for _, p := range cur.Problems {
		if !slices.Contains(prev.Problems, p) {
			out = append(out, with(ProblemAdded, func(c *Change) { c.Problem = &p }))
		}
	}
	for _, p := range prev.Problems {
		if !slices.Contains(cur.Problems, p) {
			out = append(out, with(ProblemCleared, func(c *Change) { c.Problem = &p }))
		}
	}
	switch {
	case prev.TrackingNo == "" && cur.TrackingNo != "":
		out = append(out, with(TrackingNoAssigned, func(c *Change) { c.TrackingNo = cur.TrackingNo }))
	case cur.TrackingNo != "" && cur.TrackingNo != prev.TrackingNo:
		out = append(out, with(TrackingNoChanged, func(c *Change) { c.TrackingNo, c.PrevTrackingNo = cur.TrackingNo, prev.TrackingNo }))
	}
	for i, e := range cur.Events {
		// An event seen before, or given twice in this answer, is no news.
		if !slices.ContainsFunc(prev.Events, e.same) && !slices.ContainsFunc(cur.Events[:i], e.same) {
			out = append(out, with(NewEvent, func(c *Change) {
				c.Event = &e
				if !e.Time.IsZero() {
					c.At = e.Time
				}
			}))
		}
	}
	return out
}

// String describes the change in one line:
// "bailun CP-1002 ready_to_ship -> shipped".
func (c Change) String() string {
	who := string(c.Provider)
	if c.Account != "" {
		who += "/" + c.Account
	}
	if c.Ref != "" {
		who += " " + c.Ref
	}
	if c.OrderNo != "" && c.OrderNo != c.Ref {
		who += " (" + c.OrderNo + ")"
	}
	switch c.Kind {
	case StageChanged, NowNotFound:
		return who + " " + c.From.String() + " -> " + c.To.String()
	case ProblemAdded, ProblemCleared:
		if c.Problem == nil {
			break
		}
		return who + " " + c.Kind.String() + " " + c.Problem.Reason.String() + " (" + c.Problem.Code.Field + "=" + c.Problem.Code.Value + ")"
	case NewEvent:
		if c.Event == nil {
			break
		}
		// The event's time in UTC, with its zone: the provider's own text
		// is its local wall time, with none. RawTime when it did not parse.
		at := c.Event.RawTime
		if !c.Event.Time.IsZero() {
			at = c.Event.Time.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		s := who + " event " + at + " " + c.Event.Description
		if c.Event.Location != "" {
			s += " @" + c.Event.Location
		}
		return s
	case TrackingNoAssigned:
		return who + " tracking number " + c.TrackingNo
	case TrackingNoChanged:
		return who + " tracking number " + c.PrevTrackingNo + " -> " + c.TrackingNo
	case NowFailing:
		return who + " failing: " + fmt.Sprint(c.Err)
	case Following:
		return who + " following, " + c.To.String()
	case Unfollowed:
		s := who + " unfollowed, " + c.To.String()
		if c.Why != "" {
			s += " (" + c.Why + ")"
		}
		return s
	}
	return who + " " + c.Kind.String()
}

// MarshalJSON writes the change with Err as "error", its message, and
// From and To only for the kinds that have them (StageChanged,
// NowNotFound; To alone for Following and Unfollowed).
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	v := struct {
		plain
		From  *Stage `json:"from,omitempty"`
		To    *Stage `json:"to,omitempty"`
		Error string `json:"error,omitempty"`
	}{plain: plain(c)}
	switch c.Kind {
	case StageChanged, NowNotFound:
		v.From, v.To = &c.From, &c.To
	case Following, Unfollowed:
		v.To = &c.To
	}
	if c.Err != nil {
		v.Error = c.Err.Error()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads what MarshalJSON writes. An "error" comes back as
// an error with that message, which matches no sentinel; ID is read as
// written.
func (c *Change) UnmarshalJSON(b []byte) error {
	type plain Change
	var v struct {
		plain
		Error string `json:"error,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Change(v.plain)
	if v.Error != "" {
		c.Err = errors.New(v.Error)
	}
	return nil
}
