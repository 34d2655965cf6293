// Command watch follows the demo orders of all four providers over time
// and prints each change as one line, as a service following open orders
// would see them:
//
//	go run ./examples/watch
//	go run ./examples/watch -json
//	go run ./examples/watch -store watch.db
//
// It starts the four fake servers in process (the same orders as
// examples/track), follows every order (its first answer is one
// "following" line), then moves some of them along in the fakes while a
// watch.Watcher polls, and prints what changed:
//
//	2024-06-03 10:30 bailun CP-1002 ready_to_ship -> shipped
//
// Once every move has been seen, the reseller platform pushes a logistics
// notification (to a reseller.NoticeHandler, which hands it to the
// Watcher's Push): its new trace is printed like a polled change, though
// no poll asked for it. It ends by itself then, in a few seconds.
//
// With -store FILE, what it follows lives in a SQLite file. Stop it (^C,
// or kill it) and run it again: it resumes from the file. The fakes start
// afresh each run, so the demo first replays in them the moves the file
// has seen (as the real providers would have kept them); what follows is
// only what was not seen yet, and nothing is reported twice.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"time"

	"github.com/ordertrack/ordertrack/examples/internal/demo"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per change")
	interval := fs.Duration("interval", 200*time.Millisecond, "how often each order is polled")
	timeout := fs.Duration("timeout", 20*time.Second, "give up after this long")
	file := fs.String("store", "", "keep what is followed in this SQLite file, to resume from it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	fakes := demo.Start()
	defer fakes.Close()
	var store watch.Store = watch.NewMemoryStore()
	if *file != "" {
		st, err := sqlitestore.Open(ctx, *file, nil)
		if err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
		defer st.Close()
		store = st
	}
	// A demo's claims are short: a run killed mid-pass holds its orders
	// (and each account's lease) only ClaimFor, so the next run goes on
	// within two seconds. A service keeps the default minute.
	w := watch.New(watch.Options{Store: store, Schedule: watch.Every{Interval: *interval, Linger: time.Hour},
		Tick: max(*interval/4, 10*time.Millisecond), ClaimFor: 2 * time.Second})
	defer w.Close(context.Background()) // the next run drives the accounts at once
	ids := map[status.Provider]watch.TrackerID{}
	var allIDs []watch.TrackerID
	followed := 0
	for i, q := range fakes.Queries {
		id, err := w.Add(q.Tracker, fakes.Accounts[i])
		if err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
		allIDs = append(allIDs, id)
		if id.Account == "" {
			ids[id.Provider] = id
		}
		st, err := store.Stats(ctx, id, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
		followed += st.Followed
		if st.Followed > 0 {
			continue // resumed: the store says what is followed
		}
		if err := w.Follow(ctx, id, q.Refs...); err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
	}

	// The moves the store has seen already happened: replay them in the
	// fakes, and wait only for the others.
	var moves []demo.Move
	seen := 0
	all := demo.Moves()
	for i, m := range all {
		ok, err := happened(ctx, store, ids[m.Provider], all, i)
		if err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
		if ok {
			m.Apply(fakes)
			seen++
			continue
		}
		moves = append(moves, m)
	}
	if followed > 0 {
		fmt.Fprintf(stderr, "watch: resumed %d orders from %s; %d of %d moves seen before\n", followed, *file, seen, seen+len(moves))
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	// A first pass over every account (the baselines, or what a run before
	// left undelivered), so that a move is never taken for a baseline.
	for _, id := range allIDs {
		if err := w.Poll(ctx, id, func(c status.Change) { printChange(stdout, enc, *asJSON, c) }); err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
	}
	// Each move is made once the one before it was seen, so that no poll
	// misses a step.
	seenOne := make(chan struct{}, len(moves))
	go func() {
		for i, m := range moves {
			if i > 0 {
				select {
				case <-ctx.Done():
					return
				case <-seenOne:
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(*interval):
			}
			m.Apply(fakes)
		}
	}()

	want := demo.Expected(moves)
	loopCtx, cancelLoop := context.WithCancel(ctx)
	defer cancelLoop()
	if len(want) == 0 {
		// Nothing left to move: one pass shows nothing was missed.
		for _, id := range ids {
			if err := w.Poll(ctx, id, func(c status.Change) { printChange(stdout, enc, *asJSON, c) }); err != nil {
				fmt.Fprintln(stderr, "watch:", err)
				return 1
			}
		}
		fmt.Fprintln(stderr, "watch: every move was seen in an earlier run")
		return 0
	}
	for c := range w.Changes(loopCtx) {
		if err := printChange(stdout, enc, *asJSON, c); err != nil {
			fmt.Fprintln(stderr, "watch:", err)
			return 1
		}
		if k := demo.Key(c.Provider, c.Ref, c.OrderNo, c.To); c.Kind == status.StageChanged && want[k] {
			delete(want, k)
			if len(want) == 0 {
				// Every move seen: now one the platform pushes, taken
				// through the same Watcher (and delivered by this loop).
				if err := push(ctx, w, ids[status.Reseller], stderr); err != nil {
					fmt.Fprintln(stderr, "watch:", err)
					return 1
				}
				go func() {
					// Should it say nothing new (a run before took it), the
					// loop ends in a while.
					select {
					case <-time.After(3 * time.Second):
						cancelLoop()
					case <-loopCtx.Done():
					}
				}()
				continue
			}
			seenOne <- struct{}{}
		}
		if c.Kind == status.NewEvent && c.Ref == pushedRef {
			return 0
		}
	}
	if loopCtx.Err() != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "watch: the pushed notification said nothing new")
		return 0 // every move seen
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		fmt.Fprintf(stderr, "watch: stopped with %d moves unseen; run it again to resume\n", len(want))
		return 130
	}
	fmt.Fprintf(stderr, "watch: gave up after %v with %d moves unseen\n", *timeout, len(want))
	return 1
}

// happened reports whether the store has seen the i-th move: its order's
// last snapshot is at that move's stage, or at a later move's of the same
// order.
func happened(ctx context.Context, store watch.Store, id watch.TrackerID, all []demo.Move, i int) (bool, error) {
	m := all[i]
	f, ok, err := store.Get(ctx, id, m.Ref)
	if err != nil || !ok {
		return false, err
	}
	var stage status.Stage
	for _, s := range f.Snapshots {
		if s.OrderNo == m.OrderNo {
			stage = s.Stage
		}
	}
	for _, later := range all[i:] {
		if later.Ref == m.Ref && later.OrderNo == m.OrderNo && later.To == stage {
			return true, nil
		}
	}
	return false, nil
}

// pushedRef is the order the demo's pushed notification is about.
const pushedRef = "20240328-874367231"

// push posts a logistics notification to a reseller.NoticeHandler, as the
// platform would; the handler gives it to the Watcher (Notice.Snapshot,
// Watcher.Push): a new trace of an order's express, with no poll.
func push(ctx context.Context, w *watch.Watcher, id watch.TrackerID, stderr io.Writer) error {
	h := &reseller.NoticeHandler{
		Verifier: reseller.NoticeVerifier{Secret: reseller.NewSecret(resellertest.Secret), ResellerFlag: resellertest.ResellerFlag},
		OnNotice: func(r *http.Request, n *reseller.Notice) error { return w.Push(r.Context(), id, n.Snapshot()) },
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	at := demo.Base.Add(7 * time.Hour)
	traces := []reseller.Trace{
		{Time: reseller.NewTime(at), Context: "【上海市】快件已由本人签收, 感谢使用"},
		{Time: reseller.NewTime(demo.Base.Add(-26 * time.Hour)), Context: "【上海市】已签收"},
	}
	fmt.Fprintln(stderr, "watch: the platform pushes a logistics notification (no poll asks for it)")
	code, err := resellertest.PostNotice(ctx, srv.URL, resellertest.Notification(pushedRef, "yd", "433333385045566", traces, time.Now()))
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("the notification was answered %d", code)
	}
	return nil
}

// printChange writes one change: a line, or a JSON object.
func printChange(w io.Writer, enc *json.Encoder, asJSON bool, c status.Change) error {
	if asJSON {
		return enc.Encode(c)
	}
	_, err := fmt.Fprintln(w, line(c))
	return err
}

// line is one change as a line: when, then what.
func line(c status.Change) string {
	at := "(no time given)"
	if !c.At.IsZero() {
		at = c.At.UTC().Format("2006-01-02 15:04")
	}
	return at + " " + c.String()
}
