// Command reseller queries the print-on-demand reseller platform for the
// orders named on its command line, one line per sub-order.
//
// With no environment it runs against an in-process fake (resellertest)
// seeded with sample orders. Against the real platform, set RESELLER_ID and
// RESELLER_SECRET (and RESELLER_BASE_URL for another host):
//
//	go run ./examples/reseller 20240328-874367231
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "reseller:", err)
		os.Exit(1)
	}
}

func run(refs []string) error {
	var cfg reseller.Config
	if id := os.Getenv("RESELLER_ID"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return fmt.Errorf("RESELLER_ID: %w", err)
		}
		cfg = reseller.Config{BaseURL: os.Getenv("RESELLER_BASE_URL"), ResellerID: n, Secret: reseller.SecretFromEnv("RESELLER_SECRET")}
	} else {
		srv := resellertest.NewServer()
		defer srv.Close()
		seed(srv)
		cfg = srv.Config()
		fmt.Println("RESELLER_ID is not set: using the in-process fake at", srv.URL)
		if len(refs) == 0 {
			refs = []string{"20240328-874367231", "20240401-000001", "20240404-404"}
		}
	}
	if len(refs) == 0 {
		return fmt.Errorf("usage: reseller THIRD-ORDER-NO [THIRD-ORDER-NO ...]")
	}
	c, err := reseller.New(cfg)
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
		fmt.Printf("%-20s %-26s %-14s tracking=%-16s carrier=%-8s problems=%v\n", s.Ref, s.OrderNo, s.Stage, s.TrackingNo, s.Carrier, s.Problems)
	}
	return nil
}

func seed(srv *resellertest.Server) {
	srv.Put(
		reseller.Order{ThirdOrderNo: "20240328-874367231", UnionOrderNo: "1711617155438042815450787", SubOrderList: []reseller.SubOrder{{
			OrderNo: "1711617155442212624339790", OrderStatus: status.ResellerAwaitingReceipt,
			OrderExpress: &reseller.OrderExpress{ExpressNumber: "433333385045566", ExpressCompanyName: "韵达快递", ExpressCompany: "yd",
				Traces: []reseller.Trace{{Time: reseller.NewTime(time.Date(2023, 7, 12, 23, 56, 39, 0, time.UTC)), Context: "【上海市】已到达 上海闵行区浦航服务部"}}},
		}}},
		reseller.Order{ThirdOrderNo: "20240401-000001", SubOrderList: []reseller.SubOrder{
			{OrderNo: "1711617155442212624339900", OrderStatus: status.ResellerInProduction},
			{OrderNo: "1711617155442212624339901", OrderStatus: status.ResellerCannotProduce},
		}},
	)
}
