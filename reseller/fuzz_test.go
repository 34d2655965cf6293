package reseller

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// FuzzDecodeOrder feeds any body to the order query decoder: it never
// panics, fails only with a *status.APIError, and what it accepts converts
// to snapshots and encodes to JSON that decodes to the same JSON again.
func FuzzDecodeOrder(f *testing.F) {
	files, _ := filepath.Glob("../testdata/reseller/*")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	c, err := New(Config{BaseURL: "http://fuzz", ResellerID: 1, Secret: "s"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := c.decodeOrder(&transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: orderQueryPath})
		if err != nil {
			var ae *status.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("not an APIError: %v", err)
			}
			return
		}
		snaps := o.Snapshots("ref")
		if len(snaps) == 0 {
			t.Fatal("no snapshot")
		}
		first, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back Order
		if err := json.Unmarshal(first, &back); err != nil {
			t.Fatal(err)
		}
		second, err := json.Marshal(back)
		if err != nil || string(first) != string(second) {
			t.Fatalf("round trip:\n%s\n%s", first, second)
		}
	})
}
