package watch_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/internal/floor"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

// benchRefs is how many refs the store benchmarks follow: 10,000, or
// ORDERTRACK_BENCH_REFS (1000000 for the README's figures).
func benchRefs() int {
	if n, err := strconv.Atoi(os.Getenv("ORDERTRACK_BENCH_REFS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// still answers every ref at one stage, at once: the Store's and the
// diff's cost alone.
type still struct{}

func (still) Provider() status.Provider { return status.Flowery }
func (still) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		out[i] = status.Snapshot{Provider: status.Flowery, Ref: r, OrderNo: r, Stage: status.Shipped, TrackingNo: "CGK" + r,
			Codes: []status.Code{{Provider: status.Flowery, Field: "order_status", Value: "运输中"}}}
	}
	return out, nil
}

func refsOf(n int) []string {
	refs := make([]string, n)
	for i := range refs {
		refs[i] = fmt.Sprintf("%07d", i)
	}
	return refs
}

// stores are the stores the benchmarks compare.
func stores(b *testing.B) map[string]func() watch.Store {
	return map[string]func() watch.Store{
		"memory": watch.NewMemoryStore,
		"sqlite": func() watch.Store {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "orders.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// follow returns a Watcher following n refs through t, after their first
// pass (the baselines), each due again at every pass.
func follow(b *testing.B, store watch.Store, t status.Tracker, n int, onPass ...func(watch.Pass)) (*watch.Watcher, watch.TrackerID) {
	opts := watch.Options{Store: store, Schedule: watch.Every{Linger: 24 * time.Hour}}
	if len(onPass) > 0 {
		opts.OnPass = onPass[0]
	}
	w := watch.New(opts)
	id, err := w.Add(t, "")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	refs := refsOf(n)
	for i := 0; i < n; i += 10000 {
		if err := w.Follow(ctx, id, refs[i:min(i+10000, n)]...); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Poll(ctx, id, func(status.Change) {}); err != nil {
		b.Fatal(err)
	}
	return w, id
}

// BenchmarkStorePass is one pass over every followed ref with a Tracker
// that answers at once, one ref in twenty changing each pass (a claim of
// each batch of 100, the diffs, a save of each batch), on the memory
// store and on SQLite; beside SQLite, in the same run, its floor: the
// plainest SQL for the same work on the same file (package floor), one
// immediate transaction a batch. It reports the cost a ref, the refs a
// second, and the CPU time a ref.
func BenchmarkStorePass(b *testing.B) {
	n := benchRefs()
	for _, impl := range []string{"memory", "sqlite/store", "sqlite/floor"} {
		b.Run(fmt.Sprintf("%s/refs=%d", impl, n), func(b *testing.B) {
			tr := &floor.Turning{}
			var pass func() (int, error)
			switch impl {
			case "memory", "sqlite/store":
				var store watch.Store = watch.NewMemoryStore()
				if impl != "memory" {
					store = openSQLite(b, filepath.Join(b.TempDir(), "orders.db"))
				}
				changes := 0
				w, id := follow(b, store, tr, n, func(p watch.Pass) { changes += p.Changes })
				pass = func() (int, error) {
					// The changes stay in the outbox, as the floor's do.
					changes = 0
					err := w.Poll(context.Background(), id, nil)
					return changes, err
				}
			case "sqlite/floor":
				path := filepath.Join(b.TempDir(), "orders.db")
				id := watch.TrackerID{Provider: status.Flowery}
				db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(10000)")
				if err != nil {
					b.Fatal(err)
				}
				db.SetMaxOpenConns(1)
				b.Cleanup(func() { db.Close() })
				if err := floor.SQLiteFollow(context.Background(), db, id.String(), refsOf(n)); err != nil {
					b.Fatal(err)
				}
				polls := 0
				pass = func() (int, error) {
					polls++
					// Due an hour after each pass: the next pass's now.
					got, err := floor.SQLite(context.Background(), db, id.String(), tr, time.Now().Add(time.Duration(polls)*time.Hour).UnixNano(), watch.DefaultBatch)
					if err == nil && got.Refs != n {
						err = fmt.Errorf("the floor polled %d refs of %d", got.Refs, n)
					}
					return got.Changed, err
				}
				if _, err := pass(); err != nil { // the baselines
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			cpu0 := selfCPU()
			changes := 0
			for b.Loop() {
				b.StopTimer()
				tr.Pass.Add(1)
				b.StartTimer()
				got, err := pass()
				if err != nil {
					b.Fatal(err)
				}
				changes += got
			}
			cpu := selfCPU() - cpu0
			if changes < b.N*n/40 || changes > b.N*n/10 {
				b.Fatalf("%d changes in %d passes of %d refs: not one in twenty", changes, b.N, n)
			}
			per := b.Elapsed() / time.Duration(b.N*n)
			b.ReportMetric(float64(per.Nanoseconds())/1000, "µs/ref")
			b.ReportMetric(float64(time.Second)/float64(per), "refs/s")
			b.ReportMetric(float64(cpu.Nanoseconds())/1000/float64(b.N*n), "cpu-µs/ref")
		})
	}
}

// openSQLite opens a sqlitestore at path, closed when b ends.
func openSQLite(b *testing.B, path string) *sqlitestore.Store {
	s, err := sqlitestore.Open(context.Background(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// selfCPU is this process's CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWatcherPass is one pass over 10,000 refs against the Flowery
// fake (100 batches, each one request of 100 numbers), with each store:
// what share of a round the store takes is this against
// BenchmarkStorePass.
func BenchmarkWatcherPass(b *testing.B) {
	srv := flowerytest.NewServer()
	defer srv.Close()
	srv.Generate = flowerytest.Generated
	c, err := flowery.New(srv.Config())
	if err != nil {
		b.Fatal(err)
	}
	const n = 10000
	for name, open := range stores(b) {
		b.Run(name, func(b *testing.B) {
			w, id := follow(b, open(), c, n)
			b.ResetTimer()
			for b.Loop() {
				if err := w.Poll(context.Background(), id, func(status.Change) {}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/ref")
		})
	}
}

// BenchmarkWatcherMemory reports the live heap of a process following
// refs (10,000, or ORDERTRACK_BENCH_REFS) after a pass, with each store:
// the memory store holds every ref; the SQLite store holds what one batch
// needs, whatever the refs followed.
func BenchmarkWatcherMemory(b *testing.B) {
	n := benchRefs()
	for name, open := range stores(b) {
		b.Run(fmt.Sprintf("%s/refs=%d", name, n), func(b *testing.B) {
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				store := open()
				w, id := follow(b, store, still{}, n)
				if err := w.Poll(context.Background(), id, func(status.Change) {}); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				live := float64(after.HeapAlloc) - float64(before.HeapAlloc)
				b.ReportMetric(live/(1<<20), "MiB-live")
				b.ReportMetric(live/float64(n), "B/ref")
				// SQLite's page cache lives outside the Go heap (modernc's
				// allocator): the process's resident memory shows it.
				b.ReportMetric(float64(rss())/(1<<20), "MiB-rss")
				runtime.KeepAlive(w)
				runtime.KeepAlive(store)
			}
		})
	}
}

// rss returns the process's resident memory, in bytes; 0 where
// /proc/self/status does not tell.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
