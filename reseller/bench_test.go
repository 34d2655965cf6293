package reseller_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// BenchmarkQueryOrder compares the SDK call with a hand-written net/http +
// encoding/json call with the same signing, on the same loopback server in
// the same run. Compare with:
//
//	go test -run '^$' -bench QueryOrder -count 10 ./reseller > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkQueryOrder(b *testing.B) {
	srv := resellertest.NewServer()
	defer srv.Close()
	o := sampleOrder("20240328-874367231", status.ResellerAwaitingReceipt, status.ResellerInProduction)
	for i := 0; i < 6; i++ {
		o.SubOrderList[0].OrderExpress.Traces = append(o.SubOrderList[0].OrderExpress.Traces,
			reseller.Trace{Time: reseller.NewTime(time.Date(2023, 7, 13, i, 0, 0, 0, time.UTC)), Context: "【上海市】已到达 上海分拨交付中心"})
	}
	srv.Put(o)
	ctx := context.Background()

	b.Run("impl=sdk", func(b *testing.B) {
		c, err := reseller.New(srv.Config())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.QueryOrder(ctx, "20240328-874367231"); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("impl=nethttp", func(b *testing.B) {
		hc := &http.Client{Timeout: 30 * time.Second}
		type trace struct{ Time, Context, Status, City string }
		type order struct {
			OutUserID, UnionOrderNo, ThirdOrderNo string
			SubOrderList                          []struct {
				OrderNo     string
				OrderStatus int
				Address     map[string]string
				SKUs        []struct {
					CustomizeNo   string
					ResellerSkuID int64
					Count         int
				} `json:"skus"`
				OrderExpress *struct {
					ExpressNumber, ExpressCompanyName, ExpressCompany string
					PackageCount, ShippingStatus                      int
					Traces                                            []trace
				}
			}
		}
		call := func() error {
			biz, _ := json.Marshal(map[string]string{"thirdOrderNo": "20240328-874367231"})
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			s := "bizContent=" + string(biz) + "&resellerId=" + strconv.Itoa(resellertest.ResellerID) + "&timestamp=" + ts + "&version=1"
			sum := md5.Sum([]byte(s + resellertest.Secret))
			body := `{"timestamp":` + ts + `,"sign":"` + strings.ToUpper(hex.EncodeToString(sum[:])) +
				`","resellerId":` + strconv.Itoa(resellertest.ResellerID) + `,"version":1,"bizContent":` + string(biz) + `}`
			req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/open/order/query", bytes.NewReader([]byte(body)))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			var env struct {
				Code    int
				Data    *order
				Message string
			}
			if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
				return err
			}
			if env.Code != 0 || env.Data == nil {
				b.Fatalf("code %d %s", env.Code, env.Message)
			}
			return nil
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
