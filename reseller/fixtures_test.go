package reseller_test

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

	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/status"
)

// Fixture tests replay testdata/reseller with gock. gock is global, so none
// of them runs in parallel.

const fixtureHost = "https://reseller.fixture"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/reseller/" + name)
	require.NoError(t, err)
	return b
}

// gockClient returns a client with a fixed clock whose inner HTTP client
// gock intercepts.
func gockClient(t *testing.T) *reseller.Client {
	t.Helper()
	t.Cleanup(gock.Off)
	hc := &http.Client{}
	gock.InterceptClient(hc)
	c, err := reseller.New(reseller.Config{BaseURL: fixtureHost, ResellerID: 10000, Secret: reseller.NewSecret("test-secret-0001"),
		Now: func() time.Time { return time.Unix(1711092618, 0) }, HTTPClient: hc, MaxRetries: -1})
	require.NoError(t, err)
	return c
}

func mockQuery(t *testing.T, thirdOrderNo string, code int, file string) {
	gock.New(fixtureHost).Post("/open/order/query").
		AddMatcher(func(r *http.Request, _ *gock.Request) (bool, error) {
			var env struct {
				BizContent reseller.OrderQuery `json:"bizContent"`
			}
			body, err := r.GetBody()
			if err != nil {
				return false, err
			}
			return json.NewDecoder(body).Decode(&env) == nil && env.BizContent.ThirdOrderNo == thirdOrderNo, nil
		}).
		Reply(code).BodyString(string(fixture(t, file)))
}

// The documented request, signed with the default signer, is exactly what
// the client sends.
func TestFixtureDocumentedRequest(t *testing.T) {
	c := gockClient(t)
	want := `{"timestamp":1711092618,"sign":"9e3c828432a7345acdc9040891e5c151","resellerId":10000,"version":1,"bizContent":{"thirdOrderNo":"20240328-874367231"}}`
	var doc map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "order-query-request.json"), &doc))
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(want), &sent))
	delete(doc, "sign")
	delete(sent, "sign")
	assert.Equal(t, doc, sent, "the document's request, but for its empty sign")

	gock.New(fixtureHost).Post("/open/order/query").MatchType("json").
		AddMatcher(func(r *http.Request, _ *gock.Request) (bool, error) {
			body, _ := r.GetBody()
			var b [512]byte
			n, _ := body.Read(b[:])
			return string(b[:n]) == want, nil
		}).
		Reply(200).BodyString(string(fixture(t, "order-query.json")))
	_, err := c.QueryOrder(context.Background(), "20240328-874367231")
	require.NoError(t, err)
	assert.True(t, gock.IsDone(), "the exact bytes were sent")
}

