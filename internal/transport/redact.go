package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ordertrack/ordertrack/wire"
)

// Redacted replaces every secret in logs and errors: the same text a
// wire.Secret prints as.
const Redacted = wire.Redacted

// secretParams are query or form parameters whose values are never logged.
var secretParams = regexp.MustCompile(`(?i)\b((?:access_)?token|app_key|api_key|secret(?:_key)?|sign|password)=[^&\s"]*`)

// redactor removes known secret values from text. Secrets learnt at run
// time, such as a freshly fetched access token, are added with add.
type redactor struct {
	mu      sync.RWMutex
	secrets []string
}

func newRedactor(secrets []string) *redactor {
	r := &redactor{}
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
	// A secret may come back in any of the forms it can be written in: as
	// is, query- or form-escaped (as in a URL or a form body), path-escaped,
	// or JSON-escaped the ways JSON encoders do (Go's < > & as \u003c...,
	// PHP's / as \/, non-ASCII as \uXXXX).
	for _, v := range SecretForms(secret) {
		if !slices.Contains(r.secrets, v) {
			r.secrets = append(r.secrets, v)
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// SecretForms returns secret and every escaped form of it.
func SecretForms(secret string) []string {
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	html, _ := json.Marshal(secret)
	for _, q := range []string{strings.TrimSpace(plain.String()), string(html)} {
		inner := q[1 : len(q)-1]
		for _, v := range []string{inner, strings.ReplaceAll(inner, "/", `\/`)} {
			forms = append(forms, v, asciiJSON(v, "%04x"), asciiJSON(v, "%04X"))
		}
	}
	return forms
}

// asciiJSON writes every non-ASCII rune of JSON string text as \uXXXX,
// its hex digits in format hex (lower or upper case).
func asciiJSON(s, hex string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u`+hex+`\u`+hex, r1, r2)
		default:
			fmt.Fprintf(&b, `\u`+hex, r)
		}
	}
	return b.String()
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
