package observe_test

import (
	"context"
	"fmt"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/observe"
)

// printer is an Observer that prints each call and attempt as it ends.
type printer struct{}

func (printer) StartCall(ctx context.Context, c observe.Call) (context.Context, func(error)) {
	return ctx, func(err error) {
		fmt.Printf("%s.%s for %q, %d refs: error %v\n", c.Provider, c.Name, c.Account, c.Refs, err)
	}
}

func (printer) StartAttempt(ctx context.Context, a observe.Attempt) (context.Context, func(observe.AttemptEnd)) {
	return ctx, func(e observe.AttemptEnd) {
		fmt.Printf("  %s %s (resend %d): %d\n", a.Method, a.Endpoint, a.Resend, e.StatusCode)
	}
}

// An Observer hears each call of a client and each HTTP request of it:
// here a token's request, then a query answered 503 and retried.
func Example() {
	fake := flowerytest.NewServer()
	defer fake.Close()
	fake.Put(flowery.OrderDetail{OrderNo: "1000025", OrderStatus: "运输中"})
	fake.Inject(flowerytest.Fault{Path: flowerytest.OrdersPath, Status: 503})
	cfg := fake.Config()
	cfg.Observer = printer{}
	c, _ := flowery.New(cfg)

	ctx := observe.WithAccount(context.Background(), "jakarta")
	_, _ = c.Track(ctx, "1000025")
	// Output:
	//   POST /logistics/api/token (resend 0): 200
	//   POST /orders (resend 0): 503
	//   POST /orders (resend 1): 200
	// flowery.Track for "jakarta", 1 refs: error <nil>
}