func TestFixtureDocumentedExample(t *testing.T) {
	c := gockClient(t)
	mockQuery(t, "20240328-874367231", 200, "order-query.json")
	o, err := c.QueryOrder(context.Background(), "20240328-874367231")
	require.NoError(t, err)
	assert.Equal(t, "outUserId", o.OutUserID)
	assert.Equal(t, "1711617155438042815450787", o.UnionOrderNo)
	require.Len(t, o.SubOrderList, 1)
	s := o.SubOrderList[0]
	assert.Equal(t, "1711617155442212624339790", s.OrderNo)
	assert.Equal(t, status.ResellerAwaitingProduction, s.OrderStatus)
	assert.Equal(t, &reseller.Address{Name: "张三", Phone: "1*********9", Province: "浙江省", City: "杭州市", District: "西湖区", Address: "金*********梯"}, s.Address)
	assert.Equal(t, []reseller.SKU{{CustomizeNo: "customizeNo_1u34638311", ResellerSKUID: 7, Count: 1}}, s.SKUs)
	e := s.OrderExpress
	require.NotNil(t, e)
	assert.Equal(t, "433333385045566", e.ExpressNumber)
	assert.Equal(t, "韵达快递", e.ExpressCompanyName)
	assert.Equal(t, "yd", e.ExpressCompany)
	assert.Equal(t, int64(1), e.PackageCount.Int64)
	assert.Equal(t, int64(25), e.ShippingStatus.Int64)
	require.Len(t, e.Traces, 7)
	assert.Equal(t, "2023-07-13 07:56:39", e.Traces[0].Time.Raw)
	assert.Equal(t, "2023-07-12T23:56:39Z", e.Traces[0].Time.Time.UTC().Format(time.RFC3339), "China time")
	assert.Equal(t, "【上海市】已到达 上海闵行区浦航服务部[021-23145005]", e.Traces[0].Context)

	snaps := o.Snapshots("20240328-874367231")
	require.Len(t, snaps, 1)
	assert.Equal(t, status.Snapshot{Provider: status.Reseller, Ref: "20240328-874367231", OrderNo: "1711617155442212624339790",
		Stage: status.Processing, Codes: []status.Code{{Provider: status.Reseller, Field: "orderStatus", Value: "60"}},
		TrackingNo: "433333385045566", Carrier: "韵达快递", UpdatedAt: e.Traces[0].Time.Time.UTC(), Events: e.Events()}, snaps[0])

	// The traces come newest first; the events are oldest first, verbatim.
	ev := snaps[0].Events
	require.Len(t, ev, 7)
	assert.Equal(t, e.Traces[6].Time.Raw, ev[0].RawTime)
	assert.Equal(t, e.Traces[0].Context, ev[6].Description)
	assert.Equal(t, e.Traces[0].Time.Time.UTC(), ev[6].Time)
	for i := 1; i < len(ev); i++ {
		assert.False(t, ev[i].Time.Before(ev[i-1].Time), "oldest first")
	}
}

func TestFixtureMultipleSubOrders(t *testing.T) {
	c := gockClient(t)
	mockQuery(t, "20240402-000002", 200, "multi-sub-orders.json")
	snaps, err := c.Track(context.Background(), "20240402-000002")
	require.NoError(t, err)
	require.Len(t, snaps, 3)
	assert.Equal(t, status.Shipped, snaps[0].Stage)
	assert.Equal(t, "2024-04-03 18:40:12", snaps[0].UpdatedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"), "the newest trace, not the first")
	assert.Equal(t, "顺丰速运", snaps[0].Carrier)
	assert.Equal(t, status.Exception, snaps[1].Stage)
	assert.Equal(t, []status.Problem{{Reason: status.ReasonProduction, Code: status.ResellerCannotProduce.Code()}}, snaps[1].Problems)
	assert.Equal(t, status.ReadyToShip, snaps[2].Stage)
	assert.Empty(t, snaps[2].TrackingNo)
	for _, s := range snaps {
		assert.Equal(t, "20240402-000002", s.Ref)
	}
}

func TestFixtureLargeSKUIDIsExact(t *testing.T) {
	var env reseller.Response[reseller.Order]
	require.NoError(t, json.Unmarshal(fixture(t, "multi-sub-orders.json"), &env))
	assert.Equal(t, int64(9007199254740993), env.Data.SubOrderList[0].SKUs[0].ResellerSKUID)
}

func TestFixtureNullExpress(t *testing.T) {
	c := gockClient(t)
	mockQuery(t, "20240401-000001", 200, "null-express.json")
	o, err := c.QueryOrder(context.Background(), "20240401-000001")
	require.NoError(t, err)
	assert.Nil(t, o.SubOrderList[0].OrderExpress)
	s := o.Snapshots("20240401-000001")[0]
	assert.Equal(t, status.Processing, s.Stage)
	assert.Empty(t, s.TrackingNo)
	assert.True(t, s.UpdatedAt.IsZero())
}

func TestFixtureUnknownValues(t *testing.T) {
	c := gockClient(t)
	mockQuery(t, "20240405-000003", 200, "unknown-status.json")
	o, err := c.QueryOrder(context.Background(), "20240405-000003")
	require.NoError(t, err)
	s := o.SubOrderList[0]
	assert.Equal(t, status.ResellerOrderStatus(65), s.OrderStatus)
	assert.Equal(t, int64(99), s.OrderExpress.ShippingStatus.Int64)
	assert.Equal(t, "13/07/2023 07:56", s.OrderExpress.Traces[0].Time.Raw)
	snap := s.Snapshot("r")
	assert.Equal(t, status.Unknown, snap.Stage)
	assert.Equal(t, "65", snap.Codes[0].Value)
	assert.Equal(t, "yd", snap.Carrier, "the carrier code when the name is empty")
	assert.True(t, snap.UpdatedAt.IsZero())
}

func TestFixtureErrors(t *testing.T) {
	cases := []struct {
		file     string
		httpCode int
		sentinel error
		code     string
		message  string
	}{
		{"error-5000000.json", 200, status.ErrInvalidRequest, "5000000", "参数校验错误"},
		{"error-6010002.json", 200, status.ErrNotFound, "6010002", "订单查询失败"},
		{"code-undocumented.json", 200, nil, "7000001", "签名错误"},
		{"data-null.json", 200, status.ErrNotFound, "0", "成功"},
		{"html-502.html", 502, status.ErrUnavailable, "", ""},
		{"html-502.html", 200, status.ErrMalformedResponse, "", ""},
		{"error-5000000.json", 400, status.ErrInvalidRequest, "5000000", "参数校验错误"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c := gockClient(t)
			mockQuery(t, "X1", tc.httpCode, tc.file)
			o, err := c.QueryOrder(context.Background(), "X1")
			assert.Nil(t, o)
			var ae *status.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, status.Reseller, ae.Provider)
			assert.Equal(t, tc.httpCode, ae.HTTPStatus)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			} else {
				assert.NoError(t, ae.Err)
			}
			if tc.message != "" {
				assert.Equal(t, tc.code, ae.Code)
				assert.Equal(t, tc.message, ae.Message)
			}
		})
	}
}

