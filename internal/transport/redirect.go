package transport

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/ordertrack/ordertrack/status"
)

// maxRedirects is how many same-host redirects of a GET are followed, as
// net/http's default.
const maxRedirects = 10

// redirectError is a redirect ordertrack refused to follow.
type redirectError struct {
	target *url.URL // without its query
	why    string
	cause  error // the caller's CheckRedirect's refusal, if it was that
}

func (e *redirectError) Error() string {
	return "redirect to " + e.target.String() + " refused: " + e.why
}

func (e *redirectError) Unwrap() []error { return []error{status.ErrRedirect, e.cause} }

// checkRedirect wraps the caller's CheckRedirect (nil: net/http's default
// limit) with ordertrack's rule: a redirect is followed only for a GET and
// only to the scheme, host and port the request was sent to (BaseURL's, or
// a token URL's). Credentials therefore
// never reach another host, and a POST is never sent again or turned into
// a GET.
func (c *Client) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		target := *req.URL
		target.RawQuery, target.ForceQuery, target.Fragment, target.User = "", false, "", nil
		switch orig := via[0]; {
		case orig.Method != http.MethodGet && orig.Method != http.MethodHead:
			return &redirectError{target: &target, why: orig.Method + " requests are not redirected"}
		case req.URL.Scheme != orig.URL.Scheme || req.URL.Host != orig.URL.Host:
			return &redirectError{target: &target, why: "not the host the request was sent to, " + orig.URL.Scheme + "://" + orig.URL.Host}
		case next != nil:
			if err := next(req, via); err != nil && !errors.Is(err, http.ErrUseLastResponse) {
				return &redirectError{target: &target, why: err.Error(), cause: err}
			} else if err != nil {
				return err
			}
		case len(via) >= maxRedirects:
			return &redirectError{target: &target, why: "stopped after 10 redirects"}
		}
		return nil
	}
}
