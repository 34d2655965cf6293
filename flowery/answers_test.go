package flowery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/status"
)

// Tests of answers shaped as Flowery (or something in front of it) sends
// them: a loopback server sends the exact bytes.

func answering(t *testing.T, code int, body string) *flowery.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := flowery.New(flowery.Config{BaseURL: srv.URL, AccountID: "a", Logistics: "l", Token: flowery.NewSecret("tok-123456")})
	require.NoError(t, err)
	return c
}

// documentedOrder is the first order of the documented example, with
// fields replaced by raw JSON values.
func documentedOrder(t *testing.T, fields map[string]string) string {
	t.Helper()
	b, err := os.ReadFile("../testdata/flowery/order-status.json")
	require.NoError(t, err)
	var env struct {
		OrdersDetail []map[string]json.RawMessage `json:"orders_detail"`
	}
	require.NoError(t, json.Unmarshal(b, &env))
	m := env.OrdersDetail[0]
	for k, v := range fields {
		m[k] = json.RawMessage(v)
	}
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return string(out)
}

// The first version of Flowery's doc answers "code": "true" with money as
// bare numbers: the batch decodes, and the amounts are written back bare.
func TestAnswerBareMoney(t *testing.T) {
	row := documentedOrder(t, map[string]string{"cod_amount": `1`, "insurance_amount": `"2500.50"`, "collect_amount": `0`})
	c := answering(t, 200, `{"code":"true","message":"","sn_str":"","orders_detail":[`+row+`]}`)
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
	require.NoError(t, err)
	require.Len(t, res.Orders, 1)
	o := res.Orders[0]
	assert.Empty(t, o.Unfit)
	assert.True(t, o.CODAmount.Valid)
	assert.Equal(t, "1", o.CODAmount.Value.Text)
	assert.Equal(t, "2500.50", o.InsuranceAmount.Value.Text)
	out, err := json.Marshal(o)
	require.NoError(t, err)
	assert.NoError(t, wiretest.FieldsKept([]byte(row), out))
	assert.Contains(t, string(out), `"cod_amount":1,`)
}

// One field of the wrong type never fails the order or the batch.
func TestAnswerOddFieldsKeepTheBatch(t *testing.T) {
	odd := map[string]string{
		"order_status":      `7`,
		"goods_qty":         `"three"`,
		"weight":            `{"kg":1}`,
		"goods_status_time": `[1]`,
		"cod_amount":        `"abc"`,
		"shipper":           `"a string"`,
		"order_no":          `1000025`,
		"insurance_amount":  `{"value":{"x":1},"uint":"IDR"}`,
	}
	row := documentedOrder(t, odd)
	other := documentedOrder(t, map[string]string{"order_no": `"1000026"`})
	c := answering(t, 200, `{"code":"success","message":"","sn_str":"","orders_detail":[`+row+`,`+other+`]}`)
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000026")
	require.NoError(t, err)
	require.Len(t, res.Orders, 2)
	var o flowery.OrderDetail
	for _, d := range res.Orders {
		if len(d.Unfit) > 0 {
			o = d
		}
	}
	assert.Len(t, o.Unfit, len(odd)-1, "all but cod_amount: a string amount fits Money, kept as written")
	out, err := json.Marshal(o)
	require.NoError(t, err)
	assert.NoError(t, wiretest.FieldsKept([]byte(row), out))

	// order_no sent as a number still matches its ref.
	c = answering(t, 200, `{"code":"success","message":"","sn_str":"","orders_detail":[`+row+`]}`)
	snaps, err := c.Track(context.Background(), "1000025")
	require.NoError(t, err)
	assert.NoError(t, snaps[0].Err)
	assert.Equal(t, "1000025", snaps[0].OrderNo)
	assert.Contains(t, snaps[0].Codes, status.Code{Provider: status.Flowery, Field: "order_status", Value: "7"})
	res, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
	require.NoError(t, err)
	assert.Empty(t, res.NotFound)
}

