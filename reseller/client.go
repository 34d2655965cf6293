package reseller

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// Hosts of the platform. DefaultBaseURL is the open API host seen in its
// order-query doc; the company behind the platform also serves YingeHost,
// with SandboxHost for testing.
const (
	DefaultBaseURL = "https://open.yingekeji.com"
	YingeHost      = "https://open.yinge.tech"
	SandboxHost    = "https://preapi.songzhaopian.com"
)

// Config configures a Client. ResellerID and Secret are required.
type Config struct {
	// BaseURL is the platform's API root; "" gives DefaultBaseURL.
	BaseURL string
	// ResellerID is the reseller's id (resellerId).
	ResellerID int64
	// Secret is the signing secret.
	Secret Secret
	// Signer signs each envelope; nil gives YingeSigner, the rule the
	// platform's public integration code uses.
	Signer Signer
	// SignType, when not 0, is sent as signType and signed with the rest;
	// the platform's integration code sends 2 with YingeSigner's rule.
	SignType int
	// Version is the API version sent in the envelope; 0 gives 1.
	Version int
	// Now is the clock for the envelope's timestamp; nil gives time.Now.
	Now func() time.Time

	// HTTPClient is copied, never mutated; nil gives a client with a 30s
	// timeout per attempt.
	HTTPClient *http.Client
	// Logger receives debug logs of each attempt, with secrets redacted;
	// nil is silent.
	Logger *slog.Logger
	// MaxRetries is how often a query is retried: 0 gives 3, negative none.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between retries;
	// 0 gives 200ms and 5s.
	RetryWaitMin, RetryWaitMax time.Duration
	// UserAgent is sent before "ordertrack/<version>".
	UserAgent string
	// RateLimit is how many requests per second the client sends at most,
	// over every call, retry and token request together (one limiter per
	// client); 0 sets no limit. A 429 with Retry-After pauses every call of
	// the client until then (at most 30 s), whatever RateLimit says, and
	// the pause is logged once at Warn ("ordertrack: paused", with until
	// when); a call whose deadline comes first is refused at once with
	// status.ErrRateLimited.
	RateLimit float64
	// Burst is how many requests may go at once within RateLimit; 0 gives
	// 1.
	Burst int
	// AllowInsecureHTTP permits a plain http:// BaseURL for a host that is
	// not loopback (127.0.0.1, ::1, localhost); without it New refuses one,
	// so that credentials never cross a network in clear text by accident.
	AllowInsecureHTTP bool
	// Observer hears each call and each HTTP attempt of it, for tracing and
	// metrics (the otelordertrack module gives one); nil for none.
	Observer observe.Observer
	// Concurrency bounds the queries Track runs at once; 0 gives 8.
	Concurrency int
}

// Client queries the reseller platform. It is safe for concurrent use.
type Client struct {
	cfg Config
	t   *transport.Client
}

var _ status.Tracker = (*Client)(nil)

// New validates cfg and returns a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.ResellerID == 0:
		return nil, fmt.Errorf("reseller: Config.ResellerID is required: %w", status.ErrInvalidConfig)
	case cfg.Secret.IsZero():
		return nil, fmt.Errorf("reseller: Config.Secret is required: %w", status.ErrInvalidConfig)
	case cfg.Version < 0:
		return nil, fmt.Errorf("reseller: Config.Version must not be negative: %w", status.ErrInvalidConfig)
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("reseller: Config.Concurrency must not be negative: %w", status.ErrInvalidConfig)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Signer == nil {
		cfg.Signer = YingeSigner
	}
	if cfg.Version == 0 {
		cfg.Version = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t, err := transport.New(transport.Config{
		Provider:          status.Reseller,
		BaseURL:           cfg.BaseURL,
		HTTPClient:        cfg.HTTPClient,
		Logger:            cfg.Logger,
		MaxRetries:        cfg.MaxRetries,
		RetryWaitMin:      cfg.RetryWaitMin,
		RetryWaitMax:      cfg.RetryWaitMax,
		UserAgent:         cfg.UserAgent,
		AllowInsecureHTTP: cfg.AllowInsecureHTTP,
		Observer:          cfg.Observer,
		RateLimit:         cfg.RateLimit,
		Burst:             cfg.Burst,
		Secrets:           []string{cfg.Secret.Value()},
		ParseError:        parseError,
	})
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, t: t}, nil
}

// String describes the client by its Config, every secret redacted. It has
// a value receiver so that printing a dereferenced client (*c) is safe too.
func (c Client) String() string { return fmt.Sprintf("reseller.Client{%+v}", c.cfg) }

// GoString is String, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb (%d and %p too), so that no verb
// prints what the client holds.
func (c Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }
