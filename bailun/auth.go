package bailun

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/internal/wire"
	"github.com/ordertrack/ordertrack/status"
)

// tokenPath is Bailun's OAuth token endpoint.
const tokenPath = "/oauth/token/get"

// defaultTokenLifetime is used when the answer gives no expires_in; Bailun
// documents 3600 seconds.
const defaultTokenLifetime = time.Hour

// tokenSource fetches, caches and refreshes the access token. Concurrent
// callers share one fetch.
type tokenSource struct {
	t             *transport.Client
	appID, appKey string
	static        string
	now           func() time.Time

	mu       sync.Mutex
	token    string
	expiry   time.Time
	inflight chan struct{}
}

// tokenRequest is the body of POST /oauth/token/get.
type tokenRequest struct {
	AppID  string `json:"app_id"`
	AppKey string `json:"app_key"`
}

// tokenAnswer accepts both spellings Bailun uses (access_token and
// accessToken), at the top level or inside a BaseResponse's result.
type tokenAnswer struct {
	AccessToken      string                   `json:"access_token"`
	AccessTokenCamel string                   `json:"accessToken"`
	ExpiresIn        wire.Int64               `json:"expires_in"`
	ExpiresInCamel   wire.Int64               `json:"expiresIn"`
	Code             *status.BailunResultCode `json:"code"`
	Message          string                   `json:"message"`
	Result           *tokenAnswer             `json:"result"`
	Data             *tokenAnswer             `json:"data"`
}

func (a *tokenAnswer) token() (string, time.Duration) {
	for _, inner := range []*tokenAnswer{a, a.Result, a.Data} {
		if inner == nil {
			continue
		}
		tok := inner.AccessToken
		if tok == "" {
			tok = inner.AccessTokenCamel
		}
		if tok == "" {
			continue
		}
		exp := inner.ExpiresIn
		if !exp.Valid {
			exp = inner.ExpiresInCamel
		}
		life := defaultTokenLifetime
		if exp.Valid && exp.Int64 > 0 {
			life = time.Duration(exp.Int64) * time.Second
		}
		return tok, life
	}
	return "", 0
}

// authorization returns the Authorization header value for a token: the
// token as Bailun gives it (it already begins with "Bearer "), with the
// prefix added only when it is missing.
func authorization(token string) string {
	if len(token) >= 7 && strings.EqualFold(token[:7], "Bearer ") {
		return token
	}
	return "Bearer " + token
}

// get returns a valid token, fetching one when none is cached or the cached
// one is about to expire.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	if s.static != "" {
		return s.static, nil
	}
	for {
		s.mu.Lock()
		if s.token != "" && s.now().Before(s.expiry) {
			tok := s.token
			s.mu.Unlock()
			return tok, nil
		}
		if wait := s.inflight; wait != nil {
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		done := make(chan struct{})
		s.inflight = done
		s.mu.Unlock()

		tok, life, err := s.fetch(ctx)

		s.mu.Lock()
		s.inflight = nil
		if err == nil {
			s.token = tok
			// Refresh a minute early (a tenth early for short lifetimes),
			// so a token never expires on its way to Bailun.
			s.expiry = s.now().Add(life - min(time.Minute, life/10))
		}
		s.mu.Unlock()
		close(done)
		return tok, err
	}
}

// invalidate drops tok if it is still the cached token, so the next get
// fetches a new one. It reports whether a new token can be fetched at all.
func (s *tokenSource) invalidate(tok string) bool {
	if s.static != "" {
		return false
	}
	s.mu.Lock()
	if s.token == tok {
		s.token = ""
	}
	s.mu.Unlock()
	return true
}

func (s *tokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	body, err := json.Marshal(tokenRequest{AppID: s.appID, AppKey: s.appKey})
	if err != nil {
		return "", 0, err
	}
	// Fetching a token changes nothing at Bailun, so it is retried like a query.
	res, err := s.t.Do(ctx, &transport.Request{Method: "POST", Path: tokenPath, Body: body, ContentType: "application/json", ReadOnly: true})
	if err != nil {
		return "", 0, err
	}
	var a tokenAnswer
	if err := s.t.DecodeJSON(res, &a); err != nil {
		return "", 0, err
	}
	if a.Code != nil && *a.Code != status.BailunSuccess {
		return "", 0, s.t.Error(res, a.Code.Code().Value, a.Message, tokenCodeErr(*a.Code))
	}
	tok, life := a.token()
	if tok == "" {
		return "", 0, s.t.Error(res, "", "token answer has no access_token", status.ErrUnauthorized)
	}
	s.t.AddSecret(tok)
	s.t.AddSecret(strings.TrimSpace(strings.TrimPrefix(tok, "Bearer ")))
	return tok, life, nil
}

// tokenCodeErr maps a failed token answer: bad parameters there mean the
// credentials were refused.
func tokenCodeErr(code status.BailunResultCode) error {
	if code == status.BailunErParameter || !code.Known() {
		return status.ErrUnauthorized
	}
	return code.Err()
}