// One batch's sn_str speaks only for its own numbers: it never turns
// another batch's order, or another batch's failure, into not found.
func TestAnswerSNStrStaysInItsBatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req flowery.Request
		_ = json.NewDecoder(r.Body).Decode(&req)
		switch req.SerialNo {
		case "A":
			fmt.Fprint(w, `{"code":"success","sn_str":"","orders_detail":[{"order_no":"A","order_status":"已签收"}]}`)
		case "B":
			fmt.Fprint(w, `{"code":"success","sn_str":"A,B","orders_detail":[]}`)
		case "C":
			w.WriteHeader(502)
		case "D":
			fmt.Fprint(w, `{"code":"success","sn_str":"C,D","orders_detail":[]}`)
		}
	}))
	defer srv.Close()
	c, err := flowery.New(flowery.Config{BaseURL: srv.URL, AccountID: "a", Logistics: "l", Token: flowery.NewSecret("t"), BatchSize: 1, MaxRetries: -1})
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), "A", "B", "C", "D")
	require.NoError(t, err)
	assert.Equal(t, status.Delivered, snaps[0].Stage)
	assert.Equal(t, status.NotFound, snaps[1].Stage)
	assert.ErrorIs(t, snaps[2].Err, status.ErrUnavailable)
	assert.Equal(t, status.NotFound, snaps[3].Stage)
}

// A 200 answer that is not Flowery's envelope is malformed, for queries
// and for Track.
func TestAnswerWrongShapeIsMalformed(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `[]`, `{"error":"internal"}`, `{"code":"success","orders_detail":{"a":1}}`} {
		t.Run(body, func(t *testing.T) {
			c := answering(t, 200, body)
			_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
			assert.ErrorIs(t, err, status.ErrMalformedResponse)
			snaps, err := c.Track(context.Background(), "1", "2")
			require.NoError(t, err)
			for _, s := range snaps {
				assert.ErrorIs(t, s.Err, status.ErrMalformedResponse)
				assert.True(t, strings.HasPrefix(s.Err.Error(), `flowery: ref "`), s.Err.Error())
			}
		})
	}
}

// An odd envelope field, or one entry that is not an order, loses no other
// order of the batch.
func TestAnswerOddEnvelopeKeepsTheBatch(t *testing.T) {
	row := documentedOrder(t, nil)
	for _, body := range []string{
		`{"code":"success","message":0,"sn_str":"","orders_detail":[` + row + `]}`,
		`{"code":"success","message":"","sn_str":[],"orders_detail":[` + row + `]}`,
		`{"code":"success","message":"","sn_str":"","orders_detail":[1,` + row + `]}`,
	} {
		c := answering(t, 200, body)
		res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
		require.NoError(t, err, body)
		require.Len(t, res.Orders, 1, body)
		snaps, err := c.Track(context.Background(), "1000025")
		require.NoError(t, err)
		assert.Equal(t, status.Returned, snaps[0].Stage, body)
	}
	c := answering(t, 200, `{"code":"success","sn_str":"","orders_detail":[1]}`)
	snaps, err := c.Track(context.Background(), "1000025")
	require.NoError(t, err)
	assert.ErrorIs(t, snaps[0].Err, status.ErrMalformedResponse, "an entry that is not an order may be this one")
}

// The newest docs put the token and tracking-detail endpoints on another
// host than /orders: Config.TokenURL and Config.DetailURL send them there.
func TestAnswerEndpointsOnAnotherHost(t *testing.T) {
	var paths []string
	logistics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, "logistics "+r.URL.Path)
		switch r.URL.Path {
		case "/token":
			fmt.Fprint(w, `{"status":"success","data":{"logistics":"l","token":"TK-1"}}`)
		case "/orders_status/list":
			assert.Equal(t, "TK-1", r.Header.Get("token"))
			fmt.Fprint(w, `{"status":"success","sn_str":"","orders_detail":[{"order_status":"收件","order_type":"1",`+
				`"scan_list":"[{\"date\":\"05-01-2016 10:41\",\"desc\":\"收件\"}]","create_order_time":"2019-6-25 18:56:03",`+
				`"order_no":"1000025","express_no":"CGK1","old_order_no":"","old_express_no":""}]}`)
		}
	}))
	defer logistics.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, "api "+r.URL.Path)
		fmt.Fprint(w, `{"code":"success","sn_str":"1","orders_detail":[]}`)
	}))
	defer api.Close()
	host := strings.Replace(logistics.URL, "127.0.0.1", "localhost", 1)
	c, err := flowery.New(flowery.Config{BaseURL: api.URL, TokenURL: host + "/token", DetailURL: host + "/orders_status/list",
		AccountID: "a", Logistics: "l", SecretKey: flowery.NewSecret("sk-1")})
	require.NoError(t, err)
	_, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	require.NoError(t, err)
	res, err := c.TrackingDetail(context.Background(), flowery.ByOrderNo, "1000025")
	require.NoError(t, err)
	assert.Equal(t, []string{"logistics /token", "api /orders", "logistics /orders_status/list"}, paths)
	require.Len(t, res.Details, 1)
	d := res.Details[0]
	assert.Equal(t, status.FloweryCollected, d.OrderStatus)
	assert.Equal(t, status.Shipped, d.OrderStatus.Stage())
	assert.Equal(t, "1", d.OrderType.String)
	assert.Equal(t, "2019-6-25 18:56:03", d.CreateOrderTime.Raw)
	assert.True(t, d.OldOrderNo.Valid)
	require.Len(t, d.ScanList.Scans, 1)
	assert.Equal(t, "收件", d.ScanList.Scans[0].Desc)
	assert.Equal(t, flowery.LogisticsTokenURL, "https://logistics-api.flowery-island.com/token")
}

