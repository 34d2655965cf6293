package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// serve runs the command on free ports and returns the control API's URL.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	up := make(chan string, 1)
	done := make(chan int, 1)
	var out bytes.Buffer
	go func() {
		done <- run(append([]string{"-control", "127.0.0.1:0", "-bailun", "127.0.0.1:0", "-reseller", "127.0.0.1:0",
			"-birdsystem", "127.0.0.1:0", "-flowery", "127.0.0.1:0"}, args...), &out, io.Discard,
			func(control string) context.Context { up <- control; return ctx })
	}()
	select {
	case c := <-up:
		t.Cleanup(func() { cancel(); <-done })
		return c
	case code := <-done:
		t.Fatalf("fakes exited %d: %s", code, out.String())
	}
	return ""
}

func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

// A service in another process drives the fakes through the control API:
// orders put and moved, an outage staged and healed, the request log read.
func TestControlAPI(t *testing.T) {
	control := serve(t)
	_, urls := call(t, "GET", control+"/", "")
	require.Len(t, urls, 4)
	bc := bailun.Config{BaseURL: urls["bailun"].(string), AppID: bailuntest.AppID, AppKey: bailun.NewSecret(bailuntest.AppKey), MaxRetries: -1}
	bl, err := bailun.New(bc)
	require.NoError(t, err)
	ctx := context.Background()

	code, m := call(t, "PUT", control+"/bailun/orders", `[{"originOrderNo":"ORD-1","orderStatus":3,"lastUpdateTime":"2024-06-03 09:00:00"}]`)
	require.Equal(t, 200, code, m)
	snaps, err := bl.Track(ctx, "ORD-1")
	require.NoError(t, err)
	assert.Equal(t, status.ReadyToShip, snaps[0].Stage)
	code, m = call(t, "POST", control+"/bailun/advance", `{"ref":"ORD-1","status":4,"at":"2024-06-03T10:30:00Z"}`)
	require.Equal(t, 200, code, m)
	snaps, err = bl.Track(ctx, "ORD-1")
	require.NoError(t, err)
	assert.Equal(t, status.Shipped, snaps[0].Stage)

	fc := flowery.Config{BaseURL: urls["flowery"].(string), AccountID: flowerytest.AccountID, Logistics: flowerytest.Logistics,
		SecretKey: flowery.NewSecret(flowerytest.SecretKey), MaxRetries: -1}
	fl, err := flowery.New(fc)
	require.NoError(t, err)
	code, _ = call(t, "POST", control+"/flowery/down", "")
	require.Equal(t, 200, code)
	snaps, err = fl.Track(ctx, "1000025")
	require.NoError(t, err)
	assert.ErrorIs(t, snaps[0].Err, status.ErrUnavailable, "down until healed")
	code, _ = call(t, "DELETE", control+"/flowery/faults", "")
	require.Equal(t, 200, code)
	snaps, err = fl.Track(ctx, "1000025")
	require.NoError(t, err)
	assert.NoError(t, snaps[0].Err)
	assert.Equal(t, status.NotFound, snaps[0].Stage)

	code, m = call(t, "POST", control+"/flowery/faults", `{"path":"/orders","delay":"50ms","times":1}`)
	require.Equal(t, 200, code, m)
	start := time.Now()
	_, err = fl.Track(ctx, "1000025")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "the latency staged")

	res, err := http.Get(control + "/bailun/requests")
	require.NoError(t, err)
	var reqs []struct{ Method, Path, Query string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&reqs))
	res.Body.Close()
	asked := 0
	for _, r := range reqs {
		if strings.Contains(r.Query, "ORD-1") {
			asked++
		}
	}
	assert.Equal(t, 2, asked, "the log says ORD-1 was asked twice")

	// The log is snake_case, as every control input, and says who asked.
	res, err = http.Get(control + "/bailun/requests")
	require.NoError(t, err)
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	for _, k := range []string{`"time":`, `"method":`, `"path":`, `"remote_addr":`, `"user_agent":`} {
		assert.Contains(t, string(raw), k)
	}
	assert.NotContains(t, string(raw), `"Method":`)

	// The new fault kinds are taken.
	for _, f := range []string{`{"location":"http://elsewhere.example/"}`, `{"header":{"X-Trace":"1"}}`, `{"trickle":"10ms"}`} {
		c, m := call(t, "POST", control+"/bailun/faults", f)
		assert.Equal(t, 200, c, "%s: %v", f, m)
	}
	c, _ := call(t, "DELETE", control+"/bailun/faults", "")
	assert.Equal(t, 200, c)
}

