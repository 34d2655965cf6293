package flowery

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/status"
)

// FuzzDecodeOrders feeds any body to the order-status decoder, invalid
// JSON mending included: it never panics, fails only with a
// *status.APIError, and what it accepts converts to snapshots and encodes
// to JSON that decodes to the same JSON again.
func FuzzDecodeOrders(f *testing.F) {
	wiretest.AddFixtures(f, "flowery")
	c, err := New(Config{BaseURL: "https://fuzz", AccountID: "A", Logistics: "B", Token: NewSecret("t")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		res := &transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: ordersPath}
		var r Response[OrderDetail]
		err := decode(c.t, res, &r, 2)
		if err == nil {
			err = check(c.t, res, &r)
		}
		if err != nil {
			var ae *status.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("not an APIError: %v", err)
			}
			return
		}
		_ = r.NotFound()
		for i := range r.OrdersDetail {
			_ = r.OrdersDetail[i].Snapshot("ref")
			_ = r.OrdersDetail[i].ItemsCN()
			first, err := json.Marshal(r.OrdersDetail[i])
			if err != nil {
				t.Fatal(err)
			}
			var back OrderDetail
			if err := json.Unmarshal(first, &back); err != nil {
				t.Fatalf("%s: %v", first, err)
			}
			second, err := json.Marshal(back)
			if err != nil || string(first) != string(second) {
				t.Fatalf("round trip:\n%s\n%s", first, second)
			}
		}
	})
}

// FuzzScanList decodes scan_list, a JSON string holding JSON: it never
// panics, and what it accepts encodes back to what it read.
func FuzzScanList(f *testing.F) {
	f.Add([]byte(`"[{\"date\":\"05-01-2016 10:41\",\"desc\":\"x\"}]"`))
	f.Add([]byte(`[{"date":"05-01-2016 10:41","desc":"x"}]`))
	f.Add([]byte(`""`))
	f.Add([]byte(`null`))
	f.Add([]byte(`"not json"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var l ScanList
		if err := json.Unmarshal(b, &l); err != nil {
			return
		}
		out, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back ScanList
		if err := json.Unmarshal(out, &back); err != nil || len(back.Scans) != len(l.Scans) {
			t.Fatalf("%s -> %s (%v)", b, out, err)
		}
		// An array comes back as equal JSON (encoding/json escapes <, > and
		// & in what it writes), a string as the same text.
		if l.array {
			var x, y any
			if json.Unmarshal([]byte(l.Raw), &x) != nil || json.Unmarshal([]byte(back.Raw), &y) != nil || !reflect.DeepEqual(x, y) {
				t.Fatalf("%s -> %s", l.Raw, back.Raw)
			}
		} else if back.Raw != l.Raw {
			t.Fatalf("%q -> %q", l.Raw, back.Raw)
		}
	})
}

// FuzzParseItems splits any goods_name text: it never panics, and every
// entry is accounted for.
func FuzzParseItems(f *testing.F) {
	for _, s := range []string{"AAAA_1&BBBBB_2", "a_b_3", "&&", "_", "x_-1", "名字_99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, it := range ParseItems(s) {
			if it.Quantity < 0 {
				t.Fatalf("%q: negative quantity", s)
			}
		}
	})
}

// FuzzOrderDetailField sets one field of the documented order to any JSON
// value: the batch always decodes, and the order encodes back to every
// value it came with.
func FuzzOrderDetailField(f *testing.F) {
	answer, err := os.ReadFile("../testdata/flowery/order-status.json")
	if err != nil {
		f.Fatal(err)
	}
	var env struct {
		OrdersDetail []json.RawMessage `json:"orders_detail"`
	}
	if err := json.Unmarshal(answer, &env); err != nil || len(env.OrdersDetail) == 0 {
		f.Fatal("no order in order-status.json", err)
	}
	record := env.OrdersDetail[0]
	for i, v := range []string{`"abc"`, `1.5`, `"110222319566-0"`, `{"a":[1]}`, `[]`, `null`, `true`, `-0`, `"007"`, `1e3`, `{"value":1}`, `"2019-6-25 18:56:03"`} {
		f.Add(uint(i), []byte(v))
	}
	c, err := New(Config{BaseURL: "https://fuzz", AccountID: "a", Logistics: "l", Token: NewSecret("t")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, i uint, value []byte) {
		wiretest.CheckField(t, record, i, value, func(rec []byte) (any, error) {
			body := []byte(`{"code":"success","message":"","sn_str":"","orders_detail":[` + string(rec) + `]}`)
			res := &transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: ordersPath}
			var r Response[OrderDetail]
			if err := decode(c.t, res, &r, 1); err != nil {
				return nil, err
			}
			if err := check(c.t, res, &r); err != nil {
				return nil, err
			}
			_ = r.OrdersDetail[0].Snapshot("1")
			return r.OrdersDetail[0], nil
		})
	})
}

// FuzzFastBatchEqualsCareful: wherever the one-pass decode (the json/v2
// engine under encoding/json's rules) takes a batch, it gives what the
// careful order-by-order decode gives.
func FuzzFastBatchEqualsCareful(f *testing.F) {
	wiretest.AddFixtures(f, "flowery")
	f.Add([]byte(`{"code":"success","orders_detail":[{"ORDER_NO":null,"order_status":"签收","Express_No" : null}]}`))
	f.Add([]byte(`{"code":"success","message":null,"sn_str":"2","orders_detail":[{"order_no":"1","order_status":"运输中",` +
		`"goods_status_time":"2024-1-2 3:04:05","return_reason":null,"shipper":{"name":"A"},"Order_no":"2"}]}`))
	f.Add([]byte(`{"code":"success","orders_detail":[null,{"order_no":"1","order_status":"签收"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, body := range wiretest.WithNullRows(body) {
			fastEqualsCareful(t, body)
		}
	})
}

func fastEqualsCareful(t *testing.T, body []byte) {
	if fast, ok := fastFor[OrderDetail]()(body, 2); ok {
		var w wireResponse[OrderDetail]
		if err := json.Unmarshal(body, &w); err != nil {
			t.Fatalf("fast took a batch the careful path refuses: %v", err)
		}
		wiretest.SameJSON(t, fast.OrdersDetail, w.OrdersDetail.Items)
		if len(w.OrdersDetail.Unfit) > 0 {
			t.Fatalf("fast took a batch with entries that are not orders: %s", w.OrdersDetail.Unfit)
		}
	}

	// Track's part of each order, with the members it reads past.
	fastTracked, ok := fastFor[trackedOrder]()(body, 2)
	if !ok {
		return
	}
	var tracked wireResponse[trackedOrder]
	if err := json.Unmarshal(body, &tracked); err != nil {
		t.Fatalf("fast took a batch the careful path refuses: %v", err)
	}
	careful := &Response[trackedOrder]{Code: tracked.Code, Status: tracked.Status, Message: tracked.Message, SNStr: tracked.SNStr,
		OrdersDetail: tracked.OrdersDetail.Items, Unfit: tracked.OrdersDetail.Unfit}
	if !reflect.DeepEqual(fastTracked, careful) {
		t.Fatalf("fast and careful differ:\n%+v\n%+v", fastTracked, careful)
	}
}