// The documented token failure body is not valid JSON ("data": with nothing
// after it): it is a refusal of the key, with Flowery's message.
func TestAnswerTokenFailureBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "{\n    \"status\": \"failure\",\n    \"message\": \"secret_key错误\",\n    \"data\": \n}")
	}))
	defer srv.Close()
	c, err := flowery.New(flowery.Config{BaseURL: srv.URL, AccountID: "a", Logistics: "l", SecretKey: flowery.NewSecret("sk-1")})
	require.NoError(t, err)
	_, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "secret_key错误", ae.Message)
}

// A batch that gives a name twice is read as its records read it, each
// starting afresh: nothing of the first orders_detail is merged into the
// second.
func TestAnswerRepeatedNames(t *testing.T) {
	c := answering(t, 200, `{"code":"success","orders_detail":[{"order_no":"1","express_no":"X","order_status":"运输中"}],"orders_detail":[{"order_no":"1","order_status":"运输中"}]}`)
	orders, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1")
	require.NoError(t, err)
	require.Len(t, orders.Orders, 1)
	assert.Equal(t, "", orders.Orders[0].ExpressNo, "express_no of the first list is not merged in")
}

// A null row of orders_detail is kept aside in Unfit, never read as an
// empty order, by QueryOrders and by Track; the order beside it answers.
func TestAnswerNullRow(t *testing.T) {
	row := documentedOrder(t, nil)
	c := answering(t, 200, `{"code":"true","message":"","sn_str":"","orders_detail":[null, `+row+`]}`)
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "FI-1")
	require.NoError(t, err)
	require.Len(t, res.Orders, 1, "no empty order")
	assert.NotEmpty(t, res.Orders[0].OrderNo)
	assert.Equal(t, []json.RawMessage{json.RawMessage(`null`)}, res.Unfit)
}

// A scan's text maps through the same rules as an order's status (签收 is
// delivered), and a date that does not fit (an object) is the event's raw
// time as sent.
func TestAnswerScanEvents(t *testing.T) {
	scans := `[{\"date\": \"05-01-2016 10:41\", \"desc\": \"Paket diterima di gudang JAKARTA\"},` +
		`{\"date\": {\"d\": \"06-01-2016\"}, \"desc\": \"末端派件\"},{\"date\": \"07-01-2016 09:00\", \"desc\": \"签收\"}]`
	c := answering(t, 200, `{"code":"success","message":"","sn_str":"","orders_detail":[{"order_no":"FI-1","express_no":"CGK1",`+
		`"order_status":"签收","scan_list":"`+scans+`"}]}`)
	res, err := c.TrackingDetail(context.Background(), flowery.ByOrderNo, "FI-1")
	require.NoError(t, err)
	require.Len(t, res.Details, 1)
	var events []status.Event
	for i := range res.Details[0].ScanList.Scans {
		events = append(events, res.Details[0].ScanList.Scans[i].Event())
	}
	require.Len(t, events, 3)
	assert.Equal(t, status.Unknown, events[0].Stage)
	assert.Equal(t, `{"d": "06-01-2016"}`, events[1].RawTime)
	assert.True(t, events[1].Time.IsZero())
	assert.Equal(t, status.OutForDelivery, events[1].Stage)
	assert.Equal(t, status.Delivered, events[2].Stage)
	assert.Equal(t, status.Code{Provider: status.Flowery, Field: "desc", Value: "签收"}, events[2].Code)
}
