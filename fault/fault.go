// Package fault is the fault injection the four fake servers
// (bailuntest, resellertest, birdsystemtest, flowerytest) share, so that
// users' own tests can make a provider fail the ways real ones do: an
// error status, an HTML page, a Retry-After, a delay, a dropped or
// truncated connection, a create that is stored but never answered.
//
// Each fake's Server embeds an [Injector]: queue faults with Inject, and
// count what reached the fake with Hits.
//
//	srv := birdsystemtest.NewServer()
//	srv.Inject(fault.Fault{Status: 503, RetryAfter: "1"})
//	_, err := client.ListConsignments(ctx, nil) // retried, then served
//	fmt.Println(srv.Hits(birdsystemtest.ConsignmentPath)) // 2
package fault

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is one injected failure. The next request whose path matches Path
// gets it instead of the fake's answer.
type Fault struct {
	// Path limits the fault to one endpoint ("/orders"); "" matches any of
	// the provider's resource endpoints, but never its token or
	// registration endpoint, which a fault reaches only by naming it.
	Path string
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
}

// Injector queues faults and counts requests per path. The zero value is
// ready to use; it is safe for concurrent use.
type Injector struct {
	mu     sync.Mutex
	faults []Fault
	hits   map[string]int
	total  int
	auth   map[string]bool // paths a Fault without Path does not match
}

// Inject queues faults; each is used once, in order, by the first request
// it matches.
func (in *Injector) Inject(faults ...Fault) {
	in.mu.Lock()
	in.faults = append(in.faults, faults...)
	in.mu.Unlock()
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

// ResetHits sets every count back to zero and drops queued faults.
func (in *Injector) ResetHits() {
	in.mu.Lock()
	in.hits, in.total, in.faults = nil, 0, nil
	in.mu.Unlock()
}

func (in *Injector) take(path string) (Fault, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.hits == nil {
		in.hits = map[string]int{}
	}
	in.hits[path]++
	in.total++
	for i, f := range in.faults {
		if f.Path == path || f.Path == "" && !in.auth[path] {
			in.faults = append(in.faults[:i:i], in.faults[i+1:]...)
			return f, true
		}
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
		f, ok := in.take(r.URL.Path)
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
		switch {
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
			next.ServeHTTP(w, r) // a pure delay
			return
		}
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
			if len(f.Body) > 0 && f.Body[0] == '<' {
				ct = "text/html; charset=utf-8"
			}
		}
		w.Header().Set("Content-Type", ct)
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		w.WriteHeader(statusOr(f.Status))
		_, _ = w.Write([]byte(f.Body))
	})
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
