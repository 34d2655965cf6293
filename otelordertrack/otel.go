package otelordertrack

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/ordertrack/ordertrack/otelordertrack"

// Attribute keys of ordertrack's own.
const (
	ProviderKey   = attribute.Key("ordertrack.provider")
	AccountKey    = attribute.Key("ordertrack.account")
	CallKey       = attribute.Key("ordertrack.call")
	RefsKey       = attribute.Key("ordertrack.refs")
	OutcomeKey    = attribute.Key("ordertrack.outcome")
	ChangeKindKey = attribute.Key("ordertrack.change.kind")
)

// Observer reports to OpenTelemetry. It implements observe.Observer, for
// the clients, and watch.Observer, for Watchers. It is safe for
// concurrent use.
type Observer struct {
	tracer trace.Tracer
	meter  metric.Meter

	httpDuration metric.Float64Histogram
	callDuration metric.Float64Histogram
	polls        metric.Int64Counter
	changes      metric.Int64Counter
	passDuration metric.Float64Histogram
}

var (
	_ observe.Observer = (*Observer)(nil)
	_ watch.Observer   = (*Observer)(nil)
)

// Option configures New.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets where spans go; the global TracerProvider by
// default.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets where metrics go; the global MeterProvider by
// default.
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// durationBuckets are the HTTP semantic conventions' advice for request
// durations, in seconds; workBuckets go on to minutes, for a call with
// its retries and a pass over thousands of refs.
var (
	durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	workBuckets     = append(slices.Clone(durationBuckets), 30, 60, 120, 300, 600)
)

// New returns an Observer reporting to the providers the options give.
func New(opts ...Option) (*Observer, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	o := &Observer{
		tracer: c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version)),
		meter:  c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version)),
	}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	o.httpDuration, err = o.meter.Float64Histogram("http.client.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP client requests."), metric.WithExplicitBucketBoundaries(durationBuckets...))
	add(err)
	o.callDuration, err = o.meter.Float64Histogram("ordertrack.client.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of each call of an ordertrack client, its retries included."), metric.WithExplicitBucketBoundaries(workBuckets...))
	add(err)
	o.polls, err = o.meter.Int64Counter("ordertrack.watch.polls", metric.WithUnit("{ref}"),
		metric.WithDescription("Refs a Watcher asked its provider about, by outcome."))
	add(err)
	o.changes, err = o.meter.Int64Counter("ordertrack.watch.changes", metric.WithUnit("{change}"),
		metric.WithDescription("Changes a Watcher's polls saved, by kind."))
	add(err)
	o.passDuration, err = o.meter.Float64Histogram("ordertrack.watch.pass.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of a Watcher's pass over one tracker's due refs."), metric.WithExplicitBucketBoundaries(workBuckets...))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o, nil
}

// Version is this module's version, given to the tracer and meter.
const Version = "0.1.0"

func accountAttrs(p status.Provider, account string) []attribute.KeyValue {
	return []attribute.KeyValue{ProviderKey.String(string(p)), AccountKey.String(account)}
}

