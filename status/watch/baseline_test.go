package watch

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
)

var (
	bt0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	be1 = status.Event{Time: bt0, Description: "picked up"}
	be2 = status.Event{Time: bt0.Add(time.Hour), Description: "departed"}
	be3 = status.Event{Time: bt0.Add(2 * time.Hour), Description: "arrived"}
)

func sub(no string, stage status.Stage, at time.Time, tracking string, events ...status.Event) status.Snapshot {
	return status.Snapshot{Provider: status.Reseller, Ref: "T1", OrderNo: no, Stage: stage, UpdatedAt: at, TrackingNo: tracking, Events: events}
}

// says lists the changes as their String, in order.
func says(changes []status.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.String())
	}
	return out
}

// An answer that lacks an event seen before keeps it, and its return is
// no news; an absent tracking number or carrier never replaces one known.
func TestBaselineNeverForgets(t *testing.T) {
	var b baseline
	b.take([]status.Snapshot{sub("S1", status.Shipped, bt0, "YT1", be1, be2)}, false, true)
	b.subs[0].Carrier = "yto"
	got := b.take([]status.Snapshot{sub("S1", status.Shipped, bt0.Add(time.Hour), "", be2)}, true, true)
	assert.Empty(t, says(got))
	assert.Equal(t, []status.Event{be1, be2}, b.subs[0].Events, "the union of what was seen")
	assert.Equal(t, "YT1", b.subs[0].TrackingNo)
	assert.Equal(t, "yto", b.subs[0].Carrier)
	got = b.take([]status.Snapshot{sub("S1", status.Shipped, bt0.Add(2*time.Hour), "YT1", be1, be2, be3)}, true, true)
	assert.Equal(t, []string{"reseller T1 (S1) event 2026-12-01 10:00:00 UTC arrived"}, says(got), "only the event never seen")
}

// An answer older than what is known (a replica behind) moves no stage or
// tracking number back; the events it brings are still news.
func TestBaselineLaggingAnswer(t *testing.T) {
	var b baseline
	b.take([]status.Snapshot{sub("S1", status.Delivered, bt0.Add(2*time.Hour), "YT1b", be1, be2)}, false, true)
	got := b.take([]status.Snapshot{sub("S1", status.Shipped, bt0, "YT1", be1, be3)}, true, true)
	assert.Equal(t, []string{"reseller T1 (S1) event 2026-12-01 10:00:00 UTC arrived"}, says(got))
	assert.Equal(t, status.Delivered, b.subs[0].Stage)
	assert.Equal(t, "YT1b", b.subs[0].TrackingNo)
	assert.Equal(t, bt0.Add(2*time.Hour), b.subs[0].UpdatedAt)
}

// A sub-order missing from fewer than MissesToNotFound answers in a row is
// kept, and its return is no news; missing from that many, it is reported
// not found once, keeping what was known, and its return is the stage
// alone.
func TestBaselineSubOrderMissing(t *testing.T) {
	s1 := sub("S1", status.Shipped, bt0, "YT1", be1)
	s2 := sub("S2", status.Processing, bt0, "")
	var b baseline
	b.take([]status.Snapshot{s1, s2}, false, true)
	for range MissesToNotFound - 1 {
		assert.Empty(t, b.take([]status.Snapshot{s2}, true, true))
	}
	assert.Equal(t, map[string]int{"S1": MissesToNotFound - 1}, b.misses)
	assert.Empty(t, b.take([]status.Snapshot{s1, s2}, true, true), "back: no news")
	assert.Nil(t, b.misses, "a return starts the count again")

	// A failed sub-order in the answer may be the missing one: no miss.
	failed := status.Snapshot{Provider: status.Reseller, Ref: "T1", Err: errors.New("timeout")}
	assert.Empty(t, b.take([]status.Snapshot{s2, failed}, true, true))
	assert.Nil(t, b.misses)

	var got []status.Change
	for range MissesToNotFound {
		got = append(got, b.take([]status.Snapshot{s2}, true, true)...)
	}
	assert.Equal(t, []string{"reseller T1 (S1) shipped -> not_found"}, says(got))
	assert.Equal(t, "YT1", b.subs[0].TrackingNo, "kept with what was known")
	assert.Empty(t, b.take([]status.Snapshot{s2}, true, true), "said once")
	assert.Equal(t, []string{"reseller T1 (S1) not_found -> shipped"}, says(b.take([]status.Snapshot{s1, s2}, true, true)))

	// A push is not the whole order: the sub-orders it leaves out are not
	// missed.
	assert.Empty(t, b.take([]status.Snapshot{s2}, true, false))
	assert.Nil(t, b.misses)
}

