package reseller

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// SignParams is what a Signer signs: every envelope parameter but sign.
type SignParams struct {
	// Timestamp is the request time in Unix seconds.
	Timestamp int64
	// ResellerID is the reseller's id.
	ResellerID int64
	// Version is the API version.
	Version int
	// SignType is signType, sent and signed only when not 0 (the
	// platform's integration code sends 2 for YingeSigner's rule).
	SignType int
	// BizContent is the exact JSON bytes of bizContent as sent.
	BizContent []byte
	// Secret is the reseller's signing secret.
	Secret Secret
}

// Signer computes an envelope's sign.
type Signer interface {
	Sign(SignParams) (string, error)
}

// SignerFunc adapts a function to Signer.
type SignerFunc func(SignParams) (string, error)

// Sign calls f(p).
func (f SignerFunc) Sign(p SignParams) (string, error) { return f(p) }

// CanonicalString is the text MD5Signer and HMACSHA256Signer sign: the
// parameters but sign, sorted by key, as k=v joined by &, with bizContent as
// its JSON text (signType only when set):
//
//	bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&timestamp=1711092618&version=1
func CanonicalString(p SignParams) string { return canonical(p, false) }

// canonical writes the parameters sorted by key; withSecret adds
// secret=<secret> among them, in its place, as YingeSigner does.
func canonical(p SignParams, withSecret bool) string {
	var b strings.Builder
	b.Grow(len(p.BizContent) + len(p.Secret.Value()) + 80)
	b.WriteString("bizContent=")
	b.Write(p.BizContent)
	b.WriteString("&resellerId=")
	b.WriteString(strconv.FormatInt(p.ResellerID, 10))
	if withSecret {
		b.WriteString("&secret=")
		b.WriteString(p.Secret.Value())
	}
	if p.SignType != 0 {
		b.WriteString("&signType=")
		b.WriteString(strconv.Itoa(p.SignType))
	}
	b.WriteString("&timestamp=")
	b.WriteString(strconv.FormatInt(p.Timestamp, 10))
	b.WriteString("&version=")
	b.WriteString(strconv.Itoa(p.Version))
	return b.String()
}

// YingeSigner is the default Signer: the rule the platform's public
// integration code uses. Every envelope parameter but sign, plus
// secret=<secret> as one more, sorted by key, as k=v joined by & (bizContent
// as its compact JSON text exactly as sent), then MD5, in lower-case hex.
// The secret itself is never sent. The platform compares signatures without
// regard to case.
//
//	bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&secret=...&timestamp=1711092618&version=1
var YingeSigner Signer = SignerFunc(signYinge)

func signYinge(p SignParams) (string, error) {
	sum := md5.Sum([]byte(canonical(p, true)))
	return hex.EncodeToString(sum[:]), nil
}

// MD5Signer signs CanonicalString(p) followed by the secret with MD5, in
// upper-case hex: a convention of platforms like this one, kept for
// accounts set up with it.
var MD5Signer Signer = SignerFunc(signMD5)

func signMD5(p SignParams) (string, error) {
	sum := md5.Sum([]byte(CanonicalString(p) + p.Secret.Value()))
	return strings.ToUpper(hex.EncodeToString(sum[:])), nil
}

// HMACSHA256Signer signs CanonicalString(p) with HMAC-SHA256 keyed by the
// secret, in upper-case hex.
var HMACSHA256Signer Signer = SignerFunc(signHMACSHA256)

func signHMACSHA256(p SignParams) (string, error) {
	m := hmac.New(sha256.New, []byte(p.Secret.Value()))
	m.Write([]byte(CanonicalString(p)))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil))), nil
}
