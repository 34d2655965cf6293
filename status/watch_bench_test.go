package status_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// followFlowery starts a Flowery fake with n orders and a Watcher
// following all of them, after a first round.
func followFlowery(b *testing.B, n int) (*status.Watcher, status.Tracker, func()) {
	srv := flowerytest.NewServer()
	refs := make([]string, n)
	orders := make([]flowery.OrderDetail, n)
	for i := range refs {
		refs[i] = fmt.Sprintf("%07d", i)
		orders[i] = flowery.OrderDetail{OrderNo: refs[i], ExpressNo: "CGK" + refs[i], OrderStatus: status.FloweryInTransit}
	}
	srv.Put(orders...)
	cfg := srv.Config()
	c, err := flowery.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	w := status.NewWatcher(status.WatcherOptions{})
	w.Add(c, refs...)
	w.Round(context.Background(), c, func(status.Change) {})
	return w, c, srv.Close
}

// BenchmarkWatcherRound is one Watcher round over 10,000 refs against the
// Flowery fake: 100 batched requests, 10,000 diffs, nothing changed.
func BenchmarkWatcherRound(b *testing.B) {
	w, c, stop := followFlowery(b, 10000)
	defer stop()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		changes := 0
		w.Round(context.Background(), c, func(status.Change) { changes++ })
		if changes != 0 {
			b.Fatal(changes)
		}
	}
}

// BenchmarkWatcherMemory reports the live heap a Watcher following
// 100,000 refs (with the default memory Store) holds after a round, the
// fake it polled closed and collected.
func BenchmarkWatcherMemory(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w := watchAndClose(b, 100000)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-live")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/100000, "B/ref")
		runtime.KeepAlive(w)
	}
}

// watchAndClose follows n refs for a round, and returns the Watcher alone.
func watchAndClose(b *testing.B, n int) *status.Watcher {
	w, c, stop := followFlowery(b, n)
	defer stop()
	w.Round(context.Background(), c, func(status.Change) {})
	return w
}
