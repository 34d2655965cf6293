package bailun

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// FuzzDecodeOrderStatus feeds any body to the queryOrderStatus decoder: it
// never panics, fails only with a *status.APIError, and what it accepts
// encodes and decodes to the same value.
func FuzzDecodeOrderStatus(f *testing.F) {
	files, _ := filepath.Glob("../testdata/bailun/*")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"result":{"orderStatus":4,"shipFaildType":7,"exceptionType":99,"lastUpdateTime":"2020-1-1 1:1:1"},"code":10000}`))
	c, err := New(Config{BaseURL: "http://fuzz", AccessToken: "t"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := c.decodeOrderStatus(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: queryOrderStatusPath})
		if err != nil {
			var ae *status.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("not an APIError: %v", err)
			}
			return
		}
		if o == nil {
			t.Fatal("nil result without error")
		}
		_ = o.Snapshot("ref")
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back OrderStatusOutput
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		back.LastUpdateTime.Time, o.LastUpdateTime.Time = back.LastUpdateTime.Time.UTC(), o.LastUpdateTime.Time.UTC()
		if !reflect.DeepEqual(*o, back) {
			t.Fatalf("round trip:\n%+v\n%+v", *o, back)
		}
	})
}
