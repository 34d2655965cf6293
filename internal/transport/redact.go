package transport

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces every secret in logs and errors.
const Redacted = "[REDACTED]"

// secretHeaders are never logged, whatever the provider.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Token", "Api_key", "Api-Key", "Cookie"}

// secretParams are query or form parameters whose values are never logged.
var secretParams = regexp.MustCompile(`(?i)\b((?:access_)?token|app_key|api_key|secret(?:_key)?|sign|password)=[^&\s"]*`)

// redactor removes known secret values from text. Secrets learnt at run
// time, such as a freshly fetched access token, are added with add.
type redactor struct {
	mu      sync.RWMutex
	secrets []string
	headers map[string]bool
}

func newRedactor(secrets, headers []string) *redactor {
	r := &redactor{headers: map[string]bool{}}
	for _, h := range append(append([]string(nil), secretHeaders...), headers...) {
		r.headers[http.CanonicalHeaderKey(h)] = true
	}
	for _, s := range secrets {
		r.add(s)
	}
	return r
}

// add registers a secret value. Values shorter than four bytes are ignored:
// replacing them would mangle ordinary text without hiding anything.
func (r *redactor) add(secret string) {
	if len(secret) < 4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s == secret {
			return
		}
	}
	r.secrets = append(r.secrets, secret)
	// A secret may also appear query-escaped, as in a URL.
	if esc := url.QueryEscape(secret); esc != secret {
		r.secrets = append(r.secrets, esc)
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// text returns s with every secret value and secret parameter replaced.
func (r *redactor) text(s string) string {
	if s == "" {
		return s
	}
	r.mu.RLock()
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	r.mu.RUnlock()
	return secretParams.ReplaceAllString(s, "$1="+Redacted)
}

// header returns a copy of h for logging, with secret headers replaced.
func (r *redactor) header(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if r.headers[http.CanonicalHeaderKey(k)] {
			out[k] = Redacted
			continue
		}
		out[k] = r.text(strings.Join(v, ", "))
	}
	return out
}
