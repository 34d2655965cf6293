// Package watchtest is the conformance suite of the watch.Store contract:
// every Store shipped runs it, and so can any other implementation, from
// its own tests:
//
//	func TestConformance(t *testing.T) {
//		watchtest.RunStore(t, func(t *testing.T, now func() time.Time) watch.Store {
//			return openMyStore(t) // a new, empty store
//		})
//	}
//
// It checks the follow set, claims and their order, leases that expire,
// generations that fence a stale save, the outbox, tracker leases, that
// two accounts of one provider never collide, that snapshots come back
// as they were saved, and that concurrent claims never hand one ref out
// twice.
package watchtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// The trackers the suite uses: two accounts of one provider.
var (
	acme   = watch.TrackerID{Provider: status.Bailun, Account: "acme"}
	globex = watch.TrackerID{Provider: status.Bailun, Account: "globex"}
)

// t0 is the suite's clock; every time is after it.
var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// RunStore runs the conformance suite; open returns a new, empty Store
// for each subtest (closing it, if it must be, through t.Cleanup). A Store
// that measures tracker leases on a clock of its own (pgstore: the
// database's) is given now in its place: the time of the suite's Lease
// call, so that the contract's times can be checked; others ignore it.
func RunStore(t *testing.T, open func(t *testing.T, now func() time.Time) watch.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s watch.Store)
	}{
		{"FollowSet", testFollowSet},
		{"ClaimDueOldestFirst", testClaimDueOldestFirst},
		{"ClaimLeaseExpires", testClaimLeaseExpires},
		{"SaveFenced", testSaveFenced},
		{"SaveDone", testSaveDone},
		{"Unfollow", testUnfollow},
		{"AccountsApart", testAccountsApart},
		{"Outbox", testOutbox},
		{"TrackerLease", testTrackerLease},
		{"SnapshotsKept", testSnapshotsKept},
		{"ConcurrentClaims", testConcurrentClaims},
		{"CanceledContext", testCanceledContext},
		{"FollowWhileStoppingClaimed", testFollowWhileStoppingClaimed},
		{"UnfollowWhileClaimed", testUnfollowWhileClaimed},
		{"NoLimit", testNoLimit},
		{"FarTimes", testFarTimes},
		{"DoneKeepsItsChanges", testDoneKeepsItsChanges},
		{"LeaseEndsAtUntil", testLeaseEndsAtUntil},
		{"ValuesOfNoKind", testValuesOfNoKind},
		{"NULInText", testNULInText},
		{"RefsNoStoreKeeps", testRefsNoStoreKeeps},
		{"StaleSaveAfterFollowAgain", testStaleSaveAfterFollowAgain},
		{"ClaimRef", testClaimRef},
		{"ManyAtOnce", testManyAtOnce},
		{"RefTwiceInOneSave", testRefTwiceInOneSave},
		{"Outage", testOutage},
		{"StatsLease", testStatsLease},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &leaseClock{}
			s.Store = open(t, s.Now)
			tt.f(t, s)
		})
	}
}

// leaseClock is a Store whose clock, for a Store that keeps one, is the
// now of the Lease being asked.
type leaseClock struct {
	watch.Store
	mu  sync.Mutex
	now time.Time
}

// Now is the now of the last Lease asked.
func (s *leaseClock) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Lease sets the clock to now, and asks.
func (s *leaseClock) Lease(ctx context.Context, t watch.TrackerID, owner string, now, until time.Time) (watch.TrackerLease, bool, error) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
	return s.Store.Lease(ctx, t, owner, now, until)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func refsOf(claims []watch.Claim) []string {
	out := make([]string, len(claims))
	for i, c := range claims {
		out[i] = c.Ref
	}
	return out
}

