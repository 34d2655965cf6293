package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/status"
)

// Tests of the Watcher against loopback servers sending the exact answers
// of each case.

// answers is a loopback server whose answer the test sets between rounds.
type answers struct {
	mu   sync.Mutex
	body string
}

func (a *answers) set(body string) { a.mu.Lock(); a.body = body; a.mu.Unlock() }

func (a *answers) server(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if token != "" && strings.Contains(r.URL.Path, "token") {
			fmt.Fprint(w, token)
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		fmt.Fprint(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// follow returns a Watcher following refs through c, due each second
// of its clock, and a func that runs one pass a second later.
func follow(t *testing.T, c status.Tracker, refs ...string) func() []string {
	w, clk := newWatcher(Options{Schedule: Every{Interval: time.Second}})
	id, err := w.Add(c, "")
	require.NoError(t, err)
	require.NoError(t, w.Follow(context.Background(), id, refs...))
	return func() []string {
		got := poll(t, w, id)
		clk.Add(time.Second)
		return got
	}
}

// A reseller order of two sub-orders not found (for MissesToNotFound
// rounds), then found again: the absence is each sub-order's, and the
// return is no news but the stage (never every tracking number and event
// again).
func TestWatcherSubOrdersNotFoundAndBack(t *testing.T) {
	found := `{"code":0,"message":"成功","data":{"thirdOrderNo":"T1","unionOrderNo":"U1","subOrderList":[` +
		`{"orderNo":"S1","orderStatus":30,"orderExpress":{"expressNumber":"SF1","expressCompanyName":"顺丰",` +
		`"traces":[{"time":"2024-04-03 09:15:00","context":"快件已发车","status":"","city":"杭州市"}]}},` +
		`{"orderNo":"S2","orderStatus":20,"orderExpress":null}]}}`
	var a answers
	a.set(found)
	srv := a.server(t, "")
	c, err := reseller.New(reseller.Config{BaseURL: srv.URL, ResellerID: 1, Secret: reseller.NewSecret("s"), MaxRetries: -1})
	require.NoError(t, err)
	round := follow(t, c, "T1")
	round() // the first look

	a.set(`{"code":6010002,"message":"订单查询失败","data":null}`)
	for range MissesToNotFound - 1 {
		require.Empty(t, round())
	}
	assert.Equal(t, []string{"reseller T1 (S1) shipped -> not_found", "reseller T1 (S2) ready_to_ship -> not_found"}, round())

	a.set(found)
	assert.Equal(t, []string{"reseller T1 (S1) not_found -> shipped", "reseller T1 (S2) not_found -> ready_to_ship"}, round(),
		"no tracking number, event or sub-order reported again")
	assert.Empty(t, round())
}

// A Bailun order in exception, then not found, then the same answer: the
// problem stands throughout; only the stage moves.
func TestWatcherProblemKeptThroughNotFound(t *testing.T) {
	exception := `{"result":{"originOrderNo":"A1","orderStatus":3,"shipFaildType":4,"trackingNo":"","lastUpdateTime":"2024-06-03 10:00:00"},"message":"","code":10000}`
	var a answers
	a.set(exception)
	srv := a.server(t, `{"accessToken":"tok","expiresIn":3600,"statusCode":200}`)
	c, err := bailun.New(bailun.Config{BaseURL: srv.URL, AppID: "a", AppKey: bailun.NewSecret("k-123456"), MaxRetries: -1})
	require.NoError(t, err)
	round := follow(t, c, "A1")
	first := round()
	require.NotEmpty(t, first)

	a.set(`{"result":null,"message":"订单不存在","code":10002}`)
	for range MissesToNotFound - 1 {
		require.Empty(t, round())
	}
	got := round()
	require.Len(t, got, 1, "%q", got)
	assert.Contains(t, got[0], "-> not_found")

	a.set(exception)
	got = round()
	require.Len(t, got, 1, "%q", got)
	assert.Contains(t, got[0], "not_found ->")
	assert.NotContains(t, strings.Join(got, "\n"), "problem")
}

// An answer that gives one event twice makes one NewEvent, and a change
// has the same id each time it is made.
func TestWatcherRepeatedEventOnce(t *testing.T) {
	body := `{"code":0,"message":"成功","data":{"thirdOrderNo":"T1","subOrderList":[{"orderNo":"S1","orderStatus":30,"orderExpress":{"expressNumber":"SF1","traces":[` +
		`{"time":"2024-04-03 09:15:00","context":"快件已发车","status":"","city":"杭州市"},` +
		`{"time":"2024-04-03 09:15:00","context":"快件已发车","status":"","city":"杭州市"}]}}]}}`
	var a answers
	a.set(body)
	srv := a.server(t, "")
	c, err := reseller.New(reseller.Config{BaseURL: srv.URL, ResellerID: 1, Secret: reseller.NewSecret("s"), MaxRetries: -1})
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), "T1")
	require.NoError(t, err)
	changes := status.Diff(status.Snapshot{Provider: status.Reseller, Ref: "T1", OrderNo: "S1"}, snaps[0])
	events := 0
	for _, ch := range changes {
		if ch.Kind == status.NewEvent {
			events++
		}
	}
	assert.Equal(t, 1, events)
	again := status.Diff(status.Snapshot{Provider: status.Reseller, Ref: "T1", OrderNo: "S1"}, snaps[0])
	for i := range changes {
		assert.NotEmpty(t, changes[i].ID)
		assert.Equal(t, changes[i].ID, again[i].ID, "the same change, the same id")
	}
	assert.NotEqual(t, changes[0].ID, changes[1].ID)

	// Change JSON has from and to only where the kind has them.
	for _, ch := range changes {
		b, err := json.Marshal(ch)
		require.NoError(t, err)
		if ch.Kind == status.StageChanged {
			assert.Contains(t, string(b), `"from":`)
		} else {
			assert.NotContains(t, string(b), `"from":`, string(b))
			assert.NotContains(t, string(b), `"to":`, string(b))
		}
	}
}
