package flowery_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// End-to-end tests against the flowerytest fake over loopback HTTP.

func setup(t *testing.T, mod ...func(*flowery.Config)) (*flowerytest.Server, *flowery.Client) {
	t.Helper()
	srv := flowerytest.NewServer()
	t.Cleanup(srv.Close)
	cfg := srv.Config()
	for _, m := range mod {
		m(&cfg)
	}
	c, err := flowery.New(cfg)
	require.NoError(t, err)
	return srv, c
}

func order(no string, st status.FloweryStatus) flowery.OrderDetail {
	return flowery.OrderDetail{OrderNo: no, ExpressNo: "CGK" + no, OrderStatus: st, GoodsStatus: st,
		GoodsStatusTime: flowery.NewTime(time.Date(2024, 8, 1, 3, 0, 0, 0, time.UTC)), GoodsNameEN: "shirt_1"}
}

func TestServerBatchingAndMergeOrder(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(c *flowery.Config) { c.BatchSize = 3 })
	var refs []string
	for i := 0; i < 10; i++ {
		no := strconv.Itoa(1000 + i)
		refs = append(refs, no)
		if i%4 != 1 {
			srv.Put(order(no, status.FloweryInTransit))
		}
	}
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, refs...)
	require.NoError(t, err)
	assert.Equal(t, []string{"1001", "1005", "1009"}, res.NotFound)
	var got []string
	for _, o := range res.Orders {
		got = append(got, o.OrderNo)
	}
	assert.Equal(t, []string{"1000", "1002", "1003", "1004", "1006", "1007", "1008"}, got, "request order across batches")
	assert.ElementsMatch(t, []int{3, 3, 3, 1}, srv.Batches())
	assert.Equal(t, 1, srv.Registrations(), "batches share one token")
}

func TestServerRepeatedRefsAskedOnce(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(order("1", status.FlowerySigned))
	snaps, err := c.Track(context.Background(), "1", "2", "1")
	require.NoError(t, err)
	require.Len(t, snaps, 3)
	assert.Equal(t, status.Delivered, snaps[0].Stage)
	assert.Equal(t, status.NotFound, snaps[1].Stage)
	assert.Equal(t, status.Delivered, snaps[2].Stage)
	assert.Equal(t, []int{2}, srv.Batches())

	// The two snapshots of "1" are equal, and share nothing.
	assert.Equal(t, snaps[0], snaps[2])
	require.NotEmpty(t, snaps[0].Codes)
	snaps[0].Codes[0].Value = "changed"
	assert.NotEqual(t, "changed", snaps[2].Codes[0].Value)
}

func TestServerBadRefsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	for _, refs := range [][]string{{"1", ""}, {"1,2"}, {" "}} {
		_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, refs...)
		assert.ErrorIs(t, err, status.ErrInvalidRequest, "%q", refs)
		_, err = c.Track(context.Background(), refs...)
		assert.ErrorIs(t, err, status.ErrInvalidRequest)
	}
	_, err := c.QueryOrders(context.Background(), "3", "1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Zero(t, srv.Hits(""), "nothing was sent, not even a token request")
}

func TestServerSuccessSpellings(t *testing.T) {
	t.Parallel()
	for _, style := range []string{flowerytest.SuccessCode, flowerytest.SuccessStatus, flowerytest.SuccessTrue} {
		srv, c := setup(t)
		srv.SuccessStyle = style
		srv.Put(order("1", status.FloweryReturned))
		res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
		require.NoError(t, err, style)
		assert.Len(t, res.Orders, 1)
	}
}

func TestServerDocumentedFailure(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Body: flowerytest.DocumentedFailure})
	_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "错误原因", ae.Message)
}

func TestServerTokenReRegistration(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(order("1", status.FloweryReturned))
	_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	require.NoError(t, err)
	srv.RevokeTokens()
	_, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	require.NoError(t, err, "a rejected token is registered again once, and the call repeated")
	assert.Equal(t, 2, srv.Registrations())
	assert.Equal(t, 3, srv.Hits(flowerytest.OrdersPath))
}

func TestServerWrongSecretKey(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(c *flowery.Config) { c.SecretKey = flowery.NewSecret("not-the-secret-key") })
	_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.ErrorContains(t, err, "secret_key error")
	assert.NotContains(t, err.Error(), "not-the-secret-key")
	assert.Zero(t, srv.Hits(flowerytest.OrdersPath))
}

func TestServerConcurrentCallersShareOneRegistration(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(flowerytest.Fault{Path: flowerytest.TokenPath, Delay: 50 * time.Millisecond})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Track(context.Background(), "1", "2")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.Registrations())
}

func TestServerRetries(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(order("1", status.FloweryReturned))
	srv.Inject(
		flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 502, Body: "<html>bad gateway</html>"},
		flowerytest.Fault{Path: flowerytest.OrdersPath, Drop: true},
		flowerytest.Fault{Path: flowerytest.OrdersPath, Truncate: true},
	)
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	require.NoError(t, err)
	assert.Len(t, res.Orders, 1)
	assert.Equal(t, 4, srv.Hits(flowerytest.OrdersPath))
}

func TestServerFailures(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault    flowerytest.Fault
		sentinel error
	}{
		"503":                     {flowerytest.Fault{Status: 503}, status.ErrUnavailable},
		"html 200":                {flowerytest.Fault{Body: "<html>maintenance</html>"}, status.ErrMalformedResponse},
		"oversize-ish truncation": {flowerytest.Fault{Truncate: true, Body: `{"code":"success","orders_detail":[`}, status.ErrMalformedResponse},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t)
			tc.fault.Path = flowerytest.OrdersPath
			for i := 0; i < 4; i++ {
				srv.Inject(tc.fault)
			}
			_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
			assert.ErrorIs(t, err, tc.sentinel)
		})
	}
}

func TestServerTrackingDetail(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(order("1", status.FloweryLastMileDelivery))
	srv.PutScans("1", flowery.Scan{Date: flowery.Time{Raw: "05-01-2016 10:41", Valid: true}, Desc: "Paket diterima"})
	res, err := c.TrackingDetail(context.Background(), flowery.ByExpressNo, "CGK1", "CGK2")
	require.NoError(t, err)
	assert.Equal(t, []string{"CGK2"}, res.NotFound)
	require.Len(t, res.Details, 1)
	require.Len(t, res.Details[0].ScanList.Scans, 1)
	assert.Equal(t, "Paket diterima", res.Details[0].ScanList.Scans[0].Desc)
	assert.Equal(t, 2016, res.Details[0].ScanList.Scans[0].Date.Time.Year())
}

func TestServerCancellation(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.QueryOrders(ctx, flowery.ByOrderNo, "1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := flowerytest.NewServer()
	defer srv.Close()
	var logs bytes.Buffer
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := flowery.New(cfg)
	require.NoError(t, err)
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503})
	_, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	require.NoError(t, err)
	static := cfg
	static.SecretKey, static.Token = flowery.NewSecret(""), flowery.NewSecret("static-token-value-123")
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(c), fmt.Sprintf("%+v", c),
		fmt.Sprint(static), logs.String()} {
		assert.NotContains(t, s, flowerytest.SecretKey)
		assert.NotContains(t, s, "static-token-value-123")
	}
	assert.NotContains(t, logs.String(), "headers", "headers are never logged")
	assert.Contains(t, logs.String(), `"msg":"ordertrack: retry","provider":"flowery","method":"POST","endpoint":"/orders","status":503,"attempt":2`)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []flowery.Config{
		{Logistics: "B", Token: flowery.NewSecret("t")},
		{AccountID: "A", Token: flowery.NewSecret("t")},
		{AccountID: "A", Logistics: "B"},
		{AccountID: "A", Logistics: "B", Token: flowery.NewSecret("t"), BatchSize: -1},
		{AccountID: "A", Logistics: "B", Token: flowery.NewSecret("t"), Concurrency: -1},
	} {
		_, err := flowery.New(cfg)
		assert.ErrorIs(t, err, status.ErrInvalidConfig, "%v", cfg)
	}
}

func TestServerTrackInAnotherZone(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(c *flowery.Config) { c.Location = time.UTC })
	srv.Put(flowery.OrderDetail{OrderNo: "1", GoodsStatusTime: flowery.Time{Raw: "2019-6-25 18:56:03", Valid: true}})
	snaps, err := c.Track(context.Background(), "1")
	require.NoError(t, err)
	assert.Equal(t, "2019-06-25T18:56:03Z", snaps[0].UpdatedAt.Format(time.RFC3339))
}