func equal(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func testFollowSet(t *testing.T, s watch.Store) {
	ctx := context.Background()
	n, err := s.Follow(ctx, acme, t0, "A", "B")
	must(t, err)
	if n != 2 {
		t.Errorf("Follow A B = %d added, want 2", n)
	}
	n, err = s.Follow(ctx, acme, t0.Add(time.Hour), "B", "C")
	must(t, err)
	if n != 1 {
		t.Errorf("Follow B C = %d added, want 1 (B is followed)", n)
	}
	f, ok, err := s.Get(ctx, acme, "B")
	must(t, err)
	if !ok || f.Ref != "B" || !f.Due.Equal(t0) || f.Seen || f.Stopping || f.Snapshots != nil {
		t.Errorf("Get B = %+v, %v; want followed, due %v (its first Follow), not seen", f, ok, t0)
	}
	if !f.State.Since.Equal(t0) {
		t.Errorf("Get B: State.Since = %v, want %v", f.State.Since, t0)
	}
	if _, ok, err := s.Get(ctx, acme, "Z"); err != nil || ok {
		t.Errorf("Get Z = %v, %v; want not followed", ok, err)
	}
	if _, err := s.Follow(ctx, acme, t0, "D", ""); !errors.Is(err, status.ErrInvalidRequest) {
		t.Errorf("Follow with an empty ref: %v, want ErrInvalidRequest", err)
	}
	if _, ok, _ := s.Get(ctx, acme, "D"); ok {
		t.Error("Follow with an empty ref followed the others")
	}
	st, err := s.Stats(ctx, acme, t0)
	must(t, err)
	if st.Followed != 3 || st.Due != 2 || st.Pending != 0 || !st.OldestDue.Equal(t0) || st.Lease.Owner != "" {
		t.Errorf("Stats at t0 = %+v, want 3 followed, 2 due since t0, no holder", st)
	}
	st, err = s.Stats(ctx, acme, t0.Add(time.Hour))
	must(t, err)
	if st.Due != 3 {
		t.Errorf("Stats an hour later: %d due, want 3", st.Due)
	}
}

// Stats tell any process how an account fares, from the Store: its
// lease's holder and until when, and its outage state.
func testStatsLease(t *testing.T, s watch.Store) {
	ctx := context.Background()
	l, ok, err := s.Lease(ctx, acme, "one", t0, t0.Add(time.Minute))
	must(t, err)
	if !ok {
		t.Fatal("lease refused")
	}
	must(t, s.SaveOutage(ctx, acme, l.Gen, watch.Outage{Failing: true, Since: t0, Refs: []string{"A", "B", "C"}, Count: 2}, nil))
	st, err := s.Stats(ctx, acme, t0)
	must(t, err)
	if st.Lease.Owner != "one" || !st.Lease.Until.Equal(t0.Add(time.Minute)) || st.Lease.Gen != l.Gen ||
		!st.Lease.Outage.Failing || !st.Lease.Outage.Since.Equal(t0) || st.Lease.Outage.Count != 2 || len(st.Lease.Outage.Refs) != 3 {
		t.Errorf("Stats' lease = %+v, want one's until t0+1m, failing since t0 (outage 2)", st.Lease)
	}
	must(t, s.Release(ctx, acme, "one"))
	st, err = s.Stats(ctx, acme, t0)
	must(t, err)
	if st.Lease.Owner != "" || !st.Lease.Outage.Failing {
		t.Errorf("Stats after Release = %+v, want no holder, the outage kept", st.Lease)
	}
}

func testClaimDueOldestFirst(t *testing.T, s watch.Store) {
	ctx := context.Background()
	for i, r := range []string{"C", "A", "D", "B"} {
		_, err := s.Follow(ctx, acme, t0.Add(time.Duration(i)*time.Minute), r)
		must(t, err)
	}
	_, err := s.Follow(ctx, acme, t0.Add(time.Hour), "LATE")
	must(t, err)
	now := t0.Add(10 * time.Minute)
	got, err := s.Claim(ctx, acme, now, now.Add(time.Minute), 3)
	must(t, err)
	if !equal(refsOf(got), []string{"C", "A", "D"}) {
		t.Fatalf("Claim 3 = %v, want [C A D], the oldest due first", refsOf(got))
	}
	for _, c := range got {
		if c.Gen <= 0 {
			t.Errorf("claim of %s has generation %d, want > 0", c.Ref, c.Gen)
		}
	}
	got, err = s.Claim(ctx, acme, now, now.Add(time.Minute), 3)
	must(t, err)
	if !equal(refsOf(got), []string{"B"}) {
		t.Fatalf("Claim again = %v, want [B]: claimed refs are not due, LATE is not due yet", refsOf(got))
	}
	got, err = s.Claim(ctx, acme, now, now.Add(time.Minute), 3)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("Claim a third time = %v, want none", refsOf(got))
	}
}

func testClaimLeaseExpires(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	first, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 10)
	must(t, err)
	if len(first) != 1 {
		t.Fatalf("Claim = %v, want [A]", refsOf(first))
	}
	got, err := s.Claim(ctx, acme, t0.Add(59*time.Second), t0.Add(2*time.Minute), 10)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("Claim inside the lease = %v, want none", refsOf(got))
	}
	got, err = s.Claim(ctx, acme, t0.Add(time.Minute), t0.Add(2*time.Minute), 10)
	must(t, err)
	if len(got) != 1 || got[0].Gen <= first[0].Gen {
		t.Fatalf("Claim after the lease = %+v, want A again with a newer generation than %d", got, first[0].Gen)
	}
	st, err := s.Stats(ctx, acme, t0.Add(time.Minute))
	must(t, err)
	if st.Due != 0 || st.Followed != 1 {
		t.Errorf("Stats of a claimed ref = %+v, want 1 followed, 0 due", st)
	}
}

func testSaveFenced(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A", "B")
	must(t, err)
	stale, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 10)
	must(t, err)
	now := t0.Add(2 * time.Minute)
	fresh, err := s.Claim(ctx, acme, now, now.Add(time.Minute), 1) // A, taken again
	must(t, err)
	if len(stale) != 2 || len(fresh) != 1 || fresh[0].Ref != "A" {
		t.Fatalf("claims = %v then %v, want [A B] then [A]", refsOf(stale), refsOf(fresh))
	}
	snap := []status.Snapshot{{Provider: status.Bailun, Ref: "A", Stage: status.Shipped}}
	change := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Ref: "A", To: status.Shipped}
	change.ID = change.HashID()
	err = s.Save(ctx, acme, []watch.Result{
		{Ref: "A", Gen: stale[0].Gen, Seen: true, Snapshots: snap, Due: now.Add(time.Hour), Changes: []status.Change{change}},
		{Ref: "B", Gen: stale[1].Gen, Seen: true, Due: now.Add(time.Hour)},
	})
	var lost *watch.LeaseLostError
	if !errors.Is(err, watch.ErrLeaseLost) || !errors.As(err, &lost) || !equal(lost.Refs, []string{"A"}) {
		t.Fatalf("Save with A's stale generation: %v, want ErrLeaseLost for [A]", err)
	}
	a, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	if a.Seen || a.Snapshots != nil {
		t.Errorf("A after a refused save = %+v, want unchanged", a)
	}
	b, _, err := s.Get(ctx, acme, "B")
	must(t, err)
	if !b.Seen || !b.Due.Equal(now.Add(time.Hour)) {
		t.Errorf("B after the save = %+v, want seen and due %v: one refused result does not refuse the others", b, now.Add(time.Hour))
	}
	pending, err := s.Pending(ctx, acme, 10)
	must(t, err)
	if len(pending) != 0 {
		t.Errorf("outbox after a refused save = %v, want empty: a refused result's changes are not kept", pending)
	}
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: fresh[0].Gen, Seen: true, Snapshots: snap, Due: now.Add(time.Hour)}}))
	a, _, err = s.Get(ctx, acme, "A")
	must(t, err)
	if !a.Seen || len(a.Snapshots) != 1 || a.Snapshots[0].Stage != status.Shipped {
		t.Errorf("A after a fresh save = %+v, want its snapshot", a)
	}
	if err := s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: fresh[0].Gen, Due: now}}); err != nil {
		// Saving twice with one claim is allowed: the claim is still its own.
		t.Errorf("a second save with the same claim: %v", err)
	}
	if err := s.Save(ctx, acme, []watch.Result{{Ref: "NOPE", Gen: 1, Due: now}}); !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("Save of a ref not followed: %v, want ErrLeaseLost", err)
	}
}

