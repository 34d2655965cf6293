package flowery_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/status"
)

// Fixture tests replay testdata/flowery with gock. gock is global, so none
// of them runs in parallel.

const (
	fixtureHost  = "https://flowery.fixture"
	fixtureToken = "4c9d491c90fafc1e3bb34db8263116b2"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/flowery/" + name)
	require.NoError(t, err)
	return b
}

// gockClient returns a client with the document's static token whose inner
// HTTP client gock intercepts.
func gockClient(t *testing.T) *flowery.Client {
	t.Helper()
	t.Cleanup(gock.Off)
	hc := &http.Client{}
	gock.InterceptClient(hc)
	c, err := flowery.New(flowery.Config{BaseURL: fixtureHost, AccountID: "AAA", Logistics: "BBB", Token: flowery.NewSecret(fixtureToken),
		HTTPClient: hc, MaxRetries: -1})
	require.NoError(t, err)
	return c
}

func mockOrders(t *testing.T, serialNo, command, file string) {
	gock.New(fixtureHost).Post("/orders").MatchHeader("Token", "^"+fixtureToken+"$").
		MatchType("json").JSON(map[string]string{"account_id": "AAA", "logistics": "BBB", "command": command, "serial_no": serialNo}).
		Reply(200).BodyString(string(fixture(t, file)))
}

// The document's request ({"account_id":"AAA","logistics":"BBB","command":"1",
// "serial_no":"1000025,1000026"}) and its answer.
func TestFixtureDocumentedExample(t *testing.T) {
	c := gockClient(t)
	mockOrders(t, "1000025,1000026", "1", "order-status.json")
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025", "1000026")
	require.NoError(t, err)
	assert.Equal(t, []string{"1000026"}, res.NotFound)
	require.Len(t, res.Orders, 1)
	d := res.Orders[0]
	assert.Equal(t, status.FloweryReturned, d.OrderStatus)
	assert.Equal(t, "1", d.OrderType)
	assert.Equal(t, "CGKIT00002427416", d.ExpressNo)
	assert.Equal(t, status.FloweryRefused, d.GoodsStatus)
	assert.Equal(t, "2019-08-26 15:46:53", d.GoodsStatusTime.Raw)
	assert.Equal(t, "2019-08-26T08:46:53Z", d.GoodsStatusTime.Time.UTC().Format(time.RFC3339), "WIB is UTC+7")
	assert.Equal(t, status.FloweryLastMileDelivery, d.LatestScanStatus)
	assert.Equal(t, &flowery.Party{Name: "TEST PENGIRIM", Email: "892818700@qq.com", Postcode: "80552", Mobile: " 6281276497866",
		Phone: " 6281111111111", Country: "CHN", Province: "DKI JAKARTA", City: "JAKARTA", Area: "JAKARTA", Address: "TEST ALAMAT PENGIRIM"}, d.Shipper)
	assert.Equal(t, "TEST PENGIRIM", d.Receiver.Name)
	assert.Equal(t, []flowery.Item{{Name: "AAAA", Quantity: 1}, {Name: "BBBBB", Quantity: 2}}, d.ItemsCN())
	assert.Equal(t, int64(3), d.GoodsQty.Int64)
	assert.Equal(t, "100", d.Weight.String())
	assert.Equal(t, "1 IDR", d.CODAmount.String())
	assert.Equal(t, "1", d.InsuranceAmount.Value.Text)
	assert.Equal(t, "2019-06-25T11:56:03Z", d.SenderOrderTime.Time.UTC().Format(time.RFC3339), "unpadded 2019-6-25 18:56:03")
	assert.Empty(t, d.OldOrderNo)

	s := d.Snapshot("1000025")
	assert.Equal(t, status.Returned, s.Stage, "order_status 退件")
	assert.Equal(t, []status.Problem{
		{Reason: status.ReasonReturned, Code: status.Code{Provider: status.Flowery, Field: "order_status", Value: "退件"}},
		{Reason: status.ReasonRefused, Code: status.Code{Provider: status.Flowery, Field: "goods_status", Value: "拒收"}},
	}, s.Problems)
	assert.Len(t, s.Codes, 3)
	assert.Equal(t, "CGKIT00002427416", s.TrackingNo)
}

