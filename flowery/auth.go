package flowery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// tokenPath registers a token for an account and logistics channel.
const tokenPath = "/logistics/api/token"

// tokenRequest is the body of POST /logistics/api/token.
type tokenRequest struct {
	AccountID string `json:"account_id"`
	Logistics string `json:"logistics"`
	Random    string `json:"random"`
	SecretKey string `json:"secret_key"`
}

// tokenAnswer is {"status": "success", "data": {"logistics", "token"}}.
type tokenAnswer struct {
	head
	Data struct {
		Logistics string `json:"logistics"`
		Token     string `json:"token"`
	} `json:"data"`
}

// registerToken registers a new token (POST /logistics/api/token). Flowery
// gives tokens no lifetime: one lives until Flowery rejects it.
func (c *Client) registerToken(ctx context.Context) (string, time.Duration, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", 0, err
	}
	body, err := json.Marshal(tokenRequest{AccountID: c.cfg.AccountID, Logistics: c.cfg.Logistics,
		Random: hex.EncodeToString(nonce[:]), SecretKey: c.cfg.SecretKey.Value()})
	if err != nil {
		return "", 0, err
	}
	// Registering again only replaces the token, so it is retried like a query.
	req := c.token.request(http.MethodPost)
	req.Body, req.ContentType, req.ReadOnly, req.SecretBody = body, "application/json", true, true
	res, err := c.t.Do(ctx, req)
	if err != nil {
		return "", 0, err
	}
	var a tokenAnswer
	if err := decodeMended(c.t, res, &a, "data"); err != nil {
		return "", 0, err
	}
	switch {
	case !a.OK() && !a.Code.Valid && !a.Status.Valid:
		// Nothing of Flowery's envelope: {}, null, {"error": ...}.
		return "", 0, c.t.Error(res, "", `malformed response: no "status" or "code"`, status.ErrMalformedResponse)
	case !a.OK():
		return "", 0, c.t.Error(res, a.Status.String, a.Message, status.ErrUnauthorized)
	}
	if a.Data.Token == "" {
		return "", 0, c.t.Error(res, "", "token answer has no token", status.ErrUnauthorized)
	}
	c.t.AddSecret(a.Data.Token)
	return a.Data.Token, 0, nil
}
