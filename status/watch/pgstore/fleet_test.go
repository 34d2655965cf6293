package pgstore_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/internal/pgtest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
)

// The fleet test: worker processes follow orders of six provider accounts
// (four Flowery, two Bailun, on the fakes) through one Postgres, polling
// only; consumers take the changes from the outbox into a table of their
// own, in their own transactions (Consume). While the orders move, one
// worker is killed with SIGKILL, one is stopped past its leases (SIGSTOP,
// then SIGCONT), Postgres is restarted, every connection is dropped, and
// the consumers are down for a while. After it all: every move is in the
// consumers' table once, every baseline once, and no ref was claimed by
// two workers in one lease: the stalled worker's late batch is dropped
// (it outlived its lease) or its saves refused (the claims were taken
// again), as the SIGSTOP lands.

const (
	fleetFlowery   = 4 // accounts
	fleetBailun    = 2
	fleetPerFl     = 300 // refs an account
	fleetPerBl     = 100
	fleetClaimFor  = time.Second
	fleetInterval  = 400 * time.Millisecond
	fleetWorkerEnv = "ORDERTRACK_FLEET_WORKER"
)

func fleetFlRef(account, i int) string { return fmt.Sprintf("%07d", 4000000+account*fleetPerFl+i) }
func fleetBlRef(account, i int) string { return fmt.Sprintf("FB-%d-%04d", account, i) }

// logged is a Store that prints each claim and each refused save, for the
// parent to check.
type logged struct {
	watch.Store
	mu  sync.Mutex
	out *os.File
}

func (l *logged) print(v any) {
	b, _ := json.Marshal(v)
	l.mu.Lock()
	l.out.Write(append(b, '\n'))
	l.mu.Unlock()
}

func (l *logged) Claim(ctx context.Context, t watch.TrackerID, now, until time.Time, limit int) ([]watch.Claim, error) {
	c, err := l.Store.Claim(ctx, t, now, until, limit)
	if len(c) > 0 {
		refs := make([][2]any, len(c))
		for i, cl := range c {
			refs[i] = [2]any{cl.Ref, cl.Gen}
		}
		l.print(map[string]any{"claim": t.String(), "refs": refs})
	}
	return c, err
}

func (l *logged) Save(ctx context.Context, t watch.TrackerID, results []watch.Result) error {
	err := l.Store.Save(ctx, t, results)
	var lost *watch.LeaseLostError
	if errors.As(err, &lost) {
		l.print(map[string]any{"lost": t.String(), "refs": lost.Refs})
	}
	return err
}

