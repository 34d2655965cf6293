package flowery

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/ordertrack/ordertrack/internal/token"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
)

// Flowery Island's hosts. DefaultBaseURL serves /orders in every version
// of Flowery's docs. The newest version (2019-06-28) moves the token and
// tracking-detail endpoints to the logistics host: set Config.TokenURL and
// Config.DetailURL to LogisticsTokenURL and LogisticsDetailURL for an
// account on it. Older versions keep them on the API host, under
// /logistics/api, which is the default.
const (
	DefaultBaseURL     = "https://api.flowery-island.com"
	LogisticsTokenURL  = "https://logistics-api.flowery-island.com/token"
	LogisticsDetailURL = "https://logistics-api.flowery-island.com/orders_status/list"
)

// DefaultBatchSize is how many numbers one request asks about when
// Config.BatchSize is 0. Flowery publishes no limit; 100 numbers keep each
// answer near 100 KB, and a smaller BatchSize is there for a stricter
// account.
const DefaultBatchSize = 100

// Config configures a Client. AccountID and Logistics are required, with
// either a registered Token or the SecretKey to register one.
type Config struct {
	// BaseURL is the API root; "" gives DefaultBaseURL.
	BaseURL string
	// AccountID is account_id, 客户ID: the customer id.
	AccountID string
	// Logistics is logistics, 所选物流: the logistics channel. Tokens are
	// per channel.
	Logistics string
	// Token is a token registered already (客户已经注册成功的token信息),
	// used as is and never re-registered.
	Token Secret
	// SecretKey registers a token with POST /logistics/api/token; the
	// token is cached, and registered again once when Flowery rejects it.
	SecretKey Secret
	// TokenURL is the whole URL of the token endpoint; "" gives BaseURL +
	// "/logistics/api/token".
	TokenURL string
	// DetailURL is the whole URL of the tracking-detail endpoint; "" gives
	// BaseURL + "/logistics/api/orders_tracking_detail/list".
	DetailURL string
	// TrackEvents makes Track add each order's scans (the tracking-detail
	// endpoint, one more request per batch) to its snapshot's Events.
	TrackEvents bool
	// BatchSize is how many numbers one request asks about; 0 gives
	// DefaultBatchSize.
	BatchSize int
	// TrackBy is what the refs given to Track are: ByOrderNo (the default,
	// when empty) for the customer's order numbers, or ByExpressNo for
	// Flowery's waybill numbers.
	TrackBy QueryBy
	// Location is the zone Flowery's dates are in, used for Track's
	// UpdatedAt. Flowery does not document it; nil means Asia/Jakarta
	// (WIB), which is also how every Time field is parsed (Time.In
	// re-parses).
	Location *time.Location

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
	// Concurrency bounds the batches in flight at once; 0 gives 8.
	Concurrency int
}

// Client queries Flowery Island. It is safe for concurrent use.
type Client struct {
	cfg Config
	t   *transport.Client
	// The endpoints: path on BaseURL, or a whole URL of its own.
	orders, detail, token endpoint
	tokens                *token.Source // nil with a static Token
}

var _ status.Tracker = (*Client)(nil)

// New validates cfg and returns a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.AccountID == "":
		return nil, fmt.Errorf("flowery: Config.AccountID is required: %w", status.ErrInvalidConfig)
	case cfg.Logistics == "":
		return nil, fmt.Errorf("flowery: Config.Logistics is required: %w", status.ErrInvalidConfig)
	case cfg.Token.IsZero() && cfg.SecretKey.IsZero():
		return nil, fmt.Errorf("flowery: Config needs Token, or SecretKey to register one: %w", status.ErrInvalidConfig)
	case cfg.BatchSize < 0:
		return nil, fmt.Errorf("flowery: Config.BatchSize must not be negative: %w", status.ErrInvalidConfig)
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("flowery: Config.Concurrency must not be negative: %w", status.ErrInvalidConfig)
	case cfg.TrackBy != "" && cfg.TrackBy != ByOrderNo && cfg.TrackBy != ByExpressNo:
		return nil, fmt.Errorf("flowery: Config.TrackBy %q is not ByOrderNo or ByExpressNo: %w", string(cfg.TrackBy), status.ErrInvalidConfig)
	}
	if cfg.TrackBy == "" {
		cfg.TrackBy = ByOrderNo
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	t, err := transport.New(transport.Config{
		Provider:          status.Flowery,
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
		Secrets:           []string{cfg.Token.Value(), cfg.SecretKey.Value()},
		ParseError:        parseError,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, t: t, orders: endpoint{path: ordersPath}, detail: endpoint{path: trackingDetailPath}, token: endpoint{path: tokenPath}}
	for _, u := range []struct {
		name, raw string
		ep        *endpoint
	}{{"TokenURL", cfg.TokenURL, &c.token}, {"DetailURL", cfg.DetailURL, &c.detail}} {
		if u.raw == "" {
			continue
		}
		base, err := transport.ParseBaseURL(status.Flowery, u.name, u.raw, cfg.AllowInsecureHTTP)
		if err != nil {
			return nil, err
		}
		*u.ep = endpoint{base: base}
	}
	if cfg.Token.IsZero() {
		c.tokens = token.New(c.registerToken)
	}
	return c, nil
}

// String describes the client by its Config, every secret redacted. It has
// a value receiver so that printing a dereferenced client (*c) is safe too.
func (c Client) String() string { return fmt.Sprintf("flowery.Client{%+v}", c.cfg) }

// GoString is String, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb (%d and %p too), so that no verb
// prints what the client holds.
func (c Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// endpoint is where a request goes: a path on BaseURL, or a whole URL of
// its own (base, with no path after it).
type endpoint struct {
	base *url.URL
	path string
}

// request returns a request to e.
func (e endpoint) request(method string) *transport.Request {
	return &transport.Request{Method: method, Base: e.base, Path: e.path}
}
