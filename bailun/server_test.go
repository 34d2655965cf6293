package bailun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
)

// End-to-end tests against the bailuntest fake over loopback HTTP.

func setup(t *testing.T) (*bailuntest.Server, *bailun.Client) {
	t.Helper()
	srv := bailuntest.NewServer()
	t.Cleanup(srv.Close)
	c, err := bailun.New(srv.Config())
	require.NoError(t, err)
	return srv, c
}

func shipFailure(f status.BailunShipFailure) *status.BailunShipFailure { return &f }

func TestServerQueryOrderStatus(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	want := bailun.OrderStatusOutput{OriginOrderNo: "A1", OrderStatus: status.BailunOrderError, TrackingNo: bailun.NewString("T1"),
		LastUpdateTime: bailun.Time{Raw: "2024-03-01 10:00:00", Time: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), Valid: true},
		ShipFailedType: shipFailure(status.BailunShipBalanceEx)}
	srv.Put(want)
	got, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, want, *got)
	assert.Equal(t, 1, srv.TokenFetches())

	_, err = c.QueryOrderStatus(context.Background(), "nope")
	assert.ErrorIs(t, err, status.ErrNotFound)
	assert.Equal(t, 1, srv.TokenFetches(), "the token is cached")
}

func TestServerEmptyRefRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.QueryOrderStatus(context.Background(), "")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	_, err = c.Track(context.Background(), "A", "")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Zero(t, srv.Hits(""), "nothing was sent")
}

func TestServerRetries(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1", OrderStatus: status.BailunOrderShipped})
	srv.Inject(
		bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 503},
		bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 429, RetryAfter: "0"},
		bailuntest.Fault{Path: bailuntest.OrderStatusPath, Drop: true},
	)
	o, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, status.BailunOrderShipped, o.OrderStatus)
	assert.Equal(t, 4, srv.Hits(bailuntest.OrderStatusPath))
}

func TestServerGivesUpAfterRetries(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	for i := 0; i < 4; i++ {
		srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 502, Body: "<html>bad gateway</html>"})
	}
	_, err := c.QueryOrderStatus(context.Background(), "A1")
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 502, ae.HTTPStatus)
	assert.ErrorIs(t, err, status.ErrUnavailable)
	assert.Equal(t, "<html>bad gateway</html>", ae.Body)
}

func TestServerMalformedBodies(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]bailuntest.Fault{
		"html 200":    {Body: "<!DOCTYPE html><p>maintenance</p>"},
		"not json":    {Body: "OK"},
		"wrong shape": {Body: `{"result":"A1","code":10000}`},
		"no status":   {Body: `{"result":{"originOrderNo":"A1","trackingNo":null},"code":10000,"message":""}`},
		"no envelope": {Body: `{}`},
		"null":        {Body: `null`},
		"array":       {Body: `[]`},
		"error key":   {Body: `{"error":"internal"}`},
		"truncated":   {Truncate: true, Body: `{"result":{"originOrderNo":"A1"`},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t)
			f.Path = bailuntest.OrderStatusPath
			for i := 0; i < 4; i++ {
				srv.Inject(f)
			}
			_, err := c.QueryOrderStatus(context.Background(), "A1")
			assert.ErrorIs(t, err, status.ErrMalformedResponse)
		})
	}
}

// A field whose value does not fit its Go type never fails the record: it
// is kept verbatim, written back as it came, and its raw value reaches the
// snapshot.
func TestServerOddFieldsKeepTheRecord(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	body := `{"result":{"originOrderNo":"A1","orderStatus":"shipped","trackingNo":17,"lastUpdateTime":{"at":1},"shipFaildType":"abc","exceptionType":1.5},"message":"","code":10000}`
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Body: body})
	o, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, "A1", o.OriginOrderNo)
	assert.Equal(t, "17", o.TrackingNo.String, "a number where text was expected is kept as its text")
	assert.Equal(t, bailun.Unfit{"orderStatus": []byte(`"shipped"`), "lastUpdateTime": []byte(`{"at":1}`),
		"shipFaildType": []byte(`"abc"`), "exceptionType": []byte(`1.5`)}, o.Unfit)
	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.JSONEq(t, `{"originOrderNo":"A1","orderStatus":"shipped","trackingNo":17,"lastUpdateTime":{"at":1},"shipFaildType":"abc","exceptionType":1.5}`, string(b))

	s := o.Snapshot("A1")
	assert.Equal(t, status.Unknown, s.Stage)
	assert.Equal(t, []status.Code{{Provider: status.Bailun, Field: "orderStatus", Value: "shipped"},
		{Provider: status.Bailun, Field: "shipFaildType", Value: "abc"}, {Provider: status.Bailun, Field: "exceptionType", Value: "1.5"}}, s.Codes)
}

func TestServerTokenRefreshOn401(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1", OrderStatus: status.BailunOrderPackaged})
	_, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	srv.ExpireTokens()
	o, err := c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err, "a 401 fetches a new token once and repeats the call")
	assert.Equal(t, status.BailunOrderPackaged, o.OrderStatus)
	assert.Equal(t, 2, srv.TokenFetches())
	assert.Equal(t, 3, srv.Hits(bailuntest.OrderStatusPath))
}

func TestServerPersistent401FailsAfterOneRefresh(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	for i := 0; i < 3; i++ {
		srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 401, Body: `{"code":401,"message":"Unauthorized"}`})
	}
	_, err := c.QueryOrderStatus(context.Background(), "A1")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.Equal(t, 2, srv.Hits(bailuntest.OrderStatusPath), "one refresh, one repeat, no loop")
	assert.Equal(t, 2, srv.TokenFetches())
}

func TestServerStaticTokenIsNotRefreshed(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.AppID, cfg.AppKey, cfg.AccessToken = "", bailun.NewSecret(""), bailun.NewSecret("Bearer not-issued-by-the-fake")
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.Zero(t, srv.TokenFetches())
	assert.NotContains(t, err.Error(), "not-issued-by-the-fake")
}

func TestServerWrongCredentials(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.AppKey = bailun.NewSecret("wrong-app-key")
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-app-key")
}

func TestServerCamelCaseToken(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.CamelCase = true
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1", OrderStatus: status.BailunOrderShipped})
	c, err := bailun.New(srv.Config())
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
}

func TestServerTokenExpiryRefetches(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.TokenLifetime = time.Second // refreshed a tenth early: cached for 900ms
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1"})
	c, err := bailun.New(srv.Config())
	require.NoError(t, err)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	time.Sleep(950 * time.Millisecond)
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokenFetches(), "an expiring token is replaced before use")
	assert.Equal(t, 2, srv.Hits(bailuntest.OrderStatusPath), "without a 401 round trip")
}

func TestServerConcurrentCallersShareOneTokenFetch(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(bailuntest.Fault{Path: bailuntest.TokenPath, Delay: 50 * time.Millisecond})
	refs := make([]string, 40)
	for i := range refs {
		refs[i] = fmt.Sprintf("O%02d", i)
		srv.Put(bailun.OrderStatusOutput{OriginOrderNo: refs[i], OrderStatus: status.BailunOrderShipped})
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Track(context.Background(), refs...)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.TokenFetches())
}

func TestServerTrack(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	ex := status.BailunExNoValidWarehouse
	srv.Put(
		bailun.OrderStatusOutput{OriginOrderNo: "A1", OrderStatus: status.BailunOrderShipped, TrackingNo: bailun.NewString("YT1"),
			LastUpdateTime: bailun.Time{Raw: "2024-05-01 12:00:00", Valid: true}},
		bailun.OrderStatusOutput{OriginOrderNo: "A2", OrderStatus: status.BailunOrderUnpackaged, ExceptionType: &ex},
	)
	snaps, err := c.Track(context.Background(), "A2", "missing", "A1")
	require.NoError(t, err)
	require.Len(t, snaps, 3)
	assert.Equal(t, []string{"A2", "missing", "A1"}, []string{snaps[0].Ref, snaps[1].Ref, snaps[2].Ref}, "request order")
	assert.Equal(t, status.Processing, snaps[0].Stage)
	assert.Equal(t, []status.Problem{{Reason: status.ReasonWarehouse, Code: ex.Code()}}, snaps[0].Problems)
	assert.Equal(t, status.NotFound, snaps[1].Stage)
	assert.Equal(t, status.Shipped, snaps[2].Stage)
	assert.Equal(t, "YT1", snaps[2].TrackingNo)
	assert.Equal(t, "2024-05-01T12:00:00Z", snaps[2].UpdatedAt.Format(time.RFC3339))
}