func testSaveDone(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c[0].Gen, Done: true}}))
	if _, ok, err := s.Get(ctx, acme, "A"); err != nil || ok {
		t.Errorf("Get after Done = %v, %v; want not followed", ok, err)
	}
	n, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	if n != 1 {
		t.Errorf("Follow after Done = %d added, want 1", n)
	}
	f, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	if f.Seen || f.Snapshots != nil {
		t.Errorf("A followed again = %+v, want a new ref with no baseline", f)
	}
}

func testUnfollow(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0.Add(time.Hour), "A", "B")
	must(t, err)
	n, err := s.Unfollow(ctx, acme, t0, "A", "Z")
	must(t, err)
	if n != 1 {
		t.Errorf("Unfollow A Z = %d, want 1", n)
	}
	got, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 10)
	must(t, err)
	if len(got) != 1 || got[0].Ref != "A" || !got[0].Stopping {
		t.Fatalf("Claim after Unfollow = %+v, want A, stopping, due at once", got)
	}
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: got[0].Gen, Done: true}}))
	if _, ok, _ := s.Get(ctx, acme, "A"); ok {
		t.Error("A is followed after its stopping claim was saved Done")
	}
	_, err = s.Unfollow(ctx, acme, t0, "B")
	must(t, err)
	_, err = s.Follow(ctx, acme, t0, "B")
	must(t, err)
	b, _, err := s.Get(ctx, acme, "B")
	must(t, err)
	if b.Stopping {
		t.Error("B followed again after Unfollow is still stopping")
	}
}

func testAccountsApart(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "SAME")
	must(t, err)
	n, err := s.Follow(ctx, globex, t0, "SAME")
	must(t, err)
	if n != 1 {
		t.Fatalf("Follow SAME for another account = %d added, want 1", n)
	}
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 10)
	must(t, err)
	snap := []status.Snapshot{{Provider: status.Bailun, Ref: "SAME", Stage: status.Delivered}}
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "SAME", Gen: c[0].Gen, Seen: true, Snapshots: snap, Due: t0.Add(time.Hour)}}))
	g, _, err := s.Get(ctx, globex, "SAME")
	must(t, err)
	if g.Seen || g.Snapshots != nil {
		t.Errorf("globex's SAME = %+v after acme's save, want untouched", g)
	}
	got, err := s.Claim(ctx, globex, t0, t0.Add(time.Minute), 10)
	must(t, err)
	if len(got) != 1 {
		t.Errorf("globex's claim = %v, want [SAME]", refsOf(got))
	}
	other := watch.TrackerID{Provider: status.Flowery, Account: "acme"}
	st, err := s.Stats(ctx, other, t0)
	must(t, err)
	if st.Followed != 0 {
		t.Errorf("flowery/acme follows %d, want 0", st.Followed)
	}
}

func testOutbox(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A", "B")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 10)
	must(t, err)
	mk := func(ref string, to status.Stage) status.Change {
		ch := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Account: "acme", Ref: ref, From: status.Pending, To: to, Err: nil}
		ch.ID = ch.HashID()
		return ch
	}
	a1, a2, b1 := mk("A", status.Shipped), mk("A", status.Delivered), mk("B", status.Shipped)
	must(t, s.Save(ctx, acme, []watch.Result{
		{Ref: "A", Gen: c[0].Gen, Due: t0.Add(time.Hour), Changes: []status.Change{a1, a2}},
		{Ref: "B", Gen: c[1].Gen, Due: t0.Add(time.Hour), Changes: []status.Change{b1, a1}},
	}))
	got, err := s.Pending(ctx, acme, 10)
	must(t, err)
	ids := func(cs []status.Change) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.ID
		}
		return out
	}
	if !equal(ids(got), []string{a1.ID, a2.ID, b1.ID}) {
		t.Fatalf("Pending = %v, want a1 a2 b1 in order, a1 once", got)
	}
	if got[0].Kind != status.StageChanged || got[0].Ref != "A" || got[0].To != status.Shipped || got[0].Account != "acme" {
		t.Errorf("Pending[0] = %+v, want the change as saved", got[0])
	}
	if others, _ := s.Pending(ctx, globex, 10); len(others) != 0 {
		t.Errorf("globex's outbox = %v, want empty", others)
	}
	got, err = s.Pending(ctx, acme, 2)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("Pending 2 = %d changes", len(got))
	}
	must(t, s.Ack(ctx, acme, a1.ID, "no-such-id"))
	got, err = s.Pending(ctx, acme, 10)
	must(t, err)
	if !equal(ids(got), []string{a2.ID, b1.ID}) {
		t.Errorf("Pending after Ack a1 = %v, want a2 b1", ids(got))
	}
	st, err := s.Stats(ctx, acme, t0)
	must(t, err)
	if st.Pending != 2 {
		t.Errorf("Stats.Pending = %d, want 2", st.Pending)
	}
	must(t, s.Ack(ctx, acme, a2.ID, b1.ID))
	if got, _ := s.Pending(ctx, acme, 10); len(got) != 0 {
		t.Errorf("Pending after acking all = %v", got)
	}
}

