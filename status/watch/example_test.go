package watch_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// A Watcher follows orders: the first pass takes a baseline (one Following
// change per ref), and the next ones report what changed.
func ExampleWatcher() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	at := time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1002", OrderStatus: status.BailunOrderGetTrackingNumber, LastUpdateTime: bailun.NewTime(at)})
	c, err := bailun.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	// Every polls each ref at each pass; a service leaves Schedule nil,
	// for the DefaultSchedule's few polls a day.
	w := watch.New(watch.Options{Schedule: watch.Every{}})
	id, err := w.Add(c, "")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := w.Follow(ctx, id, "CP-1002"); err != nil {
		log.Fatal(err)
	}
	show := func(ch status.Change) { fmt.Println(ch.At.Format("2006-01-02 15:04"), ch) }
	if err := w.Poll(ctx, id, show); err != nil {
		log.Fatal(err)
	}
	srv.Advance("CP-1002", status.BailunOrderShipped, at.Add(time.Hour))
	if err := w.Poll(ctx, id, show); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2024-06-03 09:30 bailun CP-1002 following, ready_to_ship
	// 2024-06-03 10:30 bailun CP-1002 ready_to_ship -> shipped
}

// The default schedule: a few polls a day, sooner where a parcel moves
// fast, backing off while nothing changes.
func ExampleDefaultSchedule() {
	s := &watch.DefaultSchedule{Jitter: -1}
	for _, st := range []status.Stage{status.ReadyToShip, status.Shipped, status.OutForDelivery, status.Exception, status.Delivered} {
		fmt.Println(st, s.Interval(st, false))
	}
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	snaps := []status.Snapshot{{Stage: status.Shipped}}
	for _, quiet := range []int{0, 1, 2} {
		due, _, _ := s.Next(watch.Polled{Now: now, Snapshots: snaps, State: watch.State{Since: now, Quiet: quiet}})
		fmt.Println("quiet", quiet, "polls:", due.Sub(now))
	}
	// Output:
	// ready_to_ship 2h0m0s
	// shipped 4h0m0s
	// out_for_delivery 1h0m0s
	// exception 1h0m0s
	// delivered 12h0m0s
	// quiet 0 polls: 4h0m0s
	// quiet 1 polls: 8h0m0s
	// quiet 2 polls: 12h0m0s
}
