package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

// A Watcher on a SQLite file: a second one, on the same file (a process
// restarted), follows what the first followed, and reports nothing again.
func ExampleOpen() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	at := time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1002", OrderStatus: status.BailunOrderGetTrackingNumber, LastUpdateTime: bailun.NewTime(at)})
	c, err := bailun.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "orders.db")
	ctx := context.Background()
	show := func(ch status.Change) { fmt.Println(ch) }

	st, err := sqlitestore.Open(ctx, file, nil)
	if err != nil {
		log.Fatal(err)
	}
	w := watch.New(watch.Options{Store: st, Schedule: watch.Every{}})
	id, _ := w.Add(c, "")
	if err := w.Follow(ctx, id, "CP-1002"); err != nil {
		log.Fatal(err)
	}
	if err := w.Poll(ctx, id, show); err != nil {
		log.Fatal(err)
	}
	w.Close(ctx) // the process ends: its leases go with it
	st.Close()

	srv.Advance("CP-1002", status.BailunOrderShipped, at.Add(time.Hour))
	st, err = sqlitestore.Open(ctx, file, nil) // and starts again
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	w = watch.New(watch.Options{Store: st, Schedule: watch.Every{}})
	id, _ = w.Add(c, "")
	if err := w.Poll(ctx, id, show); err != nil { // no Follow: the file says
		log.Fatal(err)
	}
	// Output:
	// bailun CP-1002 following, ready_to_ship
	// bailun CP-1002 ready_to_ship -> shipped
}
