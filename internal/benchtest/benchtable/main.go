// Command benchtable reads the output of rounds of the clients'
// benchmarks (go test -bench, one round after another, each benchmark once
// a round) and prints the README's table: each call's median time for the
// SDK and for the two careful hand-written calls, the SDK's ratio to the
// better of the two, and the median of the rounds' own ratios.
//
//	for i in $(seq 10); do go test -p 1 -run '^$' -bench . -count 1 ./bailun ./reseller ./birdsystem ./flowery; done > b.txt
//	go run ./internal/benchtest/benchtable < b.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// line matches a benchmark's result: its name, ns/op and allocs/op.
var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ B/op\s+(\d+) allocs/op)?`)

type sample struct {
	ns     float64
	allocs int
}

// call is one row: the samples of each impl, in round order.
type call struct {
	name  string
	impls map[string][]sample
}

func main() {
	calls, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	fmt.Println("| call | SDK | hand (encoding/json) | hand (encoding/json/v2) | SDK ÷ better hand | per round: median (rounds below 1) | allocs SDK / better hand |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, c := range calls {
		sdk, h1, h2 := c.impls["sdk"], c.impls["hand"], c.impls["handv2"]
		if len(sdk) == 0 || len(h1) == 0 && len(h2) == 0 {
			continue
		}
		best := h1
		if len(h1) == 0 || len(h2) > 0 && median(h2) < median(h1) {
			best = h2
		}
		var ratios []float64
		below := 0
		for i := range min(len(sdk), len(best)) {
			r := sdk[i].ns / best[i].ns
			ratios = append(ratios, r)
			if r < 1 {
				below++
			}
		}
		fmt.Printf("| %s | %s | %s | %s | %.2f | %.2f (%d of %d) | %d / %d |\n", c.name, dur(median(sdk)), dur(median(h1)), dur(median(h2)),
			median(sdk)/median(best), med(ratios), below, len(ratios), sdk[0].allocs, best[0].allocs)
	}
}

// read groups the results by call, the benchmark's name without its impl.
func read(r io.Reader) ([]*call, error) {
	var order []*call
	byName := map[string]*call{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		parts := strings.Split(m[1], "/")
		impl := ""
		rest := parts[:0:0]
		for _, p := range parts {
			if v, ok := strings.CutPrefix(p, "impl="); ok {
				impl = v
				continue
			}
			rest = append(rest, p)
		}
		if impl == "" {
			continue
		}
		name := strings.Join(rest, "/")
		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, err
		}
		allocs, _ := strconv.Atoi(m[3])
		c := byName[name]
		if c == nil {
			c = &call{name: name, impls: map[string][]sample{}}
			byName[name] = c
			order = append(order, c)
		}
		c.impls[impl] = append(c.impls[impl], sample{ns, allocs})
	}
	return order, sc.Err()
}

func median(s []sample) float64 {
	ns := make([]float64, len(s))
	for i, x := range s {
		ns[i] = x.ns
	}
	return med(ns)
}

func med(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func dur(ns float64) string {
	if ns == 0 {
		return "—"
	}
	d := time.Duration(ns)
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case d >= time.Microsecond:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	}
	return fmt.Sprintf("%.3g ns", ns)
}
