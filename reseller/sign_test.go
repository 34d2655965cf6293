package reseller_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/reseller"
)

// Known answers, computed outside Go with Python's standard library:
//
//	import hashlib, hmac
//	s = 'bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&timestamp=1711092618&version=1'
//	hashlib.md5((s + "test-secret-0001").encode()).hexdigest().upper()
//	hmac.new(b"test-secret-0001", s.encode(), hashlib.sha256).hexdigest().upper()
//
//	s2 = 'bizContent={"thirdOrderNo":"订单\u0026\u003c1\u003e"}&resellerId=987654321012&timestamp=1700000000&version=2'
//	hashlib.md5((s2 + "秘密").encode()).hexdigest().upper()
//	hmac.new("秘密".encode(), s2.encode(), hashlib.sha256).hexdigest().upper()
//
// (s2's bizContent is what json.Marshal writes for 订单&<1>: Go escapes &, < and >.)
var signVectors = []struct {
	p         reseller.SignParams
	canonical string
	md5, hmac string
}{
	{
		p:         reseller.SignParams{Timestamp: 1711092618, ResellerID: 10000, Version: 1, BizContent: []byte(`{"thirdOrderNo":"20240328-874367231"}`), Secret: reseller.NewSecret("test-secret-0001")},
		canonical: `bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&timestamp=1711092618&version=1`,
		md5:       "9AB31F58D7E1F1EF8379E390332C8A02",
		hmac:      "9A54E238EE0D9D6B61DECBDF34D585F4E93D307A62DBE027512C5DA91F548D6A",
	},
	{
		p:         reseller.SignParams{Timestamp: 1700000000, ResellerID: 987654321012, Version: 2, BizContent: []byte(`{"thirdOrderNo":"订单\u0026\u003c1\u003e"}`), Secret: reseller.NewSecret("秘密")},
		canonical: `bizContent={"thirdOrderNo":"订单\u0026\u003c1\u003e"}&resellerId=987654321012&timestamp=1700000000&version=2`,
		md5:       "E29B09944AC3E5AC9DCA205057AFC530",
		hmac:      "9BF9E72D90D50FBCAFEDADC1F51291B3C06E378A1709878EDDBAD74F5537D6CF",
	},
}

func TestSignKnownAnswers(t *testing.T) {
	for _, v := range signVectors {
		assert.Equal(t, v.canonical, reseller.CanonicalString(v.p))
		got, err := reseller.MD5Signer.Sign(v.p)
		require.NoError(t, err)
		assert.Equal(t, v.md5, got)
		got, err = reseller.HMACSHA256Signer.Sign(v.p)
		require.NoError(t, err)
		assert.Equal(t, v.hmac, got)
	}
}

func TestSignerFunc(t *testing.T) {
	var s reseller.Signer = reseller.SignerFunc(func(p reseller.SignParams) (string, error) { return p.Secret.Value() + "!", nil })
	got, err := s.Sign(reseller.SignParams{Secret: reseller.NewSecret("x")})
	require.NoError(t, err)
	assert.Equal(t, "x!", got)
}

func FuzzSign(f *testing.F) {
	for _, v := range signVectors {
		f.Add(v.p.Timestamp, v.p.ResellerID, v.p.Version, v.p.BizContent, v.p.Secret.Value())
	}
	f.Fuzz(func(t *testing.T, ts, id int64, version int, biz []byte, secret string) {
		p := reseller.SignParams{Timestamp: ts, ResellerID: id, Version: version, BizContent: biz, Secret: reseller.NewSecret(secret)}
		a, err := reseller.MD5Signer.Sign(p)
		if err != nil || len(a) != 32 {
			t.Fatal(a, err)
		}
		b, _ := reseller.MD5Signer.Sign(p)
		if a != b {
			t.Fatal("not deterministic")
		}
		h, err := reseller.HMACSHA256Signer.Sign(p)
		if err != nil || len(h) != 64 {
			t.Fatal(h, err)
		}
		p.Secret = reseller.NewSecret(p.Secret.Value() + "x")
		if c, _ := reseller.MD5Signer.Sign(p); c == a {
			t.Fatal("secret not signed")
		}
	})
}

// YingeSigner's test vector: the rule the platform's public integration
// code uses, the secret signed among the parameters, lower-case hex.
//
//	s = 'bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&secret=secret29472103dfe&timestamp=1711092618&version=1'
//	hashlib.md5(s.encode()).hexdigest()
//
// With signType 2, signType=2 takes its place after secret.
func TestYingeSigner(t *testing.T) {
	p := reseller.SignParams{Timestamp: 1711092618, ResellerID: 10000, Version: 1,
		BizContent: []byte(`{"thirdOrderNo":"20240328-874367231"}`), Secret: reseller.NewSecret("secret29472103dfe")}
	got, err := reseller.YingeSigner.Sign(p)
	require.NoError(t, err)
	assert.Equal(t, "db59aeec8928156134e82d294738047a", got)
	p.SignType = 2
	got, err = reseller.YingeSigner.Sign(p)
	require.NoError(t, err)
	assert.Equal(t, "15dd81a45d2bd61f97f2ad80d5beea87", got)
}

// An Envelope signs and verifies as the platform does: case does not
// matter, anything else does.
func TestEnvelope(t *testing.T) {
	e := reseller.Envelope{Timestamp: 1711092618, ResellerID: 10000, Version: 1, BizContent: []byte(`{"thirdOrderNo":"20240328-874367231"}`)}
	require.NoError(t, e.SignWith(reseller.YingeSigner, reseller.NewSecret("secret29472103dfe")))
	assert.Equal(t, "db59aeec8928156134e82d294738047a", e.Sign)
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Equal(t, `{"timestamp":1711092618,"sign":"db59aeec8928156134e82d294738047a","resellerId":10000,"version":1,"bizContent":{"thirdOrderNo":"20240328-874367231"}}`, string(b))
	upper := e
	upper.Sign = strings.ToUpper(e.Sign)
	assert.True(t, upper.Verify(reseller.YingeSigner, reseller.NewSecret("secret29472103dfe")), "the platform compares without regard to case")
	assert.False(t, e.Verify(reseller.YingeSigner, reseller.NewSecret("another")))
	e.SignType = 2
	assert.False(t, e.Verify(reseller.YingeSigner, reseller.NewSecret("secret29472103dfe")), "signType is signed")
	require.NoError(t, e.SignWith(reseller.YingeSigner, reseller.NewSecret("secret29472103dfe")))
	b, _ = json.Marshal(e)
	assert.Contains(t, string(b), `"version":1,"signType":2,"bizContent"`)
}