func testTrackerLease(t *testing.T, s watch.Store) {
	ctx := context.Background()
	l, ok, err := s.Lease(ctx, acme, "one", t0, t0.Add(time.Minute))
	must(t, err)
	if !ok || l.Owner != "one" || !l.Until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("first Lease = %+v, %v; want one's until t0+1m", l, ok)
	}
	l2, ok, err := s.Lease(ctx, acme, "two", t0.Add(30*time.Second), t0.Add(90*time.Second))
	must(t, err)
	if ok || l2.Owner != "one" {
		t.Fatalf("Lease by two inside one's = %+v, %v; want refused, held by one", l2, ok)
	}
	if _, ok, _ := s.Lease(ctx, globex, "two", t0, t0.Add(time.Minute)); !ok {
		t.Error("two cannot lease globex while one holds acme")
	}
	r, ok, err := s.Lease(ctx, acme, "one", t0.Add(30*time.Second), t0.Add(2*time.Minute))
	must(t, err)
	if !ok || r.Gen != l.Gen || !r.Until.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("renewal = %+v, %v; want until t0+2m, generation %d", r, ok, l.Gen)
	}
	taken, ok, err := s.Lease(ctx, acme, "two", t0.Add(2*time.Minute), t0.Add(3*time.Minute))
	must(t, err)
	if !ok || taken.Owner != "two" || taken.Gen <= l.Gen {
		t.Errorf("Lease by two after one's expired = %+v, %v; want two's, newer generation", taken, ok)
	}
	must(t, s.Release(ctx, acme, "one")) // not its own any more: nothing
	if _, ok, _ := s.Lease(ctx, acme, "one", t0.Add(2*time.Minute), t0.Add(3*time.Minute)); ok {
		t.Error("one's Release took two's lease away")
	}
	must(t, s.Release(ctx, acme, "two"))
	if _, ok, _ := s.Lease(ctx, acme, "one", t0.Add(2*time.Minute), t0.Add(3*time.Minute)); !ok {
		t.Error("after two's Release, one cannot lease")
	}
}

func testSnapshotsKept(t *testing.T, s watch.Store) {
	ctx := context.Background()
	at := time.Date(2024, 6, 3, 10, 30, 0, 0, time.UTC)
	snaps := []status.Snapshot{{
		Provider: status.Reseller, Ref: "R-1", OrderNo: "R-1-01", Stage: status.Exception,
		Codes:      []status.Code{{Field: "orderStatus", Value: "7"}},
		Problems:   []status.Problem{{Reason: status.ReasonAddress, Code: status.Code{Field: "shipFaildType", Value: "4"}}},
		TrackingNo: "YT123", Carrier: "yun", UpdatedAt: at,
		Events: []status.Event{{Time: at, RawTime: "2024-06-03 18:30:00", Description: "到达 — arrived", Location: "深圳", Stage: status.Shipped, Code: status.Code{Field: "status", Value: "transit"}}},
	}, {Provider: status.Reseller, Ref: "R-1", OrderNo: "R-1-02", Stage: status.Pending}}
	state := watch.State{Since: t0, Polled: t0.Add(time.Hour), Changed: t0.Add(time.Hour), Quiet: 2, Failures: 1,
		FinalSince: t0.Add(2 * time.Hour)}
	_, err := s.Follow(ctx, acme, t0, "R-1")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	local := time.FixedZone("CST", 8*3600)
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "R-1", Gen: c[0].Gen, Seen: true, Snapshots: snaps, State: state, Due: t0.Add(3 * time.Hour).In(local)}}))
	f, ok, err := s.Get(ctx, acme, "R-1")
	must(t, err)
	if !ok {
		t.Fatal("R-1 not followed after a save")
	}
	want, _ := json.Marshal(snaps)
	got, _ := json.Marshal(f.Snapshots)
	if string(got) != string(want) {
		t.Errorf("snapshots came back as\n%s\nwant\n%s", got, want)
	}
	if !f.State.Since.Equal(state.Since) || !f.State.Polled.Equal(state.Polled) || !f.State.Changed.Equal(state.Changed) ||
		!f.State.FinalSince.Equal(state.FinalSince) || f.State.Quiet != 2 || f.State.Failures != 1 {
		t.Errorf("state came back as %+v, want %+v", f.State, state)
	}
	if !f.Due.Equal(t0.Add(3*time.Hour)) || f.Due.Location() != time.UTC {
		t.Errorf("due came back as %v, want %v in UTC", f.Due, t0.Add(3*time.Hour))
	}
	claimed, err := s.Claim(ctx, acme, t0.Add(3*time.Hour), t0.Add(4*time.Hour), 1)
	must(t, err)
	if len(claimed) == 1 && claimed[0].Raw != nil {
		// Left undecoded: Raw is the snapshots' JSON, as encoding/json
		// writes it (the Watcher compares answers with it).
		if want, _ := json.Marshal(snaps); claimed[0].Snapshots == nil && string(claimed[0].Raw) != string(want) {
			t.Errorf("claim's Raw = %s, want %s", claimed[0].Raw, want)
		}
		if !claimed[0].Decode() {
			t.Errorf("claim's Raw does not decode: %s", claimed[0].Raw)
		}
	}
	if len(claimed) != 1 || !claimed[0].Seen || len(claimed[0].Snapshots) != 2 || claimed[0].State.Quiet != 2 {
		t.Errorf("claim = %+v, want R-1 with its snapshots and state", claimed)
	}

	// Saved Same (the claim's snapshots, unchanged): kept as they were.
	if len(claimed) != 1 {
		return
	}
	cl := claimed[0]
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "R-1", Gen: cl.Gen, Seen: true, Snapshots: cl.Snapshots, Same: true, State: cl.State, Due: t0.Add(5 * time.Hour)}}))
	f, _, err = s.Get(ctx, acme, "R-1")
	must(t, err)
	if again, _ := json.Marshal(f.Snapshots); string(again) != string(got) || !f.Due.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("after a save of the same snapshots: %s due %v, want %s due %v", again, f.Due, got, t0.Add(5*time.Hour))
	}
}

