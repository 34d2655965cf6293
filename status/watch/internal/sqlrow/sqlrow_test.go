package sqlrow

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/status/watch"
)

// AppendState writes what encoding/json writes, byte for byte.
func TestAppendState(t *testing.T) {
	east := time.FixedZone("east", 7*3600)
	at := time.Date(2026, 12, 7, 3, 4, 5, 600, time.UTC)
	for _, st := range []watch.State{
		{},
		{Since: at},
		{Since: at, Polled: at.Add(time.Hour).In(east), Changed: at.Add(time.Nanosecond), FinalSince: at.Add(-time.Hour),
			Quiet: 3, Failures: -1, Outage: true, Follow: "fea5b4ff7244", Changes: 12},
		{Follow: `a"b\c<d>&é` + "\x00\u2028", Misses: map[string]int{"SUB-1": 2, `q"uote`: 1, "<": 3}},
		{Quiet: 1 << 40, Polled: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	} {
		want, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := AppendState(nil, st); err != nil || string(got) != string(want) {
			t.Errorf("AppendState = %s, %v\nencoding/json = %s", got, err, want)
		}
	}
	// What encoding/json refuses, AppendState refuses too.
	for _, st := range []watch.State{
		{Polled: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Since: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Changed: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 25*3600))},
	} {
		_, werr := json.Marshal(st)
		_, gerr := AppendState(nil, st)
		if werr == nil || gerr == nil {
			t.Errorf("%+v: AppendState error %v, encoding/json %v: want both to refuse", st, gerr, werr)
		}
	}
}

func BenchmarkAppendState(b *testing.B) {
	st := watch.State{Since: time.Now(), Polled: time.Now(), Changed: time.Now(), Quiet: 3, Follow: "fea5b4ff7244", Changes: 12}
	b.Run("AppendState", func(b *testing.B) {
		buf := make([]byte, 0, 256)
		for b.Loop() {
			buf, _ = AppendState(buf[:0], st)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(st)
		}
	})
}

// DecodeState reads what encoding/json reads, the same: AppendState's
// bytes by its fast path, anything else by encoding/json.
func TestDecodeState(t *testing.T) {
	east := time.FixedZone("east", 7*3600)
	at := time.Date(2026, 12, 7, 3, 4, 5, 600, time.UTC)
	states := []watch.State{
		{},
		{Since: at},
		{Since: at, Polled: at.Add(time.Hour).In(east), Changed: at.Add(time.Nanosecond), FinalSince: at.Add(-time.Hour),
			Quiet: 3, Failures: -1, Outage: true, Follow: "fea5b4ff7244", Changes: 12},
		{Follow: `a"b\c<d>&é,x` + "\x00\u2028", Misses: map[string]int{"SUB-1": 2, `q"uote`: 1, "<,": 3}},
		{Quiet: 1 << 40, Polled: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
	}
	raws := [][]byte{[]byte(`{ "quiet": 2 }`), []byte(`{"quiet":2,"unknown":1}`), []byte(`{"since":"2026-12-07T03:04:05Z","quiet":2}`)}
	for _, st := range states {
		raw, err := AppendState(nil, st)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
	}
	for _, raw := range raws {
		var want, got watch.State
		werr := json.Unmarshal(raw, &want)
		gerr := DecodeState(raw, &got)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: DecodeState error %v, encoding/json %v", raw, gerr, werr)
		}
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(got)
		if string(w) != string(g) || !want.Polled.Equal(got.Polled) {
			t.Errorf("%s: DecodeState = %s, encoding/json = %s", raw, g, w)
		}
	}
}

func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"since":"2026-12-07T03:04:05.0000006Z","quiet":3,"outage":true,"follow":"ab","changes":2}`))
	f.Add([]byte(`{"misses":{"a":1}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want, got watch.State
		werr := json.Unmarshal(raw, &want)
		gerr := DecodeState(raw, &got)
		if werr != nil {
			return // encoding/json refuses it; DecodeState may read a prefix it knows no better than to refuse too
		}
		if gerr != nil {
			t.Fatalf("%q: DecodeState error %v, encoding/json none", raw, gerr)
		}
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(got)
		if string(w) != string(g) {
			t.Fatalf("%q: DecodeState = %s, encoding/json = %s", raw, g, w)
		}
	})
}
