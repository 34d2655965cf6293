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
		if got := AppendState(nil, st); string(got) != string(want) {
			t.Errorf("AppendState = %s\nencoding/json = %s", got, want)
		}
	}
}

func BenchmarkAppendState(b *testing.B) {
	st := watch.State{Since: time.Now(), Polled: time.Now(), Changed: time.Now(), Quiet: 3, Follow: "fea5b4ff7244", Changes: 12}
	b.Run("AppendState", func(b *testing.B) {
		buf := make([]byte, 0, 256)
		for b.Loop() {
			buf = AppendState(buf[:0], st)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(st)
		}
	})
}
