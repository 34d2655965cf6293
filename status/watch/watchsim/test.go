package watchsim

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// The flags of a test binary that runs the simulator.
var (
	seedFlag     = flag.Int64("sim.seed", -1, "run only this seed, and log its trace")
	seedsFlag    = flag.Int("sim.seeds", 0, "how many seeds to run (0: the test's own count)")
	durationFlag = flag.Duration("sim.duration", 0, "run seeds until this much time has passed (a soak), at least -sim.seeds")
)

// Known are the kinds of violation the simulator finds in package watch
// as it stands, each a defect an open issue names, with the first seed
// that shows it on the memory store. A run fails on any other kind; the
// list only shrinks, as the issues are fixed (TestKnownDefects fails for a
// kind its seed no longer breaks). It is empty: the simulator breaks none
// of its invariants on 10,000 seeds of the memory store, 1,000 of SQLite
// and 200 of Postgres. A defect found and not fixed at once is listed here
// with the issue that names it, and the first seed of 10,000 that shows
// it (go test ./status/watch/watchsim -run TestSimulate/memory
// -sim.seeds=10000 -v logs each kind's).
var Known = map[string]Defect{}

// Defect is a kind of violation known to the project: where it is
// tracked, and a seed that shows it.
type Defect struct {
	Issue string
	Seed  int64
}

// Test runs the simulator's seeds with cfg as a test: seeds of them (or
// -sim.seeds, or for -sim.duration), or the one -sim.seed names, with its
// trace. It fails with each kind of violation not Known, the first seed
// that shows it and the command that replays it (replay names the test,
// for the command), and prints one line: how many seeds ran, how many
// faults they injected, how many violations they saw.
func Test(t *testing.T, cfg Config, seeds int, replay string) {
	t.Helper()
	if *seedFlag >= 0 {
		cfg.Trace = true
		rep := Run(*seedFlag, cfg)
		for _, line := range rep.Trace {
			t.Log(line)
		}
		for _, v := range rep.Violations {
			t.Errorf("seed %d: %v%s", *seedFlag, v, known(v.Kind))
		}
		return
	}
	if *seedsFlag > 0 {
		seeds = *seedsFlag
	}
	start := time.Now()
	goroutines := runtime.NumGoroutine()
	var faults, violations, n int
	first := map[string]int64{}
	for seed := int64(1); seed <= int64(seeds) || *durationFlag > 0 && time.Since(start) < *durationFlag; seed++ {
		rep := Run(seed, cfg)
		n++
		faults += rep.Faults
		violations += len(rep.Violations)
		for _, v := range rep.Violations {
			if _, ok := first[v.Kind]; ok {
				continue
			}
			first[v.Kind] = seed
			if _, ok := Known[v.Kind]; ok {
				continue
			}
			t.Errorf("seed %d: %v\nreplay: %s -sim.seed=%d -v\n%s", seed, v, replay, seed, last(rep.Trace, 60))
		}
	}
	// Invariant 6: every process's goroutine ended with its run. A leak of
	// one a seed would leave thousands.
	for wait := 0; runtime.NumGoroutine() > goroutines+2 && wait < 50; wait++ {
		time.Sleep(20 * time.Millisecond) // ended goroutines still unwinding
	}
	if left := runtime.NumGoroutine() - goroutines; left > 2 {
		t.Errorf("invariant 6: %d goroutines left after %d seeds", left, n)
	}
	kinds := make([]string, 0, len(first))
	for k := range first {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("%-26s first at seed %d%s", k, first[k], known(k))
	}
	fmt.Fprintf(os.Stdout, "simulated %d seeds, %d faults injected, %d invariant violations (%s, %v)\n", n, faults, violations,
		t.Name(), time.Since(start).Round(time.Millisecond))
}

func known(kind string) string {
	if d, ok := Known[kind]; ok {
		return " (known: " + d.Issue + ")"
	}
	return ""
}

func last(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