func testConcurrentClaims(t *testing.T, s watch.Store) {
	ctx := context.Background()
	const refs = 500
	all := make([]string, refs)
	for i := range all {
		all[i] = fmt.Sprintf("R%04d", i)
	}
	_, err := s.Follow(ctx, acme, t0, all...)
	must(t, err)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for {
				got, err := s.Claim(ctx, acme, t0, t0.Add(time.Hour), 7)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				res := make([]watch.Result, len(got))
				for i, c := range got {
					res[i] = watch.Result{Ref: c.Ref, Gen: c.Gen, Seen: true, Due: t0.Add(2 * time.Hour)}
				}
				if err := s.Save(ctx, acme, res); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, c := range got {
					seen[c.Ref]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != refs {
		t.Errorf("%d refs claimed, want %d", len(seen), refs)
	}
	for r, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times in one lease", r, n)
		}
	}
}

func testCanceledContext(t *testing.T, s watch.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v, want context.Canceled", op, err)
		}
	}
	_, err := s.Follow(ctx, acme, t0, "A")
	check("Follow", err)
	_, err = s.Unfollow(ctx, acme, t0, "A")
	check("Unfollow", err)
	_, err = s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	check("Claim", err)
	check("Save", s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: 1}}))
	_, err = s.Pending(ctx, acme, 1)
	check("Pending", err)
	check("Ack", s.Ack(ctx, acme, "x"))
	_, _, err = s.Lease(ctx, acme, "one", t0, t0.Add(time.Minute))
	check("Lease", err)
	check("Release", s.Release(ctx, acme, "one"))
	_, _, err = s.Get(ctx, acme, "A")
	check("Get", err)
	_, err = s.Stats(ctx, acme, t0)
	check("Stats", err)
	if err != nil && !strings.Contains(err.Error(), acme.String()) {
		t.Errorf("a Store error %q does not name the tracker", err)
	}
}

// A ref followed again while the claim that would stop it is out: the
// claim's Done is refused, and the ref stays followed.
func testFollowWhileStoppingClaimed(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	_, err = s.Unfollow(ctx, acme, t0, "A")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	if len(c) != 1 || !c[0].Stopping {
		t.Fatalf("claim = %+v, want A stopping", c)
	}
	_, err = s.Follow(ctx, acme, t0, "A")
	must(t, err)
	err = s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c[0].Gen, Done: true, Changes: []status.Change{{Kind: status.Unfollowed, Ref: "A", ID: "u1"}}}})
	if !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("Done after A was followed again: %v, want ErrLeaseLost", err)
	}
	f, ok, err := s.Get(ctx, acme, "A")
	must(t, err)
	if !ok || f.Stopping {
		t.Errorf("A = %+v, %v; want followed, not stopping", f, ok)
	}
	if p, _ := s.Pending(ctx, acme, 10); len(p) != 0 {
		t.Errorf("the refused Done's Unfollowed is in the outbox: %v", p)
	}
}

// A ref unfollowed while it is claimed: the claim is fenced off (its
// news is not saved: nothing of a ref comes after Unfollow returned but
// its Unfollowed), and the ref is due at once, so that its Unfollowed
// comes in the next pass, not when the claim's lease ends.
func testUnfollowWhileClaimed(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	_, err = s.Unfollow(ctx, acme, t0.Add(time.Second), "A")
	must(t, err)
	ch := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Ref: "A", To: status.Shipped}
	ch.ID = ch.HashID()
	news := watch.Result{Ref: "A", Gen: c[0].Gen, Seen: true, Due: t0.Add(24 * time.Hour), Changes: []status.Change{ch}}
	if err := s.Save(ctx, acme, []watch.Result{news}); !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("the save of a claim out when Unfollow returned: %v, want ErrLeaseLost", err)
	}
	if p, _ := s.Pending(ctx, acme, 10); len(p) != 0 {
		t.Errorf("news saved after Unfollow returned: %v", p)
	}
	got, err := s.Claim(ctx, acme, t0.Add(2*time.Second), t0.Add(time.Minute), 1)
	must(t, err)
	if len(got) != 1 || !got[0].Stopping {
		t.Errorf("claim after the save = %+v, want A, stopping, due at once", got)
	}
}

func testNoLimit(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A", "B")
	must(t, err)
	for _, n := range []int{0, -1} {
		got, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), n)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("Claim with limit %d = %v, want none", n, refsOf(got))
		}
		p, err := s.Pending(ctx, acme, n)
		must(t, err)
		if len(p) != 0 {
			t.Errorf("Pending with limit %d = %v", n, p)
		}
	}
}

