package birdsystem_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

// BenchmarkListConsignments fetches one page of 50 consignments: the SDK
// call against the hand-written net/http call decoding into map[string]any
// that users write today, on the same loopback server in the same run.
// Compare with:
//
//	go test -run '^$' -bench ListConsignments -count 10 ./birdsystem > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkListConsignments(b *testing.B) {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	for i := int64(0); i < 50; i++ {
		k := birdsystemtest.Consignment(2010290360000001+i, status.BirdSystemFinished)
		k.DeliveryReference = birdsystem.NewString("JJD000225821250904")
		k.NeighbourInstruction = birdsystem.NewString("copy from consignment 2007100360000006\ncopy from consignment 2007120360000002")
		srv.Put(k)
	}
	ctx := context.Background()
	opts := &birdsystem.ListOptions{Status: status.BirdSystemFinished, Limit: 50}

	b.Run("impl=sdk", func(b *testing.B) {
		c, err := birdsystem.New(srv.Config())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			p, err := c.ListConsignments(ctx, opts)
			if err != nil || len(p.Consignments) != 50 {
				b.Fatal(err)
			}
		}
	})

	b.Run("impl=nethttp-map", func(b *testing.B) {
		hc := &http.Client{Timeout: 30 * time.Second}
		call := func() error {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/client/consignment?status=FINISHED&limit=50", nil)
			if err != nil {
				return err
			}
			req.Header.Set("api_key", birdsystemtest.APIKey)
			req.Header.Set("company_id", birdsystemtest.CompanyID)
			res, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
				return err
			}
			if data, _ := m["data"].([]any); len(data) != 50 {
				b.Fatal("short page")
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
