package reseller

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/status"
)

// FuzzDecodeOrder feeds any body to the order query decoder: it never
// panics, fails only with a *status.APIError, and what it accepts converts
// to snapshots and encodes to JSON that decodes to the same JSON again.
func FuzzDecodeOrder(f *testing.F) {
	wiretest.AddFixtures(f, "reseller")
	c, err := New(Config{BaseURL: "https://fuzz", ResellerID: 1, Secret: NewSecret("s")})
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

// FuzzSubOrderField sets one field of a sub-order to any JSON value: the
// answer always decodes (a null orderStatus, which is required, excepted),
// and the sub-order encodes back to every value it came with.
func FuzzSubOrderField(f *testing.F) {
	record := []byte(`{"orderNo":"S1","orderStatus":30,"address":{"name":"n","phone":"1","province":"p","city":"c","district":"d","address":"a"},` +
		`"skus":[{"customizeNo":"c1","resellerSkuId":10001,"count":2}],` +
		`"orderExpress":{"expressNumber":"E1","expressCompanyName":"韵达快递","expressCompany":"yd","packageCount":1,"shippingStatus":2,` +
		`"traces":[{"time":"2024-04-03 18:40:12","context":"已签收","status":"3","city":"上海"}]}}`)
	for i, v := range []string{`"abc"`, `1.5`, `"110222319566-0"`, `{"a":[1]}`, `[]`, `null`, `true`, `-0`, `"007"`, `1e3`, `{"value":1}`, `"2019-6-25 18:56:03"`} {
		f.Add(uint(i), []byte(v))
	}
	c, err := New(Config{BaseURL: "https://fuzz", ResellerID: 1, Secret: NewSecret("s")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, i uint, value []byte) {
		wiretest.CheckField(t, record, i, value, func(rec []byte) (any, error) {
			body := []byte(`{"code":0,"message":"","data":{"thirdOrderNo":"T1","subOrderList":[` + string(rec) + `]}}`)
			o, err := c.decodeOrder(&transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: orderQueryPath})
			if err != nil {
				return nil, err
			}
			_ = o.Snapshots("T1")
			return o.SubOrderList[0], nil
		}, "orderStatus")
	})
}

// FuzzFastOrderEqualsCareful: wherever the one-pass decode (every record
// through its plain form on the json/v2 engine) takes an answer, it gives
// what the careful record-by-record decode gives.
func FuzzFastOrderEqualsCareful(f *testing.F) {
	wiretest.AddFixtures(f, "reseller")
	c, err := New(Config{BaseURL: "https://fuzz", ResellerID: 1, Secret: NewSecret("s")})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"code":0,"data":{"subOrderList":[{"orderNo":"S1","orderStatus":30,"skus":[null],"orderExpress":{"traces":[null,{"context":"x"}]}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, body := range wiretest.WithNullRows(body) {
			fast, ok := decodeOrderFast(body)
			if !ok {
				continue
			}
			careful, err := c.decodeOrderCareful(&transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: orderQueryPath})
			if err != nil {
				t.Fatalf("fast took an answer the careful path refuses: %v", err)
			}
			wiretest.SameJSON(t, fast, careful)
			if !reflect.DeepEqual(fast.Snapshots("r"), careful.Snapshots("r")) {
				t.Fatal("snapshots differ")
			}
		}
	})
}
