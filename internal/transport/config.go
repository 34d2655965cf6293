package transport

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// Version is ordertrack's version, sent in the User-Agent header.
const Version = "0.1.0"

// Defaults for the common Config fields.
const (
	DefaultMaxRetries    = 3
	DefaultRetryWaitMin  = 200 * time.Millisecond
	DefaultRetryWaitMax  = 5 * time.Second
	DefaultRetryAfterMax = 30 * time.Second
	DefaultMaxBodyBytes  = 8 << 20
	DefaultTimeout       = 30 * time.Second
	// errorBodyMax is how much of an error answer an APIError keeps.
	errorBodyMax = 4 << 10
)

// Config is what a provider package hands the core: the common fields of
// its own Config, and its hooks.
type Config struct {
	Provider status.Provider
	// BaseURL is the provider's root; request paths are joined to it.
	BaseURL string
	// HTTPClient is copied, never mutated; nil gives a client of its own
	// with a DefaultTimeout per attempt. After a failed call,
	// go-retryablehttp closes the idle connections of its transport, so a
	// transport shared with other code (http.DefaultTransport) loses its
	// idle pool then.
	HTTPClient *http.Client
	// Logger receives debug logs of each attempt and retry; nil is silent.
	Logger *slog.Logger
	// MaxRetries: 0 gives DefaultMaxRetries, negative gives none.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff; 0 gives the defaults.
	RetryWaitMin, RetryWaitMax time.Duration
	// RetryAfterMax caps how long a Retry-After is honoured; a longer one
	// ends the retries at once. 0 gives DefaultRetryAfterMax.
	RetryAfterMax time.Duration
	// UserAgent is put before "ordertrack/<version>".
	UserAgent string
	// MaxBodyBytes caps every answer; 0 gives DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RateLimit is how many requests per second the client sends at most,
	// over every call, retry and token request together; 0 sets no limit.
	RateLimit float64
	// Burst is how many requests may go at once within RateLimit; 0 gives
	// 1.
	Burst int
	// StripNotices reads the JSON that follows a PHP warning or notice
	// printed before it (<br /><b>Warning</b>: ...), as BirdSystem's pages
	// show, and logs the notice at Warn; nothing else about the answer
	// changes.
	StripNotices bool
	// AllowInsecureHTTP permits a plain http:// BaseURL for a host that is
	// not loopback; without it New refuses one, so that credentials never
	// cross a network in clear text by accident.
	AllowInsecureHTTP bool
	// Observer hears each call and HTTP attempt; nil for none.
	Observer observe.Observer
	// Secrets are values that never appear in logs or errors.
	Secrets []string
	// ParseError fills e.Code and e.Message from a non-2xx answer in the
	// provider's own error shape, and may replace e.Err. It may be nil.
	ParseError func(res *Response, e *status.APIError)
	// Definitive reports that a 5xx answer is the provider's considered
	// reply (such as BirdSystem's 500 with "success": false) rather than an
	// outage, so it is not retried. It may be nil.
	Definitive func(statusCode int, body []byte) bool
}

// withDefaults validates c and fills in its zero values.
func (c Config) withDefaults() (Config, *url.URL, error) {
	if c.Provider == "" {
		return c, nil, fmt.Errorf("transport: no provider: %w", status.ErrInvalidConfig)
	}
	if c.BaseURL == "" {
		return c, nil, fmt.Errorf("%s: BaseURL is required: %w", c.Provider, status.ErrInvalidConfig)
	}
	base, err := ParseBaseURL(c.Provider, "BaseURL", c.BaseURL, c.AllowInsecureHTTP)
	if err != nil {
		return c, nil, err
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.RetryWaitMin <= 0 {
		c.RetryWaitMin = DefaultRetryWaitMin
	}
	if c.RetryWaitMax <= 0 {
		c.RetryWaitMax = DefaultRetryWaitMax
	}
	if c.RetryWaitMax < c.RetryWaitMin {
		return c, nil, fmt.Errorf("%s: RetryWaitMax %v is less than RetryWaitMin %v: %w", c.Provider, c.RetryWaitMax, c.RetryWaitMin, status.ErrInvalidConfig)
	}
	if c.RetryAfterMax <= 0 {
		c.RetryAfterMax = DefaultRetryAfterMax
	}
	switch {
	case c.RateLimit < 0 || c.Burst < 0:
		return c, nil, fmt.Errorf("%s: RateLimit and Burst must not be negative: %w", c.Provider, status.ErrInvalidConfig)
	case c.Burst == 0:
		c.Burst = 1
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return c, base, nil
}

// isLoopback reports whether host names this machine: localhost, or an
// address in 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseBaseURL checks raw, a Config's URL field named name (BaseURL,
// TokenURL, ...): an absolute http(s) URL without a query, a fragment or
// user:password@, and not plain http for a host that is not loopback unless
// allowInsecure. Its errors never print a password.
func ParseBaseURL(p status.Provider, name, raw string, allowInsecure bool) (*url.URL, error) {
	base, err := url.Parse(raw)
	switch {
	case err != nil:
		// url.Parse's error quotes the URL, and with it any password.
		return nil, fmt.Errorf("%s: %s is not a URL: %w", p, name, status.ErrInvalidConfig)
	case base.User != nil:
		// Neither the user nor the password is printed: either may be a key.
		return nil, fmt.Errorf("%s: %s %q must not carry credentials (user:password@): give them in the Config's own fields: %w", p, name, base.Scheme+"://"+base.Host+base.Path, status.ErrInvalidConfig)
	case (base.Scheme != "http" && base.Scheme != "https") || base.Host == "":
		return nil, fmt.Errorf("%s: %s %q is not an absolute http(s) URL: %w", p, name, base.Redacted(), status.ErrInvalidConfig)
	case base.RawQuery != "" || base.Fragment != "":
		return nil, fmt.Errorf("%s: %s %q must not have a query or fragment: %w", p, name, base.Scheme+"://"+base.Host+base.Path, status.ErrInvalidConfig)
	case base.Scheme == "http" && !allowInsecure && !isLoopback(base.Hostname()):
		return nil, fmt.Errorf("%s: %s %q is plain http: credentials would cross the network in clear text; use https, or set AllowInsecureHTTP: %w", p, name, base.Redacted(), status.ErrInvalidConfig)
	}
	return base, nil
}
