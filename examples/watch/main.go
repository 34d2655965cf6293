// Command watch follows the demo orders of all four providers over time
// and prints each change as one line, as a service following open orders
// would see them:
//
//	go run ./examples/watch
//	go run ./examples/watch -json
//
// It starts the four fake servers in process (the same orders as
// examples/track), takes a first look at every order, then moves some of
// them along in the fakes while a status.Watcher polls, and prints what
// changed:
//
//	2024-06-03 10:30 bailun CP-1002 ready_to_ship -> shipped
//
// It ends by itself once every move has been seen, in a few seconds.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ordertrack/ordertrack/examples/internal/demo"
	"github.com/ordertrack/ordertrack/status"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per change")
	interval := fs.Duration("interval", 200*time.Millisecond, "how often each provider is polled")
	timeout := fs.Duration("timeout", 20*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	fakes := demo.Start()
	defer fakes.Close()
	w := status.NewWatcher(status.WatcherOptions{Interval: *interval})
	for _, q := range fakes.Queries {
		w.Add(q.Tracker, q.Refs...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	// A first look at every order, so that what follows is what changed.
	for _, q := range fakes.Queries {
		w.Round(ctx, q.Tracker, func(status.Change) {})
	}

	moves := demo.Moves()
	go func() {
		for _, m := range moves {
			select {
			case <-ctx.Done():
				return
			case <-time.After(*interval):
			}
			m.Apply(fakes)
		}
	}()

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	want := demo.Expected(moves)
	for c := range w.Changes(ctx) {
		if *asJSON {
			if err := enc.Encode(c); err != nil {
				fmt.Fprintln(stderr, "watch:", err)
				return 1
			}
		} else {
			fmt.Fprintln(stdout, line(c))
		}
		if c.Kind == status.StageChanged {
			delete(want, demo.Key(c.Provider, c.Ref, c.OrderNo, c.To))
			if len(want) == 0 {
				return 0
			}
		}
	}
	fmt.Fprintf(stderr, "watch: gave up after %v with %d moves unseen\n", *timeout, len(want))
	return 1
}

// line is one change as a line: when, then what.
func line(c status.Change) string {
	at := "(no time given)"
	if !c.At.IsZero() {
		at = c.At.UTC().Format("2006-01-02 15:04")
	}
	return at + " " + c.String()
}
