package reseller_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// Query an order and its sub-orders. The fake server stands in for the
// platform and checks the signature; against the real platform, use
// reseller.Config{ResellerID: ..., Secret: ...}.
func Example() {
	srv := resellertest.NewServer()
	defer srv.Close()
	srv.Put(reseller.Order{ThirdOrderNo: "20240328-874367231", UnionOrderNo: "1711617155438042815450787",
		SubOrderList: []reseller.SubOrder{{
			OrderNo:     "1711617155442212624339790",
			OrderStatus: status.ResellerAwaitingReceipt,
			OrderExpress: &reseller.OrderExpress{ExpressNumber: "433333385045566", ExpressCompanyName: "韵达快递", ExpressCompany: "yd",
				Traces: []reseller.Trace{{Time: reseller.NewTime(time.Date(2023, 7, 12, 23, 56, 39, 0, time.UTC)), Context: "【上海市】已到达 上海闵行区浦航服务部"}}},
		}}})

	c, err := reseller.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	o, err := c.QueryOrder(context.Background(), "20240328-874367231")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range o.SubOrderList {
		fmt.Println(s.OrderNo, s.OrderStatus.Description(), s.OrderStatus.Stage())
		fmt.Println(s.OrderExpress.ExpressNumber, s.OrderExpress.Traces[0].Time.Raw, s.OrderExpress.Traces[0].Context)
	}
	// Output:
	// 1711617155442212624339790 待收货 shipped
	// 433333385045566 2023-07-13 07:56:39 【上海市】已到达 上海闵行区浦航服务部
}

// Track yields one snapshot per sub-order.
func ExampleClient_Track() {
	srv := resellertest.NewServer()
	defer srv.Close()
	srv.Put(reseller.Order{ThirdOrderNo: "T-1", SubOrderList: []reseller.SubOrder{
		{OrderNo: "S-1", OrderStatus: status.ResellerInProduction},
		{OrderNo: "S-2", OrderStatus: status.ResellerCannotProduce},
	}})
	c, err := reseller.New(srv.Config())
	if err != nil {
		log.Fatal(err)
	}
	snaps, err := c.Track(context.Background(), "T-1", "T-404")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Ref, s.OrderNo, s.Stage, s.Problems)
	}
	// Output:
	// T-1 S-1 processing []
	// T-1 S-2 exception [production (reseller orderStatus=70)]
	// T-404  not_found []
}

// The platform does not publish its sign algorithm: MD5Signer is the
// default, HMACSHA256Signer the other common convention, and any function
// can sign.
func ExampleSignerFunc() {
	signer := reseller.SignerFunc(func(p reseller.SignParams) (string, error) {
		if p.Secret.IsZero() {
			return "", errors.New("no secret")
		}
		return reseller.HMACSHA256Signer.Sign(p)
	})
	sign, err := signer.Sign(reseller.SignParams{Timestamp: 1711092618, ResellerID: 10000, Version: 1,
		BizContent: []byte(`{"thirdOrderNo":"20240328-874367231"}`), Secret: reseller.NewSecret("test-secret-0001")})
	fmt.Println(sign, err)
	// Output: 9A54E238EE0D9D6B61DECBDF34D585F4E93D307A62DBE027512C5DA91F548D6A <nil>
}
