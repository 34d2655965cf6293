package flowery_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// Ask about several orders in one batch. The fake server stands in for
// Flowery; against the real API, use flowery.Config{AccountID: ...,
// Logistics: ..., Token: ...}.
func Example() {
	srv := flowerytest.NewServer()
	defer srv.Close()
	srv.Put(flowery.OrderDetail{OrderNo: "1000025", ExpressNo: "CGKIT00002427416",
		OrderStatus: "退件", GoodsStatus: "拒收", LatestScanStatus: "末端派件",
		GoodsStatusTime: flowery.NewTime(time.Date(2019, 8, 26, 8, 46, 53, 0, time.UTC)),
		GoodsNameEN:     "AAAA_1&BBBBB_2"})

	c, err := flowery.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.QueryOrders(context.Background(), flowery.ByOrderNo, "1000025", "1000026")
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range res.Orders {
		fmt.Println(o.OrderNo, o.OrderStatus, o.OrderStatus.Stage(), o.GoodsStatus.Reason(), o.GoodsStatusTime.Raw)
		fmt.Println(o.ItemsEN())
	}
	fmt.Println("not found:", res.NotFound)
	// Output:
	// 1000025 Returned returned refused 2019-08-26 15:46:53
	// [{AAAA 1} {BBBBB 2}]
	// not found: [1000026]
}

// Track many orders: they go in batches, and come back in request order.
func ExampleClient_Track() {
	srv := flowerytest.NewServer()
	defer srv.Close()
	srv.Put(flowery.OrderDetail{OrderNo: "A1", OrderStatus: status.FloweryUpdating, GoodsStatus: "运输中"},
		flowery.OrderDetail{OrderNo: "A2", OrderStatus: "已签收"})
	cfg := srv.Config()
	cfg.BatchSize = 2
	c, err := flowery.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	snaps, err := c.Track(context.Background(), "A2", "A3", "A1")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Ref, s.Stage, s.Codes)
	}
	fmt.Println("requests:", len(srv.Batches()))
	// Output:
	// A2 delivered [flowery order_status=已签收]
	// A3 not_found [flowery sn_str=A3]
	// A1 shipped [flowery order_status=Updating flowery goods_status=运输中]
	// requests: 2
}
