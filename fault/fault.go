// Package fault is the fault injection the four fake servers
// (bailuntest, resellertest, birdsystemtest, flowerytest) share, so that
// users' own tests can make a provider fail the ways real ones do: an
// error status, an HTML page, a Retry-After, a delay, a dropped or
// truncated connection, a create that is stored but never answered.
//
// Each fake's Server embeds an [Injector]: queue faults with Inject (by
// path, method and ref; once, a number of times, for a while, or until
// Heal), keep a provider down with SetDown, count what reached the fake
// with Hits, and read what was sent with Requests.
//
//	srv := birdsystemtest.NewServer()
//	srv.Inject(fault.Fault{Status: 503, RetryAfter: "1"})
//	_, err := client.ListConsignments(ctx, nil) // retried, then served
//	fmt.Println(srv.Hits(birdsystemtest.ConsignmentPath)) // 2
package fault

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one injected failure. The next request that matches its Method,
// Path and Ref gets it instead of the fake's answer; Times and For make it
// last.
type Fault struct {
	// Path limits the fault to one endpoint ("/orders"); "" matches any of
	// the provider's resource endpoints, but never its token or
	// registration endpoint, which a fault reaches only by naming it.
	Path string
	// Method limits the fault to one method ("POST"): a fault aimed at a
	// create is not used up by the GET polling the same path. "" matches
	// any.
	Method string
	// Ref limits the fault to the requests that name this ref (an order
	// number, a consignment id) in their query or body: this order fails,
	// the others answer. "" matches any.
	Ref string
	// Times is how many requests the fault answers: 0 or 1 once, n that
	// many, Forever until Heal.
	Times int
	// For makes the fault last this long from when it is injected, for
	// every request it matches (Times, when set, still bounds it).
	For time.Duration
	// Status answers with this HTTP status (with Body) instead of serving.
	Status int
	// Body is the answer's body; with Status 0 it is served with 200.
	Body string
	// ContentType of Body; default application/json, or text/html when
	// Body starts with '<'.
	ContentType string
	// RetryAfter sets the Retry-After header.
	RetryAfter string
	// Delay waits this long first (or until the client gives up); with
	// nothing else set, the fake then serves normally.
	Delay time.Duration
	// Truncate promises more bytes than it sends, then closes the connection.
	Truncate bool
	// Drop reads the request and closes the connection without answering.
	Drop bool
	// DropAfterServe serves the request as the fake would (a create is
	// stored), then closes the connection without sending the answer: the
	// client cannot know the outcome, as with a gateway timing out after
	// the provider acted.
	DropAfterServe bool
	// Location answers with a redirect there (Status 302 unless set): to
	// test that a client refuses it (status.ErrRedirect), and never sends
	// its credentials to another host.
	Location string
	// Header adds these headers to the answer (the fake's own, or the
	// fault's).
	Header http.Header
	// Trickle sends the answer's body a byte at a time, this long apart (a
	// server that trickles, to test a client's timeout): the fault's Body
	// when set, else the fake's own answer.
	Trickle time.Duration
}

// Empty reports whether f does nothing to the request it matches: no
// status, body, delay, redirect, header, trickle, drop or truncation.
func (f Fault) Empty() bool {
	return f.Status == 0 && f.Body == "" && f.RetryAfter == "" && f.Delay == 0 && !f.Truncate && !f.Drop && !f.DropAfterServe &&
		f.Location == "" && len(f.Header) == 0 && f.Trickle == 0
}

// Forever is Fault.Times for a fault that lasts until Heal.
const Forever = -1

