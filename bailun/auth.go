package bailun

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/wire"
)

// tokenPath is Bailun's OAuth token endpoint.
const tokenPath = "/oauth/token/get"

// defaultTokenLifetime is used when the answer gives no expires_in; Bailun
// documents 3600 seconds.
const defaultTokenLifetime = time.Hour

// tokenRequest is the body of POST /oauth/token/get.
type tokenRequest struct {
	AppID  string `json:"app_id"`
	AppKey string `json:"app_key"`
	// AppSecret carries the key again under the name the doc's own example
	// body uses; its parameter table says app_key.
	AppSecret string `json:"app_secret"`
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
	StatusCode       wire.Int64               `json:"statusCode"`
	ErrMsg           wire.String              `json:"errMsg"`
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

// fetchToken gets a new access token from POST /oauth/token/get.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	body, err := json.Marshal(tokenRequest{AppID: c.cfg.AppID, AppKey: c.cfg.AppKey.Value(), AppSecret: c.cfg.AppKey.Value()})
	if err != nil {
		return "", 0, err
	}
	// Fetching a token changes nothing at Bailun, so it is retried like a query.
	req := &transport.Request{Method: "POST", Path: tokenPath, Body: body, ContentType: "application/json",
		ReadOnly: true, SecretBody: true}
	if c.tokenURL != nil {
		req.Base, req.Path = c.tokenURL, ""
	}
	res, err := c.t.Do(ctx, req)
	if err != nil {
		return "", 0, err
	}
	var a tokenAnswer
	if err := c.t.DecodeJSON(res, &a, "result", "data"); err != nil {
		return "", 0, err
	}
	if a.Code != nil && *a.Code != status.BailunSuccess {
		return "", 0, c.t.Error(res, a.Code.Code().Value, a.Message, tokenCodeErr(*a.Code))
	}
	if sc := a.StatusCode; sc.Valid && sc.Int64 != http.StatusOK {
		// A refusal inside an HTTP 200: statusCode says what it means, as
		// an HTTP status would, and errMsg (非法id, ...) why.
		return "", 0, c.t.Error(res, sc.String(), a.ErrMsg.String, tokenStatusErr(sc.Int64))
	}
	tok, life := a.token()
	switch {
	case tok == "" && a.Code == nil && !a.StatusCode.Valid:
		// Nothing of Bailun's token answer: {}, null, {"error": ...}.
		return "", 0, c.t.Error(res, "", "malformed response: not a token answer", status.ErrMalformedResponse)
	case tok == "":
		return "", 0, c.t.Error(res, "", "token answer has no access_token", status.ErrUnauthorized)
	}
	c.t.AddSecret(tok)
	c.t.AddSecret(strings.TrimSpace(strings.TrimPrefix(tok, "Bearer ")))
	return tok, life, nil
}

// tokenStatusErr maps a token answer's statusCode as the HTTP status it
// mirrors: 400 invalid request, 401 and 403 unauthorized, 5xx unavailable;
// any other refusal is unauthorized.
func tokenStatusErr(code int64) error {
	switch {
	case code == http.StatusBadRequest:
		return status.ErrInvalidRequest
	case code >= 500:
		return status.ErrUnavailable
	}
	return status.ErrUnauthorized
}

// tokenCodeErr maps a failed token answer: bad parameters there mean the
// credentials were refused.
func tokenCodeErr(code status.BailunResultCode) error {
	if code == status.BailunErParameter || !code.Known() {
		return status.ErrUnauthorized
	}
	return code.Err()
}