func TestFixtureNotFoundInTrack(t *testing.T) {
	c := gockClient(t)
	mockQuery(t, "GONE", 200, "error-6010002.json")
	mockQuery(t, "20240401-000001", 200, "null-express.json")
	snaps, err := c.Track(context.Background(), "GONE", "20240401-000001")
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.Equal(t, status.Snapshot{Provider: status.Reseller, Ref: "GONE", Stage: status.NotFound, Codes: []status.Code{
		{Provider: status.Reseller, Field: "code", Value: "6010002"}, {Provider: status.Reseller, Field: "message", Value: "订单查询失败"}}}, snaps[0],
		"the provider's raw answer stays on the snapshot")
}

// Decoding a fixture and encoding it again gives the platform's JSON back.
func TestFixtureWireRoundTrip(t *testing.T) {
	for _, file := range []string{"order-query.json", "null-express.json", "multi-sub-orders.json", "unknown-status.json", "error-6010002.json", "data-null.json"} {
		raw := fixture(t, file)
		var env reseller.Response[reseller.Order]
		require.NoError(t, json.Unmarshal(raw, &env), file)
		out, err := json.Marshal(env)
		require.NoError(t, err)
		var want, got any
		require.NoError(t, json.Unmarshal(raw, &want))
		require.NoError(t, json.Unmarshal(out, &got))
		if m := want.(map[string]any); m["data"] == nil {
			m["data"] = nil // an absent data encodes as null
		}
		assert.Equal(t, want, got, file)
	}
}

