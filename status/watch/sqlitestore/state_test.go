package sqlitestore

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/internal/sqlrow"
)

var s0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// Every state comes back as it was appended: compact when it can be,
// JSON (as schema version 2 wrote it) when not.
func TestStateRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		st      watch.State
		compact bool
	}{
		{watch.State{}, true},
		{watch.State{Since: s0, Polled: s0.Add(3 * time.Hour), Changed: s0.Add(time.Nanosecond), Quiet: 3, Follow: "db3b63cf4842", Changes: 2}, true},
		{watch.State{Since: s0, FinalSince: s0.Add(time.Hour), Failures: 7, Outage: true, Quiet: -1, Changes: math.MaxInt}, true},
		{watch.State{Since: time.Unix(0, math.MinInt64).UTC(), Polled: time.Unix(0, math.MaxInt64).UTC(), Changed: time.Unix(0, 0).UTC()}, true},
		{watch.State{Since: s0, Follow: "a\x00é\xff"}, true},
		{watch.State{Since: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}, false},
		{watch.State{Since: s0, FinalSince: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}, false},
		{watch.State{Since: s0, Misses: map[string]int{"S1": 2}}, false},
	} {
		b, err := appendState(nil, tt.st)
		if err != nil {
			t.Fatal(err)
		}
		if compact := b[0] == stateCompact; compact != tt.compact {
			t.Errorf("%+v appended as %q: compact %v, want %v", tt.st, b, compact, tt.compact)
		}
		var got watch.State
		if err := decodeState(b, &got); err != nil {
			t.Fatalf("%+v: %v", tt.st, err)
		}
		if !equalState(got, tt.st) {
			t.Errorf("%+v came back as %+v", tt.st, got)
		}
	}
}

// A quiet ref's state, the one each poll rewrites, is a third of its
// JSON.
func TestStateCompactSize(t *testing.T) {
	st := watch.State{Since: s0, Polled: s0.Add(26 * time.Hour), Changed: s0.Add(25 * time.Hour), Quiet: 4, Follow: "db3b63cf4842", Changes: 2}
	b, err := appendState(nil, st)
	if err != nil {
		t.Fatal(err)
	}
	j, err := sqlrow.AppendState(nil, st)
	if err != nil {
		t.Fatal(err)
	}
	if 3*len(b) > len(j) {
		t.Errorf("compact state of %d bytes, JSON %d: want a third or less", len(b), len(j))
	}
}

func equalState(a, b watch.State) bool {
	if len(a.Misses) != len(b.Misses) {
		return false
	}
	for k, v := range a.Misses {
		if w, ok := b.Misses[k]; !ok || w != v {
			return false
		}
	}
	return a.Since.Equal(b.Since) && a.Polled.Equal(b.Polled) && a.Changed.Equal(b.Changed) && a.FinalSince.Equal(b.FinalSince) &&
		a.Quiet == b.Quiet && a.Failures == b.Failures && a.Outage == b.Outage && a.Follow == b.Follow && a.Changes == b.Changes
}

// FuzzDecodeState: any bytes give a state or an error, never a panic; a
// state read is appended again as one that reads the same, and, when
// compact, as the same bytes.
func FuzzDecodeState(f *testing.F) {
	for _, st := range []watch.State{{}, {Since: s0, Polled: s0.Add(time.Hour), Quiet: 2, Follow: "f", Changes: 1}, {Outage: true, Failures: 3}} {
		b, _ := appendState(nil, st)
		f.Add(b)
	}
	f.Add([]byte(`{"since":"2026-12-01T08:00:00Z","misses":{"S":1}}`))
	f.Add([]byte{stateCompact, 0x20})
	f.Add([]byte{stateCompact, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var st watch.State
		if err := decodeState(b, &st); err != nil {
			return
		}
		again, err := appendState(nil, st)
		if err != nil {
			t.Fatalf("%q read as %+v, which does not append: %v", b, st, err)
		}
		var st2 watch.State
		if err := decodeState(again, &st2); err != nil || !equalState(st, st2) {
			t.Fatalf("%q read as %+v, appended as %q, read as %+v (%v)", b, st, again, st2, err)
		}
		if b[0] == stateCompact && again[0] == stateCompact && !bytes.Equal(b, again) {
			t.Fatalf("compact %q read as %+v, appended as %q", b, st, again)
		}
	})
}
