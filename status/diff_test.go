package status

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiff(t *testing.T) {
	at := time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	stock := Problem{Reason: ReasonStock, Code: BailunShipStockEx.Code()}
	phone := Problem{Reason: ReasonAddress, Code: BailunExReceiverPhoneError.Code()}
	ev1 := Event{Time: at.Add(-time.Hour), RawTime: "2024-06-03 16:30:00", Description: "已揽收"}
	ev2 := Event{Time: at, RawTime: "2024-06-03 17:30:00", Description: "运输中", Location: "上海"}
	prev := Snapshot{Provider: Bailun, Ref: "CP-1", OrderNo: "CP-1", Stage: ReadyToShip, Codes: []Code{BailunOrderPackaged.Code(), BailunShipStockEx.Code()},
		Problems: []Problem{stock}, UpdatedAt: at.Add(-time.Hour), Events: []Event{ev1}}

	kinds := func(cs []Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.String())
		}
		return out
	}

	assert.Empty(t, Diff(prev, prev), "equal snapshots give nothing")
	same := prev
	same.Codes = []Code{BailunShipStockEx.Code(), BailunOrderPackaged.Code()}
	same.UpdatedAt = same.UpdatedAt.In(time.FixedZone("CST", 8*3600))
	same.Events = []Event{{Time: ev1.Time.In(time.FixedZone("WIB", 7*3600)), RawTime: ev1.RawTime, Description: ev1.Description}}
	assert.Empty(t, Diff(prev, same), "the order of codes and a time's zone are not changes")

	cur := prev
	cur.Stage, cur.TrackingNo, cur.Problems, cur.Events, cur.UpdatedAt = Shipped, "YT1", []Problem{phone}, []Event{ev1, ev2}, at
	got := Diff(prev, cur)
	assert.Equal(t, []string{
		"bailun CP-1 ready_to_ship -> shipped",
		"bailun CP-1 problem_added address (exceptionType=15)",
		"bailun CP-1 problem_cleared stock (shipFaildType=4)",
		"bailun CP-1 tracking number YT1",
		"bailun CP-1 event 2024-06-03 09:30:00 UTC 运输中 @上海", // UTC, with its zone: not the provider's wall time
	}, kinds(got))
	assert.Equal(t, StageChanged, got[0].Kind)
	assert.Equal(t, ReadyToShip, got[0].From)
	assert.Equal(t, Shipped, got[0].To)
	assert.Equal(t, at, got[0].At)
	assert.Equal(t, &ev2, got[4].Event)

	next := cur
	next.TrackingNo = "YT2"
	assert.Equal(t, []string{"bailun CP-1 tracking number YT1 -> YT2"}, kinds(Diff(cur, next)))

	gone := Snapshot{Provider: Bailun, Ref: "CP-1", Stage: NotFound}
	got = Diff(cur, gone)
	require.NotEmpty(t, got)
	assert.Equal(t, NowNotFound, got[0].Kind)

	boom := errors.New("503")
	failing := Failed(Bailun, "CP-1", boom)
	got = Diff(cur, failing)
	require.Len(t, got, 1, "a failure says nothing of the order")
	assert.Equal(t, NowFailing, got[0].Kind)
	assert.ErrorIs(t, got[0].Err, boom)
	assert.Empty(t, Diff(failing, failing))
	got = Diff(failing, cur)
	require.Len(t, got, 1)
	assert.Equal(t, Recovered, got[0].Kind)

	b, err := json.Marshal(Diff(cur, failing)[0])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"kind":"now_failing"`)
	assert.Contains(t, string(b), `"error":"bailun: ref \"CP-1\": 503"`)
	var k ChangeKind
	require.NoError(t, k.UnmarshalText([]byte("new_event")))
	assert.Equal(t, NewEvent, k)
	assert.Error(t, k.UnmarshalText([]byte("nope")))
}

// BenchmarkDiff compares 10,000 snapshot pairs, a tenth of them changed.
func BenchmarkDiff(b *testing.B) {
	at := time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	prev := make([]Snapshot, 10000)
	cur := make([]Snapshot, 10000)
	for i := range prev {
		prev[i] = Snapshot{Provider: Reseller, Ref: "T", OrderNo: "S", Stage: Shipped, Codes: []Code{ResellerAwaitingReceipt.Code()},
			TrackingNo: "YT1", UpdatedAt: at, Events: []Event{{Time: at, RawTime: "x", Description: "运输中"}, {Time: at.Add(time.Hour), Description: "派件"}}}
		cur[i] = prev[i]
		if i%10 == 0 {
			cur[i].Stage = Delivered
			cur[i].Events = append(slicesClone(prev[i].Events), Event{Time: at.Add(2 * time.Hour), Description: "签收"})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for i := range prev {
			n += len(Diff(prev[i], cur[i]))
		}
		if n != 2000 {
			b.Fatal(n)
		}
	}
}

func slicesClone(e []Event) []Event { return append([]Event(nil), e...) }

// A change's ID is what it says: the same for an event or an answer read
// in another zone, whatever the poll's time, and for a Reason of no
// declared kind; another for another serial or another fact.
func TestChangeIDIsIdentity(t *testing.T) {
	at := time.Date(2026, 12, 1, 18, 18, 0, 0, time.UTC)
	cst := time.FixedZone("CST", 8*3600)
	ev := Change{Kind: NewEvent, Provider: Reseller, Ref: "T1", OrderNo: "S1", At: at, Serial: "f.3",
		Event: &Event{Time: at, RawTime: "2026-12-02 02:18:00", Description: "已签收"}}
	inCST := ev
	inCST.At = at.In(cst)
	e := *ev.Event
	e.Time = at.In(cst)
	inCST.Event = &e
	inCST.Polled = at.Add(time.Hour)
	assert.Equal(t, ev.HashID(), inCST.HashID(), "the zone of At and Event.Time, and Polled, are not the change")
	other := ev
	other.Serial = "f.4"
	assert.NotEqual(t, ev.HashID(), other.HashID())
	e2 := e
	e2.Description = "派送中"
	other = ev
	other.Event = &e2
	assert.NotEqual(t, ev.HashID(), other.HashID())

	odd := Change{Kind: ProblemAdded, Provider: Bailun, Ref: "A1", Problem: &Problem{Reason: Reason(42), Code: Code{Provider: Bailun, Field: "x", Value: "1"}}}
	again := odd
	p := *odd.Problem
	again.Problem = &p // another pointer, the same problem
	assert.Equal(t, odd.HashID(), again.HashID(), "a Reason of no declared kind hashes by what it is, not by address")
	assert.Len(t, odd.HashID(), 24)
}