// Times far from now keep their order: a due time centuries away is not
// due now, one long past is.
func testFarTimes(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, time.Time{}, "PAST")
	must(t, err)
	_, err = s.Follow(ctx, acme, t0, "FUTURE")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 10)
	must(t, err)
	if !equal(refsOf(c), []string{"PAST", "FUTURE"}) {
		t.Fatalf("claim = %v, want PAST then FUTURE", refsOf(c))
	}
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "FUTURE", Gen: c[1].Gen, Due: far}, {Ref: "PAST", Gen: c[0].Gen, Due: t0}}))
	got, err := s.Claim(ctx, acme, t0.Add(time.Hour), t0.Add(2*time.Hour), 10)
	must(t, err)
	if !equal(refsOf(got), []string{"PAST"}) {
		t.Errorf("claim an hour later = %v, want [PAST]: a due time in the year 3000 is not due", refsOf(got))
	}
}

// A Done result's changes reach the outbox with it.
func testDoneKeepsItsChanges(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	u := status.Change{Kind: status.Unfollowed, Provider: status.Bailun, Account: "acme", Ref: "A", To: status.Delivered, Why: "final"}
	u.ID = u.HashID()
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c[0].Gen, Done: true, Changes: []status.Change{u}}}))
	p, err := s.Pending(ctx, acme, 10)
	must(t, err)
	if len(p) != 1 || p[0].ID != u.ID || p[0].Why != "final" {
		t.Errorf("outbox after Done = %+v, want its Unfollowed", p)
	}
}

func testLeaseEndsAtUntil(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, ok, err := s.Lease(ctx, acme, "one", t0, t0.Add(time.Minute))
	must(t, err)
	if !ok {
		t.Fatal("first lease refused")
	}
	if _, ok, _ := s.Lease(ctx, acme, "two", t0.Add(time.Minute-time.Nanosecond), t0.Add(2*time.Minute)); ok {
		t.Error("two took one's lease before it ended")
	}
	if _, ok, _ := s.Lease(ctx, acme, "two", t0.Add(time.Minute), t0.Add(2*time.Minute)); !ok {
		t.Error("two cannot take one's lease at its end (until is not inside it)")
	}
}

// An account's outage state is kept with its lease: written with its
// changes while the lease is of the generation given, returned by Lease to
// whoever holds the tracker next, and refused (nothing written) once
// another owner took the lease.
func testOutage(t *testing.T, s watch.Store) {
	ctx := context.Background()
	l, ok, err := s.Lease(ctx, acme, "one", t0, t0.Add(time.Minute))
	must(t, err)
	if !ok || l.Outage.Failing || l.Outage.Count != 0 || len(l.Outage.Refs) != 0 || !l.Outage.Since.IsZero() {
		t.Fatalf("first lease = %+v, %v; want a zero outage", l, ok)
	}
	down := watch.Outage{Failing: true, Since: t0.In(time.FixedZone("CST", 8*3600)), Refs: []string{"A", "B", "C"}, Count: 1}
	ch := status.Change{Kind: status.NowFailing, Provider: status.Bailun, Account: "acme", Why: "tracker", Serial: "outage.1"}
	ch.ID = ch.HashID()
	must(t, s.SaveOutage(ctx, acme, l.Gen, down, []status.Change{ch}))
	if p, _ := s.Pending(ctx, acme, 10); len(p) != 1 || p[0].ID != ch.ID {
		t.Errorf("the outage's change is not in the outbox: %v", p)
	}
	must(t, s.Release(ctx, acme, "one"))
	l2, ok, err := s.Lease(ctx, acme, "two", t0, t0.Add(time.Minute))
	must(t, err)
	if !ok || !l2.Outage.Failing || !l2.Outage.Since.Equal(t0) || l2.Outage.Count != 1 || !equal(l2.Outage.Refs, down.Refs) {
		t.Errorf("the next holder's lease = %+v, %v; want the outage saved, %+v", l2, ok, down)
	}
	up := watch.Outage{Count: 1}
	err = s.SaveOutage(ctx, acme, l.Gen, up, []status.Change{change2(ch)})
	if !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("SaveOutage under the lease before = %v, want ErrLeaseLost", err)
	}
	if p, _ := s.Pending(ctx, acme, 10); len(p) != 1 {
		t.Errorf("a refused SaveOutage wrote its changes: %v", p)
	}
	l3, _, err := s.Lease(ctx, acme, "two", t0, t0.Add(time.Minute))
	must(t, err)
	if !l3.Outage.Failing {
		t.Errorf("a refused SaveOutage wrote its state: %+v", l3.Outage)
	}
	if _, _, err := s.Lease(ctx, globex, "one", t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if l4, _, _ := s.Lease(ctx, globex, "one", t0, t0.Add(time.Minute)); l4.Outage.Failing {
		t.Errorf("another account has acme's outage: %+v", l4.Outage)
	}
}

// change2 is c of the next kind: Recovered for NowFailing.
func change2(c status.Change) status.Change {
	c.Kind = status.Recovered
	c.ID = c.HashID()
	return c
}

// Values of no declared kind (a Stage of 200, an event's odd code) are
// kept as they were, and do not stop a save.
func testValuesOfNoKind(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	odd := status.Problem{Reason: status.Reason(200), Code: status.Code{Provider: status.Bailun, Field: "exceptionType", Value: "99"}}
	snaps := []status.Snapshot{{Provider: status.Bailun, Ref: "A", Stage: status.Stage(200), Problems: []status.Problem{odd}}}
	ch := status.Change{Kind: status.ProblemAdded, Provider: status.Bailun, Ref: "A", Problem: &odd}
	ch.ID = ch.HashID()
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c[0].Gen, Seen: true, Snapshots: snaps, Due: t0, Changes: []status.Change{ch}}}))
	f, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	if len(f.Snapshots) != 1 || f.Snapshots[0].Stage != status.Stage(200) || len(f.Snapshots[0].Problems) != 1 ||
		f.Snapshots[0].Problems[0].Reason != status.Reason(200) {
		t.Errorf("snapshots = %+v, want the Stage(200) and Reason(200) kept", f.Snapshots)
	}
	p, err := s.Pending(ctx, acme, 10)
	must(t, err)
	if len(p) != 1 || p[0].Problem == nil || p[0].Problem.Reason != status.Reason(200) || p[0].ID != ch.ID {
		t.Errorf("outbox = %+v, want the change with its Reason(200)", p)
	}
}

