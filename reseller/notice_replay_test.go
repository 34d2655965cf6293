package reseller_test

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/reseller"
)

// postForm posts fields to url and returns the status.
func postForm(t *testing.T, to string, fields map[string]string) int {
	t.Helper()
	q := url.Values{}
	for k, v := range fields {
		q.Set(k, v)
	}
	res, err := http.PostForm(to, q)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// A copy that arrives while the first is still in OnNotice is not answered
// success before the first is taken: the first fails, and the copy is then
// the one taken (or told to come again), so the notification is never
// answered 200 and lost.
func TestNoticeRetryWhileTheFirstIsInOnNotice(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var mu sync.Mutex
	calls, taken := 0, 0
	h := &reseller.NoticeHandler{Verifier: verifier(), OnNotice: func(*http.Request, *reseller.Notice) error {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			close(entered)
			<-release
			return errors.New("db down") // the first copy fails
		}
		mu.Lock()
		taken++
		mu.Unlock()
		return nil
	}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	one := signed(vector())
	first := make(chan int)
	go func() { first <- postForm(t, srv.URL, one) }()
	<-entered
	second := make(chan int)
	go func() { second <- postForm(t, srv.URL, one) }()
	select {
	case code := <-second:
		// Answered before the first was taken: only a status that makes the
		// platform send it again will do.
		assert.NotEqual(t, 200, code, "a copy answered success while the first was still being taken")
		close(release)
		assert.Equal(t, 500, <-first)
	case <-time.After(time.Second):
		// It waits for the first: then it is taken itself.
		close(release)
		assert.Equal(t, 500, <-first)
		assert.Equal(t, 200, <-second)
		mu.Lock()
		assert.Equal(t, 1, taken, "the copy was taken")
		mu.Unlock()
	}
}

// A panic in OnNotice reaches net/http (the user's recovery), and leaves
// the notification not taken: its retry is taken, not answered as a
// replay.
func TestNoticePanicLeavesItNotTaken(t *testing.T) {
	var mu sync.Mutex
	panics, taken := 1, 0
	h := &reseller.NoticeHandler{Verifier: verifier(), OnNotice: func(*http.Request, *reseller.Notice) error {
		mu.Lock()
		defer mu.Unlock()
		if panics > 0 {
			panics--
			panic("a bug in the consumer")
		}
		taken++
		return nil
	}}
	one := signed(vector())
	func() {
		defer func() { assert.Equal(t, "a bug in the consumer", recover()) }()
		h.ServeHTTP(httptest.NewRecorder(), formRequest(one))
	}()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, formRequest(one))
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, 1, taken, "the retry after the panic was taken, not answered as a replay")
}

// Replays are refused for as long as a notification can be fresh (twice
// the verifier's tolerance), however many others come meanwhile, and
// forgotten after.
func TestNoticeReplaysRememberedByTime(t *testing.T) {
	now := time.Unix(1741159164, 0).Add(time.Minute)
	v := verifier()
	v.Now = func() time.Time { return now }
	taken := 0
	h := &reseller.NoticeHandler{Verifier: v, OnNotice: func(*http.Request, *reseller.Notice) error { taken++; return nil }}
	serve := func(f map[string]string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, formRequest(f))
		return rec.Code
	}
	one := signed(vector())
	require.Equal(t, 200, serve(one))
	for i := range 20000 { // more than any count an attacker would flush
		f := vector()
		f["outTradeNo"] = "other" + string(rune('a'+i%26)) + time.Duration(i).String()
		require.Equal(t, 200, serve(signed(f)))
	}
	require.Equal(t, 200, serve(one))
	assert.Equal(t, 20001, taken, "the replay was not taken again")
}

// Two notifications that differ in one field only (the express company)
// are two, each taken; a retry of one with a new timestamp is a replay.
func TestNoticeReplayIsEveryField(t *testing.T) {
	taken := 0
	h := &reseller.NoticeHandler{Verifier: verifier(), OnNotice: func(*http.Request, *reseller.Notice) error { taken++; return nil }}
	serve := func(f map[string]string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, formRequest(signed(f)))
		return rec.Code
	}
	a := vector()
	a["companyCode"] = "yunda"
	b := vector()
	b["companyCode"] = "sf"
	require.Equal(t, 200, serve(a))
	require.Equal(t, 200, serve(b))
	again := vector()
	again["companyCode"] = "sf"
	again["timestamp"] = "1741159170" // re-signed later
	require.Equal(t, 200, serve(again))
	assert.Equal(t, 2, taken, "a and b taken, the retry of b not")
}

// A tolerance of forever remembers replays forever, rather than
// overflowing into forgetting each at once.
func TestNoticeReplaysWithAHugeTolerance(t *testing.T) {
	v := verifier()
	v.Tolerance = math.MaxInt64
	now := time.Unix(1741159164, 0)
	v.Now = func() time.Time { now = now.Add(time.Minute); return now }
	taken := 0
	h := &reseller.NoticeHandler{Verifier: v, OnNotice: func(*http.Request, *reseller.Notice) error { taken++; return nil }}
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, formRequest(signed(vector())))
		require.Equal(t, 200, rec.Code)
	}
	assert.Equal(t, 1, taken)
}
