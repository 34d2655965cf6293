package bailun

import (
	"net/url"
	"testing"
)

// FuzzQueryEncode: the query is what url.Values would encode.
func FuzzQueryEncode(f *testing.F) {
	for _, s := range []string{"CP-1001", "a b&c=d", "订单/1", "%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		want := url.Values{"originOrderNo": {ref}}.Encode()
		if got := (QueryOrderStatusDTO{OriginOrderNo: ref}).encode(); got != want {
			t.Fatalf("%q: %q, url.Values gives %q", ref, got, want)
		}
	})
}