// A NUL in a provider's text (a snapshot's, a change's) is kept, and does
// not stop the save of its batch.
func testNULInText(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A", "B")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 2)
	must(t, err)
	ch := status.Change{Kind: status.Unfollowed, Provider: status.Bailun, Ref: "A", Why: "a\x00b"}
	ch.ID = ch.HashID()
	must(t, s.Save(ctx, acme, []watch.Result{
		{Ref: "A", Gen: c[0].Gen, Seen: true, Snapshots: []status.Snapshot{{Provider: status.Bailun, Ref: "A", Carrier: "x\x00y"}}, Due: t0, Changes: []status.Change{ch}},
		{Ref: "B", Gen: c[1].Gen, Seen: true, Due: t0},
	}))
	f, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	if len(f.Snapshots) != 1 || f.Snapshots[0].Carrier != "x\x00y" {
		t.Errorf("snapshots = %+v, want the NUL kept", f.Snapshots)
	}
	p, err := s.Pending(ctx, acme, 10)
	must(t, err)
	if len(p) != 1 || p[0].Why != "a\x00b" {
		t.Errorf("outbox = %+v, want the change with its NUL", p)
	}
	if b, _, _ := s.Get(ctx, acme, "B"); !b.Seen {
		t.Error("B, saved in the same batch, was not")
	}
}

// Refs no store keeps alike are refused at Follow, before anything is
// written.
func testRefsNoStoreKeeps(t *testing.T, s watch.Store) {
	ctx := context.Background()
	for _, bad := range []string{"R\x001", "R\xff1", ""} {
		if _, err := s.Follow(ctx, acme, t0, "OK", bad); !errors.Is(err, status.ErrInvalidRequest) {
			t.Errorf("Follow %q: %v, want ErrInvalidRequest", bad, err)
		}
	}
	if st, _ := s.Stats(ctx, acme, t0); st.Followed != 0 {
		t.Errorf("%d refs followed after refused Follows, want 0", st.Followed)
	}
}

// A claim from before a ref was done and followed again is refused: the
// generations of the ref's new life never meet its old ones.
func testStaleSaveAfterFollowAgain(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	stale, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1) // X claims, and stalls
	must(t, err)
	now := t0.Add(2 * time.Minute)
	y, err := s.Claim(ctx, acme, now, now.Add(time.Minute), 1) // Y takes it over, and is done with it
	must(t, err)
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: y[0].Gen, Done: true}}))
	_, err = s.Follow(ctx, acme, now, "A") // followed again, and claimed
	must(t, err)
	c, err := s.Claim(ctx, acme, now, now.Add(time.Minute), 1)
	must(t, err)
	if len(c) == 1 && c[0].Gen == stale[0].Gen {
		t.Fatalf("the ref's new claim has generation %d, the stale claim's", c[0].Gen)
	}
	err = s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: stale[0].Gen, Seen: true, Due: now.Add(time.Hour)}})
	if !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("the stale claim's save: %v, want ErrLeaseLost", err)
	}
}

// ClaimRef claims one ref whatever its due time, and fences off the claim
// of it that was out.
func testClaimRef(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	out, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	c, ok, err := s.ClaimRef(ctx, acme, "A", t0.Add(time.Minute))
	must(t, err)
	if !ok || c.Ref != "A" || c.Gen == out[0].Gen {
		t.Fatalf("ClaimRef = %+v, %v; want A with a generation of its own", c, ok)
	}
	if err := s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: out[0].Gen, Due: t0}}); !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("the fenced-off claim's save: %v, want ErrLeaseLost", err)
	}
	must(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c.Gen, Seen: true, Due: t0.Add(time.Hour)}}))
	if _, ok, err := s.ClaimRef(ctx, acme, "NOPE", t0); err != nil || ok {
		t.Errorf("ClaimRef of a ref not followed = %v, %v", ok, err)
	}

	// A ref being unfollowed is not claimed: it stays due at once, for its
	// Unfollowed, and a claim of it out is not fenced off.
	_, err = s.Unfollow(ctx, acme, t0, "A")
	must(t, err)
	before, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	c, ok, err = s.ClaimRef(ctx, acme, "A", t0.Add(time.Hour))
	must(t, err)
	if !ok || !c.Stopping || c.Gen != before.Gen {
		t.Errorf("ClaimRef of a ref being unfollowed = %+v, %v; want Stopping, generation %d", c, ok, before.Gen)
	}
	after, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	if !after.Due.Equal(before.Due) || after.Gen != before.Gen {
		t.Errorf("ClaimRef moved a ref being unfollowed: due %v gen %d, was %v gen %d", after.Due, after.Gen, before.Due, before.Gen)
	}
}