// fleetWorker is a worker of TestFleetFaults: TestMain runs it when
// ORDERTRACK_FLEET_WORKER is set.
func fleetWorker() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("ORDERTRACK_FLEET_DB"))
	if err != nil {
		log.Fatal(err)
	}
	st, err := pgstore.Open(ctx, db, nil)
	if err != nil {
		log.Fatal(err)
	}
	fc := flowery.Config{BaseURL: os.Getenv("ORDERTRACK_FLEET_FLOWERY"), AccountID: flowerytest.AccountID, Logistics: flowerytest.Logistics,
		SecretKey: flowery.NewSecret(flowerytest.SecretKey), RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
	bc := bailun.Config{BaseURL: os.Getenv("ORDERTRACK_FLEET_BAILUN"), AppID: bailuntest.AppID, AppKey: bailun.NewSecret(bailuntest.AppKey),
		RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
	var clock watch.Clock // nil: the system's
	if skew, err := time.ParseDuration(os.Getenv("ORDERTRACK_FLEET_SKEW")); err == nil {
		clock = skewed(skew) // this machine's clock is wrong by skew
	}
	w := watch.New(watch.Options{Store: &logged{Store: st, out: os.Stdout}, Schedule: watch.Every{Interval: fleetInterval, Linger: time.Hour},
		ClaimFor: fleetClaimFor, Tick: 50 * time.Millisecond, Owner: fmt.Sprintf("worker-%d", os.Getpid()), Clock: clock})
	follow := os.Getenv("ORDERTRACK_FLEET_FOLLOW") != ""
	for a := range fleetFlowery {
		c, err := flowery.New(fc)
		if err != nil {
			log.Fatal(err)
		}
		id, err := w.Add(c, fmt.Sprintf("f%d", a))
		if err != nil {
			log.Fatal(err)
		}
		if follow {
			refs := make([]string, fleetPerFl)
			for i := range refs {
				refs[i] = fleetFlRef(a, i)
			}
			if err := w.Follow(ctx, id, refs...); err != nil {
				log.Fatal(err)
			}
		}
	}
	for a := range fleetBailun {
		c, err := bailun.New(bc)
		if err != nil {
			log.Fatal(err)
		}
		id, err := w.Add(c, fmt.Sprintf("b%d", a))
		if err != nil {
			log.Fatal(err)
		}
		if follow {
			refs := make([]string, fleetPerBl)
			for i := range refs {
				refs[i] = fleetBlRef(a, i)
			}
			if err := w.Follow(ctx, id, refs...); err != nil {
				log.Fatal(err)
			}
		}
	}
	fmt.Println(`{"ready":true}`)
	_ = w.Run(ctx, nil) // polling only: the consumers take the changes
}

// worker is one worker process, seen from the parent.
type worker struct {
	cmd    *exec.Cmd
	read   chan struct{}
	ready  chan struct{}
	claims chan struct{} // a claim was logged
}

type fleetLog struct {
	mu     sync.Mutex
	claims map[string]int // tracker ref gen -> worker pid
	twice  []string       // claims seen from two workers
	lost   map[int]int    // pid -> refs refused
	events []claimEvent   // each claim batch, in the order seen
}

type claimEvent struct {
	tracker string
	pid     int
	at      time.Time
}

// takeover returns how long after at the trackers pid claimed last were
// claimed by another worker: the shortest and the longest.
func (l *fleetLog) takeover(pid int, at time.Time) (lo, hi time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	held := map[string]bool{}
	for _, e := range l.events {
		if e.at.Before(at) {
			held[e.tracker] = e.pid == pid
		}
	}
	lo = time.Hour
	for tr, h := range held {
		if !h {
			continue
		}
		for _, e := range l.events {
			if e.tracker == tr && e.pid != pid && e.at.After(at) {
				d := e.at.Sub(at)
				lo, hi = min(lo, d), max(hi, d)
				break
			}
		}
	}
	return lo, hi
}

// fleetFakes starts the fleet's fakes, closed with t, holding every
// account's orders as of base.
func fleetFakes(t *testing.T) (fls *flowerytest.Server, bls *bailuntest.Server, base time.Time) {
	base = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	fls, bls = flowerytest.NewServer(), bailuntest.NewServer()
	t.Cleanup(fls.Close)
	t.Cleanup(bls.Close)
	for a := range fleetFlowery {
		for i := range fleetPerFl {
			fls.Put(flowery.OrderDetail{OrderNo: fleetFlRef(a, i), ExpressNo: "CGK" + fleetFlRef(a, i), OrderStatus: status.FloweryInTransit,
				GoodsStatusTime: flowery.NewTime(base)})
		}
	}
	for a := range fleetBailun {
		for i := range fleetPerBl {
			bls.Put(bailun.OrderStatusOutput{OriginOrderNo: fleetBlRef(a, i), OrderStatus: status.BailunOrderGetTrackingNumber,
				LastUpdateTime: bailun.NewTime(base)})
		}
	}
	return fls, bls, base
}

func TestFleetFaults(t *testing.T) {
	c := pgtest.Get(t)
	db, schema := pgtest.Open(t)
	store, err := pgstore.Open(context.Background(), db, nil)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE seen (id text PRIMARY KEY, kind text NOT NULL, tracker text NOT NULL, ref text NOT NULL, stage text NOT NULL)`)
	require.NoError(t, err)

	fls, bls, base := fleetFakes(t)
	// Each Flowery request takes 20 ms: a claim is out that long at least,
	// for a SIGSTOP to land in.
	fls.Inject(flowerytest.Fault{Delay: 20 * time.Millisecond, Times: flowerytest.Forever})

	logs := &fleetLog{claims: map[string]int{}, lost: map[int]int{}}
	start := func(follow bool) *worker {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), fleetWorkerEnv+"=1", "ORDERTRACK_FLEET_DB="+c.SchemaURL(schema),
			"ORDERTRACK_FLEET_FLOWERY="+fls.URL, "ORDERTRACK_FLEET_BAILUN="+bls.URL)
		if follow {
			cmd.Env = append(cmd.Env, "ORDERTRACK_FLEET_FOLLOW=1")
		}
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlives the test
		require.NoError(t, cmd.Start())
		wk := &worker{cmd: cmd, read: make(chan struct{}), ready: make(chan struct{}), claims: make(chan struct{}, 1)}
		pid := cmd.Process.Pid
		go func() {
			defer close(wk.read)
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 1<<20), 1<<22)
			for sc.Scan() {
				var m struct {
					Ready bool   `json:"ready"`
					Claim string `json:"claim"`
					Lost  string `json:"lost"`
					Refs  []any  `json:"refs"`
				}
				if json.Unmarshal(sc.Bytes(), &m) != nil {
					continue
				}
				switch {
				case m.Ready:
					close(wk.ready)
				case m.Claim != "":
					logs.mu.Lock()
					for _, r := range m.Refs {
						pair, _ := r.([]any)
						if len(pair) != 2 {
							continue
						}
						k := fmt.Sprintf("%s %v %v", m.Claim, pair[0], pair[1])
						if other, ok := logs.claims[k]; ok && other != pid {
							logs.twice = append(logs.twice, k)
						}
						logs.claims[k] = pid
					}
					logs.events = append(logs.events, claimEvent{tracker: m.Claim, pid: pid, at: time.Now()})
					logs.mu.Unlock()
					select {
					case wk.claims <- struct{}{}:
					default:
					}
				case m.Lost != "":
					logs.mu.Lock()
					logs.lost[pid] += len(m.Refs)
					logs.mu.Unlock()
				}
			}
		}()
		select {
		case <-wk.ready:
		case <-time.After(30 * time.Second):
			t.Fatal("a worker did not start")
		}
		return wk
	}
	kill := func(wk *worker) {
		_ = wk.cmd.Process.Signal(syscall.SIGKILL)
		<-wk.read
		_ = wk.cmd.Wait()
	}
	// nextClaim waits for wk's next claim.
	nextClaim := func(wk *worker) {
		select {
		case <-wk.claims:
		default:
		}
		select {
		case <-wk.claims:
		case <-time.After(20 * time.Second):
			t.Fatal("a worker claimed nothing")
		}
	}

	// The consumers: two, taking the outbox into seen, each change in the
	// transaction that takes it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var paused atomic.Bool
	var consumeErrs sync.Map
	var cwg sync.WaitGroup
	for range 2 {
		cwg.Go(func() {
			for ctx.Err() == nil {
				if paused.Load() {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				n, err := store.Consume(ctx, 50, func(ctx context.Context, tx *sql.Tx, ch status.Change) error {
					_, err := tx.ExecContext(ctx, "INSERT INTO seen VALUES ($1, $2, $3, $4, $5)", ch.ID, ch.Kind.String(),
						watch.TrackerID{Provider: ch.Provider, Account: ch.Account}.String(), ch.Ref, ch.To.String())
					return err
				})
				if err != nil && ctx.Err() == nil {
					consumeErrs.Store(err.Error(), true)
					time.Sleep(50 * time.Millisecond)
				}
				if n == 0 {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	count := func(q string, args ...any) int {
		var n int
		for range 50 {
			if err := db.QueryRow(q, args...).Scan(&n); err == nil {
				return n
			}
			time.Sleep(100 * time.Millisecond) // Postgres restarting
		}
		t.Fatalf("cannot count: %s", q)
		return 0
	}
	waitFor := func(what string, q string, want int) {
		deadline := time.Now().Add(60 * time.Second)
		for count(q) < want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d", what, count(q), want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	workers := []*worker{start(true), start(false), start(false), start(false)}
	t.Cleanup(func() {
		// Whatever happened, no worker outlives the test (a stopped one is
		// woken to die).
		for _, wk := range workers {
			_ = wk.cmd.Process.Signal(syscall.SIGCONT)
			_ = wk.cmd.Process.Signal(syscall.SIGKILL)
		}
	})
	total := fleetFlowery*fleetPerFl + fleetBailun*fleetPerBl
	waitFor("baselines", "SELECT count(*) FROM seen WHERE kind = 'following'", total)

	want := map[string]bool{}
	move := func(a, from, to int, st status.FloweryStatus, stage string) {
		for i := from; i < to; i++ {
			fls.Advance(fleetFlRef(a, i), st, base.Add(time.Hour))
			want[fmt.Sprintf("flowery/f%d %s %s", a, fleetFlRef(a, i), stage)] = true
		}
	}

	// 1. Consumers down, the outbox fills; a worker is killed mid-pass,
	// another takes its place.
	paused.Store(true)
	for a := range fleetFlowery {
		move(a, 0, 75, status.FloweryLastMileDelivery, "out_for_delivery")
	}
	nextClaim(workers[0])
	killed, killedAt := workers[0].cmd.Process.Pid, time.Now()
	kill(workers[0])
	workers[0] = start(false)
	time.Sleep(2 * fleetClaimFor)
	pending := count("SELECT count(*) FROM ordertrack_outbox")
	t.Logf("outbox while the consumers were down: %d changes", pending)
	paused.Store(false)

	// 2. A worker stalls past its leases holding claims, then wakes: its
	// late batch must not land.
	for a := range fleetFlowery {
		move(a, 75, 125, "已签收", "delivered")
	}
	// The worker that claims next (it holds an account, and a claim).
	for _, wk := range workers {
		select {
		case <-wk.claims:
		default:
		}
	}
	var stalled *worker
	for deadline := time.Now().Add(20 * time.Second); stalled == nil; {
		for _, wk := range workers {
			select {
			case <-wk.claims:
				stalled = wk
			default:
			}
			if stalled != nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no worker claimed anything")
		}
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, stalled.cmd.Process.Signal(syscall.SIGSTOP))
	time.Sleep(3 * fleetClaimFor)
	require.NoError(t, stalled.cmd.Process.Signal(syscall.SIGCONT))

	// 3. Postgres restarts under load.
	for a := range fleetBailun {
		for i := range 50 {
			bls.Advance(fleetBlRef(a, i), status.BailunOrderShipped, base.Add(2*time.Hour))
			want[fmt.Sprintf("bailun/b%d %s shipped", a, fleetBlRef(a, i))] = true
		}
	}
	time.Sleep(fleetInterval)
	if c.Own() {
		require.NoError(t, c.Stop())
		time.Sleep(300 * time.Millisecond)
		require.NoError(t, c.Start())
	} else {
		t.Log("not restarting the server of " + pgtest.EnvURL + ": it is not the tests' own")
	}

	// 4. Every connection dropped.
	for a := range fleetFlowery {
		move(a, 125, 175, status.FloweryLastMileDelivery, "out_for_delivery")
	}
	time.Sleep(fleetInterval)
	admin, err := sql.Open("pgx", c.URL)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")
	require.NoError(t, err)

	// Every move reported.
	keys := func() map[string]int {
		rows, err := db.Query("SELECT tracker, ref, stage, kind FROM seen")
		if err != nil {
			return nil
		}
		defer rows.Close()
		got := map[string]int{}
		for rows.Next() {
			var tr, ref, stage, kind string
			if rows.Scan(&tr, &ref, &stage, &kind) == nil {
				got[kind+" "+tr+" "+ref+" "+stage]++
			}
		}
		return got
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := keys()
		missing := 0
		for k := range want {
			if got["stage_changed "+k] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d moves never reported", missing, len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * fleetInterval) // a double report would show now
	cancel()
	cwg.Wait()
	for _, wk := range workers {
		kill(wk)
	}

	got := keys()
	for k, n := range got {
		if n > 1 {
			t.Errorf("%s reported %d times", k, n)
		}
		if strings.HasPrefix(k, "stage_changed ") && !want[strings.TrimPrefix(k, "stage_changed ")] {
			t.Errorf("a change no move made: %s", k)
		}
	}
	following := 0
	for k := range got {
		if strings.HasPrefix(k, "following ") {
			following++
		}
	}
	assert.Equal(t, total, following, "every baseline once")
	logs.mu.Lock()
	defer logs.mu.Unlock()
	assert.Empty(t, logs.twice, "a ref claimed by two workers in one lease")
	consumeErrs.Range(func(k, _ any) bool {
		assert.NotContains(t, k.(string), "duplicate key", "a change handed off twice")
		return true
	})
	t.Logf("%d moves, %d baselines, %d claims logged, stalled worker refused %d refs; outbox peaked at %d",
		len(want), following, len(logs.claims), logs.lost[stalled.cmd.Process.Pid], pending)
	logs.mu.Unlock()
	lo, hi := logs.takeover(killed, killedAt)
	logs.mu.Lock()
	t.Logf("takeover after SIGKILL: %v to %v, against a lease of %v", lo.Round(time.Millisecond), hi.Round(time.Millisecond), fleetClaimFor)
	assert.Less(t, hi, 3*fleetClaimFor, "the killed worker's accounts are taken over once its leases end")
}