// An answer without a code is malformed. (A sub-order without an
// orderStatus is its own snapshot's error: TestAnswerSubOrderWithoutStatus.)
func TestMissingCodeOrStatusIsMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"no code":            `{"data":null,"message":"not here"}`,
		"data not an object": `{"code":0,"data":"X1"}`,
		"empty object":       `{}`,
		"null":               `null`,
		"array":              `[]`,
		"error key":          `{"error":"internal"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := gockClient(t)
			gock.New(fixtureHost).Post("/open/order/query").Reply(200).BodyString(body)
			_, err := c.QueryOrder(context.Background(), "X1")
			assert.ErrorIs(t, err, status.ErrMalformedResponse)
		})
	}
}

// A field whose value does not fit its Go type never fails the sub-order,
// the order or the answer: it is kept verbatim and written back as it came.
func TestOddFieldsKeepTheOrder(t *testing.T) {
	c := gockClient(t)
	body := `{"code":0,"data":{"thirdOrderNo":"X1","unionOrderNo":123,"subOrderList":[` +
		`{"orderNo":"S1","orderStatus":"30","skus":[{"customizeNo":"c","resellerSkuId":"110222319566-0","count":"abc"}],` +
		`"orderExpress":{"expressNumber":"E1","packageCount":"1.5","traces":[{"time":{"t":1},"context":"已揽收","status":7}]}},` +
		`{"orderNo":"S2","orderStatus":40,"address":"not an object"}]}}`
	gock.New(fixtureHost).Post("/open/order/query").Reply(200).BodyString(body)
	o, err := c.QueryOrder(context.Background(), "X1")
	require.NoError(t, err)
	require.Len(t, o.SubOrderList, 2)
	s1, s2 := o.SubOrderList[0], o.SubOrderList[1]
	assert.Equal(t, reseller.Unfit{"unionOrderNo": []byte(`123`)}, o.Unfit)
	assert.Equal(t, reseller.Unfit{"orderStatus": []byte(`"30"`)}, s1.Unfit)
	assert.Equal(t, reseller.UnfitStatus, s1.OrderStatus, "never the documented 0, cancelled")
	assert.False(t, s1.OrderStatus.Known())
	assert.Equal(t, reseller.Unfit{"resellerSkuId": []byte(`"110222319566-0"`), "count": []byte(`"abc"`)}, s1.SKUs[0].Unfit)
	assert.Equal(t, reseller.Unfit{"packageCount": []byte(`"1.5"`)}, s1.OrderExpress.Unfit)
	assert.Equal(t, reseller.Unfit{"time": []byte(`{"t":1}`), "status": []byte(`7`)}, s1.OrderExpress.Traces[0].Unfit)
	assert.Equal(t, reseller.Unfit{"address": []byte(`"not an object"`)}, s2.Unfit)
	assert.Equal(t, status.ResellerCompleted, s2.OrderStatus)

	out, err := json.Marshal(struct {
		Code int             `json:"code"`
		Data *reseller.Order `json:"data"`
	}{0, o})
	require.NoError(t, err)
	assert.NoError(t, wiretest.FieldsKept([]byte(body), out), "every field written back as it came")

	snaps := o.Snapshots("X1")
	assert.Equal(t, status.Unknown, snaps[0].Stage)
	assert.Equal(t, []status.Code{{Provider: status.Reseller, Field: "orderStatus", Value: "30"}}, snaps[0].Codes)
	assert.Equal(t, status.Delivered, snaps[1].Stage)
}

// A null orderStatus, alone or beside another odd field, is handled one
// way: kept in Unfit, the status claiming nothing, the sub-order decoded.
func TestNullStatusIsKeptOneWay(t *testing.T) {
	for _, sub := range []string{`{"orderNo":"S1","orderStatus":null}`, `{"orderNo":"S1","orderStatus":null,"skus":{}}`} {
		var s reseller.SubOrder
		require.NoError(t, json.Unmarshal([]byte(sub), &s), sub)
		assert.Equal(t, reseller.UnfitStatus, s.OrderStatus, sub)
		assert.Equal(t, "null", string(s.Unfit["orderStatus"]), sub)
		out, err := json.Marshal(s)
		require.NoError(t, err)
		assert.NoError(t, wiretest.FieldsKept([]byte(sub), out))
	}
}
