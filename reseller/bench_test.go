package reseller_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/internal/benchtest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

// The careful hand-written call: the envelope built and signed by hand
// (YingeSigner's rule), the answer read whole into plain structs.
type handOrder struct {
	OutUserID    string `json:"outUserId"`
	UnionOrderNo string `json:"unionOrderNo"`
	ThirdOrderNo string `json:"thirdOrderNo"`
	SubOrderList []struct {
		OrderNo     string `json:"orderNo"`
		OrderStatus int    `json:"orderStatus"`
		Address     *struct {
			Name     string `json:"name"`
			Phone    string `json:"phone"`
			Province string `json:"province"`
			City     string `json:"city"`
			District string `json:"district"`
			Address  string `json:"address"`
		} `json:"address"`
		SKUs []struct {
			CustomizeNo   string `json:"customizeNo"`
			ResellerSkuID int64  `json:"resellerSkuId"`
			Count         int64  `json:"count"`
		} `json:"skus"`
		OrderExpress *struct {
			ExpressNumber      string `json:"expressNumber"`
			ExpressCompanyName string `json:"expressCompanyName"`
			ExpressCompany     string `json:"expressCompany"`
			PackageCount       int    `json:"packageCount"`
			ShippingStatus     int    `json:"shippingStatus"`
			Traces             []struct {
				Time    string `json:"time"`
				Context string `json:"context"`
				Status  string `json:"status"`
				City    string `json:"city"`
			} `json:"traces"`
		} `json:"orderExpress"`
	} `json:"subOrderList"`
}

func handQuery(base string) func(decode benchtest.Decode, ref string) error {
	hc := benchtest.Client()
	return func(decode benchtest.Decode, ref string) error {
		biz, _ := json.Marshal(map[string]string{"thirdOrderNo": ref})
		ts := time.Now().Unix()
		sum := md5.Sum([]byte("bizContent=" + string(biz) + "&resellerId=" + strconv.FormatInt(resellertest.ResellerID, 10) +
			"&secret=" + string(resellertest.Secret) + "&timestamp=" + strconv.FormatInt(ts, 10) + "&version=1"))
		req, err := benchtest.Post(base+"/open/order/query", map[string]any{"timestamp": ts, "sign": hex.EncodeToString(sum[:]),
			"resellerId": resellertest.ResellerID, "version": 1, "bizContent": json.RawMessage(biz)}, nil)
		if err != nil {
			return err
		}
		var env struct {
			Code    int        `json:"code"`
			Data    *handOrder `json:"data"`
			Message string     `json:"message"`
		}
		if err := benchtest.Do(hc, req, &env, decode); err != nil {
			return err
		}
		if env.Code != 0 || env.Data == nil {
			return fmt.Errorf("code %d: %s", env.Code, env.Message)
		}
		for _, s := range env.Data.SubOrderList {
			if s.OrderExpress != nil {
				for _, t := range s.OrderExpress.Traces {
					if _, err := time.ParseInLocation("2006-01-02 15:04:05", t.Time, time.Local); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
}

// BenchmarkQueryOrder: an order of two sub-orders, one with a shipment of
// seven traces, the SDK call against the careful hand-written call on the
// same loopback server, serially and at 8 goroutines per core. Compare with:
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
	cfg := srv.Config()
	cfg.BaseURL = benchtest.Replay(b, srv.URL)
	c, err := reseller.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	hand := handQuery(cfg.BaseURL)
	benchtest.Pair(b, func() error {
		_, err := c.QueryOrder(context.Background(), "20240328-874367231")
		return err
	}, func(decode benchtest.Decode) func() error {
		return func() error { return hand(decode, "20240328-874367231") }
	})
}

// BenchmarkDecodeOrder: the documented answer already read, the SDK's
// decode against encoding/json into the careful call's plain structs:
// client CPU alone.
func BenchmarkDecodeOrder(b *testing.B) {
	body, err := os.ReadFile("../testdata/reseller/order-query.json")
	if err != nil {
		b.Fatal(err)
	}
	c, err := reseller.New(reseller.Config{BaseURL: "https://x", ResellerID: 1, Secret: reseller.NewSecret("s")})
	if err != nil {
		b.Fatal(err)
	}
	benchtest.Memory(b, func() error {
		_, err := c.DecodeOrderBody(body)
		return err
	}, func(decode benchtest.Decode) func() error {
		return func() error {
			var env struct {
				Code    int        `json:"code"`
				Data    *handOrder `json:"data"`
				Message string     `json:"message"`
			}
			return decode(body, &env)
		}
	})
}
