package reseller_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// The vector of PROVIDERS.md, checked with Python's hashlib:
//
//	f = {"customizeNo": "EGBVCXZ", "expressTrace": '[{"time":"2022-04-10 18:41:19",...}]',
//	     "outTradeNo": "244326324342543266", "resellerFlag": "qddsipqddsipqddsip",
//	     "secret": "secret29472103dfe", "signType": "2", "timestamp": "1741159164", "version": "1"}
//	hashlib.md5("&".join(f"{k}={f[k]}" for k in sorted(f)).encode()).hexdigest()
//	# '4b0ef88cbfc6a65f17d13a0c8082da0b'
func vector() map[string]string {
	return map[string]string{
		"customizeNo":  "EGBVCXZ",
		"expressTrace": `[{"time":"2022-04-10 18:41:19","context":"重庆市大渡口区公司 已发出,下一站 重庆转运中心"},{"time":"2022-04-10 18:41:09","context":"重庆市大渡口区公司 已揽收, 陈艳玲(15223428587)"}]`,
		"outTradeNo":   "244326324342543266",
		"resellerFlag": "qddsipqddsipqddsip",
		"signType":     "2",
		"timestamp":    "1741159164",
		"version":      "1",
	}
}

var noticeSecret = reseller.NewSecret("secret29472103dfe")

func TestSignNoticeVector(t *testing.T) {
	assert.Equal(t, "4b0ef88cbfc6a65f17d13a0c8082da0b", reseller.SignNotice(vector(), noticeSecret))
	// A trace text with escapes (\", \u00e9, \\) and non-ASCII, signed as
	// the exact text received, never re-encoded; with Python:
	//
	//	trace = '[{"time":"2024-04-03 09:15:00","context":"快件 \\"已发车\\" \\u00e9 ü \\\\ 杭州","status":"","city":"杭州市"}]'
	//	f = {"outTradeNo": "20240328-874367231", "companyCode": "sf", "expressNo": "SF1", "expressTrace": trace,
	//	     "resellerFlag": "r1", "secret": "s3cret", "signType": "2", "timestamp": "1711092618", "version": "1"}
	//	hashlib.md5("&".join(f"{k}={f[k]}" for k in sorted(f)).encode()).hexdigest()
	//	# '82dd083a2e943254f619a6c3ea13565e'
	escaped := map[string]string{"outTradeNo": "20240328-874367231", "companyCode": "sf", "expressNo": "SF1",
		"expressTrace": `[{"time":"2024-04-03 09:15:00","context":"快件 \"已发车\" \u00e9 ü \\ 杭州","status":"","city":"杭州市"}]`,
		"resellerFlag": "r1", "signType": "2", "timestamp": "1711092618", "version": "1"}
	assert.Equal(t, "82dd083a2e943254f619a6c3ea13565e", reseller.SignNotice(escaped, reseller.NewSecret("s3cret")))
	v := reseller.NoticeVerifier{Secret: reseller.NewSecret("s3cret"), Now: func() time.Time { return time.Unix(1711092618, 0) }}
	escaped["sign"] = "82dd083a2e943254f619a6c3ea13565e"
	n, err := v.Read(formRequest(escaped))
	require.NoError(t, err, "verified over the raw text, as sent")
	assert.Equal(t, `快件 "已发车" é ü \ 杭州`, n.Traces[0].Context)
}

func verifier() reseller.NoticeVerifier {
	return reseller.NoticeVerifier{Secret: noticeSecret, Now: func() time.Time { return time.Unix(1741159164, 0).Add(time.Minute) }}
}

