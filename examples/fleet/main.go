// Command fleet follows the demo orders with several worker processes on
// one Postgres, as a platform on many machines would:
//
//	go run ./examples/fleet                       # a throwaway Postgres (initdb), 3 workers
//	go run ./examples/fleet -postgres URL -workers 4
//
// It starts the four fake servers in process, follows the demo orders in
// a pgstore, and starts the workers: each a process of its own running a
// watch.Watcher on the same Postgres. Each provider account is driven by
// one worker at a time (its tracker lease), and each says when it takes
// one:
//
//	worker-2 drives bailun
//	worker-2 2024-06-03 10:30 bailun CP-1002 ready_to_ship -> shipped
//
// It moves some orders along in the fakes, and kills one worker (the one
// that reported the third move) with SIGKILL midway: the others take its accounts once its leases end, and
// every move is still reported. It ends by itself once every move has
// been seen. Without -postgres it needs initdb and pg_ctl (the Debian
// postgresql package).
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/ordertrack/ordertrack/examples/internal/demo"
	"github.com/ordertrack/ordertrack/internal/pgcluster"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
)

// claimFor is the workers' lease: a killed worker's accounts are taken
// over this long after it died, or a little more.
const claimFor = time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pg := fs.String("postgres", "", "the Postgres URL (default: a throwaway cluster made with initdb)")
	workers := fs.Int("workers", 3, "how many worker processes")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	worker := fs.String("worker", "", "run as this worker (the fleet starts them)")
	fakes := fs.String("fakes", "", "the fakes' URLs, as JSON (for a worker)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *worker != "" {
		return runWorker(*worker, *pg, *fakes, stdout, stderr)
	}
	stderr = &syncWriter{w: stderr} // the workers' stderr, and ours
	if *workers < 2 {
		fmt.Fprintln(stderr, "fleet: -workers must be 2 or more, for one to be killed")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	base := *pg
	if base == "" {
		c, err := pgcluster.New(false)
		if err != nil {
			fmt.Fprintf(stderr, "fleet: no Postgres: %v\nfleet: install the postgresql package, or give -postgres URL\n", err)
			return 1
		}
		defer func() { _ = c.Stop(); _ = c.Remove() }()
		base = c.URL
		fmt.Fprintf(stderr, "fleet: a throwaway Postgres on port %d\n", c.Port)
	}
	// A schema of this run's own, so that runs never meet.
	schema := fmt.Sprintf("fleet_%d", os.Getpid())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		fmt.Fprintln(stderr, "fleet:", err)
		return 1
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		fmt.Fprintln(stderr, "fleet:", err)
		return 1
	}
	defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	dbURL, err := withSearchPath(base, schema)
	if err != nil {
		fmt.Fprintln(stderr, "fleet:", err)
		return 1
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		fmt.Fprintln(stderr, "fleet:", err)
		return 1
	}
	defer db.Close()
	st, err := pgstore.Open(ctx, db, nil)
	if err != nil {
		fmt.Fprintln(stderr, "fleet:", err)
		return 1
	}

	f := demo.Start()
	defer f.Close()
	// Follow the demo orders once, in the store: the workers are told
	// nothing but where it is.
	w := watch.New(watch.Options{Store: st})
	for i, q := range f.Queries {
		id, err := w.Add(q.Tracker, f.Accounts[i])
		if err == nil {
			err = w.Follow(ctx, id, q.Refs...)
		}
		if err != nil {
			fmt.Fprintln(stderr, "fleet:", err)
			return 1
		}
	}
	urls, _ := json.Marshal(f.URLs())

	var mu sync.Mutex
	printed := map[string]bool{}
	refs := 0
	for _, q := range f.Queries {
		refs += len(q.Refs)
	}
	baseline := make(chan struct{}, refs) // a ref's first answer came
	baselines := map[string]bool{}
	lastBy := 0 // the worker that reported the last move seen
	moves := demo.Moves()
	want := demo.Expected(moves)
	seen := make(chan struct{}, len(moves))
	procs := make([]*exec.Cmd, *workers)
	var readers sync.WaitGroup
	for i := range procs {
		name := fmt.Sprintf("worker-%d", i+1)
		cmd := exec.Command(os.Args[0], "-worker", name, "-postgres", dbURL, "-fakes", string(urls))
		cmd.Stderr = stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // a worker never outlives the fleet
		out, err := cmd.StdoutPipe()
		if err == nil {
			err = cmd.Start()
		}
		if err != nil {
			fmt.Fprintln(stderr, "fleet:", err)
			return 1
		}
		procs[i] = cmd
		readers.Go(func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				mu.Lock()
				if printed[line] && strings.Contains(line, " -> ") {
					// Delivered by a worker that died before acknowledging
					// it: it comes again, with the same ID.
					line += "   (again: its first worker died before acknowledging it)"
				}
				printed[line] = true
				if strings.Contains(line, " following, ") && !baselines[line] {
					baselines[line] = true // once a ref, though delivered twice
					select {
					case baseline <- struct{}{}:
					default:
					}
				}
				fmt.Fprintln(stdout, name, line)
				mu.Unlock()
				// A stage change a move made: "... <provider> <ref> (<order>) <from> -> <to>".
				mu.Lock()
				for k, waiting := range want {
					if waiting && matches(line, k) {
						want[k] = false
						lastBy = i
						seen <- struct{}{}
					}
				}
				mu.Unlock()
			}
		})
	}
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGKILL)
			_ = p.Wait()
		}
		readers.Wait()
	}()

	// Every ref's baseline first, so that a move is never taken for one
	// (the revoked account's ref has none: it fails).
	for range refs - 1 {
		select {
		case <-baseline:
		case <-ctx.Done():
			fmt.Fprintf(stderr, "fleet: gave up after %v waiting for the first answers\n", *timeout)
			return 1
		}
	}
	for i, m := range moves {
		select {
		case <-ctx.Done():
			fmt.Fprintf(stderr, "fleet: gave up after %v with %d of %d moves seen\n", *timeout, i, len(moves))
			return 1
		case <-time.After(300 * time.Millisecond):
		}
		m.Apply(f)
		select {
		case <-seen:
		case <-ctx.Done():
			fmt.Fprintf(stderr, "fleet: gave up after %v with %d of %d moves seen\n", *timeout, i, len(moves))
			return 1
		}
		if i == 2 {
			// Kill the worker that reported this move: it drives an account.
			mu.Lock()
			k := lastBy
			victim := procs[k]
			_ = victim.Process.Signal(syscall.SIGKILL)
			fmt.Fprintf(stdout, "fleet: killed worker-%d (pid %d); the others take its accounts once its leases end (%v)\n", k+1, victim.Process.Pid, claimFor)
			mu.Unlock()
		}
	}
	mu.Lock()
	fmt.Fprintf(stdout, "fleet: every move seen, %d workers, one of them killed\n", *workers)
	mu.Unlock()
	return 0
}

