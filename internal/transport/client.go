package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// Client sends requests to one provider. It is safe for concurrent use.
type Client struct {
	cfg       Config
	pace      *pacer
	base      *url.URL
	basePath  string
	rc        *retryablehttp.Client
	log       *slog.Logger
	redact    *redactor
	userAgent string
	// userAgentHeader is the header's value, shared by every request (as
	// acceptJSON is): net/http reads a request's headers, never writes
	// them.
	userAgentHeader []string
	// gaveUp says a call gave up after retrying since the last answer:
	// the next gives up at Debug, the next answer says so at Info.
	gaveUp atomic.Bool
}

var acceptJSON = []string{"application/json"}

// New builds a Client from cfg. It makes no network call.
func New(cfg Config) (*Client, error) {
	cfg, base, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		base:     base,
		basePath: strings.TrimSuffix(base.Path, "/"),
		log:      cfg.Logger,
		redact:   newRedactor(cfg.Secrets),
	}
	c.userAgent = "ordertrack/" + Version
	if cfg.UserAgent != "" {
		c.userAgent = cfg.UserAgent + " " + c.userAgent
	}
	c.userAgentHeader = []string{c.userAgent}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		// The caller's client is copied, and its transport wrapped: after a
		// failed call go-retryablehttp closes the idle connections of the
		// transport it is given, which must not disturb a transport the
		// caller shares with the rest of a service.
		hc = *cfg.HTTPClient
		rt := hc.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		hc.Transport = sharedTransport{rt}
	} else {
		hc = http.Client{Timeout: DefaultTimeout, Transport: newTransport()}
	}
	hc.CheckRedirect = c.checkRedirect(hc.CheckRedirect)
	c.pace = &pacer{rt: hc.Transport, timeout: hc.Timeout, timedOut: &timeoutError{hc.Timeout}, obs: cfg.Observer, provider: cfg.Provider}
	hc.Timeout = 0 // the pacer holds each attempt to it
	if c.pace.rt == nil {
		c.pace.rt = http.DefaultTransport
	}
	if cfg.RateLimit > 0 {
		c.pace.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), cfg.Burst)
	}
	hc.Transport = c.pace
	c.rc = &retryablehttp.Client{
		HTTPClient:     &hc,
		RetryWaitMin:   cfg.RetryWaitMin,
		RetryWaitMax:   cfg.RetryWaitMax,
		RetryMax:       cfg.MaxRetries,
		CheckRetry:     c.checkRetry,
		Backoff:        c.backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.requestHook,
	}
	c.rc.ResponseLogHook = c.responseHook
	return c, nil
}

// sharedTransport is a caller's RoundTripper, used as it is but never
// closed: it has no CloseIdleConnections for anyone to call.
type sharedTransport struct{ rt http.RoundTripper }

func (t sharedTransport) RoundTrip(r *http.Request) (*http.Response, error) { return t.rt.RoundTrip(r) }

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}

// noEnd ends a call no Observer hears.
func noEnd(error) {}

// Start begins a call of the client, the exported method name asking
// about refs refs, for the Config's Observer; the function it returns
// ends the call with its error. Without an Observer it costs nothing.
func (c *Client) Start(ctx context.Context, name string, refs int) (context.Context, func(error)) {
	if c.cfg.Observer == nil || ctx == nil {
		return ctx, noEnd // a nil context is refused by the call itself
	}
	return c.cfg.Observer.StartCall(ctx, observe.Call{Provider: c.cfg.Provider, Account: observe.Account(ctx), Name: name, Refs: refs})
}

// Provider returns the provider the client speaks to.
func (c *Client) Provider() status.Provider { return c.cfg.Provider }

// AddSecret registers a value learnt at run time (an access token) that must
// never appear in logs or errors.
func (c *Client) AddSecret(secret string) { c.redact.add(secret) }

// Redact returns s with every known secret replaced.
func (c *Client) Redact(s string) string { return c.redact.text(s) }

