package bailun_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
)

// Query one order's status. The fake server stands in for Bailun; against
// the real OMS, use bailun.Config{BaseURL: ..., AppID: ..., AppKey: ...}.
func Example() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.Put(bailun.OrderStatusOutput{
		OriginOrderNo:  "CP-1001",
		OrderStatus:    status.BailunOrderShipped,
		TrackingNo:     bailun.NewString("YT2401011234"),
		LastUpdateTime: bailun.NewTime(time.Date(2024, 1, 1, 8, 30, 0, 0, time.UTC)),
	})

	c, err := bailun.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	o, err := c.QueryOrderStatus(context.Background(), "CP-1001")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.OrderStatus, o.OrderStatus.Description(), o.OrderStatus.Stage())
	fmt.Println(o.TrackingNo.String, o.LastUpdateTime.Raw)
	// Output:
	// Shipped 已发货 shipped
	// YT2401011234 2024-01-01 08:30:00
}

// Track several orders at once; unknown orders come back as NotFound, and
// problems carry both the canonical reason and Bailun's code.
func ExampleClient_Track() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.Put(
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1", OrderStatus: status.BailunOrderPackaged},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-2", OrderStatus: status.BailunOrderError, ShipFailedType: status.Ptr(status.BailunShipStockEx)},
	)
	c, err := bailun.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	snaps, err := c.Track(context.Background(), "CP-1", "CP-2", "CP-404")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Ref, s.Stage, s.Problems)
	}
	// Output:
	// CP-1 ready_to_ship []
	// CP-2 exception [stock (bailun shipFaildType=4)]
	// CP-404 not_found []
}

// Errors match the status sentinels, whatever the provider.
func ExampleClient_QueryOrderStatus_notFound() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	c, err := bailun.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.QueryOrderStatus(context.Background(), "CP-404")
	var apiErr *status.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(errors.Is(err, status.ErrNotFound), apiErr.Code, apiErr.Message)
	}
	// Output: true 10000 订单不存在
}
