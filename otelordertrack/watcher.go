package otelordertrack

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/ordertrack/ordertrack/status/watch"
)

// ObserveWatcher reports the state of each tracker added to w, read from
// its Store through w.Health at each collection: refs followed and due,
// lag, outbox pending, outage, lease held, lease and claim refusals (see
// the package's documentation). Any process on the Store reports every
// account it has added, whoever drives it. Unregister the registration
// when w is closed.
func (o *Observer) ObserveWatcher(w *watch.Watcher) (metric.Registration, error) {
	var errs []error
	gauge := func(name, unit, desc string) metric.Int64ObservableGauge {
		g, err := o.meter.Int64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := o.meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	followed := gauge("ordertrack.watch.refs.followed", "{ref}", "Refs followed.")
	due := gauge("ordertrack.watch.refs.due", "{ref}", "Refs due to be polled now, claimed ones aside.")
	pending := gauge("ordertrack.watch.outbox.pending", "{change}", "Changes saved and not yet delivered.")
	failing := gauge("ordertrack.watch.failing", "1", "1 while the account is in an outage, as the Store keeps it.")
	held := gauge("ordertrack.watch.lease.held", "1", "1 while this Watcher drives the account.")
	refused := counter("ordertrack.watch.lease.refused", "{pass}", "Passes that found another process driving the account.")
	lost := counter("ordertrack.watch.lease.lost", "{lease}", "Times this Watcher lost the account while it worked.")
	claims := counter("ordertrack.watch.claims.lost", "{ref}", "Refs whose save was refused: claimed again, or unfollowed meanwhile.")
	lag, err := o.meter.Float64ObservableGauge("ordertrack.watch.lag", metric.WithUnit("s"),
		metric.WithDescription("How long the ref due longest has been due."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o.meter.RegisterCallback(func(ctx context.Context, obs metric.Observer) error {
		hs, err := w.Health(ctx)
		now := time.Now()
		for _, h := range hs {
			at := metric.WithAttributes(accountAttrs(h.Tracker.Provider, h.Tracker.Account)...)
			obs.ObserveInt64(refused, int64(h.LeaseRefused), at)
			obs.ObserveInt64(lost, int64(h.LeaseLost), at)
			obs.ObserveInt64(claims, int64(h.ClaimsLost), at)
			if h.StatsError != "" {
				// The Store did not answer for this tracker: what it keeps
				// is not reported as zero.
				continue
			}
			obs.ObserveInt64(followed, int64(h.Followed), at)
			obs.ObserveInt64(due, int64(h.Due), at)
			obs.ObserveInt64(pending, int64(h.Pending), at)
			obs.ObserveInt64(failing, boolInt(h.Lease.Outage.Failing), at)
			obs.ObserveInt64(held, boolInt(h.Holder == w.Owner()), at)
			var l float64
			if !h.OldestDue.IsZero() && now.After(h.OldestDue) {
				l = now.Sub(h.OldestDue).Seconds()
			}
			obs.ObserveFloat64(lag, l, at)
		}
		return err
	}, followed, due, pending, failing, held, refused, lost, claims, lag)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
