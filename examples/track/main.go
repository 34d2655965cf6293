// Command track shows where orders stand at all four providers, in one
// table of canonical stages.
//
// With no flags and no credentials it starts the four fake servers in
// process, seeds them with orders that between them reach every canonical
// stage, and tracks them through the real clients, concurrently:
//
//	go run ./examples/track
//	go run ./examples/track -json
//
// A ref whose lookup failed is shown with its error in the table's ERROR
// column (or the snapshot's "error" in JSON); -strict also makes the exit
// status 1 then.
//
// With -live it uses the real endpoint of every provider whose environment
// variables are set (see -h), skipping the others, and tracks the refs given
// as provider:ref arguments:
//
//	go run ./examples/track -live bailun:CP-1001 flowery:1000025
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ordertrack/ordertrack/examples/internal/demo"
	"github.com/ordertrack/ordertrack/status"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// errUsage marks a mistake in the command line or the environment.
var errUsage = errors.New("usage")

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("track", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per snapshot instead of a table")
	live := fs.Bool("live", false, "use the real endpoints of the providers whose environment is set")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	strict := fs.Bool("strict", false, "exit with status 1 when any ref's lookup failed")
	fs.Usage = func() { usage(stderr, fs) }
	if err := fs.Parse(args); err != nil {
		return 2
	}

	var queries []status.Query
	if *live {
		qs, notes, err := liveQueries(fs.Args(), getenv)
		for _, n := range notes {
			fmt.Fprintln(stderr, n)
		}
		if err != nil {
			fmt.Fprintln(stderr, "track:", err)
			return 2
		}
		queries = qs
	} else {
		if fs.NArg() > 0 {
			fmt.Fprintln(stderr, "track: refs are only taken with -live; without it the fake servers' own orders are tracked")
			return 2
		}
		fakes := demo.Start()
		defer fakes.Close()
		queries = fakes.Queries
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	snaps := status.TrackAll(ctx, queries...)
	// A ref that failed is shown with its error; with -strict the exit
	// status says so too.
	code := 0
	if *strict && status.Errors(snaps) != nil {
		code = 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, s := range snaps {
			if err := enc.Encode(s); err != nil {
				fmt.Fprintln(stderr, "track:", err)
				return 1
			}
		}
		return code
	}
	printTable(stdout, snaps)
	return code
}

// printTable writes one aligned row per snapshot.
func printTable(w io.Writer, snaps []status.Snapshot) {
	rows := [][]string{{"PROVIDER", "REF", "ORDER NO", "STAGE", "PROBLEMS", "TRACKING NO", "UPDATED (UTC)", "RAW CODES", "ERROR"}}
	for _, s := range snaps {
		updated := "-"
		if !s.UpdatedAt.IsZero() {
			updated = s.UpdatedAt.UTC().Format("2006-01-02 15:04")
		}
		var problems, codes []string
		for _, p := range s.Problems {
			problems = append(problems, p.Reason.String()+"("+p.Code.Field+"="+p.Code.Value+")")
		}
		for _, c := range s.Codes {
			codes = append(codes, c.Field+"="+c.Value)
		}
		errText := ""
		if s.Err != nil {
			errText = s.Err.Error()
		}
		rows = append(rows, []string{string(s.Provider), s.Ref, dash(s.OrderNo), s.Stage.String(),
			dash(strings.Join(problems, " ")), dash(s.TrackingNo), updated, dash(strings.Join(codes, " ")), dash(errText)})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// displayWidth is how many terminal columns s takes: East Asian wide
// characters (the providers' Chinese statuses) take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: track [-json] [-strict] [-timeout d] [-live provider:ref ...]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Without -live, track starts the four fake servers in process and tracks their orders.")
	fmt.Fprintln(w, "With -live, it uses each provider whose environment variables are set:")
	for _, p := range providers {
		fmt.Fprintf(w, "  %-11s %s", p.name, strings.Join(p.required, " "))
		if len(p.optional) > 0 {
			fmt.Fprintf(w, " (optional: %s)", strings.Join(p.optional, " "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fs.PrintDefaults()
}