// testManyAtOnce: a claim, a save and an acknowledgement of 40,000 items
// at once (more than SQLite's 32,766 parameters of one statement) work
// whole.
func testManyAtOnce(t *testing.T, s watch.Store) {
	ctx := context.Background()
	const n = 40000
	refs := make([]string, n)
	for i := range refs {
		refs[i] = fmt.Sprintf("R%05d", i)
	}
	added, err := s.Follow(ctx, acme, t0, refs...)
	must(t, err)
	if added != n {
		t.Fatalf("Follow = %d added, want %d", added, n)
	}
	claims, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), n)
	must(t, err)
	if len(claims) != n {
		t.Fatalf("Claim = %d claims, want %d", len(claims), n)
	}
	results := make([]watch.Result, n)
	ids := make([]string, n)
	for i, c := range claims {
		ch := status.Change{Kind: status.Following, Provider: status.Bailun, Account: "acme", Ref: c.Ref, To: status.Pending}
		ch.ID = ch.HashID()
		ids[i] = ch.ID
		results[i] = watch.Result{Ref: c.Ref, Gen: c.Gen, Seen: true, Due: t0.Add(time.Hour), Changes: []status.Change{ch}}
	}
	must(t, s.Save(ctx, acme, results))
	if again, err := s.Claim(ctx, acme, t0.Add(2*time.Minute), t0.Add(3*time.Minute), n); err != nil || len(again) != 0 {
		t.Fatalf("Claim after the save = %d claims, %v: want none due", len(again), err)
	}
	must(t, s.Ack(ctx, acme, ids...))
	st, err := s.Stats(ctx, acme, t0)
	must(t, err)
	if st.Followed != n || st.Pending != 0 {
		t.Errorf("Stats = %+v, want %d followed and nothing pending", st, n)
	}
}

// testRefTwiceInOneSave: a Save that carries one ref twice keeps the
// changes of both results, and the last result's snapshots.
func testRefTwiceInOneSave(t *testing.T, s watch.Store) {
	ctx := context.Background()
	_, err := s.Follow(ctx, acme, t0, "A")
	must(t, err)
	c, err := s.Claim(ctx, acme, t0, t0.Add(time.Minute), 1)
	must(t, err)
	mk := func(to status.Stage) status.Change {
		ch := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Account: "acme", Ref: "A", From: status.Pending, To: to}
		ch.ID = ch.HashID()
		return ch
	}
	first, second := mk(status.Shipped), mk(status.Delivered)
	must(t, s.Save(ctx, acme, []watch.Result{
		{Ref: "A", Gen: c[0].Gen, Seen: true, Snapshots: []status.Snapshot{{Provider: status.Bailun, Ref: "A", Stage: status.Shipped}},
			Due: t0.Add(time.Hour), Changes: []status.Change{first}},
		{Ref: "A", Gen: c[0].Gen, Seen: true, Snapshots: []status.Snapshot{{Provider: status.Bailun, Ref: "A", Stage: status.Delivered}},
			Due: t0.Add(time.Hour), Changes: []status.Change{second}},
	}))
	p, err := s.Pending(ctx, acme, 10)
	must(t, err)
	if len(p) != 2 || p[0].ID != first.ID || p[1].ID != second.ID {
		t.Errorf("outbox = %v, want both results' changes, in order", p)
	}
	f, _, err := s.Get(ctx, acme, "A")
	must(t, err)
	if len(f.Snapshots) != 1 || f.Snapshots[0].Stage != status.Delivered {
		t.Errorf("snapshots = %+v, want the last result's", f.Snapshots)
	}

	// Each result is judged on its own: a stale one beside a current one is
	// refused alone, whichever comes first; a result after the ref's Done
	// finds it gone.
	c, err = s.Claim(ctx, acme, t0.Add(2*time.Hour), t0.Add(3*time.Hour), 1)
	must(t, err)
	if len(c) != 1 {
		t.Fatalf("claim again = %v", c)
	}
	must(t, s.Ack(ctx, acme, first.ID, second.ID))
	stale, current := mk(status.Returned), mk(status.Cancelled)
	err = s.Save(ctx, acme, []watch.Result{
		{Ref: "A", Gen: c[0].Gen, Seen: true, Due: t0.Add(4 * time.Hour), Changes: []status.Change{current}},
		{Ref: "A", Gen: c[0].Gen - 1, Seen: true, Due: t0.Add(4 * time.Hour), Changes: []status.Change{stale}},
	})
	if !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("save of a current and a stale result = %v, want ErrLeaseLost for the stale one", err)
	}
	p, err = s.Pending(ctx, acme, 10)
	must(t, err)
	if len(p) != 1 || p[0].ID != current.ID {
		t.Errorf("outbox = %v, want the current result's change alone", p)
	}
	must(t, s.Ack(ctx, acme, current.ID))
	c, err = s.Claim(ctx, acme, t0.Add(5*time.Hour), t0.Add(6*time.Hour), 1)
	must(t, err)
	if len(c) != 1 {
		t.Fatalf("claim again = %v", c)
	}
	gone := status.Change{Kind: status.Unfollowed, Provider: status.Bailun, Account: "acme", Ref: "A", Why: "removed"}
	gone.ID = gone.HashID()
	err = s.Save(ctx, acme, []watch.Result{
		{Ref: "A", Gen: c[0].Gen, Done: true, Changes: []status.Change{gone}},
		{Ref: "A", Gen: c[0].Gen, Seen: true, Due: t0.Add(7 * time.Hour), Changes: []status.Change{stale}},
	})
	if !errors.Is(err, watch.ErrLeaseLost) {
		t.Errorf("save of a result after the ref's Done = %v, want ErrLeaseLost", err)
	}
	if _, ok, err := s.Get(ctx, acme, "A"); err != nil || ok {
		t.Errorf("A after its Done = followed %v, %v: want gone", ok, err)
	}
	p, err = s.Pending(ctx, acme, 10)
	must(t, err)
	if len(p) != 1 || p[0].ID != gone.ID {
		t.Errorf("outbox = %v, want the Unfollowed alone", p)
	}
}
