package watch

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// fourFakes are the four fakes, each answering any ref (Generated), with
// a client of each and a count of the requests each has had.
type fourFakes struct {
	trackers []status.Tracker
	hits     []func() int
	refs     [][]string
	close    func()
}

// startFakes starts the four fakes with perProvider refs at each, and
// BirdSystem's client asking birdBatch ids a request (1: a GET per id, as
// before batching).
func startFakes(b *testing.B, perProvider, birdBatch int) *fourFakes {
	bl, rs, bs, fl := bailuntest.NewServer(), resellertest.NewServer(), birdsystemtest.NewServer(), flowerytest.NewServer()
	bl.Generate, rs.Generate, bs.Generate, fl.Generate = bailuntest.Generated, resellertest.Generated, birdsystemtest.Generated, flowerytest.Generated
	f := &fourFakes{close: func() { bl.Close(); rs.Close(); bs.Close(); fl.Close() }}
	must := func(t status.Tracker, err error) status.Tracker {
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	bcfg := bs.Config()
	bcfg.BatchSize = birdBatch
	f.trackers = []status.Tracker{must(bailun.New(bl.Config())), must(reseller.New(rs.Config())), must(birdsystem.New(bcfg)), must(flowery.New(fl.Config()))}
	// Requests of the order lookups, token requests aside.
	f.hits = []func() int{
		func() int { return bl.Hits(bailuntest.OrderStatusPath) },
		func() int { return rs.Hits(resellertest.OrderQueryPath) },
		func() int { return bs.Hits("") },
		func() int { return fl.Hits(flowerytest.OrdersPath) },
	}
	for i := range 4 {
		refs := make([]string, perProvider)
		for j := range refs {
			switch i {
			case 2:
				refs[j] = strconv.FormatInt(2010290370000000+int64(j), 10)
			default:
				refs[j] = fmt.Sprintf("G%07d", j)
			}
		}
		f.refs = append(f.refs, refs)
	}
	return f
}

func (f *fourFakes) requests() []int {
	out := make([]int, len(f.hits))
	for i, h := range f.hits {
		out[i] = h()
	}
	return out
}

// BenchmarkRoundRequests counts the requests of one round over 2,000 refs
// (500 at each fake), with BirdSystem asked a GET per id (before
// batching) and 50 ids a listing (after).
func BenchmarkRoundRequests(b *testing.B) {
	for _, bc := range []struct {
		name  string
		batch int
	}{{"before", 1}, {"after", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			f := startFakes(b, 500, bc.batch)
			defer f.close()
			for b.Loop() {
				w, clk := newWatcher(Options{Schedule: Every{Interval: time.Minute, Linger: time.Hour}})
				ids := make([]TrackerID, 4)
				for i, t := range f.trackers {
					ids[i], _ = w.Add(t, "")
					if err := w.Follow(context.Background(), ids[i], f.refs[i]...); err != nil {
						b.Fatal(err)
					}
				}
				for _, id := range ids {
					if err := w.Poll(context.Background(), id, func(status.Change) {}); err != nil {
						b.Fatal(err)
					}
				}
				before := f.requests()
				clk.Add(time.Minute)
				for _, id := range ids {
					if err := w.Poll(context.Background(), id, func(status.Change) {}); err != nil {
						b.Fatal(err)
					}
				}
				after := f.requests()
				total := 0
				for i, p := range status.Providers() {
					n := after[i] - before[i]
					total += n
					b.ReportMetric(float64(n), string(p)+"-req/round")
				}
				b.ReportMetric(float64(total), "req/round")
			}
		})
	}
}

// BenchmarkScheduleDay counts the requests a day of the DefaultSchedule
// makes for 1,000 refs (250 at each fake, as Generated answers them: a
// mix of stages, none moving), on a clock stepped 10 minutes at a time,
// after the first day (the baselines and the first back-offs). Per-day
// figures for a million refs are these times 1,000: each request asks
// about a batch, and the batches are full.
func BenchmarkScheduleDay(b *testing.B) {
	f := startFakes(b, 250, 0)
	defer f.close()
	for b.Loop() {
		w, clk := newWatcher(Options{})
		ids := make([]TrackerID, 4)
		for i, t := range f.trackers {
			ids[i], _ = w.Add(t, "")
			if err := w.Follow(context.Background(), ids[i], f.refs[i]...); err != nil {
				b.Fatal(err)
			}
		}
		day := func() []int {
			before := f.requests()
			for step := 0; step < 24*6; step++ {
				for _, id := range ids {
					if err := w.Poll(context.Background(), id, func(status.Change) {}); err != nil {
						b.Fatal(err)
					}
				}
				clk.Add(10 * time.Minute)
			}
			after := f.requests()
			for i := range after {
				after[i] -= before[i]
			}
			return after
		}
		first := day()
		second := day()
		total := 0
		for i, p := range status.Providers() {
			b.ReportMetric(float64(first[i]), string(p)+"-req/day1")
			b.ReportMetric(float64(second[i]), string(p)+"-req/day2")
			total += second[i]
		}
		b.ReportMetric(float64(total), "req/day2")
	}
}
