package bailun

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/ordertrack/ordertrack/internal/token"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// TestBaseURL is the test host seen in Bailun's documentation. Bailun
// publishes no production host, so Config.BaseURL is always required. The
// test host is plain http, so using it needs Config.AllowInsecureHTTP.
const TestBaseURL = "http://testapi.coupang.blsct.com"

// Config configures a Client. Either AppID and AppKey (the client fetches and
// refreshes an OAuth token) or a static AccessToken is required.
type Config struct {
	// BaseURL is Bailun's API root, such as TestBaseURL. Required.
	BaseURL string
	// AppID and AppKey are the OAuth credentials for POST /oauth/token/get.
	AppID  string
	AppKey Secret
	// TokenURL is the whole URL of the token endpoint, when it is not
	// BaseURL + "/oauth/token/get": Bailun's docs give the production
	// token URL on another host than the API. "" gives the default.
	TokenURL string
	// AccessToken is a token obtained elsewhere, used as is and never
	// refreshed; a 401 then fails with status.ErrUnauthorized.
	AccessToken Secret

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
	// Concurrency bounds the lookups Track runs at once; 0 gives 8.
	Concurrency int
}

// Client queries Bailun OMS. It is safe for concurrent use.
type Client struct {
	cfg      Config
	t        *transport.Client
	tokenURL *url.URL                    // nil: BaseURL + tokenPath
	tokens   *token.Source               // nil with a static AccessToken
	auth     *atomic.Pointer[authorized] // a pointer: Client has value methods
}

var _ status.Tracker = (*Client)(nil)

// New validates cfg and returns a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.AccessToken.IsZero() && (cfg.AppID == "" || cfg.AppKey.IsZero()):
		return nil, fmt.Errorf("bailun: Config needs AppID and AppKey, or AccessToken: %w", status.ErrInvalidConfig)
	case !cfg.AccessToken.IsZero() && (cfg.AppID != "" || !cfg.AppKey.IsZero()):
		return nil, fmt.Errorf("bailun: Config takes AppID and AppKey, or AccessToken, not both: %w", status.ErrInvalidConfig)
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("bailun: Concurrency must not be negative: %w", status.ErrInvalidConfig)
	}
	t, err := transport.New(transport.Config{
		Provider:          status.Bailun,
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
		Secrets:           []string{cfg.AppKey.Value(), cfg.AccessToken.Value()},
		ParseError:        parseError,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, t: t, auth: new(atomic.Pointer[authorized])}
	if cfg.TokenURL != "" {
		if c.tokenURL, err = transport.ParseBaseURL(status.Bailun, "TokenURL", cfg.TokenURL, cfg.AllowInsecureHTTP); err != nil {
			return nil, err
		}
	}
	if cfg.AccessToken.IsZero() {
		c.tokens = token.New(c.fetchToken)
	}
	return c, nil
}

// String describes the client by its Config, every secret redacted. It has
// a value receiver so that printing a dereferenced client (*c) is safe too.
func (c Client) String() string { return fmt.Sprintf("bailun.Client{%+v}", c.cfg) }

// GoString is String, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb (%d and %p too), so that no verb
// prints what the client holds.
func (c Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// parseError reads Bailun's BaseResponse out of an error answer, when it is
// one, so its code and message reach the APIError verbatim.
func parseError(res *transport.Response, e *status.APIError) {
	var env struct {
		Code       *status.BailunResultCode `json:"code"`
		Message    string                   `json:"message"`
		StatusCode wire.Int64               `json:"statusCode"`
		ErrMsg     wire.String              `json:"errMsg"`
	}
	if json.Unmarshal(res.Body, &env) != nil {
		return
	}
	switch {
	case env.Code != nil:
		e.Code, e.Message = env.Code.Code().Value, env.Message
	case env.StatusCode.Valid:
		// The token endpoint's shape: statusCode and errMsg.
		e.Code, e.Message = env.StatusCode.String(), env.ErrMsg.String
	}
}