// Request is one call to a provider.
type Request struct {
	// Base is the root this request goes to instead of Config.BaseURL (a
	// token endpoint on another host), checked with ParseBaseURL; nil
	// for BaseURL.
	Base   *url.URL
	Method string
	// Path is joined to the BaseURL's path ("/apiV2/bailunOrder/queryOrderStatus").
	Path  string
	Query url.Values
	// RawQuery is the query already encoded, for a request without Query.
	RawQuery string
	Header   http.Header
	// Body is sent as is, with ContentType.
	Body        []byte
	ContentType string
	// ReadOnly marks a POST that only reads (a query sent as POST): it is
	// retried like a GET. A POST without it is a create: it is never sent
	// twice, and is retried only when no connection was made.
	ReadOnly bool
	// SecretBody marks an answer that may hold a secret (a token
	// endpoint's): errors about it never keep its body.
	SecretBody bool
}

func (r *Request) isCreate() bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return !r.ReadOnly
}

// Response is a provider's answer, read whole.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Method and Endpoint name the call, for errors.
	Method, Endpoint string
	// secret keeps Body out of errors.
	secret bool
}

// call is the state of one Do, shared with the retry policy through the
// request's context.
type call struct {
	create    bool
	connected atomic.Bool  // a connection was made for some attempt
	sent      atomic.Int32 // requests sent, for the Observer
	body      []byte
	read      bool

	// For the logs; set and read on the goroutine running Do.
	method, endpoint string
	start            time.Time
	attemptStart     time.Time
	attempts         int
	retryStatus      int           // why the next attempt is a retry
	retryErr         error         // (a status, or an error),
	retryLatency     time.Duration // and how long the attempt took
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	st, _ := ctx.Value(callKey{}).(*call)
	return st
}

// Do sends r, retrying as its kind allows, and returns the answer read whole.
// A non-2xx answer is returned as a *status.APIError; a failure to reach the
// provider as an error that matches status.ErrUnavailable (and, for a create
// that may have been sent, status.ErrOutcomeUnknown); a cancelled context as
// an error that matches the context's error.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	// The endpoint names the call in errors and logs: the path, or for a
	// request to another root, that root's path joined to it.
	endpoint := r.Path
	if r.Base != nil {
		endpoint = strings.TrimSuffix(r.Base.Path, "/") + r.Path
	}
	st := &call{create: r.isCreate(), method: method, endpoint: endpoint, start: time.Now()}
	ctx = context.WithValue(ctx, callKey{}, st)
	if st.create {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { st.connected.Store(true) },
		})
	}
	u := *c.base
	basePath := c.basePath
	if r.Base != nil {
		u, basePath = *r.Base, strings.TrimSuffix(r.Base.Path, "/")
	}
	u.Path = basePath + r.Path
	u.RawPath = ""
	switch {
	case len(r.Query) > 0:
		u.RawQuery = r.Query.Encode()
	case r.RawQuery != "":
		u.RawQuery = r.RawQuery
	}
	// The request is built from the URL itself, never its text parsed
	// back: made empty (with its context, and no copy for it), then given
	// the URL and headers.
	hreq, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %w", c.cfg.Provider, method, endpoint, err)
	}
	*hreq.URL = u
	hreq.Host = strings.TrimSuffix(u.Host, ":")
	h := hreq.Header
	for k, v := range r.Header {
		h[k] = v
	}
	h["User-Agent"] = c.userAgentHeader
	if len(h["Accept"]) == 0 {
		h["Accept"] = acceptJSON
	}
	if r.ContentType != "" {
		h["Content-Type"] = []string{r.ContentType}
	}
	req, err := retryablehttp.FromRequest(hreq)
	if err == nil && r.Body != nil {
		err = req.SetBody(r.Body)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s %s: %w", c.cfg.Provider, method, endpoint, err)
	}
	req.SetResponseHandler(func(res *http.Response) error {
		b, err := readBody(res.Body, declared(res), c.cfg.MaxBodyBytes)
		if err != nil {
			// Left open: retryablehttp drains and closes it before a retry.
			return err
		}
		res.Body.Close()
		st.body, st.read = b, true
		return nil
	})

	res, err := c.rc.Do(req)
	if err != nil {
		err = c.failure(ctx, method, endpoint, st, res, err)
		c.logEnd(ctx, st, res, err)
		return nil, err
	}
	if !st.read {
		// The retries ran out on a retryable status; its body is still unread.
		st.body, err = readBody(res.Body, declared(res), c.cfg.MaxBodyBytes)
		res.Body.Close()
		if err != nil {
			err = c.failure(ctx, method, endpoint, st, res, err)
			c.logEnd(ctx, st, res, err)
			return nil, err
		}
	}
	if c.cfg.StripNotices {
		st.body = c.stripNotice(ctx, st, res.StatusCode, st.body)
	}
	out := &Response{StatusCode: res.StatusCode, Header: res.Header, Body: st.body, Method: method, Endpoint: endpoint, secret: r.SecretBody}
	if res.StatusCode >= 200 && res.StatusCode <= 299 {
		if c.gaveUp.Load() && c.gaveUp.CompareAndSwap(true, false) {
			c.logCall(ctx, slog.LevelInfo, msgBack, st, res.StatusCode, time.Since(st.start), nil)
		}
		return out, nil
	}
	if ctx.Err() != nil {
		// The context ended while the answer came in: cancelling wins over
		// an error answer, whenever it landed.
		err = c.failure(ctx, method, endpoint, st, nil, ctx.Err())
		c.logEnd(ctx, st, res, err)
		return nil, err
	}
	err = c.statusError(out)
	if st.create && res.StatusCode >= 500 && (c.cfg.Definitive == nil || !c.cfg.Definitive(res.StatusCode, st.body)) {
		// A gateway's 5xx says nothing of whether the provider acted.
		err = OutcomeUnknown(err)
	}
	c.logEnd(ctx, st, res, err)
	return nil, err
}

// stripNotice returns the JSON after a PHP notice printed before it, and
// logs the notice's text at Warn; a body that is JSON already, or has no
// JSON after its prefix, is returned as it is.
func (c *Client) stripNotice(ctx context.Context, st *call, code int, body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] == '{' || trimmed[0] == '[' {
		return body
	}
	// A notice is a few lines: some tries find the JSON after it, and a
	// body that is all braces costs no more.
	for i, tries := 0, 0; i < len(body) && tries < 64; tries++ {
		j := bytes.IndexAny(body[i:], "{[")
		if j < 0 {
			break
		}
		at := i + j
		if json.Valid(body[at:]) {
			if st != nil && c.log.Enabled(ctx, slog.LevelWarn) {
				notice := strings.Join(strings.Fields(htmlTags.ReplaceAllString(string(body[:at]), "")), " ")
				c.log.LogAttrs(ctx, slog.LevelWarn, "ordertrack: provider notice",
					slog.String("provider", string(c.cfg.Provider)), slog.String("method", st.method),
					slog.String("endpoint", c.redact.text(st.endpoint)), slog.Int("status", code),
					slog.String("notice", c.redact.text(notice)))
			}
			return body[at:]
		}
		i = at + 1
	}
	return body
}

// htmlTags finds the tags of a PHP notice.
var htmlTags = regexp.MustCompile(`<[^>]*>`)

// logEnd logs a failed call: at Warn when it gave up after retrying.
func (c *Client) logEnd(ctx context.Context, st *call, res *http.Response, err error) {
	level, msg := slog.LevelDebug, msgFailed
	if st.attempts > 1 && ctx.Err() == nil {
		msg = msgGaveUp
		if c.gaveUp.CompareAndSwap(false, true) {
			level = slog.LevelWarn // the first since an answer
		}
	}
	code := 0
	if res != nil {
		code = res.StatusCode
	}
	c.logCall(ctx, level, msg, st, code, time.Since(st.start), err)
}

// Sentinels is more than one sentinel, for an APIError whose answer says
// two things at once (a 503 whose body was cut short: unavailable and
// malformed). errors.Is matches each.
type Sentinels []error

