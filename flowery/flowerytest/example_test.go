package flowerytest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// Test your own code against a batch that fails: with batches of two, the
// second batch's numbers fail and the first batch's are answered.
func ExampleServer_Inject() {
	srv := flowerytest.NewServer()
	defer srv.Close()
	srv.Put(flowery.OrderDetail{OrderNo: "1", ExpressNo: "CGK1", OrderStatus: "已签收"},
		flowery.OrderDetail{OrderNo: "3", ExpressNo: "CGK3", OrderStatus: "运输中"})
	cfg := srv.Config()
	cfg.BatchSize, cfg.Concurrency, cfg.MaxRetries = 2, 1, -1
	c, err := flowery.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Delay: 1}, // the first batch, served
		flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503})
	snaps, err := c.Track(context.Background(), "1", "2", "3")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Ref, s.Stage, errors.Is(s.Err, status.ErrUnavailable))
	}
	// Output:
	// 1 delivered false
	// 2 not_found false
	// 3 unknown true
}
