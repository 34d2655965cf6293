package otelordertrack_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/otelordertrack"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// A Watcher and its Flowery client, measured through the OpenTelemetry
// Prometheus exporter and scraped as Prometheus would.
func Example_prometheus() {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		panic(err)
	}
	obs, err := otelordertrack.New(otelordertrack.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))))
	if err != nil {
		panic(err)
	}
	metrics := httptest.NewServer(promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	defer metrics.Close()

	fake := flowerytest.NewServer()
	defer fake.Close()
	fake.Put(flowery.OrderDetail{OrderNo: "1000025", OrderStatus: "运输中"})
	cfg := fake.Config()
	cfg.Observer = obs
	client, _ := flowery.New(cfg)
	w := watch.New(watch.Options{Observer: obs})
	reg, err := obs.ObserveWatcher(w)
	if err != nil {
		panic(err)
	}
	defer reg.Unregister()
	ctx := context.Background()
	id, _ := w.Add(client, "jakarta")
	_ = w.Follow(ctx, id, "1000025")
	_ = w.Poll(ctx, id, func(c status.Change) { fmt.Println(c.Kind, c.Ref) })

	res, err := http.Get(metrics.URL)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, name := range []string{"ordertrack_watch_changes_total", "ordertrack_watch_polls_total", "ordertrack_watch_refs_followed", "http_client_request_duration_seconds_count"} {
			if strings.HasPrefix(line, name+"{") {
				fmt.Println(port.ReplaceAllString(line, ""))
			}
		}
	}
	// Output:
	// following 1000025
	// http_client_request_duration_seconds_count{http_request_method="POST",http_response_status_code="200",ordertrack_account="jakarta",ordertrack_provider="flowery",server_address="127.0.0.1",url_template="/logistics/api/token"} 1
	// http_client_request_duration_seconds_count{http_request_method="POST",http_response_status_code="200",ordertrack_account="jakarta",ordertrack_provider="flowery",server_address="127.0.0.1",url_template="/orders"} 1
	// ordertrack_watch_changes_total{ordertrack_account="jakarta",ordertrack_change_kind="following",ordertrack_provider="flowery"} 1
	// ordertrack_watch_polls_total{ordertrack_account="jakarta",ordertrack_outcome="answered",ordertrack_provider="flowery"} 1
	// ordertrack_watch_refs_followed{ordertrack_account="jakarta",ordertrack_provider="flowery"} 1
}

// port is the fake's port, which changes each run.
var port = regexp.MustCompile(`,server_port="[0-9]+"`)
