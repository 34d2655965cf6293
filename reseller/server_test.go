package reseller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// End-to-end tests against the resellertest fake over loopback HTTP; the
// fake checks every envelope's signature.

func setup(t *testing.T) (*resellertest.Server, *reseller.Client) {
	t.Helper()
	srv := resellertest.NewServer()
	t.Cleanup(srv.Close)
	c, err := reseller.New(srv.Config())
	require.NoError(t, err)
	return srv, c
}

func sampleOrder(third string, statuses ...status.ResellerOrderStatus) reseller.Order {
	o := reseller.Order{OutUserID: "u1", UnionOrderNo: "U-" + third, ThirdOrderNo: third}
	for i, st := range statuses {
		sub := reseller.SubOrder{OrderNo: fmt.Sprintf("S-%s-%d", third, i), OrderStatus: st,
			Address: &reseller.Address{Name: "张三", City: "杭州市"},
			SKUs:    []reseller.SKU{{CustomizeNo: "c", ResellerSKUID: int64(i + 1), Count: 1}}}
		if st == status.ResellerAwaitingReceipt || st == status.ResellerCompleted {
			sub.OrderExpress = &reseller.OrderExpress{ExpressNumber: "YD" + third, ExpressCompanyName: "韵达快递", ExpressCompany: "yd",
				Traces: []reseller.Trace{{Time: reseller.NewTime(time.Date(2024, 7, 1, 2, 0, 0, 0, time.UTC)), Context: "已揽收"}}}
		}
		o.SubOrderList = append(o.SubOrderList, sub)
	}
	return o
}

func TestServerQueryOrder(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	want := sampleOrder("T-1", status.ResellerAwaitingReceipt, status.ResellerInProduction)
	srv.Put(want)
	got, err := c.QueryOrder(context.Background(), "T-1")
	require.NoError(t, err)
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	assert.JSONEq(t, string(wantJSON), string(gotJSON))

	_, err = c.QueryOrder(context.Background(), "nope")
	assert.ErrorIs(t, err, status.ErrNotFound)
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "6010002", ae.Code)
}

func TestServerSignatureIsChecked(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	srv.Put(sampleOrder("T-1", status.ResellerCompleted))
	cfg := srv.Config()
	cfg.Secret = reseller.NewSecret("wrong-secret-value")
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrder(context.Background(), "T-1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.ErrorContains(t, err, "bad sign")
	assert.NotContains(t, err.Error(), "wrong-secret-value")

	// Both sides may agree on another algorithm.
	srv2 := resellertest.NewServer()
	defer srv2.Close()
	srv2.Signer = reseller.HMACSHA256Signer
	srv2.Put(sampleOrder("T-2", status.ResellerCompleted))
	c2, err := reseller.New(srv2.Config())
	require.NoError(t, err)
	_, err = c2.QueryOrder(context.Background(), "T-2")
	require.NoError(t, err)
	var env struct{ Sign string }
	require.NoError(t, json.Unmarshal(srv2.LastRequest(), &env))
	assert.Len(t, env.Sign, 64, "HMAC-SHA256 hex")
}

func TestServerStaleTimestampRefused(t *testing.T) {
	t.Parallel()
	srv := resellertest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrder(context.Background(), "T-1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.ErrorContains(t, err, "timestamp")
}

func TestServerEmptyRefRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.QueryOrder(context.Background(), "")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	_, err = c.Track(context.Background(), "T-1", "")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Zero(t, srv.Hits(""))
}

func TestServerRetriesTheReadOnlyPost(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(sampleOrder("T-1", status.ResellerCompleted))
	srv.Inject(resellertest.Fault{Status: 503}, resellertest.Fault{Drop: true}, resellertest.Fault{Truncate: true})
	o, err := c.QueryOrder(context.Background(), "T-1")
	require.NoError(t, err)
	assert.Equal(t, "T-1", o.ThirdOrderNo)
	assert.Equal(t, 4, srv.Hits(resellertest.OrderQueryPath))
}

func TestServerFailures(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault    resellertest.Fault
		sentinel error
	}{
		"502 html":  {resellertest.Fault{Status: 502, Body: "<html>bad gateway</html>"}, status.ErrUnavailable},
		"429":       {resellertest.Fault{Status: 429, RetryAfter: "0"}, status.ErrRateLimited},
		"200 html":  {resellertest.Fault{Body: "<!DOCTYPE html>"}, status.ErrMalformedResponse},
		"truncated": {resellertest.Fault{Truncate: true, Body: `{"code":0,"data":{`}, status.ErrMalformedResponse},
		"403":       {resellertest.Fault{Status: 403, Body: `{"code":4030000,"message":"forbidden"}`}, status.ErrUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t)
			for i := 0; i < 4; i++ {
				srv.Inject(tc.fault)
			}
			_, err := c.QueryOrder(context.Background(), "T-1")
			assert.ErrorIs(t, err, tc.sentinel)
		})
	}
}

