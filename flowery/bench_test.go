package flowery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/status"
)

// BenchmarkTrack1000 tracks 1,000 order numbers: Track's batched,
// concurrent requests against a hand-written loop that makes one request
// per number, on the same loopback server in the same run. Compare with:
//
//	go test -run '^$' -bench Track1000 -count 10 ./flowery > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkTrack1000(b *testing.B) {
	srv := flowerytest.NewServer()
	defer srv.Close()
	refs := make([]string, 1000)
	for i := range refs {
		refs[i] = strconv.Itoa(1000000 + i)
		if i%10 != 0 {
			srv.Put(flowery.OrderDetail{OrderNo: refs[i], ExpressNo: "CGK" + refs[i], OrderStatus: status.FloweryInTransit,
				GoodsStatus: status.FloweryInTransit, GoodsStatusTime: flowery.NewTime(time.Now()), GoodsNameCN: "AAAA_1&BBBBB_2"})
		}
	}
	ctx := context.Background()

	b.Run("impl=sdk", func(b *testing.B) {
		c, err := flowery.New(srv.Config())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			snaps, err := c.Track(ctx, refs...)
			if err != nil || len(snaps) != len(refs) {
				b.Fatal(err)
			}
		}
	})

	b.Run("impl=nethttp-loop", func(b *testing.B) {
		hc := &http.Client{Timeout: 30 * time.Second}
		body, _ := json.Marshal(map[string]string{"account_id": flowerytest.AccountID, "logistics": flowerytest.Logistics,
			"random": "0123456789abcdef", "secret_key": flowerytest.SecretKey})
		res, err := hc.Post(srv.URL+"/logistics/api/token", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var tok struct {
			Data struct{ Token string } `json:"data"`
		}
		err = json.NewDecoder(res.Body).Decode(&tok)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		one := func(ref string) error {
			body, _ := json.Marshal(map[string]string{"account_id": flowerytest.AccountID, "logistics": flowerytest.Logistics,
				"command": "1", "serial_no": ref})
			req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/orders", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("token", tok.Data.Token)
			res, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			// What it takes to know where the order is: the same fields
			// Track reads.
			var env struct {
				Code         string `json:"code"`
				SNStr        string `json:"sn_str"`
				OrdersDetail []struct {
					OrderNo          string `json:"order_no"`
					ExpressNo        string `json:"express_no"`
					OrderStatus      string `json:"order_status"`
					GoodsStatus      string `json:"goods_status"`
					GoodsStatusTime  string `json:"goods_status_time"`
					LatestScanStatus string `json:"latest_scan_status"`
					ReturnReason     string `json:"return_reason"`
					ProblemReason    string `json:"problem_reason"`
				} `json:"orders_detail"`
			}
			return json.NewDecoder(res.Body).Decode(&env)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for _, ref := range refs {
				if err := one(ref); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
