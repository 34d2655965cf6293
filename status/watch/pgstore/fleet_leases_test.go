package pgstore_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/internal/pgtest"
)

// skewed is the system's clock, wrong by a duration.
type skewed time.Duration

func (s skewed) Now() time.Time { return time.Now().Add(time.Duration(s)) }
func (s skewed) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// request is one request a fake received, as a worker's proxy saw it.
type request struct {
	worker     int
	account    string
	start, end time.Time
}

// recorder is a proxy to a fake for one worker: it records each request's
// account (from the refs it names) and how long it was out.
type recorder struct {
	mu   sync.Mutex
	reqs []request
}

var (
	floweryRef = regexp.MustCompile(`4\d{6}`)
	bailunRef  = regexp.MustCompile(`FB-(\d)-`)
)

// accountOf names the fleet account a request is for, from its refs.
func accountOf(r *http.Request, body []byte) string {
	text := string(body) + " " + r.URL.RawQuery
	if m := bailunRef.FindStringSubmatch(text); m != nil {
		return "b" + m[1]
	}
	if m := floweryRef.FindString(text); m != "" {
		n, _ := strconv.Atoi(m)
		return fmt.Sprintf("f%d", (n-4000000)/fleetPerFl)
	}
	return "" // a token request
}

func (rec *recorder) proxy(t *testing.T, worker *int, to string) *httptest.Server {
	u, err := url.Parse(to)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // a worker killed mid-request is no news
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		q, _ := url.QueryUnescape(r.URL.RawQuery)
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = q
		acct := accountOf(r2, body)
		start := time.Now()
		rp.ServeHTTP(w, r)
		if acct != "" {
			rec.mu.Lock()
			rec.reqs = append(rec.reqs, request{worker: *worker, account: acct, start: start, end: time.Now()})
			rec.mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fleetCase is one run of two workers on one Postgres, with leases of
// fleetClaimFor (1 s), seen through a recording proxy per worker in
// front of the fakes.
type fleetCase struct {
	name  string
	skews [2]string     // each worker's clock error
	delay time.Duration // each Flowery request's
	stall bool          // SIGSTOP the worker that sends, 3 leases long
}

// Two workers never send requests for one account at once (the fakes'
// proxies see every request, and when it was out):
//   - "skew": their clocks are 3 s apart (the leases are on the
//     database's clock);
//   - "slow batches": each Flowery request takes 700 ms, more than half
//     the lease (it is renewed while a batch runs);
//   - "stalled holder": the worker that drives the accounts is stopped
//     (SIGSTOP) for 3 s mid-batch, and resumed (it sends nothing once its
//     lease ended, and its accounts go to the other).
func TestFleetLeases(t *testing.T) {
	for _, fc := range []fleetCase{
		{name: "skew", skews: [2]string{"0s", "3s"}, delay: 20 * time.Millisecond},
		{name: "slow batches", skews: [2]string{"0s", "0s"}, delay: 700 * time.Millisecond},
		{name: "stalled holder", skews: [2]string{"0s", "-2s"}, delay: 100 * time.Millisecond, stall: true},
	} {
		t.Run(fc.name, func(t *testing.T) { runFleetCase(t, fc) })
	}
}

func runFleetCase(t *testing.T, fc fleetCase) {
	c := pgtest.Get(t)
	_, schema := pgtest.Open(t)
	fls, bls, _ := fleetFakes(t)
	fls.Inject(flowerytest.Fault{Delay: fc.delay, Times: flowerytest.Forever})

	rec := &recorder{}
	var wg sync.WaitGroup
	var cmds []*exec.Cmd
	for i, skew := range fc.skews {
		id := i + 1
		flp, blp := rec.proxy(t, &id, fls.URL), rec.proxy(t, &id, bls.URL)
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), fleetWorkerEnv+"=1", "ORDERTRACK_FLEET_DB="+c.SchemaURL(schema),
			"ORDERTRACK_FLEET_FLOWERY="+flp.URL, "ORDERTRACK_FLEET_BAILUN="+blp.URL, "ORDERTRACK_FLEET_SKEW="+skew)
		if i == 0 {
			cmd.Env = append(cmd.Env, "ORDERTRACK_FLEET_FOLLOW=1")
		}
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		require.NoError(t, cmd.Start())
		ready := make(chan struct{})
		wg.Go(func() {
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 1<<20), 1<<22)
			once := false
			for sc.Scan() {
				if !once && bytes.Contains(sc.Bytes(), []byte(`"ready":true`)) {
					once = true
					close(ready)
				}
			}
		})
		select {
		case <-ready:
		case <-time.After(30 * time.Second):
			t.Fatal("a worker did not start")
		}
		cmds = append(cmds, cmd)
	}
	defer func() {
		for _, cmd := range cmds {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
		wg.Wait()
	}()
	time.Sleep(4 * fleetClaimFor)
	stalledAt := time.Time{}
	if fc.stall {
		// The worker that sent last holds accounts: stop it mid-batch.
		rec.mu.Lock()
		holder := rec.reqs[len(rec.reqs)-1].worker
		rec.mu.Unlock()
		require.NoError(t, cmds[holder-1].Process.Signal(syscall.SIGSTOP))
		stalledAt = time.Now()
		time.Sleep(3 * fleetClaimFor)
		require.NoError(t, cmds[holder-1].Process.Signal(syscall.SIGCONT))
		time.Sleep(3 * fleetClaimFor)
	}
	for _, cmd := range cmds {
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.reqs, "no request reached the fakes")
	perWorker := map[int]int{}
	overlaps := 0
	for i, a := range rec.reqs {
		perWorker[a.worker]++
		for _, b := range rec.reqs[i+1:] {
			if a.account == b.account && a.worker != b.worker && a.start.Before(b.end) && b.start.Before(a.end) {
				if overlaps < 5 {
					t.Errorf("%s: worker %d's request (%s to %s) and worker %d's (%s to %s) at once", a.account,
						a.worker, a.start.Format("15:04:05.000"), a.end.Format("15:04:05.000"), b.worker, b.start.Format("15:04:05.000"), b.end.Format("15:04:05.000"))
				}
				overlaps++
			}
		}
	}
	// The busiest second of one account's requests.
	peak := 0
	for i, a := range rec.reqs {
		n := 0
		for _, b := range rec.reqs[i:] {
			if b.account == a.account && b.start.Sub(a.start) < time.Second && !b.start.Before(a.start) {
				n++
			}
		}
		peak = max(peak, n)
	}
	t.Logf("%d requests (by worker: %v), peak %d requests/s for one account, %d pairs of two workers' requests for one account at once",
		len(rec.reqs), perWorker, peak, overlaps)
	if fc.stall {
		assert.Len(t, perWorker, 2, "the stalled worker's accounts were taken over (stopped at %s)", stalledAt.Format("15:04:05.000"))
	}
	assert.Zero(t, overlaps)
}
