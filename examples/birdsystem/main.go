// Command birdsystem tracks BirdSystem consignments by id, or with -list,
// lists every consignment in a status.
//
// With no environment it runs against an in-process fake (birdsystemtest)
// seeded with sample consignments. Against a real warehouse, set
// BIRDSYSTEM_BASE_URL, BIRDSYSTEM_API_KEY and BIRDSYSTEM_COMPANY_ID:
//
//	go run ./examples/birdsystem 2010290360000089
//	go run ./examples/birdsystem -list FINISHED
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

func main() {
	list := flag.String("list", "", "list every consignment in this status (FINISHED, PENDING, ...)")
	flag.Parse()
	if err := run(*list, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "birdsystem:", err)
		os.Exit(1)
	}
}

func run(list string, refs []string) error {
	cfg := birdsystem.Config{
		BaseURL:   os.Getenv("BIRDSYSTEM_BASE_URL"),
		APIKey:    birdsystem.SecretFromEnv("BIRDSYSTEM_API_KEY"),
		CompanyID: os.Getenv("BIRDSYSTEM_COMPANY_ID"),
	}
	if cfg.BaseURL == "" {
		srv := birdsystemtest.NewServer()
		defer srv.Close()
		seed(srv)
		cfg = srv.Config()
		fmt.Println("BIRDSYSTEM_BASE_URL is not set: using the in-process fake at", srv.URL)
		if len(refs) == 0 && list == "" {
			refs = []string{"2010290360000089", "2010290360000090", "2010290360000091", "404"}
		}
	}
	c, err := birdsystem.New(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if list != "" {
		for k, err := range c.Consignments(ctx, &birdsystem.ListOptions{Status: status.BirdSystemStatus(list)}) {
			if err != nil {
				return err
			}
			fmt.Printf("%d %-10s %-22s %s\n", k.ID.Int64, k.Status, k.DeliveryReference.String, k.UpdateTime.Raw)
		}
		return nil
	}
	if len(refs) == 0 {
		return fmt.Errorf("usage: birdsystem [-list STATUS] [CONSIGNMENT-ID ...]")
	}
	snaps, err := c.Track(ctx, refs...)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		fmt.Printf("%-17s %-14s tracking=%-20s carrier=%-20s problems=%v\n", s.Ref, s.Stage, s.TrackingNo, s.Carrier, s.Problems)
	}
	return nil
}

func seed(srv *birdsystemtest.Server) {
	done := birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished)
	done.DeliveryReference = birdsystem.NewString("JJD0002258212509047")
	srv.Put(done,
		birdsystemtest.Consignment(2010290360000090, status.BirdSystemPicking),
		birdsystemtest.Consignment(2010290360000091, status.BirdSystemWaitingWarehouseRespond))
}
