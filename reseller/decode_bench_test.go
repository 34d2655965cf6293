package reseller

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ordertrack/ordertrack/internal/benchtest"
	"github.com/ordertrack/ordertrack/internal/transport"
)

// BenchmarkDecodeOrder: the documented answer already read, the SDK's
// decode against encoding/json into the plain structs a careful
// hand-written call uses.
func BenchmarkDecodeOrder(b *testing.B) {
	body, err := os.ReadFile("../testdata/reseller/order-query.json")
	if err != nil {
		b.Fatal(err)
	}
	c, err := New(Config{BaseURL: "https://x", ResellerID: 1, Secret: "s"})
	if err != nil {
		b.Fatal(err)
	}
	type trace struct{ Time, Context, Status, City string }
	benchtest.Memory(b, func() error {
		_, err := c.decodeOrder(&transport.Response{StatusCode: 200, Body: body})
		return err
	}, func() error {
		var env struct {
			Code int `json:"code"`
			Data *struct {
				OutUserID    string `json:"outUserId"`
				UnionOrderNo string `json:"unionOrderNo"`
				ThirdOrderNo string `json:"thirdOrderNo"`
				SubOrderList []struct {
					OrderNo     string `json:"orderNo"`
					OrderStatus int    `json:"orderStatus"`
					Address     *struct {
						Name, Phone, Province, City, District, Address string
					} `json:"address"`
					SKUs []struct {
						CustomizeNo   string `json:"customizeNo"`
						ResellerSkuID int64  `json:"resellerSkuId"`
						Count         int64  `json:"count"`
					} `json:"skus"`
					OrderExpress *struct {
						ExpressNumber      string  `json:"expressNumber"`
						ExpressCompanyName string  `json:"expressCompanyName"`
						ExpressCompany     string  `json:"expressCompany"`
						PackageCount       int     `json:"packageCount"`
						ShippingStatus     int     `json:"shippingStatus"`
						Traces             []trace `json:"traces"`
					} `json:"orderExpress"`
				} `json:"subOrderList"`
			} `json:"data"`
			Message string `json:"message"`
		}
		return json.Unmarshal(body, &env)
	})
}
