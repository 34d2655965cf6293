package flowery_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

func newOrder(no string) *flowery.NewOrder {
	party := flowery.Party{Name: "TEST PENGIRIM", Mobile: "6281276497866", Country: "IDN", Province: "DKI JAKARTA",
		City: "JAKARTA", Area: "JAKARTA", Address: "JL. TEST 1", Postcode: "80552"}
	return &flowery.NewOrder{OrderNo: no, Shipper: party, Receiver: party, GoodsNameCN: "衬衫_1", GoodsNameEN: "shirt_1",
		GoodsQty: 1, Weight: "1.5", CODAmount: &flowery.Amount{Value: "150000", Unit: "IDR"}, PayType: flowery.PayPrepaid}
}

// Every documented request field travels under its documented name.
func TestCreateOrderBody(t *testing.T) {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		w.Write([]byte(`{"status":"success","detail":{"order_no":"N1","express_no":"CGK9","logistics_sn":20240603001}}`))
	}))
	defer srv.Close()
	c, err := flowery.New(flowery.Config{BaseURL: srv.URL, AccountID: "A", Logistics: "L", Token: flowery.NewSecret("t-1")})
	require.NoError(t, err)
	n := newOrder("N1")
	n.OrderType, n.GoodsType, n.ServiceType, n.Remark, n.PackagePcs = flowery.OrderTransfer, flowery.GoodsSpecial, "1", "fragile", "2"
	n.OldOrderNo, n.OldExpressNo = "N0", "CGK0"
	n.InsuranceAmount, n.CollectAmount = &flowery.Amount{Value: "2.5", Unit: "IDR"}, &flowery.Amount{Value: "0", Unit: "IDR"}
	got, err := c.CreateOrder(context.Background(), n)
	require.NoError(t, err)
	assert.Equal(t, "CGK9", got.ExpressNo)
	assert.Equal(t, "20240603001", got.LogisticsSN, "a number is kept as its text: a success is a success")
	party := `{"name":"TEST PENGIRIM","email":"","postcode":"80552","mobile":"6281276497866","phone":"","country":"IDN","prov":"DKI JAKARTA","city":"JAKARTA","area":"JAKARTA","address":"JL. TEST 1"}`
	assert.JSONEq(t, `{"account_id":"A","logistics":"L","order_no":"N1","order_type":"2","shipper":`+party+`,"receiver":`+party+`,`+
		`"goods_type":"2","goods_name_cn":"衬衫_1","goods_name_en":"shirt_1","goods_qty":1,"weight":"1.5",`+
		`"cod_amount":{"value":150000,"unit":"IDR"},"insurance_amount":{"value":2.5,"unit":"IDR"},"collect_amount":{"value":0,"unit":"IDR"},`+
		`"pay_type":"PP","service_type":"1","remark":"fragile","package_pcs":"2","old_order_no":"N0","old_express_no":"CGK0"}`, string(body))
}

// package_pcs is text, as Flowery documents it: the doc's own request
// decodes, an order that leaves it out sends the default "1" (Flowery
// requires it), and a count that is not a number is refused before sending.
func TestCreateOrderPackagePcs(t *testing.T) {
	var n flowery.NewOrder
	require.NoError(t, json.Unmarshal([]byte(`{"order_no":"N1","goods_qty":1,"weight":"1.5","package_pcs":"1"}`), &n), "the doc's request")
	assert.Equal(t, "1", n.PackagePcs)

	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		w.Write([]byte(`{"status":"success","detail":{"order_no":"N1","express_no":"CGK9","logistics_sn":"1"}}`))
	}))
	defer srv.Close()
	c, err := flowery.New(flowery.Config{BaseURL: srv.URL, AccountID: "A", Logistics: "L", Token: flowery.NewSecret("t-1")})
	require.NoError(t, err)
	_, err = c.CreateOrder(context.Background(), newOrder("N1"))
	require.NoError(t, err)
	assert.Contains(t, string(body), `"package_pcs":"1"`)

	body = nil
	bad := newOrder("N2")
	bad.PackagePcs = "two"
	_, err = c.CreateOrder(context.Background(), bad)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Nil(t, body, "nothing sent")
}