// Request is one request a fake received, as its log keeps it. In JSON
// (the standalone fakes' control API) its fields are snake_case.
type Request struct {
	// At is when it arrived.
	At time.Time `json:"time"`
	// Method, Path and Query are the request's (Query encoded).
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	// Body is the request's body, as sent (its first 8 KiB).
	Body string `json:"body,omitempty"`
	// Refs are the values of the fields that carry refs in the provider's
	// requests (Injector.RefKeys), read from the whole body when the log
	// cut it; nil otherwise (Names reads them from Query and Body).
	Refs []string `json:"refs,omitempty"`
	// keys are the fields that carry refs (nil: any).
	keys map[string]bool
	// RemoteAddr and UserAgent say which client sent it, so that a test
	// of several workers can count each one's requests.
	RemoteAddr string `json:"remote_addr,omitempty"`
	UserAgent  string `json:"user_agent,omitempty"`
	// Faulted reports that an injected fault answered it.
	Faulted bool `json:"faulted,omitempty"`
}

// Names reports whether the request names ref as the provider reads it,
// whole, never a part of another value ("CP-1" does not name "CP-10"): one
// of Refs, the values of the fields that carry refs in the provider's
// requests, read before the log cut the body. A Request made otherwise
// (no Refs) is read whole: every query and form value, JSON string or
// number, element of a comma-separated list, and value in JSON carried in
// either.
func (r Request) Names(ref string) bool {
	if ref == "" {
		return false
	}
	if r.Refs != nil {
		return slices.Contains(r.Refs, ref)
	}
	found := false
	values(r.Query, r.Body, r.keys, func(v string) bool {
		found = v == ref
		return !found
	})
	return found
}

// values calls f with each value query and body carry under one of keys
// (nil: any key), as a provider reads them, until f returns false.
func values(query, body string, keys map[string]bool, f func(string) bool) {
	ok := func(key string) bool { return keys == nil || keys[key] }
	var str func(key, s string, depth int) bool
	var walk func(v any, key string, depth int) bool
	str = func(key, s string, depth int) bool {
		if ok(key) {
			if !f(s) {
				return false
			}
			if strings.Contains(s, ",") {
				for _, p := range strings.Split(s, ",") {
					if !f(strings.TrimSpace(p)) {
						return false
					}
				}
			}
		}
		if t := strings.TrimSpace(s); depth < 4 && len(t) > 1 && (t[0] == '{' || t[0] == '[') {
			var v any
			dec := json.NewDecoder(strings.NewReader(t))
			dec.UseNumber()
			if dec.Decode(&v) == nil {
				return walk(v, key, depth+1)
			}
		}
		return true
	}
	walk = func(v any, key string, depth int) bool {
		switch v := v.(type) {
		case string:
			return str(key, v, depth)
		case json.Number:
			return !ok(key) || f(v.String())
		case []any:
			for _, e := range v {
				if !walk(e, key, depth) {
					return false
				}
			}
		case map[string]any:
			for k, e := range v {
				if !walk(e, k, depth) {
					return false
				}
			}
		}
		return true
	}
	form := func(s string) bool {
		q, _ := url.ParseQuery(s) // the pairs that parse, whatever the others
		for k, vs := range q {
			for _, v := range vs {
				if !str(k, v, 0) {
					return false
				}
			}
		}
		return true
	}
	if !form(query) {
		return
	}
	if t := strings.TrimSpace(body); t != "" {
		if t[0] == '{' || t[0] == '[' {
			var v any
			dec := json.NewDecoder(strings.NewReader(t))
			dec.UseNumber()
			if dec.Decode(&v) == nil {
				walk(v, "", 1)
			}
			return
		}
		form(t)
	}
}

// Injector queues faults, counts requests per path, and logs them. The
// zero value is ready to use; it is safe for concurrent use.
type Injector struct {
	mu     sync.Mutex
	faults []queued
	hits   map[string]int
	total  int
	auth   map[string]bool // paths a Fault without Path does not match
	keys   map[string]bool // the fields that carry refs; nil: any
	// log is a ring of the newest maxLog requests: next is where the next
	// one goes once it is full.
	log  []Request
	next int
}

// queued is an injected fault, with what is left of it.
type queued struct {
	Fault
	left  int       // requests it still answers; Forever for no bound
	until time.Time // zero: no end in time
}

