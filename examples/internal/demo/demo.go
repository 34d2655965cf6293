// Package demo starts the four fake servers in process and seeds them with
// orders that between them reach every canonical stage, for the example
// programs.
package demo

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

// Fakes are the four fake servers, seeded, and the queries to ask them.
type Fakes struct {
	Bailun     *bailuntest.Server
	Reseller   *resellertest.Server
	BirdSystem *birdsystemtest.Server
	Flowery    *flowerytest.Server
	// Queries are the demo's refs at each provider, with their clients.
	Queries []status.Query
	// Accounts name the account of each query's client: "" but for the
	// second Flowery account, "revoked".
	Accounts []string
}

// Close stops the four servers.
func (f *Fakes) Close() {
	f.Bailun.Close()
	f.Reseller.Close()
	f.BirdSystem.Close()
	f.Flowery.Close()
}

// URLs are the four fakes' base URLs, for a process of its own to reach
// them (examples/fleet's workers).
type URLs struct{ Bailun, Reseller, BirdSystem, Flowery string }

// URLs returns the fakes' base URLs.
func (f *Fakes) URLs() URLs {
	return URLs{Bailun: f.Bailun.URL, Reseller: f.Reseller.URL, BirdSystem: f.BirdSystem.URL, Flowery: f.Flowery.URL}
}

// Connect returns the demo's queries, through clients of the fakes at u
// (with the fakes' credentials), and each query's account name: "" but
// for the second Flowery account, "revoked", whose token was revoked (its
// ref fails with its own error, and every other ref is still answered).
func Connect(u URLs) ([]status.Query, []string) {
	fast := func(min, max *time.Duration) { *min, *max = time.Millisecond, 10*time.Millisecond }
	bc := bailun.Config{BaseURL: u.Bailun, AppID: bailuntest.AppID, AppKey: bailun.NewSecret(bailuntest.AppKey)}
	fast(&bc.RetryWaitMin, &bc.RetryWaitMax)
	rc := reseller.Config{BaseURL: u.Reseller, ResellerID: resellertest.ResellerID, Secret: reseller.NewSecret(resellertest.Secret)}
	fast(&rc.RetryWaitMin, &rc.RetryWaitMax)
	sc := birdsystem.Config{BaseURL: u.BirdSystem, APIKey: birdsystem.NewSecret(birdsystemtest.APIKey), CompanyID: birdsystemtest.CompanyID}
	fast(&sc.RetryWaitMin, &sc.RetryWaitMax)
	fc := flowery.Config{BaseURL: u.Flowery, AccountID: flowerytest.AccountID, Logistics: flowerytest.Logistics, SecretKey: flowery.NewSecret(flowerytest.SecretKey)}
	fast(&fc.RetryWaitMin, &fc.RetryWaitMax)
	revoked := fc
	revoked.SecretKey, revoked.Token = flowery.NewSecret(""), flowery.NewSecret("revoked-token")
	return []status.Query{
		{Tracker: must(bailun.New(bc)), Refs: []string{"CP-1001", "CP-1002", "CP-1003", "CP-1004", "CP-404"}},
		{Tracker: must(reseller.New(rc)), Refs: []string{"20240328-874367231", "20240401-000001"}},
		{Tracker: must(birdsystem.New(sc)), Refs: []string{"2010290360000090", "2010290360000089", "2010290360000091", "2010290360000092", "2010290360000093"}},
		{Tracker: must(flowery.New(fc)), Refs: []string{"1000025", "1000027", "1000028", "1000029", "1000026"}},
		{Tracker: must(flowery.New(revoked)), Refs: []string{"1000030"}},
	}, []string{"", "", "", "", "revoked"}
}

// Base is when the demo orders last changed.
var Base = time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)

// Start starts the four fake servers in process and seeds them with
// orders that between them reach every canonical stage, several problem
// reasons, an undocumented code (kept verbatim), refs nobody knows, and a
// ref whose lookup fails (a revoked token), shown with its error.
func Start() *Fakes {
	f := &Fakes{Bailun: bailuntest.NewServer(), Reseller: resellertest.NewServer(), BirdSystem: birdsystemtest.NewServer(), Flowery: flowerytest.NewServer()}
	f.Seed()
	f.Queries, f.Accounts = Connect(f.URLs())
	return f
}

