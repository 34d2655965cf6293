// Command flowery asks Flowery Island for the status of the order numbers
// named on its command line, in batches.
//
// With no environment it runs against an in-process fake (flowerytest)
// seeded with sample orders. Against the real API, set FLOWERY_ACCOUNT_ID,
// FLOWERY_LOGISTICS and FLOWERY_TOKEN (and FLOWERY_BASE_URL for another
// host):
//
//	go run ./examples/flowery 1000025 1000026
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "flowery:", err)
		os.Exit(1)
	}
}

func run(refs []string) error {
	cfg := flowery.Config{
		BaseURL:   os.Getenv("FLOWERY_BASE_URL"),
		AccountID: os.Getenv("FLOWERY_ACCOUNT_ID"),
		Logistics: os.Getenv("FLOWERY_LOGISTICS"),
		Token:     flowery.SecretFromEnv("FLOWERY_TOKEN"),
	}
	if cfg.AccountID == "" {
		srv := flowerytest.NewServer()
		defer srv.Close()
		seed(srv)
		cfg = srv.Config()
		fmt.Println("FLOWERY_ACCOUNT_ID is not set: using the in-process fake at", srv.URL)
		if len(refs) == 0 {
			refs = []string{"1000025", "1000026", "1000027"}
		}
	}
	if len(refs) == 0 {
		return fmt.Errorf("usage: flowery ORDER-NO [ORDER-NO ...]")
	}
	c, err := flowery.New(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snaps, err := c.Track(ctx, refs...)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		fmt.Printf("%-10s %-18s tracking=%-18s problems=%v codes=%v\n", s.Ref, s.Stage, s.TrackingNo, s.Problems, s.Codes)
	}
	return nil
}

func seed(srv *flowerytest.Server) {
	t := time.Date(2019, 8, 26, 8, 46, 53, 0, time.UTC)
	srv.Put(
		flowery.OrderDetail{OrderNo: "1000025", ExpressNo: "CGKIT00002427416", OrderStatus: "退件", GoodsStatus: "拒收",
			LatestScanStatus: "末端派件", GoodsStatusTime: flowery.NewTime(t), GoodsNameEN: "AAAA_1&BBBBB_2"},
		flowery.OrderDetail{OrderNo: "1000027", ExpressNo: "CGKIT00002427418", OrderStatus: "Updating", GoodsStatus: "运输中",
			GoodsStatusTime: flowery.NewTime(t.Add(time.Hour))},
	)
}
