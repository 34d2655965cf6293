package otelordertrack_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/otelordertrack"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// telemetry is an Observer reporting to in-memory exporters.
type telemetry struct {
	obs    *otelordertrack.Observer
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	obs, err := otelordertrack.New(
		otelordertrack.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))),
		otelordertrack.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
	)
	require.NoError(t, err)
	return &telemetry{obs: obs, spans: spans, reader: reader}
}

func (tm *telemetry) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tm.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, otelordertrack.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

func attrs(s attribute.Set) map[string]string {
	out := map[string]string{}
	for _, kv := range s.ToSlice() {
		out[string(kv.Key)] = kv.Value.String()
	}
	return out
}

func spanAttrs(s sdktrace.ReadOnlySpan) map[string]string {
	return attrs(attribute.NewSet(s.Attributes()...))
}

// A Watcher's pass over a Flowery account, traced: its batch, the Track
// call under it, and each HTTP request under that (the token's, the
// query's failed attempt and its retry), with the HTTP client semantic
// conventions; and measured: request durations, polls, changes by kind,
// the pass's duration, and the gauges read from the Store.
func TestWatcherPassTracedAndMeasured(t *testing.T) {
	tm := newTelemetry(t)
	srv := flowerytest.NewServer()
	defer srv.Close()
	srv.Put(
		flowery.OrderDetail{OrderNo: "1000025", OrderStatus: "已签收"},
		flowery.OrderDetail{OrderNo: "1000026", OrderStatus: "运输中"},
	)
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503})
	cfg := srv.Config()
	cfg.Observer = tm.obs
	c, err := flowery.New(cfg)
	require.NoError(t, err)

	w := watch.New(watch.Options{Observer: tm.obs})
	reg, err := tm.obs.ObserveWatcher(w)
	require.NoError(t, err)
	defer reg.Unregister()
	ctx := context.Background()
	id, err := w.Add(c, "jakarta")
	require.NoError(t, err)
	require.NoError(t, w.Follow(ctx, id, "1000025", "1000026", "NOPE-1"))
	var got []status.Change
	require.NoError(t, w.Poll(ctx, id, func(c status.Change) { got = append(got, c) }))
	require.Len(t, got, 3)

	// The spans, by name, and their tree.
	ended := tm.spans.Ended()
	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range ended {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	require.Len(t, byName["ordertrack.watch.batch"], 1)
	batch := byName["ordertrack.watch.batch"][0]
	require.Len(t, byName["flowery.Track"], 1)
	track := byName["flowery.Track"][0]
	assert.Equal(t, batch.SpanContext().SpanID(), track.Parent().SpanID(), "the call is under its batch")
	assert.Equal(t, map[string]string{"ordertrack.provider": "flowery", "ordertrack.account": "jakarta",
		"ordertrack.call": "Track", "ordertrack.refs": "3"}, spanAttrs(track))
	assert.Equal(t, map[string]string{"ordertrack.provider": "flowery", "ordertrack.account": "jakarta",
		"ordertrack.refs": "3", "ordertrack.answered": "3", "ordertrack.failing": "0",
		"ordertrack.unfollowed": "0", "ordertrack.changes": "3"}, spanAttrs(batch))

	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	queries := byName["POST "+flowerytest.OrdersPath]
	require.Len(t, queries, 2, "the 503 and its retry")
	for i, q := range queries {
		assert.Equal(t, trace.SpanKindClient, q.SpanKind())
		assert.Equal(t, track.SpanContext().SpanID(), q.Parent().SpanID(), "each attempt is under its call")
		want := map[string]string{"ordertrack.provider": "flowery", "ordertrack.account": "jakarta",
			"http.request.method": "POST", "url.template": flowerytest.OrdersPath,
			"server.address": host, "server.port": port, "http.response.status_code": "200"}
		if i == 0 {
			want["http.response.status_code"] = "503"
			want["error.type"] = "503"
			assert.Equal(t, codes.Error, q.Status().Code)
		} else {
			want["http.request.resend_count"] = strconv.Itoa(i)
		}
		assert.Equal(t, want, spanAttrs(q))
	}
	require.Len(t, byName["POST "+flowerytest.TokenPath], 1, "the token's request, under the same call")
	assert.Equal(t, track.SpanContext().SpanID(), byName["POST "+flowerytest.TokenPath][0].Parent().SpanID())

	// The metrics.
	m := tm.metrics(t)
	hd, ok := m["http.client.request.duration"].Data.(metricdata.Histogram[float64])
	require.True(t, ok)
	assert.Equal(t, "s", m["http.client.request.duration"].Unit)
	counts := map[string]uint64{}
	for _, dp := range hd.DataPoints {
		a := attrs(dp.Attributes)
		assert.Equal(t, "jakarta", a["ordertrack.account"])
		counts[a["url.template"]+" "+a["http.response.status_code"]] += dp.Count
	}
	assert.Equal(t, map[string]uint64{flowerytest.OrdersPath + " 503": 1, flowerytest.OrdersPath + " 200": 1, flowerytest.TokenPath + " 200": 1}, counts)

	polls := m["ordertrack.watch.polls"].Data.(metricdata.Sum[int64])
	require.Len(t, polls.DataPoints, 1)
	assert.Equal(t, int64(3), polls.DataPoints[0].Value)
	assert.Equal(t, "answered", attrs(polls.DataPoints[0].Attributes)["ordertrack.outcome"])
	changes := m["ordertrack.watch.changes"].Data.(metricdata.Sum[int64])
	require.Len(t, changes.DataPoints, 1)
	assert.Equal(t, int64(3), changes.DataPoints[0].Value)
	assert.Equal(t, "following", attrs(changes.DataPoints[0].Attributes)["ordertrack.change.kind"])
	pass := m["ordertrack.watch.pass.duration"].Data.(metricdata.Histogram[float64])
	require.Len(t, pass.DataPoints, 1)
	assert.Equal(t, uint64(1), pass.DataPoints[0].Count)

	gauge := func(name string) int64 {
		t.Helper()
		g := m[name].Data.(metricdata.Gauge[int64])
		require.Len(t, g.DataPoints, 1, name)
		assert.Equal(t, map[string]string{"ordertrack.provider": "flowery", "ordertrack.account": "jakarta"}, attrs(g.DataPoints[0].Attributes))
		return g.DataPoints[0].Value
	}
	assert.Equal(t, int64(3), gauge("ordertrack.watch.refs.followed"))
	assert.Equal(t, int64(0), gauge("ordertrack.watch.refs.due"))
	assert.Equal(t, int64(0), gauge("ordertrack.watch.outbox.pending"), "every change delivered")
	assert.Equal(t, int64(0), gauge("ordertrack.watch.failing"))
	assert.Equal(t, int64(1), gauge("ordertrack.watch.lease.held"))
}

