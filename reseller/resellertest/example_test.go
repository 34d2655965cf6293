package resellertest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// Test your own code against a platform behind a failing gateway: an HTML
// 502 page on every try is status.ErrUnavailable, with the page kept.
func ExampleServer_Inject() {
	srv := resellertest.NewServer()
	defer srv.Close()
	c, err := reseller.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		srv.Inject(resellertest.Fault{Status: 502, Body: "<html>502 Bad Gateway</html>"})
	}
	_, err = c.QueryOrder(context.Background(), "T-1")
	var apiErr *status.APIError
	fmt.Println(errors.Is(err, status.ErrUnavailable), errors.As(err, &apiErr) && apiErr.Body == "<html>502 Bad Gateway</html>")
	fmt.Println(srv.Hits(resellertest.OrderQueryPath), "tries")
	// Output:
	// true true
	// 4 tries
}
