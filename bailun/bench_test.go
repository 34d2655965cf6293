package bailun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/status"
)

// BenchmarkQueryOrderStatus compares the SDK call with the hand-written
// net/http + encoding/json call a user would write, on the same loopback
// server in the same run. Compare with:
//
//	go test -run '^$' -bench QueryOrderStatus -count 10 ./bailun > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkQueryOrderStatus(b *testing.B) {
	srv := bailuntest.NewServer()
	defer srv.Close()
	ex := status.BailunExReceiptAddressError
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1001", OrderStatus: status.BailunOrderError, TrackingNo: bailun.NewString("YT2401011234"),
		LastUpdateTime: bailun.NewTime(time.Date(2024, 1, 1, 8, 30, 0, 0, time.UTC)), ExceptionType: &ex})
	ctx := context.Background()

	b.Run("impl=sdk", func(b *testing.B) {
		c, err := bailun.New(srv.Config())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.QueryOrderStatus(ctx, "CP-1001"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.QueryOrderStatus(ctx, "CP-1001"); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("impl=nethttp", func(b *testing.B) {
		hc := &http.Client{Timeout: 30 * time.Second}
		body, _ := json.Marshal(map[string]string{"app_id": bailuntest.AppID, "app_key": bailuntest.AppKey})
		res, err := hc.Post(srv.URL+"/oauth/token/get", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(res.Body).Decode(&tok)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		type output struct {
			OriginOrderNo  string `json:"originOrderNo"`
			OrderStatus    int    `json:"orderStatus"`
			TrackingNo     string `json:"trackingNo"`
			LastUpdateTime string `json:"lastUpdateTime"`
			ShipFaildType  *int   `json:"shipFaildType"`
			ExceptionType  *int   `json:"exceptionType"`
		}
		call := func() error {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/apiV2/bailunOrder/queryOrderStatus?"+url.Values{"originOrderNo": {"CP-1001"}}.Encode(), nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", tok.AccessToken)
			res, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			var env struct {
				Result  *output `json:"result"`
				Message string  `json:"message"`
				Code    int     `json:"code"`
			}
			if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
				return err
			}
			if env.Code != 10000 || env.Result == nil {
				b.Fatalf("code %d", env.Code)
			}
			_, err = time.ParseInLocation("2006-01-02 15:04:05", env.Result.LastUpdateTime, time.UTC)
			return err
		}
		if err := call(); err != nil {
			b.Fatal(err)
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
