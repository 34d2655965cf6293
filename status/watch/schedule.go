package watch

import (
	"math"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// Schedule decides when a ref is polled next. A Watcher asks it after each
// poll of a ref, and stops following the ref when it says so.
type Schedule interface {
	// Next returns when the polled ref is next due, or stop true to stop
	// following it (the Watcher reports it Unfollowed, with why).
	Next(p Polled) (due time.Time, stop bool, why string)
}

// Polled is one poll of one ref, for a Schedule.
type Polled struct {
	Tracker TrackerID
	Ref     string
	// Now is when the poll was made.
	Now time.Time
	// Snapshots are what is kept of the ref after the poll: its answer, or
	// its last answer when the lookup failed.
	Snapshots []status.Snapshot
	// Failed says the lookup failed.
	Failed bool
	// State is the ref's state after the poll (Quiet and Failures counted,
	// FinalSince set).
	State State
}

// The defaults of DefaultSchedule, after the tracking services (AfterShip,
// EasyPost, 17track, karrio's 2 hours): a few polls a day, sooner where a
// parcel moves fast, backing off while nothing changes.
const (
	DefaultEarly          = 2 * time.Hour  // not shipped yet
	DefaultInTransit      = 4 * time.Hour  // shipped
	DefaultOutForDelivery = time.Hour      // out for delivery
	DefaultException      = time.Hour      // exception, or a problem reported
	DefaultNotFound       = 6 * time.Hour  // not found (yet)
	DefaultFinal          = 12 * time.Hour // final, while it lingers
	DefaultLinger         = 3 * 24 * time.Hour
	DefaultMaxBackoff     = 12 * time.Hour
	DefaultExpire         = 30 * 24 * time.Hour
	DefaultRetry          = 10 * time.Minute // after a failed lookup, doubling
)

// DefaultSchedule is the Schedule a Watcher uses when given none. Each
// field's zero value gives the default of the same name (DefaultEarly,
// ...); set Providers to give one provider its own schedule.
//
// A ref is polled at the interval of its stage: Early (pending,
// processing, ready to ship, unknown), InTransit (shipped), OutForDelivery,
// Exception (that stage, or any problem reported), NotFound. Each poll that
// changes nothing doubles it, up to MaxBackoff (never below the stage's
// own interval). A ref in a final stage is polled every Final for Linger
// (a delivered parcel can still be returned), then stops ("final"); a ref
// quiet for Expire stops ("expired"). A failed lookup is tried again after
// Retry, doubling up to MaxBackoff. Every due time is spread by Jitter
// (a fraction; 0 gives 0.1, negative none).
type DefaultSchedule struct {
	Early, InTransit, OutForDelivery, Exception, NotFound, Final time.Duration
	Linger, MaxBackoff, Expire, Retry                            time.Duration
	Jitter                                                       float64
	// Providers gives a provider its own schedule instead of this one.
	Providers map[status.Provider]Schedule
	// rand is the jitter's source, [0,1); nil is math/rand/v2.
	rand func() float64
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Interval returns the base interval of a ref at stage st, with problems
// or not.
func (s *DefaultSchedule) Interval(st status.Stage, problems bool) time.Duration {
	switch {
	case st.Final():
		return or(s.Final, DefaultFinal)
	case st == status.Exception || problems:
		return or(s.Exception, DefaultException)
	case st == status.OutForDelivery:
		return or(s.OutForDelivery, DefaultOutForDelivery)
	case st == status.Shipped:
		return or(s.InTransit, DefaultInTransit)
	case st == status.NotFound:
		return or(s.NotFound, DefaultNotFound)
	}
	return or(s.Early, DefaultEarly)
}

// Next implements Schedule.
func (s *DefaultSchedule) Next(p Polled) (time.Time, bool, string) {
	if other := s.Providers[p.Tracker.Provider]; other != nil && other != Schedule(s) {
		return other.Next(p)
	}
	maxBackoff := or(s.MaxBackoff, DefaultMaxBackoff)
	quietSince := p.State.Changed
	if quietSince.IsZero() {
		quietSince = p.State.Since
	}
	if !quietSince.IsZero() && p.Now.Sub(quietSince) >= or(s.Expire, DefaultExpire) {
		// Quiet too long, answering or not.
		return time.Time{}, true, "expired"
	}
	if p.Failed {
		wait := backoff(or(s.Retry, DefaultRetry), p.State.Failures-1, maxBackoff)
		return p.Now.Add(s.spread(wait)), false, ""
	}
	if !p.State.FinalSince.IsZero() && p.Now.Sub(p.State.FinalSince) >= or(s.Linger, DefaultLinger) {
		return time.Time{}, true, "final"
	}
	stage, problems := status.Unknown, false
	for i, snap := range p.Snapshots {
		if i == 0 || stage.Final() && !snap.Stage.Final() {
			stage = snap.Stage // the least settled sub-order leads
		}
		problems = problems || len(snap.Problems) > 0
	}
	base := s.Interval(stage, problems)
	wait := max(backoff(base, p.State.Quiet, maxBackoff), base)
	if !p.State.FinalSince.IsZero() {
		wait = base
	}
	return p.Now.Add(s.spread(wait)), false, ""
}

// backoff returns d doubled n times, but never more than limit (and
// never overflowing).
func backoff(d time.Duration, n int, limit time.Duration) time.Duration {
	for ; n > 0 && d < limit; n-- {
		if d > math.MaxInt64/2 {
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// spread adds up to Jitter of d either way.
func (s *DefaultSchedule) spread(d time.Duration) time.Duration {
	j := s.Jitter
	switch {
	case j == 0 || math.IsNaN(j):
		j = 0.1
	case j < 0:
		return d
	case j > 0.5:
		j = 0.5
	}
	r := s.rand
	if r == nil {
		r = randFloat
	}
	spread := d + time.Duration((r()*2-1)*j*float64(d))
	if spread < 0 || spread < d/2 {
		return math.MaxInt64 // d near the largest Duration: the sum wrapped
	}
	return spread
}

// Every is a Schedule that polls every ref each Interval (tests, demos and
// batch jobs): it never backs off, and stops a ref only Linger after it
// reached a final stage. An Interval of 0 makes every ref due at each
// pass (each Tick of a running Watcher).
type Every struct {
	Interval time.Duration
	Linger   time.Duration
}

// Next implements Schedule.
func (e Every) Next(p Polled) (time.Time, bool, string) {
	if !p.Failed && !p.State.FinalSince.IsZero() && p.Now.Sub(p.State.FinalSince) >= e.Linger {
		return time.Time{}, true, "final"
	}
	return p.Now.Add(e.Interval), false, ""
}