// A control request that names no such provider, order or fault, or
// sends what does not decode, gets a clear 4xx, and the fakes go on.
func TestControlRefusals(t *testing.T) {
	control := serve(t)
	for _, c := range []struct {
		method, path, body string
		code               int
		says               string
	}{
		{"POST", "/dhl/down", "", 404, `no fake "dhl"`},
		{"PUT", "/bailun/orders", `{"not":"a list"}`, 400, "a JSON list of orders"},
		{"PUT", "/flowery/orders", `[{"order_no":`, 400, "a JSON list of orders"},
		{"POST", "/bailun/advance", `{"ref":"NOPE","status":2}`, 404, `no order "NOPE"`},
		{"POST", "/bailun/advance", `{"ref":"X","status":"shipped"}`, 400, "a Bailun orderStatus number"},
		{"POST", "/reseller/advance", `{"ref":"X","status":30}`, 400, "sub: the sub-order"},
		{"POST", "/birdsystem/advance", `{"ref":"abc","status":"PICKING"}`, 400, "not a consignment id"},
		{"POST", "/bailun/advance", `{}`, 400, "needs a ref and a status"},
		{"POST", "/flowery/faults", `{"delay":"soon"}`, 400, `a duration such as "200ms"`},
		{"POST", "/flowery/faults", `{"status":42}`, 400, "an HTTP status"},
		{"POST", "/flowery/faults", `{"statsu":503}`, 400, `unknown field "statsu"`},
		{"POST", "/flowery/faults", `{"times":-7}`, 400, "times: a count"},
		{"GET", "/no/such/thing/here", "", 404, "no control GET"},
		{"PUT", "/bailun/orders", `[{"orderNo":"X"}]`, 400, "order 0 has no originOrderNo"},
		{"PUT", "/bailun/orders", `null`, 400, "not null"},
		{"POST", "/flowery/faults", `{"times":0} {"x":1}`, 400, "more after the JSON value"},
		{"POST", "/bailun/advance", `{"ref":"X","status":4,"extra":1}`, 400, `unknown field "extra"`},
		{"POST", "/bailun/faults", `null`, 400, "it does nothing"},
		{"POST", "/bailun/faults", `{}`, 400, "it does nothing"},
		{"POST", "/bailun/faults", `{"path":"/orders","times":3}`, 400, "it does nothing"},
		{"POST", "/bailun/faults", `{"trickle":"fast"}`, 400, `trickle: a duration`},
	} {
		code, m := call(t, c.method, control+c.path, c.body)
		assert.Equal(t, c.code, code, "%s %s", c.method, c.path)
		assert.Contains(t, m["error"], c.says, "%s %s %s", c.method, c.path, c.body)
	}
	code, _ := call(t, "GET", control+"/", "")
	assert.Equal(t, 200, code, "still serving")

	// A web page's request (it carries an Origin) is refused.
	req, err := http.NewRequest("POST", control+"/flowery/down", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "https://evil.example")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 403, res.StatusCode)
}