func TestFixtureSuccessSpellings(t *testing.T) {
	for _, file := range []string{"order-status.json", "success-status.json", "success-true.json"} {
		t.Run(file, func(t *testing.T) {
			c := gockClient(t)
			mockOrders(t, "1000025", "1", file)
			res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
			require.NoError(t, err)
			assert.Len(t, res.Orders, 1)
		})
	}
}

func TestFixtureFailureShapes(t *testing.T) {
	for _, file := range []string{"failure.json", "failure-null.json", "failure-missing.json", "failure-empty.json"} {
		t.Run(file, func(t *testing.T) {
			c := gockClient(t)
			mockOrders(t, "1000025", "1", file)
			_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
			var ae *status.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "错误原因", ae.Message, "the provider's message verbatim")
			assert.Equal(t, "failure", ae.Code)
			assert.NoError(t, ae.Err)
		})
	}
}

func TestFixtureMixedBatch(t *testing.T) {
	c := gockClient(t)
	mockOrders(t, "1000029,1000027,1000025,1000030,1000028", "1", "mixed-batch.json")
	snaps, err := c.Track(context.Background(), "1000029", "1000027", "1000025", "1000030", "1000028")
	require.NoError(t, err)
	got := make([]string, len(snaps))
	for i, s := range snaps {
		got[i] = s.Ref + ":" + s.Stage.String()
	}
	assert.Equal(t, []string{"1000029:not_found", "1000027:shipped", "1000025:returned", "1000030:not_found", "1000028:exception"}, got,
		"request order; 1000027's order_status Updating falls back to goods_status 运输中")
	assert.Equal(t, "BBB", snaps[1].Carrier)
	assert.Equal(t, []status.Code{{Provider: status.Flowery, Field: "sn_str", Value: "1000029"}}, snaps[0].Codes)
	assert.Equal(t, []status.Problem{
		{Reason: status.ReasonOther, Code: status.Code{Provider: status.Flowery, Field: "order_status", Value: "问题件"}},
		{Reason: status.ReasonOther, Code: status.Code{Provider: status.Flowery, Field: "goods_status", Value: "问题件"}},
		{Reason: status.ReasonOther, Code: status.Code{Provider: status.Flowery, Field: "problem_reason", Value: "地址不详"}},
	}, snaps[4].Problems)

	var env flowery.Response[flowery.OrderDetail]
	require.NoError(t, json.Unmarshal(fixture(t, "mixed-batch.json"), &env))
	d := env.OrdersDetail[2]
	assert.Equal(t, []flowery.Item{{Name: "T恤_蓝色", Quantity: 2}, {Name: "袜子", Quantity: 5}}, d.ItemsCN(), "a name may contain _")
	assert.Equal(t, []flowery.Item{{Name: "T_shirt_blue", Quantity: 2}, {Name: "socks", Quantity: 5}}, d.ItemsEN())
	assert.Equal(t, int64(7), d.GoodsQty.Int64, `goods_qty "7"`)
	assert.Equal(t, "150000.00 IDR", d.CODAmount.String(), `the "unit" spelling`)
	assert.Equal(t, "0.5", d.BillingWeight.String())
}

func TestFixtureByExpressNo(t *testing.T) {
	c := gockClient(t)
	mockOrders(t, "CGKIT00002427416", "2", "order-status.json")
	res, err := c.QueryOrders(context.Background(), flowery.ByExpressNo, "CGKIT00002427416")
	require.NoError(t, err)
	require.Len(t, res.Orders, 1)
	assert.Equal(t, "1000025", res.Orders[0].OrderNo)
	assert.Empty(t, res.NotFound, "matched by express_no")
}

func TestFixtureTokenRegistration(t *testing.T) {
	defer gock.Off()
	hc := &http.Client{}
	gock.InterceptClient(hc)
	gock.New(fixtureHost).Post("/logistics/api/token").
		AddMatcher(func(r *http.Request, _ *gock.Request) (bool, error) {
			body, _ := r.GetBody()
			var req map[string]string
			if err := json.NewDecoder(body).Decode(&req); err != nil {
				return false, err
			}
			return req["account_id"] == "AAA" && req["logistics"] == "BBB" && req["secret_key"] == "sk-123456" && len(req["random"]) >= 16, nil
		}).
		Reply(200).BodyString(string(fixture(t, "token.json")))
	gock.New(fixtureHost).Post("/orders").MatchHeader("Token", "^"+fixtureToken+"$").
		Reply(200).BodyString(string(fixture(t, "order-status.json")))
	c, err := flowery.New(flowery.Config{BaseURL: fixtureHost, AccountID: "AAA", Logistics: "BBB", SecretKey: flowery.NewSecret("sk-123456"), HTTPClient: hc, MaxRetries: -1})
	require.NoError(t, err)
	_, err = c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
	require.NoError(t, err)
	assert.True(t, gock.IsDone())
}

