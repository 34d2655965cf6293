package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// checkRetry is the retry policy. Queries are retried on connection errors,
// 429 and 5xx (not 501). A create is never sent twice: it is retried only
// when its connection failed before one was made, so nothing was written.
func (c *Client) checkRetry(ctx context.Context, res *http.Response, err error) (bool, error) {
	st := callFrom(ctx)
	if err == nil && st != nil && st.read {
		// retryablehttp asks again after the response handler has read the
		// body; the first answer, not to retry, stands, even if the context
		// ended since: the answer is whole.
		return false, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	create := st != nil && st.create
	if err != nil {
		var tooBig *bodyTooLargeError
		if errors.As(err, &tooBig) {
			return false, err
		}
		// retryablehttp knows the errors no retry can mend (bad scheme,
		// redirect loops, certificates).
		if ok, perr := retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err); !ok {
			return false, perr
		}
		var redirect *redirectError
		if errors.As(err, &redirect) || errors.Is(err, errPaced) {
			return false, err
		}
		if create && st.connected.Load() {
			return false, nil
		}
		c.logRetry(ctx, st, 0, err)
		return true, nil
	}
	if create {
		return false, nil
	}
	if res.StatusCode != http.StatusTooManyRequests && (res.StatusCode < 500 || res.StatusCode == http.StatusNotImplemented) {
		return false, nil
	}
	if d, ok := retryAfter(res.Header); ok {
		if d > c.cfg.RetryAfterMax {
			// The provider asks for a longer wait than we keep a caller waiting.
			return false, nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			// The wait would outlast the caller's deadline: the answer,
			// now, says why (a 429 is ErrRateLimited), as a call that
			// meets the pause is refused at once.
			return false, nil
		}
	}
	if res.StatusCode >= 500 && c.cfg.Definitive != nil && c.definitive(res) {
		return false, nil
	}
	c.logRetry(ctx, st, res.StatusCode, nil)
	return true, nil
}

// logRetry notes why the attempt that just ended will be retried, for the
// "retry" message the next attempt logs.
func (c *Client) logRetry(_ context.Context, st *call, status int, err error) {
	if st != nil {
		st.retryStatus, st.retryErr, st.retryLatency = status, err, time.Since(st.attemptStart)
	}
}

// definitive reads the body of a 5xx answer (putting it back, whole, for
// whoever reads it next) and asks the provider's hook whether it is a real
// answer. An answer over the body cap is not consulted on.
func (c *Client) definitive(res *http.Response) bool {
	orig := res.Body
	b, err := io.ReadAll(io.LimitReader(orig, c.cfg.MaxBodyBytes+1))
	res.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), orig), orig}
	if c.cfg.StripNotices {
		b = c.stripNotice(res.Request.Context(), nil, res.StatusCode, b)
	}
	return err == nil && int64(len(b)) <= c.cfg.MaxBodyBytes && c.cfg.Definitive(res.StatusCode, b)
}

// backoff waits exponentially from RetryWaitMin, doubling per attempt up to
// RetryWaitMax, with "equal jitter": half the wait fixed, half random, so
// that clients retrying together spread out. A Retry-After header (seconds
// or an HTTP date) is honoured instead, up to RetryAfterMax.
func (c *Client) backoff(lo, hi time.Duration, attempt int, res *http.Response) time.Duration {
	if res != nil {
		if d, ok := retryAfter(res.Header); ok {
			return min(d, c.cfg.RetryAfterMax)
		}
	}
	d := hi
	if attempt < 32 {
		if exp := lo << attempt; exp > 0 && exp < hi {
			d = exp
		}
	}
	half := d / 2
	wait := half + rand.N(half+1)
	return max(wait, lo)
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs < 0 {
			return 0, false
		}
		// A day stands for anything longer, an overflowing number included.
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