// One ref's failure loses no other ref's answer: a Bailun 10010 (system
// error) for the first of five refs leaves it failed, and the four others
// are still asked and answered.
func TestServerTrackKeepsEveryRef(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	refs := []string{"A1", "A2", "A3", "A4", "A5"}
	for _, r := range refs {
		srv.Put(bailun.OrderStatusOutput{OriginOrderNo: r, OrderStatus: status.BailunOrderShipped})
	}
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Body: `{"result":null,"message":"系统错误","code":10010}`})
	cfg := srv.Config()
	cfg.Concurrency = 1
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), refs...)
	require.NoError(t, err)
	require.Len(t, snaps, 5)
	assert.Equal(t, 5, srv.Hits(bailuntest.OrderStatusPath), "every ref is asked")
	assert.Equal(t, "A1", snaps[0].Ref)
	assert.Equal(t, status.Unknown, snaps[0].Stage)
	assert.ErrorIs(t, snaps[0].Err, status.ErrUnavailable)
	var ae *status.APIError
	require.ErrorAs(t, snaps[0].Err, &ae)
	assert.Equal(t, "10010", ae.Code)
	assert.Equal(t, `bailun: ref "A1": GET /apiV2/bailunOrder/queryOrderStatus: HTTP 200: code 10010: 系统错误 (provider unavailable)`, snaps[0].Err.Error())
	for i, s := range snaps[1:] {
		assert.Equal(t, refs[i+1], s.Ref)
		assert.Equal(t, status.Shipped, s.Stage)
		assert.NoError(t, s.Err)
	}
	assert.ErrorIs(t, status.Errors(snaps), status.ErrUnavailable)

	// Refusals before sending: no snapshots, nothing sent.
	srv.ResetHits()
	for _, bad := range [][]string{{"A1", ""}, {"  "}, {"A1", "\t\n"}} {
		snaps, err = c.Track(context.Background(), bad...)
		assert.ErrorIs(t, err, status.ErrInvalidRequest)
		assert.Nil(t, snaps)
	}
	//lint:ignore SA1012 a nil context is what is being refused
	snaps, err = c.Track(nil, "A1") //nolint:staticcheck
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Nil(t, snaps)
	assert.Zero(t, srv.Hits(""))
}

func TestServerCancellation(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1"})
	_, err := c.QueryOrderStatus(context.Background(), "A1") // fetch the token first
	require.NoError(t, err)
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.QueryOrderStatus(ctx, "A1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 30*time.Second)

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	snaps, err := c.Track(ctx, "A1", "A2")
	require.NoError(t, err, "nothing was refused: the refs fail one by one")
	require.Len(t, snaps, 2)
	for _, s := range snaps {
		assert.True(t, errors.Is(s.Err, context.Canceled), "%v", s.Err)
		assert.Equal(t, status.Unknown, s.Stage)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1"})
	var logs bytes.Buffer
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 503})
	_, err = c.QueryOrderStatus(context.Background(), "A1")
	require.NoError(t, err)

	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logs.String()} {
		assert.NotContains(t, s, bailuntest.AppKey)
		assert.NotContains(t, s, "Bearer ")
	}
	assert.Contains(t, fmt.Sprint(cfg), bailuntest.AppID, "the app id is not a secret")
	assert.Contains(t, logs.String(), "ordertrack: attempt")
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []bailun.Config{
		{BaseURL: "http://x"},
		{BaseURL: "http://x", AppID: "a"},
		{BaseURL: "http://x", AppID: "a", AppKey: bailun.NewSecret("k"), AccessToken: bailun.NewSecret("t")},
		{AppID: "a", AppKey: bailun.NewSecret("k")},
		{BaseURL: "http://x", AccessToken: bailun.NewSecret("t"), Concurrency: -1},
	} {
		_, err := bailun.New(cfg)
		assert.ErrorIs(t, err, status.ErrInvalidConfig, "%v", cfg)
	}
	_, err := bailun.New(bailun.Config{BaseURL: bailun.TestBaseURL, AccessToken: bailun.NewSecret("t")})
	assert.ErrorIs(t, err, status.ErrInvalidConfig, "the test host is plain http")
	_, err = bailun.New(bailun.Config{BaseURL: bailun.TestBaseURL, AccessToken: bailun.NewSecret("t"), AllowInsecureHTTP: true})
	assert.NoError(t, err)
}