// matches reports whether a worker's line reports the move of key k
// (demo.Key: provider, ref, order number, stage).
func matches(line, k string) bool {
	parts := strings.Fields(k)
	if len(parts) != 4 || !strings.Contains(line, " -> "+parts[3]) {
		return false
	}
	who := parts[0] + " " + parts[1]
	if parts[2] != parts[1] {
		who += " (" + parts[2] + ")"
	}
	return strings.Contains(line, " "+who+" ")
}

func withSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// runWorker is one worker: a Watcher on the store, over the fakes'
// clients, printing each change, and each account it comes to drive.
func runWorker(name, dbURL, fakes string, stdout, stderr io.Writer) int {
	var urls demo.URLs
	if err := json.Unmarshal([]byte(fakes), &urls); err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return 2
	}
	ctx := context.Background()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return 1
	}
	st, err := pgstore.Open(ctx, db, nil)
	if err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return 1
	}
	var mu sync.Mutex
	say := func(s string) {
		mu.Lock()
		fmt.Fprintln(stdout, s)
		mu.Unlock()
	}
	w := watch.New(watch.Options{Store: &announcing{Store: st, owner: name, say: say, held: map[watch.TrackerID]bool{}},
		Schedule: watch.Every{Interval: 200 * time.Millisecond, Linger: time.Hour},
		ClaimFor: claimFor, Tick: 50 * time.Millisecond, Owner: name})
	queries, accounts := demo.Connect(urls)
	for i, q := range queries {
		if _, err := w.Add(q.Tracker, accounts[i]); err != nil {
			fmt.Fprintln(stderr, name+":", err)
			return 1
		}
	}
	_ = w.Run(ctx, func(_ context.Context, c status.Change) error {
		at := "(no time given)"
		if !c.At.IsZero() {
			at = c.At.UTC().Format("2006-01-02 15:04")
		}
		say(at + " " + c.String())
		return nil
	})
	return 0
}

// announcing is a Store that says when its worker comes to drive an
// account, or stops.
type announcing struct {
	watch.Store
	owner string
	say   func(string)
	mu    sync.Mutex
	held  map[watch.TrackerID]bool
}

func (a *announcing) Lease(ctx context.Context, t watch.TrackerID, owner string, now, until time.Time) (watch.TrackerLease, bool, error) {
	l, ok, err := a.Store.Lease(ctx, t, owner, now, until)
	if err != nil {
		return l, ok, err
	}
	a.mu.Lock()
	was := a.held[t]
	a.held[t] = ok
	a.mu.Unlock()
	switch {
	case ok && !was:
		a.say("drives " + t.String())
	case !ok && was:
		a.say("no longer drives " + t.String() + ": " + l.Owner + " does")
	}
	return l, ok, err
}

// syncWriter writes to w one Write at a time: the workers' stderr is
// copied by goroutines of their own.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