func TestFixtureTokenRejectedWithStaticToken(t *testing.T) {
	c := gockClient(t)
	mockOrders(t, "1000025", "1", "token-invalid.json")
	_, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025")
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.NotContains(t, err.Error(), fixtureToken)
}

func TestFixtureTrackingDetail(t *testing.T) {
	c := gockClient(t)
	gock.New(fixtureHost).Post("/logistics/api/orders_tracking_detail/list").
		MatchType("json").JSON(map[string]string{"account_id": "AAA", "logistics": "BBB", "command": "1", "serial_no": "1000025,1000026"}).
		Reply(200).BodyString(string(fixture(t, "tracking-detail.json")))
	res, err := c.TrackingDetail(context.Background(), flowery.ByOrderNo, "1000025", "1000026")
	require.NoError(t, err)
	assert.Equal(t, []string{"1000026"}, res.NotFound)
	require.Len(t, res.Details, 1)
	scans := res.Details[0].ScanList.Scans
	require.Len(t, scans, 2)
	assert.Equal(t, "05-01-2016 10:41", scans[0].Date.Raw)
	assert.Equal(t, "2016-01-05T03:41:00Z", scans[0].Date.Time.UTC().Format(time.RFC3339), "day first, WIB")
	assert.Equal(t, "Paket diterima di gudang JAKARTA", scans[0].Desc)
}

// Decoding a fixture and encoding it again gives Flowery's JSON back.
func TestFixtureWireRoundTrip(t *testing.T) {
	for _, file := range []string{"order-status.json", "mixed-batch.json", "tracking-detail.json"} {
		raw := fixture(t, file)
		var out []byte
		var err error
		if file == "tracking-detail.json" {
			var env flowery.Response[flowery.TrackingDetail]
			require.NoError(t, json.Unmarshal(raw, &env))
			out, err = json.Marshal(env)
		} else {
			var env flowery.Response[flowery.OrderDetail]
			require.NoError(t, json.Unmarshal(raw, &env))
			out, err = json.Marshal(env)
		}
		require.NoError(t, err)
		var want, got map[string]any
		require.NoError(t, json.Unmarshal(raw, &want))
		require.NoError(t, json.Unmarshal(out, &got))
		assert.Equal(t, want, got, file)
	}
}

func TestParseItems(t *testing.T) {
	assert.Equal(t, []flowery.Item{{Name: "AAAA", Quantity: 1}, {Name: "BBBBB", Quantity: 2}}, flowery.ParseItems("AAAA_1&BBBBB_2"))
	assert.Equal(t, []flowery.Item{{Name: "a_b_c", Quantity: 10}}, flowery.ParseItems("a_b_c_10"))
	assert.Equal(t, []flowery.Item{{Name: "no quantity"}, {Name: "x_y"}}, flowery.ParseItems("no quantity&x_y"))
	assert.Equal(t, []flowery.Item{{Name: "", Quantity: 3}}, flowery.ParseItems("_3&&"))
	assert.Nil(t, flowery.ParseItems(""))
}

func TestMoneySpellings(t *testing.T) {
	b, err := json.Marshal(flowery.NewMoney("150000.00", "IDR"))
	require.NoError(t, err)
	assert.Equal(t, `{"value":150000.00,"uint":"IDR"}`, string(b), "this endpoint's spelling for a Money built in code")
	for _, in := range []string{`{"value":1,"uint":"IDR"}`, `{"value":"1.50","unit":"IDR"}`, `null`} {
		var m flowery.Money
		require.NoError(t, json.Unmarshal([]byte(in), &m))
		out, err := json.Marshal(m)
		require.NoError(t, err)
		assert.Equal(t, in, string(out))
	}
}

// A scan_list string that holds no list of scans is kept, not fatal.
func TestScanListThatIsNotJSON(t *testing.T) {
	var d flowery.TrackingDetail
	require.NoError(t, json.Unmarshal([]byte(`{"order_no":"1","scan_list":"no scans yet"}`), &d))
	assert.Equal(t, "no scans yet", d.ScanList.Raw)
	assert.Nil(t, d.ScanList.Scans)
}