func formRequest(fields map[string]string) *http.Request {
	q := url.Values{}
	for k, v := range fields {
		q.Set(k, v)
	}
	r := httptest.NewRequest("POST", "/notify", strings.NewReader(q.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func signed(f map[string]string) map[string]string {
	f["sign"] = reseller.SignNotice(f, noticeSecret)
	return f
}

func TestNoticeRead(t *testing.T) {
	v := verifier()
	n, err := v.Read(formRequest(signed(vector())))
	require.NoError(t, err)
	assert.Equal(t, "244326324342543266", n.OutTradeNo)
	assert.Equal(t, []string{"EGBVCXZ"}, n.CustomizeNos)
	require.Len(t, n.Traces, 2)
	assert.Equal(t, vector()["expressTrace"], n.Fields["expressTrace"], "kept as sent")
	s := n.Snapshot()
	assert.Equal(t, status.Reseller, s.Provider)
	assert.Equal(t, "244326324342543266", s.Ref)
	assert.Equal(t, status.Shipped, s.Stage)
	require.Len(t, s.Events, 2)
	assert.Contains(t, s.Events[0].Description, "已揽收", "oldest first")

	// A JSON body, the sign upper-case: the same notice.
	f := signed(vector())
	f["sign"] = strings.ToUpper(f["sign"])
	var b strings.Builder
	b.WriteString("{")
	i := 0
	for k, val := range f {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:%q", k, val)
		i++
	}
	b.WriteString("}")
	r := httptest.NewRequest("POST", "/notify", strings.NewReader(b.String()))
	r.Header.Set("Content-Type", "application/json")
	n, err = v.Read(r)
	require.NoError(t, err)
	assert.Len(t, n.Traces, 2)
}

// Every refusal, with the sentinel it matches; the secret is in none.
func TestNoticeRefusals(t *testing.T) {
	v := verifier()
	tamper := func(k, val string) *http.Request {
		f := signed(vector())
		f[k] = val
		return formRequest(f)
	}
	resign := func(k, val string) *http.Request {
		f := vector()
		f[k] = val
		return formRequest(signed(f))
	}
	stale := verifier()
	stale.Now = func() time.Time { return time.Unix(1741159164, 0).Add(10 * time.Minute) }
	flagged := verifier()
	flagged.ResellerFlag = "someone-else"
	big := httptest.NewRequest("POST", "/notify", strings.NewReader("a="+strings.Repeat("x", reseller.MaxNoticeBytes)))
	big.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	twice := httptest.NewRequest("POST", "/notify", strings.NewReader("outTradeNo=1&outTradeNo=2"))
	twice.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	get := httptest.NewRequest("GET", "/notify", nil)
	badJSON := httptest.NewRequest("POST", "/notify", strings.NewReader(`{"outTradeNo":`))
	badJSON.Header.Set("Content-Type", "application/json")
	xml := httptest.NewRequest("POST", "/notify", strings.NewReader(`<a/>`))
	xml.Header.Set("Content-Type", "text/xml")
	type refusal struct {
		name string
		v    reseller.NoticeVerifier
		r    *http.Request
		is   error
	}
	cases := []refusal{
		{"a changed trace", v, tamper("expressTrace", strings.Replace(vector()["expressTrace"], "已发出", "已签收", 1)), reseller.ErrNoticeSignature},
		{"a changed order", v, tamper("outTradeNo", "1"), status.ErrUnauthorized},
		{"no sign", v, tamper("sign", ""), status.ErrUnauthorized},
		{"stale", stale, formRequest(signed(vector())), reseller.ErrNoticeStale},
		{"another reseller", flagged, formRequest(signed(vector())), status.ErrUnauthorized},
		{"signType 1", v, resign("signType", "1"), status.ErrInvalidRequest},
		{"no order", v, resign("outTradeNo", ""), status.ErrInvalidRequest},
		{"a trace that is no list", v, resign("expressTrace", `{"time":1}`), status.ErrInvalidRequest},
		{"a timestamp that is no number", v, resign("timestamp", "soon"), status.ErrInvalidRequest},
		{"over the size limit", v, big, status.ErrInvalidRequest},
		{"a field twice", v, twice, status.ErrInvalidRequest},
		{"GET", v, get, status.ErrInvalidRequest},
		{"bad JSON", v, badJSON, status.ErrInvalidRequest},
		{"XML", v, xml, status.ErrInvalidRequest},
	}
	for _, c := range cases {
		// Over loopback, through the handler: the same request's bytes.
		body, _ := io.ReadAll(c.r.Body)
		c.r.Body = io.NopCloser(bytes.NewReader(body))
		h := &reseller.NoticeHandler{Verifier: c.v, OnNotice: func(*http.Request, *reseller.Notice) error {
			t.Errorf("%s: taken", c.name)
			return nil
		}}
		srv := httptest.NewServer(h)
		req, err := http.NewRequest(c.r.Method, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = c.r.Header.Clone()
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		want := http.StatusBadRequest
		if errors.Is(c.is, status.ErrUnauthorized) || errors.Is(c.is, reseller.ErrNoticeSignature) || errors.Is(c.is, reseller.ErrNoticeStale) {
			want = http.StatusUnauthorized
		}
		assert.Equal(t, want, res.StatusCode, "%s: %s", c.name, answer)
		assert.NotContains(t, string(answer), "secret29472103dfe", c.name)

		_, err = c.v.Read(c.r)
		assert.ErrorIs(t, err, c.is, c.name)
		if err != nil {
			assert.NotContains(t, err.Error(), "secret29472103dfe", c.name)
		}
	}
	_, err := (&reseller.NoticeVerifier{}).Verify(signed(vector()))
	assert.ErrorIs(t, err, status.ErrInvalidConfig)
}

// The handler takes each notification once: a replay is answered and not
// taken again; one OnNotice refused comes again and is taken then; under
// 1,000 concurrent notifications (500 distinct, each twice), every one is
// taken, none twice.
func TestNoticeHandler(t *testing.T) {
	var mu sync.Mutex
	taken := map[string]int{}
	var fail atomic.Bool
	h := &reseller.NoticeHandler{Verifier: verifier(), OnNotice: func(_ *http.Request, n *reseller.Notice) error {
		if fail.Load() {
			return errors.New("db down")
		}
		mu.Lock()
		taken[n.OutTradeNo]++
		mu.Unlock()
		return nil
	}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(f map[string]string) int {
		q := url.Values{}
		for k, v := range f {
			q.Set(k, v)
		}
		res, err := http.PostForm(srv.URL, q)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	one := signed(vector())
	fail.Store(true)
	assert.Equal(t, 500, post(one), "not taken: the platform sends it again")
	fail.Store(false)
	assert.Equal(t, 200, post(one))
	assert.Equal(t, 200, post(one), "a replay is answered")
	bad := signed(vector())
	bad["sign"] = "0" + bad["sign"][1:]
	assert.Equal(t, 401, post(bad))
	assert.Equal(t, 1, taken["244326324342543266"])

	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Go(func() {
			f := vector()
			f["outTradeNo"] = fmt.Sprintf("T%03d", i%500)
			assert.Equal(t, 200, post(signed(f)))
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, taken, 501)
	for k, n := range taken {
		assert.Equal(t, 1, n, k)
	}
}

// Hostile bodies never panic the handler, and never pass unsigned.
func FuzzNoticeHandler(f *testing.F) {
	q := url.Values{}
	for k, v := range signed(vector()) {
		q.Set(k, v)
	}
	f.Add("application/x-www-form-urlencoded", q.Encode())
	f.Add("application/json", `{"outTradeNo":"1","sign":"x","signType":"2","timestamp":"1741159164"}`)
	f.Add("", `{"expressTrace":[1,2],"sign":null}`)
	f.Add("multipart/form-data; boundary=x", "--x--")
	h := &reseller.NoticeHandler{Verifier: verifier(), OnNotice: func(_ *http.Request, n *reseller.Notice) error {
		if n.Fields["sign"] != reseller.SignNotice(n.Fields, noticeSecret) && !strings.EqualFold(n.Fields["sign"], reseller.SignNotice(n.Fields, noticeSecret)) {
			panic("taken unsigned")
		}
		return nil
	}}
	f.Fuzz(func(t *testing.T, ct, body string) {
		r := httptest.NewRequest("POST", "/notify", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 && w.Code != 400 && w.Code != 401 {
			t.Fatalf("answered %d", w.Code)
		}
	})
}

// The fake's notifications, posted to a handler: one, the same again, out
// of order, and one whose sign no longer matches.
func TestFakeNotifications(t *testing.T) {
	ctx := t.Context()
	var mu sync.Mutex
	var got []string
	h := &reseller.NoticeHandler{Verifier: reseller.NoticeVerifier{Secret: reseller.NewSecret(resellertest.Secret), ResellerFlag: resellertest.ResellerFlag},
		OnNotice: func(_ *http.Request, n *reseller.Notice) error {
			mu.Lock()
			got = append(got, n.OutTradeNo+" "+n.Snapshot().Events[len(n.Traces)-1].Description)
			mu.Unlock()
			return nil
		}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	now := time.Now()
	t1 := reseller.Trace{Time: reseller.NewTime(now.Add(-2 * time.Hour)), Context: "已揽收"}
	t2 := reseller.Trace{Time: reseller.NewTime(now.Add(-time.Hour)), Context: "已发出"}
	newer := resellertest.Notification("T1", "sf", "SF1", []reseller.Trace{t2, t1}, now)
	older := resellertest.Notification("T1", "sf", "SF1", []reseller.Trace{t1}, now)
	for _, f := range []map[string]string{newer, newer, older} {
		code, err := resellertest.PostNotice(ctx, srv.URL, f)
		require.NoError(t, err)
		assert.Equal(t, 200, code)
	}
	forged := resellertest.Notification("T2", "sf", "SF2", nil, now)
	forged["expressNo"] = "SF9"
	code, err := resellertest.PostNotice(ctx, srv.URL, forged)
	require.NoError(t, err)
	assert.Equal(t, 401, code)
	assert.Equal(t, []string{"T1 已发出", "T1 已揽收"}, got, "the newer once, the older (out of order) once, the forged never")
}