// StartCall implements observe.Observer: a span for the call, and its
// duration.
func (o *Observer) StartCall(ctx context.Context, c observe.Call) (context.Context, func(error)) {
	start := time.Now()
	attrs := slices.Clip(append(accountAttrs(c.Provider, c.Account), CallKey.String(c.Name)))
	ctx, span := o.tracer.Start(ctx, string(c.Provider)+"."+c.Name, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(append(attrs, RefsKey.Int(c.Refs))...))
	return ctx, func(err error) {
		if err != nil {
			et := semconv.ErrorTypeKey.String(ErrorType(err))
			attrs = append(attrs, et)
			span.SetAttributes(et)
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		o.callDuration.Record(context.WithoutCancel(ctx), time.Since(start).Seconds(), metric.WithAttributes(attrs...))
		span.End()
	}
}

// StartAttempt implements observe.Observer: a client span for the HTTP
// request, and its duration.
func (o *Observer) StartAttempt(ctx context.Context, a observe.Attempt) (context.Context, func(observe.AttemptEnd)) {
	start := time.Now()
	attrs := slices.Clip(append(accountAttrs(a.Provider, a.Account),
		semconv.HTTPRequestMethodKey.String(a.Method),
		semconv.URLTemplateKey.String(a.Endpoint),
		semconv.ServerAddressKey.String(a.Host),
		semconv.ServerPortKey.Int(a.Port),
	))
	spanAttrs := attrs
	if a.Resend > 0 {
		spanAttrs = append(spanAttrs, semconv.HTTPRequestResendCountKey.Int(a.Resend))
	}
	ctx, span := o.tracer.Start(ctx, a.Method+" "+a.Endpoint, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(spanAttrs...))
	return ctx, func(e observe.AttemptEnd) {
		var end []attribute.KeyValue
		if e.StatusCode > 0 {
			end = append(end, semconv.HTTPResponseStatusCodeKey.Int(e.StatusCode))
		}
		switch {
		case e.Err != nil:
			end = append(end, semconv.ErrorTypeKey.String(ErrorType(e.Err)))
			span.RecordError(e.Err)
			span.SetStatus(codes.Error, e.Err.Error())
		case e.StatusCode >= 400:
			// The semantic conventions: a 4xx or 5xx is an error of a
			// client span, its type the status code.
			end = append(end, semconv.ErrorTypeKey.String(strconv.Itoa(e.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
		span.SetAttributes(end...)
		o.httpDuration.Record(context.WithoutCancel(ctx), time.Since(start).Seconds(), metric.WithAttributes(append(attrs, end...)...))
		span.End()
	}
}

// StartBatch implements watch.Observer: a span for the batch, and its
// polls and changes counted.
func (o *Observer) StartBatch(ctx context.Context, b watch.Batch) (context.Context, func(watch.BatchEnd)) {
	attrs := accountAttrs(b.Tracker.Provider, b.Tracker.Account)
	ctx, span := o.tracer.Start(ctx, "ordertrack.watch.batch", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(append(attrs, RefsKey.Int(b.Refs))...))
	return ctx, func(e watch.BatchEnd) {
		mctx := context.WithoutCancel(ctx)
		if e.Answered > 0 {
			o.polls.Add(mctx, int64(e.Answered), metric.WithAttributes(append(attrs, OutcomeKey.String("answered"))...))
		}
		if e.Failing > 0 {
			o.polls.Add(mctx, int64(e.Failing), metric.WithAttributes(append(attrs, OutcomeKey.String("failed"))...))
		}
		kinds := map[status.ChangeKind]int64{}
		for _, c := range e.Changes {
			kinds[c.Kind]++
		}
		for k, n := range kinds {
			o.changes.Add(mctx, n, metric.WithAttributes(append(attrs, ChangeKindKey.String(k.String()))...))
		}
		span.SetAttributes(
			attribute.Int("ordertrack.answered", e.Answered),
			attribute.Int("ordertrack.failing", e.Failing),
			attribute.Int("ordertrack.unfollowed", e.Unfollowed),
			attribute.Int("ordertrack.changes", len(e.Changes)),
		)
		if e.Err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String(ErrorType(e.Err)))
			span.RecordError(e.Err)
			span.SetStatus(codes.Error, e.Err.Error())
		}
		span.End()
	}
}

// EndPass implements watch.Observer: the pass's duration.
func (o *Observer) EndPass(ctx context.Context, p watch.Pass) {
	attrs := accountAttrs(p.Tracker.Provider, p.Tracker.Account)
	if p.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(ErrorType(p.Err)))
	}
	o.passDuration.Record(context.WithoutCancel(ctx), p.Ended.Sub(p.Started).Seconds(), metric.WithAttributes(attrs...))
}

// ErrorType names err for the error.type attribute by what a caller
// branches on: "outcome_unknown", "rate_limited", then "canceled" and
// "timeout" for a context's end, then the first status sentinel it
// matches ("unauthorized", "not_found", "invalid_request",
// "malformed_response", "redirect", "unavailable"), else the error's
// type, as
// semconv.ErrorType names it ("*net.OpError").
func ErrorType(err error) string {
	switch {
	case errors.Is(err, status.ErrOutcomeUnknown):
		return "outcome_unknown"
	case errors.Is(err, status.ErrRateLimited):
		// Before the context's errors: a turn refused under the rate
		// limit matches context.DeadlineExceeded too.
		return "rate_limited"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, status.ErrUnauthorized):
		return "unauthorized"
	case errors.Is(err, status.ErrNotFound):
		return "not_found"
	case errors.Is(err, status.ErrInvalidRequest), errors.Is(err, status.ErrInvalidConfig):
		return "invalid_request"
	case errors.Is(err, status.ErrMalformedResponse):
		return "malformed_response"
	case errors.Is(err, status.ErrRedirect):
		return "redirect"
	case errors.Is(err, status.ErrUnavailable):
		return "unavailable"
	}
	return semconv.ErrorType(err).Value.AsString()
}