// A created order is then found by QueryOrders; bad input never leaves;
// a refusal is an invalid request.
func TestServerCreateOrder(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	got, err := c.CreateOrder(context.Background(), newOrder("N1"))
	require.NoError(t, err)
	assert.NotEmpty(t, got.ExpressNo)
	res, err := c.QueryOrders(context.Background(), flowery.ByExpressNo, got.ExpressNo)
	require.NoError(t, err)
	require.Len(t, res.Orders, 1)
	assert.Equal(t, "N1", res.Orders[0].OrderNo)
	assert.Equal(t, status.Shipped, res.Orders[0].OrderStatus.Stage(), "收件: collected")

	_, err = c.CreateOrder(context.Background(), newOrder("N1"))
	assert.ErrorIs(t, err, status.ErrInvalidRequest, "a duplicate is Flowery's refusal")
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown)

	srv.ResetHits()
	for _, bad := range []func(*flowery.NewOrder){
		func(n *flowery.NewOrder) { n.OrderNo = "" },
		func(n *flowery.NewOrder) { n.Receiver.Address = "  " },
		func(n *flowery.NewOrder) { n.Receiver.Mobile, n.Receiver.Phone = "", "" },
		func(n *flowery.NewOrder) { n.GoodsQty = 0 },
		func(n *flowery.NewOrder) { n.Weight = "heavy" },
		func(n *flowery.NewOrder) { n.PayType = "XX" },
		func(n *flowery.NewOrder) { n.OrderType = "3" },
		func(n *flowery.NewOrder) { n.OrderType = flowery.OrderTransfer },
		func(n *flowery.NewOrder) { n.CODAmount = &flowery.Amount{Value: "abc", Unit: "IDR"} },
	} {
		n := newOrder("N2")
		bad(n)
		_, err := c.CreateOrder(context.Background(), n)
		assert.ErrorIs(t, err, status.ErrInvalidRequest)
	}
	_, err = c.CreateOrder(context.Background(), nil)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Zero(t, srv.Hits(flowerytest.CreatePath), "refused before sending")
}

// A create is never sent twice; when Flowery may have acted without an
// answer coming back, the error says the outcome is unknown, and the order
// is there to be looked up.
func TestServerCreateOrderUnderFaults(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]flowerytest.Fault{
		"stored then dropped": {Path: flowerytest.CreatePath, DropAfterServe: true},
		"gateway 504":         {Path: flowerytest.CreatePath, Status: 504, Body: "<html>Gateway Timeout</html>"},
		"dropped":             {Path: flowerytest.CreatePath, Drop: true},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t)
			_, err := c.CreateOrder(context.Background(), newOrder("N1")) // registers the token first
			require.NoError(t, err)
			srv.ResetHits()
			srv.Inject(f)
			_, err = c.CreateOrder(context.Background(), newOrder("N2"))
			assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
			assert.Equal(t, 1, srv.Hits(flowerytest.CreatePath), "sent once")
			if f.DropAfterServe {
				res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "N2")
				require.NoError(t, err)
				assert.Len(t, res.Orders, 1, "look it up before creating it again")
			}
		})
	}
	// A revoked token is a refusal: registered again, the create is sent
	// once more and succeeds.
	srv, c := setup(t)
	_, err := c.CreateOrder(context.Background(), newOrder("N1"))
	require.NoError(t, err)
	srv.RevokeTokens()
	_, err = c.CreateOrder(context.Background(), newOrder("N3"))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Creates())
	var detail map[string]any
	got, err := c.CreateOrder(context.Background(), newOrder("N4"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(got.Detail, &detail))
	assert.Equal(t, "N4", detail["order_no"])
}

// A create whose answer is lost is found by its order number, sent once;
// one that never reached Flowery is not found, and says so.
func TestServerCreateOrFind(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(flowerytest.Fault{Method: "POST", Path: flowerytest.CreatePath, DropAfterServe: true})
	got, err := c.CreateOrFindOrder(context.Background(), newOrder("N-FIND"))
	require.NoError(t, err)
	assert.True(t, got.Found)
	assert.Equal(t, "N-FIND", got.OrderNo)
	assert.NotEmpty(t, got.ExpressNo)

	srv.Inject(flowerytest.Fault{Method: "POST", Path: flowerytest.CreatePath, Drop: true})
	before := srv.Creates()
	_, err = c.CreateOrFindOrder(context.Background(), newOrder("N-LOST"))
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, status.ErrNotFound)
	assert.Equal(t, before, srv.Creates())
	creates := 0
	for _, r := range srv.Requests() {
		if r.Path == flowerytest.CreatePath {
			creates++
		}
	}
	assert.Equal(t, 2, creates, "each create sent once")

	got, err = c.CreateOrFindOrder(context.Background(), newOrder("N-OK"))
	require.NoError(t, err)
	assert.False(t, got.Found)

	// Another order of that number, made before: the create is refused as
	// its duplicate, its answer lost; what is found is not what was sent.
	other := newOrder("N-DUP")
	other.GoodsNameEN, other.Weight = "trousers_9", "3"
	_, err = c.CreateOrder(context.Background(), other)
	require.NoError(t, err)
	srv.Inject(flowerytest.Fault{Method: "POST", Path: flowerytest.CreatePath, DropAfterServe: true})
	_, err = c.CreateOrFindOrder(context.Background(), newOrder("N-DUP"))
	require.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "goods_name_en, weight differ")
}