func (s Sentinels) Error() string {
	parts := make([]string, len(s))
	for i, e := range s {
		parts[i] = e.Error()
	}
	return strings.Join(parts, ", ")
}

// Unwrap returns the sentinels.
func (s Sentinels) Unwrap() []error { return s }

// OutcomeUnknown marks err, the failure of a create, as one whose outcome
// is unknown: the provider may have acted on it. The result matches
// status.ErrOutcomeUnknown as well as everything err matches.
func OutcomeUnknown(err error) error {
	if errors.Is(err, status.ErrOutcomeUnknown) {
		return err
	}
	return &unknownOutcome{err}
}

type unknownOutcome struct{ err error }

func (e *unknownOutcome) Error() string {
	return e.err.Error() + " (" + status.ErrOutcomeUnknown.Error() + ")"
}

func (e *unknownOutcome) Unwrap() []error { return []error{status.ErrOutcomeUnknown, e.err} }

// failure turns a transport-level failure into the error Do returns.
func (c *Client) failure(ctx context.Context, method, path string, st *call, res *http.Response, err error) error {
	if res != nil && res.Body != nil {
		res.Body.Close()
	}
	maybeSent := st.create && st.connected.Load()
	var tooBig *bodyTooLargeError
	var redirect *redirectError
	switch {
	case errors.As(err, &redirect) && ctx.Err() == nil:
		code := 0
		if res != nil {
			code = res.StatusCode
		}
		e := &status.APIError{Provider: c.cfg.Provider, Method: method, Endpoint: path, HTTPStatus: code,
			Message: c.redact.text(redirect.Error()), Err: status.ErrRedirect}
		if maybeSent && code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect {
			// A create answered with a 301, 302 or 303 (See Other: the
			// usual answer to a POST that made something) may well have
			// been made; a 307 or 308 asks for the request elsewhere, so
			// this one was not acted on.
			return OutcomeUnknown(e)
		}
		return e
	case ctx.Err() != nil:
		err = ctx.Err()
	case res != nil:
		// The status line arrived, but the body was cut short or is over
		// the cap. The status says what it can (a 5xx is an outage, a 4xx
		// a refusal); the body is malformed either way.
		why := "truncated response: " + err.Error()
		if errors.As(err, &tooBig) {
			why = tooBig.Error()
		}
		sentinels := Sentinels{status.ErrMalformedResponse}
		if s := sentinelFor(res.StatusCode); s != nil {
			sentinels = Sentinels{s, status.ErrMalformedResponse}
		}
		ae := &status.APIError{Provider: c.cfg.Provider, Method: method, Endpoint: path, HTTPStatus: res.StatusCode,
			Message: c.redact.text(why), Err: sentinels}
		if maybeSent && (res.StatusCode < 400 || res.StatusCode >= 500) {
			// A create answered, but whether it took effect cannot be read.
			return OutcomeUnknown(ae)
		}
		return ae
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is named by method and path instead
	}
	e := &Error{Provider: c.cfg.Provider, Method: method, Endpoint: path, Msg: c.redact.text(err.Error())}
	switch {
	case errors.Is(err, errPaced):
		e.errs = append(e.errs, status.ErrRateLimited)
	case ctx.Err() == nil:
		e.errs = append(e.errs, status.ErrUnavailable)
	}
	if maybeSent {
		e.errs = append(e.errs, status.ErrOutcomeUnknown)
	}
	e.errs = append(e.errs, err)
	return e
}

// statusError builds the APIError for a non-2xx answer.
func (c *Client) statusError(res *Response) error {
	e := &status.APIError{
		Provider:   c.cfg.Provider,
		Method:     res.Method,
		Endpoint:   res.Endpoint,
		HTTPStatus: res.StatusCode,
		Body:       c.snippet(res),
		Err:        sentinelFor(res.StatusCode),
	}
	if d, ok := retryAfter(res.Header); ok {
		e.RetryAfter = d
	}
	if c.cfg.ParseError != nil {
		c.cfg.ParseError(res, e)
	}
	e.Message = c.redact.text(e.Message)
	e.Code = c.redact.text(e.Code)
	return e
}

