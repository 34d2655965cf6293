package bailun

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/status"
)

// FuzzDecodeOrderStatus feeds any body to the queryOrderStatus decoder: it
// never panics, fails only with a *status.APIError, and what it accepts
// encodes to JSON that decodes and encodes to the same JSON again.
func FuzzDecodeOrderStatus(f *testing.F) {
	wiretest.AddFixtures(f, "bailun")
	f.Add([]byte(`{"result":{"orderStatus":4,"shipFaildType":7,"exceptionType":99,"lastUpdateTime":"2020-1-1 1:1:1"},"code":10000}`))
	c, err := New(Config{BaseURL: "https://fuzz", AccessToken: NewSecret("t")})
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
		again, err := json.Marshal(back)
		if err != nil || string(again) != string(b) {
			t.Fatalf("round trip:\n%s\n%s", b, again)
		}
	})
}

// FuzzOrderStatusField sets one field of the documented record to any JSON
// value: the answer always decodes (a null orderStatus, which is required,
// excepted), and the record encodes back to every value it came with.
func FuzzOrderStatusField(f *testing.F) {
	record := []byte(`{"originOrderNo":"CP-1","orderStatus":4,"trackingNo":"YT1","lastUpdateTime":"2020-01-03 00:00:00","shipFaildType":7,"exceptionType":null}`)
	for i, v := range []string{`"abc"`, `1.5`, `"110222319566-0"`, `{"a":[1]}`, `[]`, `null`, `true`, `-0`, `"007"`, `1e3`} {
		f.Add(uint(i), []byte(v))
	}
	c, err := New(Config{BaseURL: "https://fuzz", AccessToken: NewSecret("t")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, i uint, value []byte) {
		wiretest.CheckField(t, record, i, value, func(rec []byte) (any, error) {
			body := []byte(`{"result":` + string(rec) + `,"message":"","code":10000}`)
			o, err := c.decodeOrderStatus(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: queryOrderStatusPath})
			if err == nil {
				_ = o.Snapshot("ref")
			}
			return o, err
		}, "orderStatus")
	})
}

// FuzzFastOrderStatusEqualsCareful: wherever the one-pass decode (the
// answer read by hand, member by member) takes an answer, it gives what
// the careful field-by-field decode gives.
func FuzzFastOrderStatusEqualsCareful(f *testing.F) {
	wiretest.AddFixtures(f, "bailun")
	f.Add([]byte(`{"result":{"originOrderNo":null,"orderStatus":4,"trackingNo":null,"lastUpdateTime":"2020-01-03 00:00:00"},"code":10000}`))
	f.Add([]byte(`{"result":{"OrderStatus":4,"orderstatus":5,"shipFaildType":7},"code":10000,"message":"x"}`))
	f.Add([]byte(`{"result":{"originOrderNo":"A","orderStatus":4},"result":{},"code":10000}`))
	f.Add([]byte(`{"result":{"orderStatus":4,"OrderStatus":null},"code":10000}`))
	f.Add([]byte(`{"result":{"originOrderNo":"A","orderStatus":4,"shipFaildType":null,"exceptionType":2,"x":[1]},"message":"success","code":10000}`))
	f.Add([]byte(`{"result":{"originOrderNo":"A","orderStatus":4.0,"shipFaildType":"1"},"code":10000}`))
	c, err := New(Config{BaseURL: "https://fuzz", AccessToken: NewSecret("t")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := decodeOrderStatusFast(body)
		if !ok {
			return
		}
		careful, err := c.decodeOrderStatusCareful(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: queryOrderStatusPath})
		if err != nil {
			t.Fatalf("fast took an answer the careful path refuses: %v", err)
		}
		wiretest.SameJSON(t, fast, careful)
		if !reflect.DeepEqual(fast, careful) {
			t.Fatalf("fast and careful differ:\n%#v\n%#v", fast, careful)
		}
		if !reflect.DeepEqual(fast.Snapshot("r"), careful.Snapshot("r")) {
			t.Fatal("snapshots differ")
		}
	})
}

// The one-pass decode leaves to the careful path an answer that gives a
// name twice: encoding/json's rules would merge the second into the first,
// or let a later null stand behind an earlier value.
func TestFastDecodeRefusesRepeatedNames(t *testing.T) {
	for _, body := range []string{
		`{"result":{"originOrderNo":"A","orderStatus":4},"result":{},"code":10000}`,
		`{"result":{"originOrderNo":"A","orderStatus":4},"Result":{"orderStatus":5},"code":10000}`,
		`{"result":{"orderStatus":4,"OrderStatus":null},"code":10000}`,
		`{"result":{"originOrderNo":"A","orderStatus":0,"originOrderNo":null},"code":10000}`,
	} {
		if _, ok := decodeOrderStatusFast([]byte(body)); ok {
			t.Errorf("%s: taken in one pass", body)
		}
	}
}

// The one-pass decode takes an answer only where encoding/json's rules
// read it the same way, and leaves every other to the careful path.
func TestFastDecodeTakesOnlyWhatReadsTheSame(t *testing.T) {
	c, err := New(Config{BaseURL: "https://x", AccessToken: NewSecret("t")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		fast bool
	}{
		{`{"result":{"originOrderNo":"A","orderStatus":4},"code":10000}`, true},
		{`{"result":{"originOrderNo":"A","orderStatus":4,"shipFaildType":null,"exceptionType":2,"more":{"x":[1]}},"message":"success","code":10000,"extra":1}`, true},
		{`{"result":{"orderStatus":4,"trackingNo":null,"lastUpdateTime":"2024-01-02 03:04:05"},"code":10000}`, true},

		{`{"result":{"originOrderNo":"A"},"code":10000}`, false}, // no orderStatus: malformed
		{`{"result":null,"code":10000}`, false},                  // no result
		{`{"result":{"orderStatus":4},"message":"` + NotFoundMessage + `","code":10000}`, false},
		{`{"result":{"orderStatus":4},"code":10001}`, false},   // a refusal
		{`{"result":{"orderStatus":4}}`, false},                // no code: perhaps the bare record
		{`{"result":{"orderStatus":4.0},"code":10000}`, false}, // a value that does not fit: Unfit
		{`{"result":{"orderStatus":"4"},"code":10000}`, false},
		{`{"result":{"orderStatus":4,"shipFaildType":"1"},"code":10000}`, false},
		{`{"result":{"orderStatus":4,"originOrderNo":null},"code":10000}`, false}, // a null kept in Unfit
		{`{"result":{"orderStatus":4,"ShipFaildType":1},"code":10000}`, false},    // another case
		{`{"result":{"orderStatus":4},"code":10000,"Code":10001}`, false},
		{`{"result":{"orderStatus":4},"code":10000}{}`, false},                  // trailing data
		{`{"result":{"orderStatus":99999999999999999999},"code":10000}`, false}, // too big for an int
	} {
		fast, ok := decodeOrderStatusFast([]byte(tc.body))
		if ok != tc.fast {
			t.Errorf("%s: fast = %v, want %v", tc.body, ok, tc.fast)
			continue
		}
		if !ok {
			continue
		}
		careful, err := c.decodeOrderStatusCareful(&transport.Response{StatusCode: 200, Body: []byte(tc.body), Method: "GET", Endpoint: queryOrderStatusPath})
		if err != nil || !reflect.DeepEqual(fast, careful) {
			t.Errorf("%s: fast %#v, careful %#v (%v)", tc.body, fast, careful, err)
		}
	}
}