// The whole order said not found is a miss of each sub-order known.
func TestBaselineWholeOrderNotFound(t *testing.T) {
	var b baseline
	b.take([]status.Snapshot{sub("S1", status.Shipped, bt0, "YT1", be1)}, false, true)
	nf := status.Snapshot{Provider: status.Reseller, Ref: "T1", Stage: status.NotFound}
	var got []status.Change
	for range MissesToNotFound {
		got = append(got, b.take([]status.Snapshot{nf}, true, true)...)
	}
	assert.Equal(t, []string{"reseller T1 (S1) shipped -> not_found"}, says(got))
	assert.Empty(t, b.take([]status.Snapshot{nf}, true, true))
	assert.Equal(t, []status.Event{be1}, b.subs[0].Events)
}

// A push without an OrderNo lands on the sub-order of its tracking number,
// and nowhere else; pushes in any order come to the same.
func TestBaselinePushInto(t *testing.T) {
	base := []status.Snapshot{sub("S1", status.Shipped, bt0, "YT1", be1), sub("S2", status.Processing, bt0, "")}
	p1 := status.Snapshot{Provider: status.Reseller, Ref: "T1", TrackingNo: "YT1", Carrier: "yto", Events: []status.Event{be1, be2}, UpdatedAt: bt0.Add(time.Hour)}
	p2 := status.Snapshot{Provider: status.Reseller, Ref: "T1", TrackingNo: "YT1", Events: []status.Event{be1, be2, be3}, UpdatedAt: bt0.Add(2 * time.Hour)}
	run := func(pushes ...status.Snapshot) ([]status.Snapshot, []string) {
		b := baseline{subs: append([]status.Snapshot(nil), base...)}
		var got []string
		for _, p := range pushes {
			a, ok := b.pushInto(p)
			require.True(t, ok)
			got = append(got, says(b.take(a, true, false))...)
		}
		return b.subs, got
	}
	inOrder, said := run(p1, p2)
	assert.Len(t, said, 2, "%q", said)
	late, saidLate := run(p2, p1)
	assert.Equal(t, inOrder, late, "a late push changes nothing")
	assert.Len(t, saidLate, 2, "%q", saidLate)
	assert.Equal(t, "yto", inOrder[0].Carrier)
	assert.Equal(t, bt0, inOrder[0].UpdatedAt, "the sub-order's own time: a push is not its answer")
	assert.Equal(t, status.Processing, inOrder[1].Stage)

	b := baseline{subs: base}
	for _, p := range []status.Snapshot{
		{Provider: status.Reseller, Ref: "T1", TrackingNo: "YT2"}, // an express not known: which sub-order?
		{Provider: status.Reseller, Ref: "T1"},                    // no express at all
	} {
		_, ok := b.pushInto(p)
		assert.False(t, ok, "%+v", p)
	}
	whole := sub("S2", status.Shipped, bt0.Add(time.Hour), "YT2")
	a, ok := b.pushInto(whole)
	require.True(t, ok)
	assert.Equal(t, []status.Snapshot{whole}, a, "a push naming its sub-order is its answer")
	_, ok = (&baseline{}).pushInto(p1)
	assert.False(t, ok, "a ref not answered yet")
}

// A placeholder (the reseller's answer for an order with no sub-order
// yet: no stage, the parent's number) gives way to the sub-orders found,
// with no not-found news of it; and the ref can end final.
func TestBaselinePlaceholderGivesWay(t *testing.T) {
	stub := status.Snapshot{Provider: status.Reseller, Ref: "T1", OrderNo: "U1", Stage: status.Unknown}
	var b baseline
	b.take([]status.Snapshot{stub}, false, true)
	s1, s2 := sub("S1", status.Delivered, bt0, "YT1"), sub("S2", status.Delivered, bt0, "YT2")
	var got []status.Change
	for range MissesToNotFound + 1 {
		got = append(got, b.take([]status.Snapshot{s1, s2}, true, true)...)
	}
	for _, c := range says(got) {
		assert.NotContains(t, c, "U1", "news of the placeholder")
	}
	assert.Len(t, b.subs, 2)
	assert.Len(t, active(b.subs), 2)

	// A sub-order gone not found leads neither the schedule nor the end.
	b.subs = append(b.subs, sub("S3", status.NotFound, bt0, "YT3"))
	assert.Len(t, active(b.subs), 2)
}

