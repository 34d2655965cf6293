package reseller_test

import (
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
		p:         reseller.SignParams{Timestamp: 1711092618, ResellerID: 10000, Version: 1, BizContent: []byte(`{"thirdOrderNo":"20240328-874367231"}`), Secret: "test-secret-0001"},
		canonical: `bizContent={"thirdOrderNo":"20240328-874367231"}&resellerId=10000&timestamp=1711092618&version=1`,
		md5:       "9AB31F58D7E1F1EF8379E390332C8A02",
		hmac:      "9A54E238EE0D9D6B61DECBDF34D585F4E93D307A62DBE027512C5DA91F548D6A",
	},
	{
		p:         reseller.SignParams{Timestamp: 1700000000, ResellerID: 987654321012, Version: 2, BizContent: []byte(`{"thirdOrderNo":"订单\u0026\u003c1\u003e"}`), Secret: "秘密"},
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
	var s reseller.Signer = reseller.SignerFunc(func(p reseller.SignParams) (string, error) { return string(p.Secret) + "!", nil })
	got, err := s.Sign(reseller.SignParams{Secret: "x"})
	require.NoError(t, err)
	assert.Equal(t, "x!", got)
}

func FuzzSign(f *testing.F) {
	for _, v := range signVectors {
		f.Add(v.p.Timestamp, v.p.ResellerID, v.p.Version, v.p.BizContent, string(v.p.Secret))
	}
	f.Fuzz(func(t *testing.T, ts, id int64, version int, biz []byte, secret string) {
		p := reseller.SignParams{Timestamp: ts, ResellerID: id, Version: version, BizContent: biz, Secret: reseller.Secret(secret)}
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
		p.Secret += reseller.Secret("x")
		if c, _ := reseller.MD5Signer.Sign(p); c == a {
			t.Fatal("secret not signed")
		}
	})
}
