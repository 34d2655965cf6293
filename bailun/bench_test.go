package bailun_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/internal/benchtest"
	"github.com/ordertrack/ordertrack/status"
)

// The careful hand-written call: the token fetched once, each answer read
// whole and decoded into a plain struct with the fields it has.
type handOutput struct {
	OriginOrderNo  string `json:"originOrderNo"`
	OrderStatus    int    `json:"orderStatus"`
	TrackingNo     string `json:"trackingNo"`
	LastUpdateTime string `json:"lastUpdateTime"`
	ShipFaildType  *int   `json:"shipFaildType"`
	ExceptionType  *int   `json:"exceptionType"`
}

func handBailun(b *testing.B, base string) func(decode benchtest.Decode, ref string) error {
	hc := benchtest.Client()
	req, err := benchtest.Post(base+"/oauth/token/get", map[string]string{"app_id": bailuntest.AppID, "app_key": bailuntest.AppKey}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := benchtest.Do(hc, req, &tok, json.Unmarshal); err != nil {
		b.Fatal(err)
	}
	return func(decode benchtest.Decode, ref string) error {
		req, err := http.NewRequestWithContext(context.Background(), "GET", base+"/apiV2/bailunOrder/queryOrderStatus?"+url.Values{"originOrderNo": {ref}}.Encode(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", tok.AccessToken)
		var env struct {
			Result  *handOutput `json:"result"`
			Message string      `json:"message"`
			Code    int         `json:"code"`
		}
		if err := benchtest.Do(hc, req, &env, decode); err != nil {
			return err
		}
		if env.Code != 10000 || env.Result == nil {
			return fmt.Errorf("code %d", env.Code)
		}
		_, err = time.ParseInLocation("2006-01-02 15:04:05", env.Result.LastUpdateTime, time.UTC)
		return err
	}
}

// replayedBailun seeds a fake with one order and returns the SDK client
// and the hand-written call, both asking it through benchtest.Replay.
func replayedBailun(b *testing.B) (*bailun.Client, func(decode benchtest.Decode, ref string) error) {
	srv := seededBailun()
	b.Cleanup(srv.Close)
	cfg := srv.Config()
	cfg.BaseURL = benchtest.Replay(b, srv.URL)
	c, err := bailun.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return c, handBailun(b, cfg.BaseURL)
}

func seededBailun() *bailuntest.Server {
	srv := bailuntest.NewServer()
	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "CP-1001", OrderStatus: status.BailunOrderError, TrackingNo: bailun.NewString("YT2401011234"),
		LastUpdateTime: bailun.NewTime(time.Date(2024, 1, 1, 8, 30, 0, 0, time.UTC)), ExceptionType: status.Ptr(status.BailunExReceiptAddressError)})
	return srv
}

// BenchmarkQueryOrderStatus: one order's status, the SDK call against the
// careful hand-written call on the same loopback server, serially and at 8
// goroutines per core. Compare with:
//
//	go test -run '^$' -bench QueryOrderStatus -count 10 ./bailun > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkQueryOrderStatus(b *testing.B) {
	c, hand := replayedBailun(b)
	benchtest.Pair(b, func() error {
		_, err := c.QueryOrderStatus(context.Background(), "CP-1001")
		return err
	}, func(decode benchtest.Decode) func() error { return func() error { return hand(decode, "CP-1001") } })
}

// BenchmarkTrack1: a one-ref Track (the snapshot included) against the
// hand-written call, for the throughput of one client under load.
func BenchmarkTrack1(b *testing.B) {
	c, hand := replayedBailun(b)
	benchtest.Pair(b, func() error {
		snaps, err := c.Track(context.Background(), "CP-1001")
		if err == nil && snaps[0].Err != nil {
			err = snaps[0].Err
		}
		return err
	}, func(decode benchtest.Decode) func() error { return func() error { return hand(decode, "CP-1001") } })
}

// BenchmarkDecodeOrderStatus: an answer already read, the SDK's decode (the
// lossless record and its envelope) against encoding/json into the careful
// call's plain struct: client CPU alone.
func BenchmarkDecodeOrderStatus(b *testing.B) {
	body := []byte(`{"result":{"originOrderNo":"CP-1001","orderStatus":5,"trackingNo":"YT2401011234","lastUpdateTime":"2024-01-01 08:30:00","shipFaildType":null,"exceptionType":2},"message":"success","code":10000}`)
	c, err := bailun.New(bailun.Config{BaseURL: "https://x", AccessToken: bailun.NewSecret("t")})
	if err != nil {
		b.Fatal(err)
	}
	benchtest.Memory(b, func() error {
		_, err := c.DecodeOrderStatusBody(body)
		return err
	}, func(decode benchtest.Decode) func() error {
		return func() error {
			var env struct {
				Result  *handOutput `json:"result"`
				Message string      `json:"message"`
				Code    int         `json:"code"`
			}
			return decode(body, &env)
		}
	})
}
