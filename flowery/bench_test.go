package flowery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/internal/benchtest"
	"github.com/ordertrack/ordertrack/status"
)

// handOrder is the careful hand-written decode of what a status needs.
type handOrder struct {
	OrderStatus      string `json:"order_status"`
	OrderNo          string `json:"order_no"`
	ExpressNo        string `json:"express_no"`
	GoodsStatus      string `json:"goods_status"`
	GoodsStatusTime  string `json:"goods_status_time"`
	LatestScanStatus string `json:"latest_scan_status"`
	ReturnReason     string `json:"return_reason"`
	ProblemReason    string `json:"problem_reason"`
}

// handBatch is the careful hand-written decode of a batch's answer.
type handBatch struct {
	Code         string      `json:"code"`
	SNStr        string      `json:"sn_str"`
	OrdersDetail []handOrder `json:"orders_detail"`
}

// check reads the batch as the SDK does: its code, and each order's time.
func (env *handBatch) check() error {
	if env.Code != "success" {
		return fmt.Errorf("code %q", env.Code)
	}
	for _, o := range env.OrdersDetail {
		if _, err := time.ParseInLocation("2006-1-2 15:4:5", o.GoodsStatusTime, time.UTC); err != nil {
			return err
		}
	}
	return nil
}

// handToken registers a token, as the hand-written call does once.
func handToken(b *testing.B, hc *http.Client, base string) string {
	req, err := benchtest.Post(base+"/logistics/api/token", map[string]string{"account_id": flowerytest.AccountID,
		"logistics": flowerytest.Logistics, "random": "0123456789abcdef", "secret_key": string(flowerytest.SecretKey)}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if err := benchtest.Do(hc, req, &tok, json.Unmarshal); err != nil {
		b.Fatal(err)
	}
	return tok.Data.Token
}

// handTrack is the careful hand-written call: the token registered once,
// the numbers sent in batches of 100, eight batches at a time (as the SDK
// does), each answer read whole into plain structs.
func handTrack(b *testing.B, base string) func(decode benchtest.Decode, refs []string) error {
	hc := benchtest.Client()
	token := handToken(b, hc, base)
	batch := func(decode benchtest.Decode, numbers []string) error {
		req, err := benchtest.Post(base+"/orders", map[string]string{"account_id": flowerytest.AccountID, "logistics": flowerytest.Logistics,
			"command": "1", "serial_no": strings.Join(numbers, ",")}, map[string]string{"token": token})
		if err != nil {
			return err
		}
		var env handBatch
		if err := benchtest.Do(hc, req, &env, decode); err != nil {
			return err
		}
		return env.check()
	}
	return func(decode benchtest.Decode, refs []string) error {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		errs := make(chan error, len(refs)/100+1)
		for len(refs) > 0 {
			n := min(100, len(refs))
			chunk := refs[:n]
			refs = refs[n:]
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := batch(decode, chunk); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
}

// BenchmarkTrack: Track of 1, 100 and 1,000 order numbers (a tenth of them
// unknown) against the careful hand-written call with the same batching
// and concurrency, on the same loopback server, serially and at 8
// goroutines per core. Compare with:
//
//	go test -run '^$' -bench Track -count 10 ./flowery > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkTrack(b *testing.B) {
	srv, all := seededFlowery(b)
	cfg := srv.Config()
	cfg.BaseURL = benchtest.Replay(b, srv.URL)
	c, err := flowery.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	hand := handTrack(b, cfg.BaseURL)
	for _, n := range []int{1, 100, 1000} {
		refs := all[:n]
		b.Run(fmt.Sprintf("refs=%d", n), func(b *testing.B) {
			benchtest.Pair(b, func() error {
				snaps, err := c.Track(context.Background(), refs...)
				if err == nil {
					err = status.Errors(snaps)
				}
				return err
			}, func(decode benchtest.Decode) func() error { return func() error { return hand(decode, refs) } })
		})
	}
}

// seededFlowery is a fake knowing nine in ten of 1,000 order numbers.
func seededFlowery(b *testing.B) (*flowerytest.Server, []string) {
	srv := flowerytest.NewServer()
	b.Cleanup(srv.Close)
	all := make([]string, 1000)
	for i := range all {
		all[i] = strconv.Itoa(1000000 + i)
		if i%10 != 9 {
			srv.Put(flowery.OrderDetail{OrderNo: all[i], ExpressNo: "CGK" + all[i], OrderStatus: status.FloweryInTransit,
				GoodsStatus: status.FloweryInTransit, GoodsStatusTime: flowery.NewTime(time.Now()), GoodsNameCN: "AAAA_1&BBBBB_2"})
		}
	}
	return srv, all
}

// BenchmarkDecodeBatch: a batch's answer of 100 numbers already read, the
// SDK's decode (what Track decodes of each order) against encoding/json
// into the careful call's plain structs: client CPU alone.
func BenchmarkDecodeBatch(b *testing.B) {
	srv, all := seededFlowery(b)
	hc := benchtest.Client()
	req, err := benchtest.Post(srv.URL+"/orders", map[string]string{"account_id": flowerytest.AccountID, "logistics": flowerytest.Logistics,
		"command": "1", "serial_no": strings.Join(all[:100], ",")}, map[string]string{"token": handToken(b, hc, srv.URL)})
	if err != nil {
		b.Fatal(err)
	}
	var body json.RawMessage
	if err := benchtest.Do(hc, req, &body, json.Unmarshal); err != nil {
		b.Fatal(err)
	}
	c, err := flowery.New(flowery.Config{BaseURL: "https://x", AccountID: "A", Logistics: "B", Token: flowery.NewSecret("t")})
	if err != nil {
		b.Fatal(err)
	}
	benchtest.Memory(b, func() error {
		n, err := c.DecodeBatchBody(body, 100)
		if err == nil && n != 90 {
			err = fmt.Errorf("%d orders", n)
		}
		return err
	}, func(decode benchtest.Decode) func() error {
		return func() error {
			var env handBatch
			if err := decode(body, &env); err != nil {
				return err
			}
			return env.check()
		}
	})
}