// Seed puts the demo orders in f's fakes.
func (f *Fakes) Seed() {
	bl, rs, bs, fl := f.Bailun, f.Reseller, f.BirdSystem, f.Flowery
	bl.Put(
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1001", OrderStatus: status.BailunOrderShipped, TrackingNo: bailun.NewString("YT2406030001"), LastUpdateTime: bailun.NewTime(Base)},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1002", OrderStatus: status.BailunOrderGetTrackingNumber, TrackingNo: bailun.NewString("YT2406030002"), LastUpdateTime: bailun.NewTime(Base.Add(-time.Hour))},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1003", OrderStatus: status.BailunOrderError, ShipFailedType: status.Ptr(status.BailunShipStockEx), ExceptionType: status.Ptr(status.BailunExReceiverPhoneError), LastUpdateTime: bailun.NewTime(Base.Add(-2 * time.Hour))},
		// 9 is not a documented orderStatus: Unknown, with the 9 kept.
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1004", OrderStatus: 9, LastUpdateTime: bailun.NewTime(Base.Add(-3 * time.Hour))},
	)

	rs.Put(
		reseller.Order{ThirdOrderNo: "20240328-874367231", UnionOrderNo: "1711617155438042815450787", SubOrderList: []reseller.SubOrder{
			{OrderNo: "1711617155442212624339790", OrderStatus: status.ResellerCompleted, OrderExpress: &reseller.OrderExpress{
				ExpressNumber: "433333385045566", ExpressCompanyName: "韵达快递", ExpressCompany: "yd",
				Traces: []reseller.Trace{{Time: reseller.NewTime(Base.Add(-26 * time.Hour)), Context: "【上海市】已签收"}}}},
			{OrderNo: "1711617155442212624339791", OrderStatus: status.ResellerInProduction},
			{OrderNo: "1711617155442212624339792", OrderStatus: status.ResellerCannotProduce},
		}},
		reseller.Order{ThirdOrderNo: "20240401-000001", SubOrderList: []reseller.SubOrder{
			{OrderNo: "1711617155442212624339900", OrderStatus: status.ResellerAwaitingPayment},
			{OrderNo: "1711617155442212624339901", OrderStatus: status.ResellerRefunded},
		}},
	)

	finished := birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished)
	finished.DeliveryReference = birdsystem.NewString("JJD0002258212509047")
	returned := birdsystemtest.Consignment(2010290360000092, status.BirdSystemReceived)
	returned.Type = status.BirdSystemReturn
	bs.Put(finished, returned,
		birdsystemtest.Consignment(2010290360000090, status.BirdSystemPreparing),
		birdsystemtest.Consignment(2010290360000091, status.BirdSystemWaitingClientRespond),
		birdsystemtest.Consignment(2010290360000093, status.BirdSystemCancelled),
	)

	fl.Put(
		flowery.OrderDetail{OrderNo: "1000025", ExpressNo: "CGKIT00002427416", OrderStatus: "退件", GoodsStatus: "拒收",
			LatestScanStatus: "末端派件", GoodsStatusTime: flowery.NewTime(Base.Add(-4 * time.Hour))},
		flowery.OrderDetail{OrderNo: "1000027", ExpressNo: "CGKIT00002427418", OrderStatus: status.FloweryUpdating,
			LatestScanStatus: "末端派件", GoodsStatusTime: flowery.NewTime(Base.Add(-5 * time.Hour))},
		flowery.OrderDetail{OrderNo: "1000028", ExpressNo: "CGKIT00002427419", OrderStatus: "已签收", GoodsStatusTime: flowery.NewTime(Base.Add(-6 * time.Hour))},
		flowery.OrderDetail{OrderNo: "1000029", ExpressNo: "CGKIT00002427420", OrderStatus: "问题件",
			ProblemReason: flowery.NullString{String: "地址不详", Valid: true}, GoodsStatusTime: flowery.NewTime(Base.Add(-7 * time.Hour))},
	)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Move is one step an order takes in the demo's fakes.
type Move struct {
	Provider status.Provider
	Ref      string // the ref the Watcher follows
	OrderNo  string // the sub-order, consignment or order it moves
	To       status.Stage
	Apply    func(*Fakes)
}

// Moves are the steps examples/watch shows, an hour apart from Base on.
func Moves() []Move {
	at := func(h int) time.Time { return Base.Add(time.Duration(h) * time.Hour) }
	return []Move{
		{status.Bailun, "CP-1002", "CP-1002", status.Shipped, func(f *Fakes) {
			f.Bailun.Advance("CP-1002", status.BailunOrderShipped, at(1))
		}},
		{status.Reseller, "20240328-874367231", "1711617155442212624339791", status.ReadyToShip, func(f *Fakes) {
			f.Reseller.Advance("20240328-874367231", "1711617155442212624339791", status.ResellerAwaitingShipment, at(2))
		}},
		{status.BirdSystem, "2010290360000090", "2010290360000090", status.Processing, func(f *Fakes) {
			f.BirdSystem.Advance(2010290360000090, status.BirdSystemPicking, at(3))
		}},
		{status.Flowery, "1000029", "1000029", status.OutForDelivery, func(f *Fakes) {
			f.Flowery.Advance("1000029", status.FloweryLastMileDelivery, at(4))
		}},
		{status.BirdSystem, "2010290360000090", "2010290360000090", status.Shipped, func(f *Fakes) {
			f.BirdSystem.Advance(2010290360000090, status.BirdSystemFinished, at(5))
		}},
		{status.Flowery, "1000027", "1000027", status.Delivered, func(f *Fakes) {
			f.Flowery.Advance("1000027", "已签收", at(6))
		}},
	}
}

// Key names a move's outcome.
func Key(p status.Provider, ref, orderNo string, to status.Stage) string {
	return string(p) + " " + ref + " " + orderNo + " " + to.String()
}

// Expected is the set of stage changes moves make.
func Expected(moves []Move) map[string]bool {
	m := map[string]bool{}
	for _, mv := range moves {
		m[Key(mv.Provider, mv.Ref, mv.OrderNo, mv.To)] = true
	}
	return m
}
