package flowery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/ordertrack/ordertrack/internal/transport"
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
	Response[json.RawMessage]
	Data struct {
		Logistics string `json:"logistics"`
		Token     string `json:"token"`
	} `json:"data"`
}

// tokenSource registers, caches and replaces the token. Concurrent callers
// share one registration.
type tokenSource struct {
	c      *Client
	static string

	mu       sync.Mutex
	token    string
	inflight chan struct{}
}

func (s *tokenSource) get(ctx context.Context) (string, error) {
	if s.static != "" {
		return s.static, nil
	}
	for {
		s.mu.Lock()
		if s.token != "" {
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

		tok, err := s.register(ctx)

		s.mu.Lock()
		s.inflight = nil
		if err == nil {
			s.token = tok
		}
		s.mu.Unlock()
		close(done)
		return tok, err
	}
}

// invalidate drops tok if it is still cached; it reports whether a new
// token can be registered at all.
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

func (s *tokenSource) register(ctx context.Context) (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	body, err := json.Marshal(tokenRequest{AccountID: s.c.cfg.AccountID, Logistics: s.c.cfg.Logistics,
		Random: hex.EncodeToString(nonce[:]), SecretKey: s.c.cfg.SecretKey})
	if err != nil {
		return "", err
	}
	// Registering again only replaces the token, so it is retried like a query.
	res, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodPost, Path: tokenPath, Body: body,
		ContentType: "application/json", ReadOnly: true})
	if err != nil {
		return "", err
	}
	var a tokenAnswer
	if err := s.c.t.DecodeJSON(res, &a); err != nil {
		return "", err
	}
	if !a.OK() {
		return "", s.c.t.Error(res, a.Status.String, a.Message, status.ErrUnauthorized)
	}
	if a.Data.Token == "" {
		return "", s.c.t.Error(res, "", "token answer has no token", status.ErrUnauthorized)
	}
	s.c.t.AddSecret(a.Data.Token)
	return a.Data.Token, nil
}
