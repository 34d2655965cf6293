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

// CanonicalString is the text the default signers sign: the parameters but
// sign, sorted by key, as k=v joined by &, with bizContent as its JSON text:
//
//	bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&timestamp=1711092618&version=1
func CanonicalString(p SignParams) string {
	var b strings.Builder
	b.Grow(len(p.BizContent) + 64)
	b.WriteString("bizContent=")
	b.Write(p.BizContent)
	b.WriteString("&resellerId=")
	b.WriteString(strconv.FormatInt(p.ResellerID, 10))
	b.WriteString("&timestamp=")
	b.WriteString(strconv.FormatInt(p.Timestamp, 10))
	b.WriteString("&version=")
	b.WriteString(strconv.Itoa(p.Version))
	return b.String()
}

// MD5Signer is the default Signer: the upper-case hex MD5 of
// CanonicalString(p) followed directly by the secret.
//
// The platform's document leaves the sign algorithm out. This is the most
// common convention on such open platforms, and an assumption: confirm it
// with the platform, and set Config.Signer if it differs.
var MD5Signer Signer = SignerFunc(func(p SignParams) (string, error) {
	sum := md5.Sum([]byte(CanonicalString(p) + string(p.Secret)))
	return strings.ToUpper(hex.EncodeToString(sum[:])), nil
})

// HMACSHA256Signer is the other common convention: the upper-case hex
// HMAC-SHA256 of CanonicalString(p), keyed by the secret.
var HMACSHA256Signer Signer = SignerFunc(func(p SignParams) (string, error) {
	m := hmac.New(sha256.New, []byte(string(p.Secret)))
	m.Write([]byte(CanonicalString(p)))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil))), nil
})