// RefKeys names the fields (query, form and JSON keys) that carry refs in
// the provider's requests, where Fault.Ref and Request.Names look: a
// "limit" or a "version" never names an order. Each fake sets its own;
// none set, every value is read.
func (in *Injector) RefKeys(keys ...string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.keys = map[string]bool{}
	for _, k := range keys {
		in.keys[k] = true
	}
}

// Inject queues faults, in order: the first that matches a request
// answers it, and is used up after Times requests or once For is over.
func (in *Injector) Inject(faults ...Fault) {
	in.mu.Lock()
	defer in.mu.Unlock()
	now := time.Now()
	for _, f := range faults {
		q := queued{Fault: f, left: f.Times}
		switch {
		case f.Times == 0 && f.For > 0:
			q.left = Forever
		case f.Times == 0:
			q.left = 1
		}
		if f.For > 0 {
			q.until = now.Add(f.For)
		}
		in.faults = append(in.faults, q)
	}
}

// SetDown keeps the provider down (HTTP 503 on every resource endpoint,
// never the token endpoint) until SetDown(false) or Heal; SetDown(false)
// heals every fault.
func (in *Injector) SetDown(down bool) {
	if !down {
		in.Heal()
		return
	}
	in.Inject(Fault{Status: http.StatusServiceUnavailable, Body: `{"message":"service unavailable"}`, Times: Forever})
}

// Heal drops every queued fault: the fake answers as usual again.
func (in *Injector) Heal() {
	in.mu.Lock()
	in.faults = nil
	in.mu.Unlock()
}

// Requests returns the log of the requests received since the last
// ResetHits (the newest 10,000, each body's first 8 KiB), oldest first,
// faulted ones included: a test can assert
// "asked once", "never asked", "asked at this pace".
func (in *Injector) Requests() []Request {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Request, 0, len(in.log))
	out = append(out, in.log[in.next:]...)
	return append(out, in.log[:in.next]...)
}

// Hits returns how many requests reached path ("" for all paths), faults
// included.
func (in *Injector) Hits(path string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if path == "" {
		return in.total
	}
	return in.hits[path]
}

// ResetHits sets every count back to zero, empties the request log (what
// Requests returns) and drops queued faults.
func (in *Injector) ResetHits() {
	in.mu.Lock()
	in.hits, in.total, in.faults, in.log, in.next = nil, 0, nil, nil, 0
	in.mu.Unlock()
}

// maxLog bounds the request log, so that a long-running fake holds its
// newest requests only, and maxLogBody the body each keeps.
const (
	maxLog     = 10_000
	maxLogBody = 8 << 10
)

func (in *Injector) take(r *http.Request, body []byte) (Fault, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.hits == nil {
		in.hits = map[string]int{}
	}
	path := r.URL.Path
	in.hits[path]++
	in.total++
	req := Request{At: time.Now(), Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: string(body),
		RemoteAddr: r.RemoteAddr, UserAgent: r.UserAgent(), keys: in.keys}
	f, ok := in.match(&req)
	req.Faulted = ok
	if len(req.Body) > maxLogBody {
		// Its refs read now, before the log cuts the body.
		req.Refs = []string{}
		values(req.Query, req.Body, in.keys, func(v string) bool {
			req.Refs = append(req.Refs, v)
			return true
		})
		req.Body = req.Body[:maxLogBody]
	}
	if len(in.log) < maxLog {
		in.log = append(in.log, req)
	} else {
		in.log[in.next] = req // the oldest goes
		in.next = (in.next + 1) % maxLog
	}
	return f, ok
}

