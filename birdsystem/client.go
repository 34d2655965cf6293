package birdsystem

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// Hosts seen in BirdSystem's documentation, over https so that the API key
// never crosses a network in clear text (BirdSystem's docs show the test
// host on https; the others appear there as http://, which New refuses
// unless Config.AllowInsecureHTTP is set). BirdSystem serves each region
// from its own host, so Config.BaseURL is required.
const (
	TestHost   = "https://test.birdsystem.com"
	ChinaHost  = "https://www.birdsystem.com"
	UKHost     = "https://www.birdsystem.co.uk"
	BranchHost = "https://branch.birdsystem.com"
)

// Config configures a Client. BaseURL, APIKey and CompanyID are required.
type Config struct {
	// BaseURL is the host, such as TestHost; "/client" is added to it.
	BaseURL string
	// APIKey is sent in the api_key header.
	APIKey Secret
	// CompanyID is sent in the company_id header.
	CompanyID string
	// TrackingURL is the whole URL of the tracking endpoint, when it is
	// not BaseURL + "/consignment/tracking" (BirdSystem's docs show it on
	// https://api.birdsystem.com/consignment/tracking).
	TrackingURL string
	// TrackEvents makes Track add each consignment's tracking check points
	// (TrackingHistory, one more request per Track) to its snapshot's
	// Events, beside the consignment's own recorded times.
	TrackEvents bool
	// TrackingNewest sends newest=true with TrackingHistory, bypassing
	// BirdSystem's tracking cache.
	TrackingNewest bool
	// Location is the zone BirdSystem's times are in, used for Track's
	// UpdatedAt. BirdSystem does not document it; nil means Europe/London,
	// which is also how every Time field is parsed (Time.In re-parses).
	Location *time.Location

	// HTTPClient is copied, never mutated; nil gives a client with a 30s
	// timeout per attempt.
	HTTPClient *http.Client
	// Logger receives debug logs of each attempt, with secrets redacted;
	// nil is silent.
	Logger *slog.Logger
	// MaxRetries is how often a query is retried: 0 gives 3, negative none.
	// Creates are never sent twice, whatever this says.
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
	// Concurrency bounds the requests Track runs at once; 0 gives 8.
	Concurrency int
	// BatchSize is how many consignment ids one Track request asks about,
	// in one listing filtered on id (filter [{"type":"list","field":"id",
	// "value":[...]}]); 0 gives DefaultBatchSize, and 1 asks about each id
	// alone (GET ?id=).
	BatchSize int
}

// DefaultBatchSize is how many ids one Track request asks about when
// Config.BatchSize is 0: BirdSystem's own page size.
const DefaultBatchSize = DefaultPageSize

// Client talks to a BirdSystem warehouse. It is safe for concurrent use.
type Client struct {
	cfg Config
	t   *transport.Client
	// auth holds the headers every request sends (api_key, company_id)
	// behind a pointer: printing a Client value by reflection (%p) shows
	// its address, never the key.
	auth        *auth
	trackingURL *url.URL // nil: BaseURL + trackingPath
}

type auth struct{ header http.Header }

var _ status.Tracker = (*Client)(nil)

// New validates cfg and returns a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.APIKey.IsZero():
		return nil, fmt.Errorf("birdsystem: Config.APIKey is required: %w", status.ErrInvalidConfig)
	case cfg.CompanyID == "":
		return nil, fmt.Errorf("birdsystem: Config.CompanyID is required: %w", status.ErrInvalidConfig)
	case cfg.Concurrency < 0:
		return nil, fmt.Errorf("birdsystem: Config.Concurrency must not be negative: %w", status.ErrInvalidConfig)
	case cfg.BatchSize < 0:
		return nil, fmt.Errorf("birdsystem: Config.BatchSize must not be negative: %w", status.ErrInvalidConfig)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	t, err := transport.New(transport.Config{
		Provider:          status.BirdSystem,
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
		Secrets:           []string{cfg.APIKey.Value()},
		ParseError:        parseError,
		Definitive:        isRefusal,
		StripNotices:      true,
	})
	if err != nil {
		return nil, err
	}
	// Header names are case-insensitive: api_key travels as Api_key.
	h := http.Header{}
	h.Set("api_key", cfg.APIKey.Value())
	h.Set("company_id", cfg.CompanyID)
	c := &Client{cfg: cfg, t: t, auth: &auth{h}}
	if cfg.TrackingURL != "" {
		if c.trackingURL, err = transport.ParseBaseURL(status.BirdSystem, "TrackingURL", cfg.TrackingURL, cfg.AllowInsecureHTTP); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// String describes the client by its Config, every secret redacted. It has
// a value receiver so that printing a dereferenced client (*c) is safe too.
func (c Client) String() string { return fmt.Sprintf("birdsystem.Client{%+v}", c.cfg) }

// GoString is String, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb (%d and %p too), so that no verb
// prints what the client holds.
func (c Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// envelope is BirdSystem's answer: success, a message on failure, and data.
type envelope[T any] struct {
	Success    *bool      `json:"success"`
	Message    string     `json:"message"`
	Total      wire.Int64 `json:"total"`
	Data       T          `json:"data"`
	ModuleName string     `json:"moduleName"`
}

// isRefusal reports that a 5xx answer is BirdSystem refusing the request
// ("success": false with a message), which no retry will change.
func isRefusal(_ int, body []byte) bool {
	var env envelope[json.RawMessage]
	return bytes.Contains(body, []byte(`"success"`)) && json.Unmarshal(body, &env) == nil &&
		env.Success != nil && !*env.Success
}

// LoginRequired is the message BirdSystem answers with when it does not
// accept the api_key and company_id.
const LoginRequired = "Login Required!"

// parseError carries BirdSystem's message into the APIError. A 500 with
// "success": false is BirdSystem refusing the request, not an outage; a
// "Login Required!" is a refusal of the credentials, whatever the status.
func parseError(res *transport.Response, e *status.APIError) {
	var env envelope[json.RawMessage]
	if json.Unmarshal(res.Body, &env) != nil {
		return
	}
	switch {
	case env.Message == LoginRequired && (env.Success == nil || !*env.Success):
		e.Message, e.Err = env.Message, status.ErrUnauthorized
	case env.Success == nil || *env.Success:
	case res.StatusCode >= 500:
		// The same answers isRefusal counts as BirdSystem's own.
		e.Message, e.Err = env.Message, status.ErrInvalidRequest
	default:
		e.Message = env.Message
	}
}

// refused returns the error for "success": false inside a 2xx answer.
func (c *Client) refused(res *transport.Response, message string) error {
	if message == LoginRequired {
		return c.t.Error(res, "", message, status.ErrUnauthorized)
	}
	return c.t.Error(res, "", message, status.ErrInvalidRequest)
}

// loginRequired reports an answer that is BirdSystem's "Login Required!"
// without "success": true.
func loginRequired[T any](env *envelope[T]) bool {
	return env.Message == LoginRequired && (env.Success == nil || !*env.Success)
}