func TestServerTrack(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(sampleOrder("T-1", status.ResellerAwaitingReceipt, status.ResellerCannotProduce), sampleOrder("T-3", status.ResellerRefunded))
	snaps, err := c.Track(context.Background(), "T-3", "T-404", "T-1")
	require.NoError(t, err)
	require.Len(t, snaps, 4)
	got := make([]string, len(snaps))
	for i, s := range snaps {
		got[i] = s.Ref + "/" + s.OrderNo + "/" + s.Stage.String()
	}
	assert.Equal(t, []string{"T-3/S-T-3-0/refunded", "T-404//not_found", "T-1/S-T-1-0/shipped", "T-1/S-T-1-1/exception"}, got)
	assert.Equal(t, "YDT-1", snaps[2].TrackingNo)
	assert.Equal(t, "韵达快递", snaps[2].Carrier)
	assert.Equal(t, time.Date(2024, 7, 1, 2, 0, 0, 0, time.UTC), snaps[2].UpdatedAt)
}

func TestServerTrackFailureIsPerRef(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	cfg := srv.Config()
	cfg.Concurrency = 1
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		srv.Inject(resellertest.Fault{Status: 500})
	}
	srv.Put(reseller.Order{ThirdOrderNo: "T-1", SubOrderList: []reseller.SubOrder{{OrderNo: "S-1", OrderStatus: status.ResellerAwaitingReceipt}}})
	snaps, err := c.Track(context.Background(), "T-BAD", "T-1")
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	require.Len(t, snaps, 2)
	assert.ErrorIs(t, snaps[0].Err, status.ErrUnavailable)
	assert.Equal(t, `reseller: ref "T-BAD": POST /open/order/query: HTTP 500 (provider unavailable)`, snaps[0].Err.Error())
	assert.Equal(t, status.Shipped, snaps[1].Stage, "the other ref is still answered")
}

func TestServerCancellation(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(resellertest.Fault{Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.QueryOrder(ctx, "T-1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 30*time.Second)
}

// A context cancelled midway keeps the answers already in and fails the
// rest with the context's error.
func TestServerTrackCancelledMidway(t *testing.T) {
	t.Parallel()
	srv := resellertest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.Concurrency = 1
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	srv.Put(reseller.Order{ThirdOrderNo: "T-1", SubOrderList: []reseller.SubOrder{{OrderNo: "S-1", OrderStatus: status.ResellerAwaitingReceipt}}})
	// The first request is served at once, the second hangs.
	srv.Inject(resellertest.Fault{Delay: time.Nanosecond}, resellertest.Fault{Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Hits("") < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	snaps, err := c.Track(ctx, "T-1", "T-2", "T-3")
	require.NoError(t, err)
	require.Len(t, snaps, 3)
	assert.Equal(t, status.Shipped, snaps[0].Stage)
	assert.NoError(t, snaps[0].Err)
	for _, s := range snaps[1:] {
		assert.ErrorIs(t, s.Err, context.Canceled, s.Ref)
		assert.Equal(t, status.Unknown, s.Stage)
	}
	assert.Equal(t, 2, srv.Hits(""), "T-3 was never sent")
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := resellertest.NewServer()
	defer srv.Close()
	var logs bytes.Buffer
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := reseller.New(cfg)
	require.NoError(t, err)
	srv.Inject(resellertest.Fault{Status: 503})
	_, _ = c.QueryOrder(context.Background(), "T-1")
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(c), fmt.Sprintf("%+v", c), logs.String()} {
		assert.NotContains(t, s, resellertest.Secret)
	}
	assert.Contains(t, logs.String(), "ordertrack: attempt")
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []reseller.Config{
		{Secret: reseller.NewSecret("s")},
		{ResellerID: 1},
		{ResellerID: 1, Secret: reseller.NewSecret("s"), Version: -1},
		{ResellerID: 1, Secret: reseller.NewSecret("s"), Concurrency: -1},
		{ResellerID: 1, Secret: reseller.NewSecret("s"), BaseURL: "not a url"},
	} {
		_, err := reseller.New(cfg)
		assert.ErrorIs(t, err, status.ErrInvalidConfig, "%v", cfg)
	}
	_, err := reseller.New(reseller.Config{ResellerID: 1, Secret: reseller.NewSecret("s")})
	assert.NoError(t, err, "the default host and signer")
}
