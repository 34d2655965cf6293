package reseller

import (
	"crypto/subtle"
	"encoding/json"
	"strings"
)

// Envelope is the body of every request to the platform: the public
// parameters around bizContent, and their signature. The client builds and
// signs one for each call; tests and tools can build or check one too.
type Envelope struct {
	// Timestamp is timestamp, the request time in Unix seconds.
	Timestamp int64 `json:"timestamp"`
	// Sign is sign, the signature of the other parameters.
	Sign string `json:"sign"`
	// ResellerID is resellerId.
	ResellerID int64 `json:"resellerId"`
	// Version is version, the API version.
	Version int `json:"version"`
	// SignType is signType, sent (and signed) only when not 0.
	SignType int `json:"signType,omitempty"`
	// BizContent is bizContent, the call's own parameters, as the exact
	// JSON bytes signed and sent.
	BizContent json.RawMessage `json:"bizContent"`
}

// Params returns what a Signer signs for e, with secret.
func (e *Envelope) Params(secret Secret) SignParams {
	return SignParams{Timestamp: e.Timestamp, ResellerID: e.ResellerID, Version: e.Version, SignType: e.SignType,
		BizContent: e.BizContent, Secret: secret}
}

// SignWith sets e.Sign to signer's signature of e with secret.
func (e *Envelope) SignWith(signer Signer, secret Secret) error {
	sign, err := signer.Sign(e.Params(secret))
	if err != nil {
		return err
	}
	e.Sign = sign
	return nil
}

// Verify reports whether e.Sign is signer's signature of e with secret,
// compared without regard to case, as the platform compares it, and in
// constant time (crypto/subtle on the lower-cased texts), so that the time
// taken tells nothing of how much of a forged signature was right.
func (e *Envelope) Verify(signer Signer, secret Secret) bool {
	want, err := signer.Sign(e.Params(secret))
	if err != nil || e.Sign == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(want)), []byte(strings.ToLower(e.Sign))) == 1
}
