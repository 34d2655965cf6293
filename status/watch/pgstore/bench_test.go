package pgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/internal/pgtest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/internal/floor"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
)

// benchRefs is how many refs the benchmarks follow: 20,000, or
// ORDERTRACK_BENCH_REFS (1000000 for the README's figures).
func benchRefs() int {
	if n, err := strconv.Atoi(os.Getenv("ORDERTRACK_BENCH_REFS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// BenchmarkFleetPass is one pass over every ref of 8 trackers by 1 and 4
// workers (each with a pool of its own, as a machine would be), with a
// Tracker answering at once, one ref in twenty changing each pass: the
// claims and saves one Postgres sustains. Each is run twice in the same
// run: "store" is a Watcher per worker on pgstore; "floor" is the
// plainest SQL for the same work (package floor), so that every figure
// is the store against its floor, on the same server. It reports refs a
// second, the CPU time of Postgres and of the workers a ref, and the
// workers' live heap (bounded by their batches).
func BenchmarkFleetPass(b *testing.B) {
	const trackers = 8
	n := benchRefs()
	c := pgtest.Get(b)
	for _, workers := range []int{1, 4} {
		for _, impl := range []string{"store", "floor"} {
			b.Run(fmt.Sprintf("refs=%d/workers=%d/%s", n, workers, impl), func(b *testing.B) {
				fleetPass(b, c, trackers, n, workers, impl == "floor")
			})
		}
	}
}

func fleetPass(b *testing.B, c *pgtest.Cluster, trackers, n, workers int, bare bool) {
	db, schema := pgtest.Open(b)
	if _, err := pgstore.Open(context.Background(), db, nil); err != nil {
		b.Fatal(err)
	}
	ids := make([]watch.TrackerID, trackers)
	for k := range trackers {
		ids[k] = watch.TrackerID{Provider: status.Flowery, Account: fmt.Sprintf("a%d", k)}
		if _, err := db.Exec(`INSERT INTO ordertrack_refs (tracker, ref, due, state, seen, snapshots)
			SELECT $1, lpad(i::text, 8, '0'), 0, '{}', true, '[{"provider":"flowery","stage":"shipped"}]' FROM generate_series(1, $2) AS i`,
			ids[k].String(), n/trackers); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec("VACUUM ANALYZE ordertrack_refs"); err != nil {
		b.Fatal(err)
	}
	tr := &floor.Turning{}
	pools := make([]*sql.DB, workers)
	ws := make([]*watch.Watcher, workers)
	for i := range ws {
		pool, err := sql.Open("pgx", c.SchemaURL(schema))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { pool.Close() })
		pools[i] = pool
		s, err := pgstore.Open(context.Background(), pool, nil)
		if err != nil {
			b.Fatal(err)
		}
		ws[i] = watch.New(watch.Options{Store: s, Schedule: watch.Every{Interval: time.Hour}})
		for k := range trackers {
			if _, err := ws[i].Add(tr, fmt.Sprintf("a%d", k)); err != nil {
				b.Fatal(err)
			}
		}
	}
	var polled atomic.Int64
	pass := func() {
		var wg sync.WaitGroup
		for i := range ws {
			wg.Go(func() {
				// Each worker takes the trackers whose lease it gets (the
				// floor: the batches it claims first).
				for _, id := range ids {
					if bare {
						now := time.Now().UnixNano()
						got, err := floor.Postgres(context.Background(), pools[i], id.String(), tr, now, now+int64(time.Minute), watch.DefaultBatch)
						if err != nil {
							b.Error(err)
						}
						polled.Add(int64(got.Refs))
						continue
					}
					if err := ws[i].Poll(context.Background(), id, nil); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}
	due := func() {
		// Every ref due again, and the next pass's answers.
		tr.Pass.Add(1)
		if _, err := db.Exec("UPDATE ordertrack_refs SET due = 0"); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec("VACUUM ordertrack_refs"); err != nil {
			b.Fatal(err)
		}
	}
	pass() // the baselines: what follows are steady passes, one ref in twenty changing
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	var pgCPU, clientCPU time.Duration
	polled.Store(0)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		due()
		pg0, cl0 := postgresCPU(), selfCPU()
		b.StartTimer()
		pass()
		b.StopTimer()
		pgCPU += postgresCPU() - pg0
		clientCPU += selfCPU() - cl0
		b.StartTimer()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}
	if bare && polled.Load() != int64(b.N*n) {
		b.Fatalf("the floor polled %d refs in %d passes of %d", polled.Load(), b.N, n)
	}
	elapsed := b.Elapsed()
	per := elapsed / time.Duration(b.N*n)
	b.ReportMetric(float64(per.Nanoseconds())/1000, "µs/ref")
	b.ReportMetric(float64(b.N*n)/elapsed.Seconds(), "refs/s")
	b.ReportMetric(float64(peak-min(peak, before.HeapAlloc))/(1<<20), "MiB-heap-peak")
	if pgCPU > 0 {
		b.ReportMetric(float64(pgCPU.Nanoseconds())/1000/float64(b.N*n), "pg-cpu-µs/ref")
	}
	b.ReportMetric(float64(clientCPU.Nanoseconds())/1000/float64(b.N*n), "client-cpu-µs/ref")
	var outbox int64
	if err := db.QueryRow("SELECT count(*) FROM ordertrack_outbox").Scan(&outbox); err == nil {
		b.ReportMetric(float64(outbox)/float64((b.N+1)*n), "changes/ref")
	}
	var size int64
	if err := db.QueryRow("SELECT pg_total_relation_size('ordertrack_refs')").Scan(&size); err == nil {
		b.ReportMetric(float64(size)/float64(n), "table-B/ref")
	}
}

// postgresCPU is the CPU time of every postgres process on the machine
// (this test's cluster, on a machine of its own), from /proc; 0 where
// /proc does not tell.
func postgresCPU() time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var ticks int64
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ... utime stime: fields 14 and 15.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < 0 || s[open+1:end] != "postgres" {
			continue
		}
		f := strings.Fields(s[end+2:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100
}

// selfCPU is this process's CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
