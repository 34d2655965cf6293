package bailuntest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
)

// Test your own code against a Bailun that fails: inject a fault, see the
// error your code will see.
func ExampleServer_Inject() {
	srv := bailuntest.NewServer()
	defer srv.Close()
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1", OrderStatus: status.BailunOrderShipped})
	cfg := srv.Config()
	cfg.MaxRetries = -1
	c, err := bailun.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(bailuntest.Fault{Path: bailuntest.OrderStatusPath, Status: 503})
	_, err = c.QueryOrderStatus(context.Background(), "CP-1")
	fmt.Println(errors.Is(err, status.ErrUnavailable))
	o, err := c.QueryOrderStatus(context.Background(), "CP-1") // the fault was used up
	fmt.Println(o.OrderStatus, err, srv.Hits(bailuntest.OrderStatusPath))
	// Output:
	// true
	// Shipped <nil> 2
}
