package main

import (
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// fakes are the four fake servers, seeded, and the queries to ask them.
type fakes struct {
	close   func()
	queries []status.Query
}

// base is when the demo orders last changed.
var base = time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)

// startFakes starts the four fake servers in process and seeds them with
// orders that between them reach every canonical stage, several problem
// reasons, an undocumented code (kept verbatim), refs nobody knows, and a
// ref whose lookup fails (a revoked token), shown with its error.
func startFakes() *fakes {
	bl, rs, bs, fl := bailuntest.NewServer(), resellertest.NewServer(), birdsystemtest.NewServer(), flowerytest.NewServer()
	f := &fakes{close: func() { bl.Close(); rs.Close(); bs.Close(); fl.Close() }}

	bl.Put(
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1001", OrderStatus: status.BailunOrderShipped, TrackingNo: bailun.NewString("YT2406030001"), LastUpdateTime: bailun.NewTime(base)},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1002", OrderStatus: status.BailunOrderGetTrackingNumber, TrackingNo: bailun.NewString("YT2406030002"), LastUpdateTime: bailun.NewTime(base.Add(-time.Hour))},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1003", OrderStatus: status.BailunOrderError, ShipFailedType: status.Ptr(status.BailunShipStockEx), ExceptionType: status.Ptr(status.BailunExReceiverPhoneError), LastUpdateTime: bailun.NewTime(base.Add(-2 * time.Hour))},
		// 9 is not a documented orderStatus: Unknown, with the 9 kept.
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1004", OrderStatus: 9, LastUpdateTime: bailun.NewTime(base.Add(-3 * time.Hour))},
	)
	blc := must(bailun.New(bl.Config()))

	rs.Put(
		reseller.Order{ThirdOrderNo: "20240328-874367231", UnionOrderNo: "1711617155438042815450787", SubOrderList: []reseller.SubOrder{
			{OrderNo: "1711617155442212624339790", OrderStatus: status.ResellerCompleted, OrderExpress: &reseller.OrderExpress{
				ExpressNumber: "433333385045566", ExpressCompanyName: "韵达快递", ExpressCompany: "yd",
				Traces: []reseller.Trace{{Time: reseller.NewTime(base.Add(-26 * time.Hour)), Context: "【上海市】已签收"}}}},
			{OrderNo: "1711617155442212624339791", OrderStatus: status.ResellerInProduction},
			{OrderNo: "1711617155442212624339792", OrderStatus: status.ResellerCannotProduce},
		}},
		reseller.Order{ThirdOrderNo: "20240401-000001", SubOrderList: []reseller.SubOrder{
			{OrderNo: "1711617155442212624339900", OrderStatus: status.ResellerAwaitingPayment},
			{OrderNo: "1711617155442212624339901", OrderStatus: status.ResellerRefunded},
		}},
	)
	rsc := must(reseller.New(rs.Config()))

	finished := birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished)
	finished.DeliveryReference = birdsystem.NewString("JJD0002258212509047")
	returned := birdsystemtest.Consignment(2010290360000092, status.BirdSystemReceived)
	returned.Type = status.BirdSystemReturn
	bs.Put(finished, returned,
		birdsystemtest.Consignment(2010290360000090, status.BirdSystemPreparing),
		birdsystemtest.Consignment(2010290360000091, status.BirdSystemWaitingClientRespond),
		birdsystemtest.Consignment(2010290360000093, status.BirdSystemCancelled),
	)
	bsc := must(birdsystem.New(bs.Config()))

	fl.Put(
		flowery.OrderDetail{OrderNo: "1000025", ExpressNo: "CGKIT00002427416", OrderStatus: "退件", GoodsStatus: "拒收",
			LatestScanStatus: "末端派件", GoodsStatusTime: flowery.NewTime(base.Add(-4 * time.Hour))},
		flowery.OrderDetail{OrderNo: "1000027", ExpressNo: "CGKIT00002427418", OrderStatus: status.FloweryUpdating,
			LatestScanStatus: "末端派件", GoodsStatusTime: flowery.NewTime(base.Add(-5 * time.Hour))},
		flowery.OrderDetail{OrderNo: "1000028", ExpressNo: "CGKIT00002427419", OrderStatus: "已签收", GoodsStatusTime: flowery.NewTime(base.Add(-6 * time.Hour))},
		flowery.OrderDetail{OrderNo: "1000029", ExpressNo: "CGKIT00002427420", OrderStatus: "问题件",
			ProblemReason: flowery.NullString{String: "地址不详", Valid: true}, GoodsStatusTime: flowery.NewTime(base.Add(-7 * time.Hour))},
	)
	flc := must(flowery.New(fl.Config()))
	// A second Flowery account whose token was revoked: its ref fails with
	// its own error, and every other ref is still answered.
	revoked := fl.Config()
	revoked.SecretKey, revoked.Token = "", "revoked-token"
	flRevoked := must(flowery.New(revoked))

	f.queries = []status.Query{
		{Tracker: blc, Refs: []string{"CP-1001", "CP-1002", "CP-1003", "CP-1004", "CP-404"}},
		{Tracker: rsc, Refs: []string{"20240328-874367231", "20240401-000001"}},
		{Tracker: bsc, Refs: []string{"2010290360000090", "2010290360000089", "2010290360000091", "2010290360000092", "2010290360000093"}},
		{Tracker: flc, Refs: []string{"1000025", "1000027", "1000028", "1000029", "1000026"}},
		{Tracker: flRevoked, Refs: []string{"1000030"}},
	}
	return f
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