// A call that fails is an error span with its error.type, measured with
// it; an attempt that never got an answer has no status code.
func TestFailedCall(t *testing.T) {
	tm := newTelemetry(t)
	srv := flowerytest.NewServer()
	defer srv.Close()
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Drop: true, Times: flowerytest.Forever})
	cfg := srv.Config()
	cfg.Observer = tm.obs
	cfg.MaxRetries = 1
	c, err := flowery.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
	require.ErrorIs(t, err, status.ErrUnavailable)

	var call sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range tm.spans.Ended() {
		switch s.Name() {
		case "flowery.QueryOrders":
			call = s
		case "POST " + flowerytest.OrdersPath:
			attempts = append(attempts, s)
		}
	}
	require.NotNil(t, call)
	assert.Equal(t, codes.Error, call.Status().Code)
	assert.Equal(t, "unavailable", spanAttrs(call)["error.type"])
	require.Len(t, attempts, 2)
	for _, a := range attempts {
		assert.Equal(t, codes.Error, a.Status().Code)
		assert.NotContains(t, spanAttrs(a), "http.response.status_code")
		assert.NotEmpty(t, spanAttrs(a)["error.type"])
	}
	m := tm.metrics(t)
	cd := m["ordertrack.client.call.duration"].Data.(metricdata.Histogram[float64])
	require.Len(t, cd.DataPoints, 1)
	assert.Equal(t, map[string]string{"ordertrack.provider": "flowery", "ordertrack.account": "", "ordertrack.call": "QueryOrders",
		"error.type": "unavailable"}, attrs(cd.DataPoints[0].Attributes))
}

func TestErrorType(t *testing.T) {
	for err, want := range map[error]string{
		status.ErrUnavailable:                                        "unavailable",
		&status.APIError{Err: status.ErrRateLimited}:                 "rate_limited",
		context.Canceled:                                             "canceled",
		errors.Join(status.ErrRateLimited, context.DeadlineExceeded): "rate_limited",
		status.ErrOutcomeUnknown:                                     "outcome_unknown",
		&net.OpError{Op: "dial"}:                                     "*net.OpError",
	} {
		assert.Equal(t, want, otelordertrack.ErrorType(err), "%v", err)
	}
}
