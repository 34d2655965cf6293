// Command bailun queries Bailun OMS for the status of the orders named on
// its command line.
//
// With no environment it runs against an in-process fake (bailuntest)
// seeded with sample orders. Against a real endpoint, set BAILUN_BASE_URL,
// BAILUN_APP_ID and BAILUN_APP_KEY:
//
//	go run ./examples/bailun CP-1001 CP-1002
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bailun:", err)
		os.Exit(1)
	}
}

func run(refs []string) error {
	cfg := bailun.Config{
		BaseURL: os.Getenv("BAILUN_BASE_URL"),
		AppID:   os.Getenv("BAILUN_APP_ID"),
		AppKey:  bailun.SecretFromEnv("BAILUN_APP_KEY"),
	}
	if cfg.BaseURL == "" {
		srv := bailuntest.NewServer()
		defer srv.Close()
		seed(srv)
		cfg = srv.Config()
		fmt.Println("BAILUN_BASE_URL is not set: using the in-process fake at", srv.URL)
		if len(refs) == 0 {
			refs = []string{"CP-1001", "CP-1002", "CP-1003", "CP-404"}
		}
	}
	if len(refs) == 0 {
		return fmt.Errorf("usage: bailun ORDER-NO [ORDER-NO ...]")
	}
	c, err := bailun.New(cfg)
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
		fmt.Printf("%-10s %-14s tracking=%-14s problems=%v codes=%v\n", s.Ref, s.Stage, s.TrackingNo, s.Problems, s.Codes)
	}
	return nil
}

func seed(srv *bailuntest.Server) {
	now := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	srv.Put(
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1001", OrderStatus: status.BailunOrderShipped, TrackingNo: bailun.NewString("YT2406010001"), LastUpdateTime: bailun.NewTime(now)},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1002", OrderStatus: status.BailunOrderGetTrackingNumber, TrackingNo: bailun.NewString("YT2406010002"), LastUpdateTime: bailun.NewTime(now.Add(-time.Hour))},
		bailun.OrderStatusOutput{OriginOrderNo: "CP-1003", OrderStatus: status.BailunOrderUnpackaged, ExceptionType: status.Ptr(status.BailunExReceiverPhoneError), LastUpdateTime: bailun.NewTime(now.Add(-2 * time.Hour))},
	)
}