// match finds the first queued fault for req, and uses it.
func (in *Injector) match(req *Request) (Fault, bool) {
	for i := 0; i < len(in.faults); i++ {
		q := &in.faults[i]
		if !q.until.IsZero() && req.At.After(q.until) {
			in.faults = append(in.faults[:i:i], in.faults[i+1:]...)
			i--
			continue // over
		}
		if q.Path != req.Path && (q.Path != "" || in.auth[req.Path]) ||
			q.Method != "" && !strings.EqualFold(q.Method, req.Method) ||
			q.Ref != "" && !req.Names(q.Ref) {
			continue
		}
		f := q.Fault
		if q.left != Forever {
			q.left--
			if q.left <= 0 {
				in.faults = append(in.faults[:i:i], in.faults[i+1:]...)
			}
		}
		return f, true
	}
	return Fault{}, false
}

// Wrap returns next with the faults applied in front of it. authPaths are
// the token or registration endpoints, which a Fault without Path leaves
// alone.
func (in *Injector) Wrap(next http.Handler, authPaths ...string) http.Handler {
	in.mu.Lock()
	for _, p := range authPaths {
		if in.auth == nil {
			in.auth = map[string]bool{}
		}
		in.auth[p] = true
	}
	in.mu.Unlock()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: until it is read, the server cannot notice a
		// client that hangs up, and a delayed answer would outlive it.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f, ok := in.take(r, body)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, vs := range f.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		switch {
		case f.Location != "":
			w.Header().Set("Location", f.Location)
			code := f.Status
			if code == 0 {
				code = http.StatusFound
			}
			w.WriteHeader(code)
			_, _ = w.Write([]byte(f.Body))
			return
		case f.Trickle > 0:
			status, header, body := statusOr(f.Status), http.Header{}, []byte(f.Body)
			if f.Status == 0 && f.Body == "" {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				status, header, body = rec.Code, rec.Header(), rec.Body.Bytes()
			} else {
				header.Set("Content-Type", contentType(f))
			}
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			for k, vs := range header {
				if w.Header().Get(k) == "" {
					w.Header()[k] = vs
				}
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			fl, _ := w.(http.Flusher)
			for i := range body {
				if _, err := w.Write(body[i : i+1]); err != nil {
					return
				}
				if fl != nil {
					fl.Flush()
				}
				select {
				case <-time.After(f.Trickle):
				case <-r.Context().Done():
					return
				}
			}
			return
		case f.DropAfterServe:
			next.ServeHTTP(discard{header: http.Header{}}, r)
			hangUp(w)
			return
		case f.Drop:
			hangUp(w)
			return
		case f.Truncate:
			body := f.Body
			if body == "" {
				body = `{"truncated":`
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)+64))
			w.WriteHeader(statusOr(f.Status))
			_, _ = w.Write([]byte(body))
			// Flush first: hijacking drops what the server still buffers.
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			hangUp(w)
			return
		case f.Status == 0 && f.Body == "":
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			next.ServeHTTP(w, r) // a pure delay (or headers), then the fake's answer
			return
		}
		w.Header().Set("Content-Type", contentType(f))
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.WriteHeader(statusOr(f.Status))
		_, _ = w.Write([]byte(f.Body))
	})
}

// contentType is f's ContentType, or what its Body looks like.
func contentType(f Fault) string {
	if f.ContentType != "" {
		return f.ContentType
	}
	if len(f.Body) > 0 && f.Body[0] == '<' {
		return "text/html; charset=utf-8"
	}
	return "application/json"
}

func statusOr(code int) int {
	if code == 0 {
		return http.StatusOK
	}
	return code
}

// discard is a ResponseWriter that throws the answer away.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

// HTMLBadGateway is a proxy's error page, as providers' gateways send.
const HTMLBadGateway = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// StartAt starts srv, an unstarted httptest.Server, listening on addr
// ("127.0.0.1:18081") instead of a port of its own: how a fake is served
// at a fixed address (each fake's NewServerAt).
func StartAt(srv *httptest.Server, addr string) error {
	srv.Listener.Close() // the port of its own, never used
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv.Listener = l
	srv.Start()
	return nil
}