// A token outage is shared: 20 concurrent callers while the token endpoint
// answers 503 all fail within one fetch's retries (four attempts), instead
// of each re-running the retrying fetch in turn.
func TestServerTokenOutageIsShared(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.RetryWaitMin, cfg.RetryWaitMax = 100*time.Millisecond, 100*time.Millisecond
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	for i := 0; i < 8; i++ {
		srv.Inject(bailuntest.Fault{Path: bailuntest.TokenPath, Status: 503, Delay: 20 * time.Millisecond})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.QueryOrderStatus(ctx, "A1")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.ErrorIs(t, err, status.ErrUnavailable)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
	}
	assert.Equal(t, 4, srv.Hits(bailuntest.TokenPath), "one fetch: the first try and three retries")
	assert.Zero(t, srv.Hits(bailuntest.OrderStatusPath))

	// A Track of 64 refs (eight waves of Concurrency 8) during the same
	// outage costs one fetch too: the failure is held for the later waves.
	c, err = bailun.New(cfg)
	require.NoError(t, err)
	srv.ResetHits()
	for i := 0; i < 8; i++ {
		srv.Inject(bailuntest.Fault{Path: bailuntest.TokenPath, Status: 503})
	}
	refs := make([]string, 64)
	for i := range refs {
		refs[i] = fmt.Sprintf("R%d", i)
	}
	snaps, err := c.Track(context.Background(), refs...)
	require.NoError(t, err)
	for _, s := range snaps {
		assert.ErrorIs(t, s.Err, status.ErrUnavailable)
	}
	assert.Equal(t, 4, srv.Hits(bailuntest.TokenPath))
}

// A Fault without a Path hits the order endpoint, never the token endpoint.
func TestServerFaultWithoutPathSparesTheToken(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1"})
	srv.Inject(bailuntest.Fault{Status: 400, Body: `{"code":10001,"message":"参数错误","result":null}`})
	_, err := c.QueryOrderStatus(context.Background(), "A1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Equal(t, 1, srv.Hits(bailuntest.TokenPath), "the token was fetched untouched")
	assert.Equal(t, 1, srv.Hits(bailuntest.OrderStatusPath))
}

// One limiter per client paces every call and the token request too: 10
// lookups and the token fetch at 20 requests a second arrive over at least
// half a second.
func TestServerRateLimitCoversTheToken(t *testing.T) {
	t.Parallel()
	srv := bailuntest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.RateLimit, cfg.Burst = 20, 1
	c, err := bailun.New(cfg)
	require.NoError(t, err)
	refs := make([]string, 10)
	for i := range refs {
		refs[i] = fmt.Sprintf("R%d", i)
		srv.Put(bailun.OrderStatusOutput{OriginOrderNo: refs[i], OrderStatus: status.BailunOrderShipped})
	}
	start := time.Now()
	snaps, err := c.Track(context.Background(), refs...)
	require.NoError(t, err)
	require.NoError(t, status.Errors(snaps))
	assert.Equal(t, 11, srv.Hits(""))
	assert.GreaterOrEqual(t, time.Since(start), 10*time.Second/20-20*time.Millisecond)
}
