package birdsystemtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

// Test your own code's handling of a create whose answer never came: the
// fake stores the consignment and hangs up, the client says the outcome is
// unknown, and the consignment is there to be looked up.
func ExampleServer_Inject() {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	c, err := birdsystem.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(birdsystemtest.Fault{Path: birdsystemtest.ConsignmentPath, DropAfterServe: true})
	_, err = c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
		DeliveryServiceID: birdsystemtest.DeliveryServiceID, Contact: "Heather Howe", AddressLine1: "3 Clun Close",
		City: "Telford", CountryISO: "GB", SalesReference: "S-1"})
	fmt.Println(errors.Is(err, status.ErrOutcomeUnknown))
	page, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{SalesReference: "S-1"})
	fmt.Println(len(page.Consignments), err, srv.Creates())
	// Output:
	// true
	// 1 <nil> 1
}
