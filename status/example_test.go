package status_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// Ask two providers at once. A provider that fails marks only its own refs:
// here the Flowery fake answers 503 on every try, and Bailun's answers are
// all there.
func ExampleTrackAll() {
	bl, fl := bailuntest.NewServer(), flowerytest.NewServer()
	defer bl.Close()
	defer fl.Close()
	bl.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1001", OrderStatus: status.BailunOrderShipped})
	for i := 0; i < 4; i++ {
		fl.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503})
	}
	blc, err := bailun.New(bl.Config())
	if err != nil {
		log.Fatal(err)
	}
	flc, err := flowery.New(fl.Config())
	if err != nil {
		log.Fatal(err)
	}
	snaps := status.TrackAll(context.Background(),
		status.Query{Tracker: blc, Refs: []string{"CP-1001", "CP-404"}},
		status.Query{Tracker: flc, Refs: []string{"1000025"}},
	)
	for _, s := range snaps {
		fmt.Println(s.Provider, s.Ref, s.Stage, errors.Is(s.Err, status.ErrUnavailable))
	}
	// Output:
	// bailun CP-1001 shipped false
	// bailun CP-404 not_found false
	// flowery 1000025 unknown true
}

// All or nothing: Errors joins the per-ref errors, nil when every lookup
// was answered, and each matches its sentinel.
func ExampleErrors() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1", OrderStatus: status.BailunOrderShipped})
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 401}, bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 401})
	cfg := srv.Config()
	cfg.Concurrency = 1
	c, err := bailun.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	snaps, err := c.Track(context.Background(), "CP-2", "CP-1")
	if err != nil {
		log.Fatal(err) // refused before anything was sent
	}
	err = status.Errors(snaps)
	fmt.Println(err)
	fmt.Println(errors.Is(err, status.ErrUnauthorized), snaps[1].Stage)
	// Output:
	// bailun: ref "CP-2": GET /apiV2/bailunOrder/queryOrderStatus: HTTP 401 (unauthorized)
	// true shipped
}

// Errors are values to branch on: the sentinel with errors.Is, the
// provider's own code and message with errors.As.
func ExampleAPIError() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Body: `{"result":null,"message":"请求参数异常","code":10001}`})
	c, err := bailun.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.QueryOrderStatus(context.Background(), "CP-1")
	var apiErr *status.APIError
	switch {
	case errors.Is(err, status.ErrNotFound):
		fmt.Println("not there (yet)")
	case errors.Is(err, status.ErrInvalidRequest) && errors.As(err, &apiErr):
		fmt.Println(apiErr.Provider, apiErr.Code, apiErr.Message)
	}
	// Output:
	// bailun 10001 请求参数异常
}

// Every documented code, with its canonical meaning and the provider's own
// words.
func ExampleMappings() {
	for _, m := range status.Mappings() {
		if m.Code.Provider == status.Bailun && m.Code.Field == "orderStatus" {
			fmt.Println(m.Code.Value, m.Name, m.Description, m.Stage)
		}
	}
	// Output:
	// 1 Unpackaged 未打包 processing
	// 2 Packaged 已打包 ready_to_ship
	// 3 GetTrackingNumber 获取跟踪号 ready_to_ship
	// 4 Shipped 已发货 shipped
	// 5 Error 发货失败 exception
}

// What changed between two looks at an order.
func ExampleDiff() {
	at := time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	prev := status.Snapshot{Provider: status.Bailun, Ref: "CP-1002", Stage: status.ReadyToShip}
	cur := status.Snapshot{Provider: status.Bailun, Ref: "CP-1002", Stage: status.Shipped, TrackingNo: "YT2406030002", UpdatedAt: at}
	for _, c := range status.Diff(prev, cur) {
		fmt.Println(c.At.Format("2006-01-02 15:04"), c)
	}
	fmt.Println(len(status.Diff(cur, cur)))
	// Output:
	// 2024-06-03 09:30 bailun CP-1002 ready_to_ship -> shipped
	// 2024-06-03 09:30 bailun CP-1002 tracking number YT2406030002
	// 0
}

// A provider named in configuration.
func ExampleParseProvider() {
	p, err := status.ParseProvider("BirdSystem")
	fmt.Println(p, err)
	_, err = status.ParseProvider("dhl")
	fmt.Println(errors.Is(err, status.ErrInvalidRequest))
	// Output:
	// birdsystem <nil>
	// true
}