// With port 0 for each, -addrs writes the addresses bound, and each
// fake's credentials and time zone, for a program in any language; GET
// /config gives the same, and a client built from them works.
func TestAddrsFile(t *testing.T) {
	file := t.TempDir() + "/fakes.json"
	require.NoError(t, os.WriteFile(file, []byte("the last run's"), 0o644))
	control := serve(t, "-addrs", file)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var conn struct {
		Control string `json:"control"`
		Flowery struct {
			URL       string `json:"url"`
			AccountID string `json:"account_id"`
			Logistics string `json:"logistics"`
			SecretKey string `json:"secret_key"`
			TimeZone  string `json:"time_zone"`
		} `json:"flowery"`
	}
	require.NoError(t, json.Unmarshal(b, &conn))
	assert.Equal(t, control, conn.Control)
	assert.Equal(t, "Asia/Jakarta", conn.Flowery.TimeZone)
	loc, err := time.LoadLocation(conn.Flowery.TimeZone)
	require.NoError(t, err)
	c, err := flowery.New(flowery.Config{BaseURL: conn.Flowery.URL, AccountID: conn.Flowery.AccountID, Logistics: conn.Flowery.Logistics,
		SecretKey: flowery.NewSecret(conn.Flowery.SecretKey), Location: loc})
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), "NOPE-1")
	require.NoError(t, err)
	assert.Equal(t, status.NotFound, snaps[0].Stage, "the credentials work")

	code, m := call(t, "GET", control+"/config", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, control, m["control"])
	fl, _ := m["flowery"].(map[string]any)
	assert.Equal(t, conn.Flowery.URL, fl["url"])
}

// -env writes what each provider's ConfigFromEnv reads: a client built
// from it reaches its fake.
func TestEnvFile(t *testing.T) {
	file := t.TempDir() + "/fakes.env"
	serve(t, "-env", file, "-seed")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, value, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		require.True(t, strings.HasPrefix(value, "'") && strings.HasSuffix(value, "'"), "quoted for a shell: %s", line)
		t.Setenv(name, strings.Trim(value, "'"))
	}
	ctx := context.Background()
	trackers := map[status.Provider]func() (status.Tracker, error){
		status.Bailun: func() (status.Tracker, error) {
			cfg, err := bailun.ConfigFromEnv("")
			require.NoError(t, err)
			return bailun.New(cfg)
		},
		status.Reseller: func() (status.Tracker, error) {
			cfg, err := reseller.ConfigFromEnv("")
			require.NoError(t, err)
			return reseller.New(cfg)
		},
		status.BirdSystem: func() (status.Tracker, error) {
			cfg, err := birdsystem.ConfigFromEnv("")
			require.NoError(t, err)
			return birdsystem.New(cfg)
		},
		status.Flowery: func() (status.Tracker, error) {
			cfg, err := flowery.ConfigFromEnv("")
			require.NoError(t, err)
			return flowery.New(cfg)
		},
	}
	for p, mk := range trackers {
		tr, err := mk()
		require.NoError(t, err, p)
		snaps, err := tr.Track(ctx, "NOPE-404")
		require.NoError(t, err, p)
		require.NotEmpty(t, snaps, p)
		assert.NoError(t, snaps[0].Err, "%s: the credentials work", p)
	}
}

// POST /reseller/notify signs a notification and posts it, as the
// platform does: a NoticeHandler with the fake's secret takes it.
func TestNotify(t *testing.T) {
	control := serve(t)
	got := make(chan *reseller.Notice, 1)
	hook := httptest.NewServer(&reseller.NoticeHandler{
		Verifier: reseller.NoticeVerifier{Secret: reseller.NewSecret(resellertest.Secret), ResellerFlag: resellertest.ResellerFlag},
		OnNotice: func(_ *http.Request, n *reseller.Notice) error { got <- n; return nil },
	})
	defer hook.Close()
	code, m := call(t, "POST", control+"/reseller/notify", `{"url": "`+hook.URL+`", "ref": "R-1", "company_code": "yd", "express_no": "4333",
		"traces": [{"time": "2024-06-03 10:30:00", "context": "到达【杭州转运中心】"}]}`)
	require.Equal(t, 200, code, m)
	assert.Equal(t, float64(200), m["status"])
	n := <-got
	assert.Equal(t, "R-1", n.OutTradeNo)
	assert.Equal(t, "4333", n.ExpressNo)
	require.Len(t, n.Traces, 1)
	assert.Equal(t, "到达【杭州转运中心】", n.Traces[0].Context)

	code, _ = call(t, "POST", control+"/reseller/notify", `{"ref": "R-1"}`)
	assert.Equal(t, 400, code)
	code, _ = call(t, "POST", control+"/reseller/notify", `{"url": "http://127.0.0.1:1/x", "ref": "R-1", "express_no": "4"}`)
	assert.Equal(t, 502, code)
}
