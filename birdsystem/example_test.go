package birdsystem_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

// List the finished consignments. The fake server stands in for BirdSystem;
// against a real warehouse, use birdsystem.Config{BaseURL: birdsystem.UKHost,
// APIKey: ..., CompanyID: ...}.
func Example() {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	srv.Put(birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished),
		birdsystemtest.Consignment(2010290360000090, status.BirdSystemPicking))

	c, err := birdsystem.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{Status: status.BirdSystemFinished})
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range page.Consignments {
		fmt.Println(page.Total, k.ID.Int64, k.Status, k.Status.Description(), k.Status.Stage(), k.TotalHandlingFee)
	}
	// Output: 1 2010290360000089 FINISHED 已完成 shipped 2.00
}

// Walk every page; breaking out of the loop stops the fetching.
func ExampleClient_Consignments() {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	for id := int64(1); id <= 7; id++ {
		srv.Put(birdsystemtest.Consignment(2010290360000000+id, status.BirdSystemPending))
	}
	c, err := birdsystem.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for k, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 3}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		_ = k
	}
	fmt.Println(n, "consignments in", srv.Hits(birdsystemtest.ConsignmentPath), "pages")
	// Output: 7 consignments in 3 pages
}

// Create a consignment, then attach a product. A create is never sent
// twice; when its outcome is unknown, the error says so.
func ExampleClient_CreateConsignment() {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	c, err := birdsystem.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	created, err := c.CreateConsignment(ctx, &birdsystem.NewConsignment{
		DeliveryServiceID: birdsystemtest.DeliveryServiceID,
		Contact:           "Norman Drury",
		AddressLine1:      "3, Northam Close",
		City:              "Southport",
		PostCode:          "PR9 9GA",
		CountryISO:        "GB",
		SalesReference:    "SO-1001",
	})
	if errors.Is(err, status.ErrOutcomeUnknown) {
		log.Fatal("look it up by SalesReference before trying again: ", err)
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := c.AddConsignmentProduct(ctx, created.ID, 2989068, birdsystem.ProductNormal, 1); err != nil {
		log.Fatal(err)
	}
	k, err := c.GetConsignment(ctx, created.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.Status, k.SalesReference.String)
	// Output: PENDING SO-1001
}
