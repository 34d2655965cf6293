package transport

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The log messages: one style for every attempt, retry and answer, each
// with the same attributes (provider, method, endpoint, status, attempt,
// latency, and error where there is one). A call that fails after
// retrying logs "gave up" at Warn when it is the first since the client's
// last answer, and at Debug after it (a provider down is one Warn line,
// not one per call); the next answer then logs "answering again" at Info.
// A 429's pause ("paused", with the provider and until when) is at Warn;
// everything else is at Debug. Bodies and secret headers are never
// logged.
const (
	msgAttempt = "ordertrack: attempt"
	msgAnswer  = "ordertrack: answer"
	msgRetry   = "ordertrack: retry"
	msgGaveUp  = "ordertrack: gave up"
	msgBack    = "ordertrack: answering again"
	msgFailed  = "ordertrack: failed"
	// msgPaused, at Warn, says a 429's Retry-After holds every call of the
	// client back until a time: logged once a pause.
	msgPaused = "ordertrack: paused"
)

// logCall writes one message about st's call.
func (c *Client) logCall(ctx context.Context, level slog.Level, msg string, st *call, status int, latency time.Duration, err error) {
	if !c.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("provider", string(c.cfg.Provider)),
		slog.String("method", st.method),
		slog.String("endpoint", c.redact.text(st.endpoint)),
		slog.Int("status", status),
		slog.Int("attempt", st.attempts),
		slog.Duration("latency", latency),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.redact.text(err.Error())))
	}
	c.log.LogAttrs(ctx, level, msg, attrs...)
}

// requestHook logs each attempt as it starts: the first as "attempt", the
// next ones as "retry", with the status or error that made the retry
// needed and how long the previous attempt took.
func (c *Client) requestHook(_ retryablehttp.Logger, req *http.Request, _ int) {
	ctx := req.Context()
	st := callFrom(ctx)
	if st == nil {
		return
	}
	if st.attempts == 0 {
		st.attempts++
		st.attemptStart = time.Now()
		c.logCall(ctx, slog.LevelDebug, msgAttempt, st, 0, 0, nil)
		return
	}
	st.attempts++
	st.attemptStart = time.Now()
	c.logCall(ctx, slog.LevelDebug, msgRetry, st, st.retryStatus, st.retryLatency, st.retryErr)
}

// responseHook logs each answer's status as it arrives. A 429 with a
// Retry-After pauses the whole client until then.
func (c *Client) responseHook(_ retryablehttp.Logger, res *http.Response) {
	ctx := res.Request.Context()
	if res.StatusCode == http.StatusTooManyRequests {
		if d, ok := retryAfter(res.Header); ok && d > 0 {
			d = min(d, c.cfg.RetryAfterMax)
			if c.pace.pause(d) && c.log.Enabled(ctx, slog.LevelWarn) {
				// Once a pause: every call of the client waits for it.
				c.log.LogAttrs(ctx, slog.LevelWarn, msgPaused,
					slog.String("provider", string(c.cfg.Provider)),
					slog.Time("until", time.Now().Add(d).UTC()),
					slog.Duration("pause", d),
					slog.String("retry_after", res.Header.Get("Retry-After")))
			}
		}
	}
	st := callFrom(ctx)
	if st == nil {
		return
	}
	c.logCall(ctx, slog.LevelDebug, msgAnswer, st, res.StatusCode, time.Since(st.attemptStart), nil)
}