// Two sub-orders with no OrderNo are told apart (by tracking number, else
// in order): the same answer again is no news.
func TestBaselineNoOrderNos(t *testing.T) {
	a, c := sub("", status.Shipped, bt0, "YT1"), sub("", status.Processing, bt0, "")
	var b baseline
	b.take([]status.Snapshot{a, c}, false, true)
	for range 3 {
		assert.Empty(t, says(b.take([]status.Snapshot{a, c}, true, true)))
		assert.Empty(t, says(b.take([]status.Snapshot{c, a}, true, true)), "in another order")
	}
	assert.Len(t, b.subs, 2)
}

// Not found again keeps the problems known: its return is its stage alone.
func TestBaselineNotFoundKeepsProblems(t *testing.T) {
	p := status.Problem{Reason: status.ReasonAddress, Code: status.Code{Provider: status.Bailun, Field: "x", Value: "y"}}
	s := sub("A1", status.Processing, bt0, "")
	s.Problems = []status.Problem{p}
	var b baseline
	b.take([]status.Snapshot{s}, false, true)
	nf := status.Snapshot{Provider: status.Reseller, Ref: "T1", Stage: status.NotFound}
	var got []string
	for range MissesToNotFound + 3 {
		got = append(got, says(b.take([]status.Snapshot{nf}, true, true))...)
	}
	assert.Equal(t, []string{"reseller T1 (A1) processing -> not_found"}, got)
	assert.Equal(t, []string{"reseller T1 (A1) not_found -> processing"}, says(b.take([]status.Snapshot{s}, true, true)))
}

// A sub-order failing by its own number does not stop the count of
// another that is missing.
func TestBaselineFailingSubOrderDoesNotHideAMissingOne(t *testing.T) {
	s1, s2, s3 := sub("S1", status.Shipped, bt0, "YT1"), sub("S2", status.Shipped, bt0, "YT2"), sub("S3", status.Shipped, bt0, "YT3")
	var b baseline
	b.take([]status.Snapshot{s1, s2, s3}, false, true)
	failed := s1
	failed.Stage, failed.Err = status.Unknown, errors.New("no status")
	var got []string
	for range MissesToNotFound {
		got = append(got, says(b.take([]status.Snapshot{failed, s2}, true, true))...)
	}
	assert.Equal(t, []string{"reseller T1 (S3) shipped -> not_found"}, got)
}

// rawStore is the memory store as the SQL stores claim: the snapshots
// left undecoded in Raw. It writes down the Same of each result saved.
type rawStore struct {
	Store
	mu   sync.Mutex
	same []bool
}

func (s *rawStore) Claim(ctx context.Context, t TrackerID, now, until time.Time, limit int) ([]Claim, error) {
	cs, err := s.Store.Claim(ctx, t, now, until, limit)
	for i := range cs {
		if cs[i].Snapshots != nil {
			cs[i].Raw, _ = json.Marshal(cs[i].Snapshots)
			cs[i].Snapshots = nil
		}
	}
	return cs, err
}

func (s *rawStore) Save(ctx context.Context, t TrackerID, rs []Result) error {
	s.mu.Lock()
	for _, r := range rs {
		s.same = append(s.same, r.Same)
	}
	s.mu.Unlock()
	return s.Store.Save(ctx, t, rs)
}

// A quiet poll is recognised from the bytes the Store keeps: saved Same,
// with nothing decoded; an answer that differs in any byte is diffed.
func TestQuietPollFromBytes(t *testing.T) {
	store := &rawStore{Store: NewMemoryStore()}
	tr := newScripted(status.Bailun)
	tr.set("A", status.Processing, nil)
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Minute}})
	id, _ := w.Add(tr, "")
	require.NoError(t, w.Follow(context.Background(), id, "A"))
	assert.Len(t, poll(t, w, id), 1, "following")
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w, id))
	clk.Add(time.Minute)
	tr.set("A", status.Shipped, nil)
	got := poll(t, w, id)
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "processing -> shipped")
	clk.Add(time.Minute)
	assert.Empty(t, poll(t, w, id))
	assert.Equal(t, []bool{false, true, false, true}, store.same, "the first look and the change are written; the quiet polls are not")
	f, _, err := w.Get(context.Background(), id, "A")
	require.NoError(t, err)
	assert.Equal(t, status.Shipped, f.Snapshots[0].Stage)
	assert.Equal(t, 1, f.State.Quiet, "a quiet poll still counts, since the change")
}

// fixedAnswer answers every ref with the snapshots ans gives.
type fixedAnswer struct {
	ans func(ref string) []status.Snapshot
}

func (fixedAnswer) Provider() status.Provider { return status.Reseller }
func (f fixedAnswer) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	var out []status.Snapshot
	for _, r := range refs {
		out = append(out, f.ans(r)...)
	}
	return out, nil
}

// pollsOf polls one ref six times, on the memory store as it is or as the
// SQL stores claim (rawStore, the quiet path), and returns the changes of
// each poll and the baseline kept.
func pollsOf(t *testing.T, raw bool, ans func(string) []status.Snapshot) ([][]string, string) {
	var store Store = NewMemoryStore()
	if raw {
		store = &rawStore{Store: store}
	}
	w, clk := newWatcher(Options{Store: store, Schedule: Every{Interval: time.Minute}})
	id, _ := w.Add(fixedAnswer{ans}, "")
	require.NoError(t, w.Follow(context.Background(), id, "R"))
	var all [][]string
	for range 6 {
		all = append(all, poll(t, w, id))
		clk.Add(time.Minute)
	}
	f, _, err := w.Get(context.Background(), id, "R")
	require.NoError(t, err)
	b, _ := json.Marshal(f.Snapshots)
	return all, string(b)
}

// Whatever an answer holds, the quiet path reports and keeps what the
// full merge does (found by review: a sub-order named twice in one
// answer, events out of time order).
func TestQuietPathAgreesWithTheMerge(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for name, ans := range map[string]func(string) []status.Snapshot{
		"one sub-order named twice": func(r string) []status.Snapshot {
			return []status.Snapshot{
				{Provider: status.Reseller, Ref: r, OrderNo: "S1", Stage: status.Processing, UpdatedAt: at},
				{Provider: status.Reseller, Ref: r, OrderNo: "S1", Stage: status.Shipped, UpdatedAt: at}}
		},
		"one tracking number twice": func(r string) []status.Snapshot {
			return []status.Snapshot{
				{Provider: status.Reseller, Ref: r, TrackingNo: "YT1", Stage: status.Processing, UpdatedAt: at},
				{Provider: status.Reseller, Ref: r, TrackingNo: "YT1", Stage: status.Shipped, UpdatedAt: at}}
		},
		"events out of time order": func(r string) []status.Snapshot {
			return []status.Snapshot{{Provider: status.Reseller, Ref: r, OrderNo: "S1", Stage: status.Shipped, UpdatedAt: at,
				Events: []status.Event{{Time: at.Add(time.Hour), Description: "b"}, {Time: at, Description: "a"}}}}
		},
		"an error with no message": func(r string) []status.Snapshot {
			return []status.Snapshot{{Provider: status.Reseller, Ref: r, OrderNo: "S1", Stage: status.Delivered, UpdatedAt: at, Err: errors.New("")}}
		},
		"sub-orders, events, no numbers": func(r string) []status.Snapshot {
			return []status.Snapshot{
				{Provider: status.Reseller, Ref: r, Stage: status.Processing},
				{Provider: status.Reseller, Ref: r, OrderNo: "S2", Stage: status.Shipped, TrackingNo: "YT2",
					Events: []status.Event{{Time: at, Description: "a"}, {Description: "untimed"}, {Time: at.Add(time.Hour), Description: "b"}}}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			slow, slowKept := pollsOf(t, false, ans)
			fast, fastKept := pollsOf(t, true, ans)
			assert.Equal(t, slow, fast, "changes")
			assert.Equal(t, slowKept, fastKept, "baseline kept")
		})
	}
}
