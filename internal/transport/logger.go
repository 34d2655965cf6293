package transport

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
)

// slogBridge adapts a *slog.Logger to retryablehttp.LeveledLogger, redacting
// every value on its way through.
type slogBridge struct {
	log    *slog.Logger
	redact *redactor
}

var _ retryablehttp.LeveledLogger = slogBridge{}

// Every level is logged at Debug: retryablehttp reports each failed
// attempt as an error, even one a retry then mends, and the caller gets the
// final error as a value anyway.
func (b slogBridge) Error(msg string, kv ...any) { b.emit(slog.LevelDebug, msg, kv) }
func (b slogBridge) Warn(msg string, kv ...any)  { b.emit(slog.LevelDebug, msg, kv) }
func (b slogBridge) Info(msg string, kv ...any)  { b.emit(slog.LevelDebug, msg, kv) }
func (b slogBridge) Debug(msg string, kv ...any) { b.emit(slog.LevelDebug, msg, kv) }

func (b slogBridge) emit(level slog.Level, msg string, kv []any) {
	ctx := context.Background()
	if !b.log.Enabled(ctx, level) {
		return
	}
	clean := make([]any, len(kv))
	for i, v := range kv {
		switch v := v.(type) {
		case string:
			clean[i] = b.redact.text(v)
		case error:
			clean[i] = b.redact.text(v.Error())
		default:
			clean[i] = v
		}
	}
	b.log.Log(ctx, level, "ordertrack: "+msg, clean...)
}

// requestHook logs each attempt at Debug, with secret headers redacted.
// Bodies are never logged.
func (c *Client) requestHook(_ retryablehttp.Logger, req *http.Request, attempt int) {
	ctx := req.Context()
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "ordertrack: attempt",
		slog.String("provider", string(c.cfg.Provider)),
		slog.String("method", req.Method),
		slog.String("url", c.redact.text(req.URL.String())),
		slog.Int("attempt", attempt+1),
		slog.Any("headers", c.redact.header(req.Header)),
	)
}

// responseHook logs each answer's status at Debug.
func (c *Client) responseHook(_ retryablehttp.Logger, res *http.Response) {
	ctx := res.Request.Context()
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "ordertrack: answer",
		slog.String("provider", string(c.cfg.Provider)),
		slog.String("method", res.Request.Method),
		slog.String("url", c.redact.text(res.Request.URL.String())),
		slog.Int("status", res.StatusCode),
	)
}