// sentinelFor maps an HTTP error status to its sentinel.
func sentinelFor(code int) error {
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return status.ErrUnauthorized
	case code == http.StatusNotFound:
		return status.ErrNotFound
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		return status.ErrInvalidRequest
	case code == http.StatusTooManyRequests:
		return status.ErrRateLimited
	case code >= 500:
		return status.ErrUnavailable
	}
	return nil
}

// Error returns an APIError for an error the provider reports inside a
// successful answer (a code in the envelope). Message is kept verbatim,
// less any secret.
func (c *Client) Error(res *Response, code, message string, sentinel error) *status.APIError {
	return &status.APIError{
		Provider:   c.cfg.Provider,
		Method:     res.Method,
		Endpoint:   res.Endpoint,
		HTTPStatus: res.StatusCode,
		Code:       c.redact.text(code),
		Message:    c.redact.text(message),
		Body:       c.snippet(res),
		Err:        sentinel,
	}
}

// snippet is the start of an answer's body, for an APIError: secrets
// redacted first, then cut to at most errorBodyMax bytes at a rune
// boundary, so that no secret is split by the cut and half shown.
func (c *Client) snippet(res *Response) string {
	if res.secret && len(res.Body) > 0 {
		return Redacted
	}
	s := c.redact.text(string(bytes.ToValidUTF8(res.Body, []byte("\uFFFD"))))
	if len(s) > errorBodyMax {
		cut := errorBodyMax
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// Error is a failure to get an answer from a provider: the connection
// failed, the context ended, or an answer was cut short. It matches
// status.ErrUnavailable (unless the context ended), status.ErrOutcomeUnknown
// when a create may have been sent, and the underlying error.
type Error struct {
	Provider         status.Provider
	Method, Endpoint string
	Msg              string
	errs             []error
}

func (e *Error) Error() string {
	s := string(e.Provider) + ": " + e.Method + " " + e.Endpoint + ": " + e.Msg
	for _, err := range e.errs {
		if err == status.ErrOutcomeUnknown {
			s += " (" + err.Error() + ")"
		}
	}
	return s
}

// Unwrap returns the sentinels and the underlying error.
func (e *Error) Unwrap() []error { return e.errs }

type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds the %d-byte limit", e.limit)
}

// declared is the length of res's body as its headers give it, -1 when
// they do not; an answer to HEAD declares the length of a body it has not.
func declared(res *http.Response) int64 {
	if res.Request != nil && res.Request.Method == http.MethodHead {
		return 0
	}
	return res.ContentLength
}

// readBody reads r whole, failing past limit bytes. size is the declared
// Content-Length (-1 when unknown): an answer that declares it is read into
// a buffer of exactly its size.
func readBody(r io.Reader, size, limit int64) ([]byte, error) {
	if size >= 0 && size <= limit {
		b := make([]byte, size, size+1)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		// Read to the end, so that the connection is reused. A body longer
		// than it declared (from a RoundTripper that does not hold it to
		// its Content-Length) is read on, under the cap.
		n, err := io.ReadFull(r, b[size:size+1])
		switch {
		case n == 0 && err == io.EOF:
			return b, nil
		case n == 0:
			return nil, err
		}
		rest, err := readBody(r, -1, limit-size-1)
		if err != nil {
			var tooBig *bodyTooLargeError
			if errors.As(err, &tooBig) {
				err = &bodyTooLargeError{limit: limit}
			}
			return nil, err
		}
		return append(b[:size+1], rest...), nil
	}
	var buf bytes.Buffer
	if size < 0 {
		// No Content-Length (a chunked answer): start at a size most
		// answers fit, so the buffer grows a few times, not a dozen.
		buf.Grow(int(min(limit+1, 64<<10)))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &bodyTooLargeError{limit: limit}
	}
	return buf.Bytes(), nil
}