// A batch that fails marks just its own numbers: with batches of two and
// the second batch answered 503 on every try, its two numbers fail and the
// other batches keep their answers, in request order.
func TestServerTrackFailedBatchMarksOnlyItsRefs(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(c *flowery.Config) { c.BatchSize = 2; c.Concurrency = 1 })
	refs := []string{"1000", "1001", "1002", "1003", "1004"}
	for _, no := range refs {
		srv.Put(order(no, status.FloweryInTransit))
	}
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Delay: time.Nanosecond}) // batch 1 served
	for i := 0; i < 4; i++ {
		srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503, Body: "<html>503</html>"})
	}
	snaps, err := c.Track(context.Background(), refs...)
	require.NoError(t, err)
	require.Len(t, snaps, 5)
	for i, s := range snaps {
		assert.Equal(t, refs[i], s.Ref)
		if i == 2 || i == 3 {
			assert.ErrorIs(t, s.Err, status.ErrUnavailable, s.Ref)
			assert.Equal(t, status.Unknown, s.Stage)
			assert.Equal(t, fmt.Sprintf(`flowery: ref %q: POST /orders: HTTP 503 (provider unavailable)`, s.Ref), s.Err.Error(), "provider and endpoint once")
			continue
		}
		assert.NoError(t, s.Err, s.Ref)
		assert.Equal(t, status.Shipped, s.Stage, s.Ref)
	}
}

// status.TrackAll with Flowery down keeps Bailun-like answers of the other
// queries: here a second Flowery client that works.
func TestServerTrackAllKeepsOtherProviders(t *testing.T) {
	t.Parallel()
	down, cd := setup(t)
	up, cu := setup(t)
	up.Put(order("2000", status.FloweryInTransit))
	for i := 0; i < 4; i++ {
		down.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503})
	}
	snaps := status.TrackAll(context.Background(),
		status.Query{Tracker: cu, Refs: []string{"2000"}},
		status.Query{Tracker: cd, Refs: []string{"1000", "1001"}},
	)
	require.Len(t, snaps, 3)
	assert.Equal(t, status.Shipped, snaps[0].Stage)
	assert.ErrorIs(t, snaps[1].Err, status.ErrUnavailable)
	assert.ErrorIs(t, snaps[2].Err, status.ErrUnavailable)
	assert.ErrorIs(t, status.Errors(snaps), status.ErrUnavailable)
}

// Track by waybill: Ref is the waybill asked about, OrderNo and TrackingNo
// both filled.
func TestServerTrackByExpressNo(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(c *flowery.Config) { c.TrackBy = flowery.ByExpressNo })
	srv.Put(order("1000", status.FloweryInTransit))
	snaps, err := c.Track(context.Background(), "CGK1000", "CGK404")
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.Equal(t, "CGK1000", snaps[0].Ref)
	assert.Equal(t, "1000", snaps[0].OrderNo)
	assert.Equal(t, "CGK1000", snaps[0].TrackingNo)
	assert.Equal(t, status.NotFound, snaps[1].Stage)

	_, err = flowery.New(flowery.Config{AccountID: "a", Logistics: "l", Token: flowery.NewSecret("t"), TrackBy: "3"})
	assert.Error(t, err)
}

// With TrackEvents, each order's scans become its snapshot's events,
// oldest first; a failed tracking-detail batch leaves the stage and sets
// Err.
func TestServerTrackEvents(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(c *flowery.Config) { c.TrackEvents = true })
	srv.Put(order("1000", status.FloweryInTransit), order("1001", status.FloweryInTransit))
	srv.PutScans("1000",
		flowery.Scan{Date: flowery.Time{Raw: "06-01-2016 09:00", Valid: true}, Desc: "运输中"},
		flowery.Scan{Date: flowery.Time{Raw: "05-01-2016 10:41", Valid: true}, Desc: "收件"})
	snaps, err := c.Track(context.Background(), "1000", "404")
	require.NoError(t, err)
	require.Len(t, snaps[0].Events, 2)
	assert.Equal(t, "收件", snaps[0].Events[0].Description, "oldest first")
	assert.Equal(t, "05-01-2016 10:41", snaps[0].Events[0].RawTime)
	assert.Equal(t, "2016-01-05T03:41:00Z", snaps[0].Events[0].Time.Format(time.RFC3339), "WIB, in UTC")
	assert.Empty(t, snaps[1].Events)
	assert.Equal(t, 1, srv.Hits(flowerytest.TrackingDetailPath))

	for i := 0; i < 4; i++ {
		srv.Inject(flowerytest.Fault{Path: flowerytest.TrackingDetailPath, Status: 503})
	}
	snaps, err = c.Track(context.Background(), "1000")
	require.NoError(t, err)
	assert.Equal(t, status.Shipped, snaps[0].Stage, "the stage stays")
	assert.ErrorIs(t, snaps[0].Err, status.ErrUnavailable)
	assert.Equal(t, `flowery: ref "1000": events: POST /logistics/api/orders_tracking_detail/list: HTTP 503 (provider unavailable)`, snaps[0].Err.Error())
}
