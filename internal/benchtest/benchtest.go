// Package benchtest runs each client's benchmark against the careful
// hand-written call in the same run, and holds what that call shares: a
// keep-alive client, the body read whole, a plain struct decoded with
// encoding/json or with encoding/json/v2.
package benchtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// Decode is how the careful hand-written call decodes a body into its
// plain struct.
type Decode func(data []byte, v any) error

// Hands are the two careful hand-written decodes of today's Go, each a
// column of its own: encoding/json ("hand"; on Go 1.27 its v1 API runs on
// the v2 engine) and encoding/json/v2 with its default options ("handv2";
// the standard library's on Go 1.27, its mirror on Go 1.26). The better
// of the two is the baseline.
var Hands = []struct {
	Name   string
	Decode Decode
}{
	{"hand", json.Unmarshal},
	{"handv2", func(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }},
}

// impls is the SDK call, then the hand-written call with each of Hands.
func impls(sdk func() error, hand func(Decode) func() error) []struct {
	name string
	call func() error
} {
	out := []struct {
		name string
		call func() error
	}{{"sdk", sdk}}
	for _, h := range Hands {
		out = append(out, struct {
			name string
			call func() error
		}{h.Name, hand(h.Decode)})
	}
	return out
}

// Pair runs sdk and hand, the SDK call and the careful hand-written call
// (made once with each of Hands' decodes), as sub-benchmarks
// "mode=serial/impl=sdk", "mode=serial/impl=hand" and
// "mode=serial/impl=handv2", then each under RunParallel at 8 goroutines
// per core ("mode=parallel"), so that `benchstat -col /impl` sets them
// side by side.
func Pair(b *testing.B, sdk func() error, hand func(Decode) func() error) {
	for _, mode := range []string{"serial", "parallel"} {
		for _, impl := range impls(sdk, hand) {
			b.Run("mode="+mode+"/impl="+impl.name, func(b *testing.B) {
				if err := impl.call(); err != nil { // warm: connections, tokens
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				if mode == "serial" {
					for i := 0; i < b.N; i++ {
						if err := impl.call(); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := impl.call(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// Client is the careful hand-written call's HTTP client: a transport with
// enough idle connections per host for parallel calls, so keep-alive works.
func Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Timeout: 30 * time.Second, Transport: t}
}

// Do sends req, reads the whole body (so the connection is reused), and
// decodes it with decode into v.
func Do(hc *http.Client, req *http.Request, v any, decode Decode) error {
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", res.StatusCode, body)
	}
	return decode(body, v)
}

// Post builds a JSON POST of body to url with headers.
func Post(url string, body any, headers map[string]string) (*http.Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req, nil
}

// Memory runs sdk and hand, the SDK's decode of an answer already read and
// the careful hand-written decode of the same bytes (with each of Hands'
// decodes), as "mode=memory" sub-benchmarks: client CPU alone, without the
// network or the fake.
func Memory(b *testing.B, sdk func() error, hand func(Decode) func() error) {
	for _, impl := range impls(sdk, hand) {
		b.Run("mode=memory/impl="+impl.name, func(b *testing.B) {
			if err := impl.call(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := impl.call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Replay starts a loopback server in front of upstream (a fake provider)
// and returns its URL. The first time it sees a request (method, path,
// query and body) it forwards it, headers and all, and keeps the answer;
// after that it replays the answer's status, headers and bytes without
// asking again. The fakes encode their records afresh on every request,
// and the two calls compared would otherwise share that cost: replayed,
// what a benchmark measures is the client's work, plus net/http's serving
// of the same bytes to each. An answer other than a 200 is never kept.
func Replay(tb testing.TB, upstream string) string {
	type answer struct {
		code   int
		header http.Header
		body   []byte
	}
	var (
		mu   sync.Mutex
		kept = map[string]*answer{}
	)
	hc := Client()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		key := r.Method + " " + r.URL.RequestURI() + "\n" + string(body)
		mu.Lock()
		a := kept[key]
		mu.Unlock()
		if a == nil {
			req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			req.Header = r.Header.Clone()
			res, err := hc.Do(req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			a = &answer{code: res.StatusCode, header: res.Header.Clone(), body: b}
			if res.StatusCode == http.StatusOK {
				mu.Lock()
				kept[key] = a
				mu.Unlock()
			}
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		w.WriteHeader(a.code)
		w.Write(a.body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}
