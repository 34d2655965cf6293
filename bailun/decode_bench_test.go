package bailun

import (
	"encoding/json"
	"testing"

	"github.com/ordertrack/ordertrack/internal/benchtest"
	"github.com/ordertrack/ordertrack/internal/transport"
)

// BenchmarkDecodeOrderStatus: the answer already read, the SDK's decode
// (the lossless record and its envelope) against encoding/json into the
// plain struct a careful hand-written call uses.
func BenchmarkDecodeOrderStatus(b *testing.B) {
	body := []byte(`{"result":{"originOrderNo":"CP-1001","orderStatus":5,"trackingNo":"YT2401011234","lastUpdateTime":"2024-01-01 08:30:00","shipFaildType":null,"exceptionType":2},"message":"success","code":10000}`)
	c, err := New(Config{BaseURL: "https://x", AccessToken: "t"})
	if err != nil {
		b.Fatal(err)
	}
	benchtest.Memory(b, func() error {
		_, err := c.decodeOrderStatus(&transport.Response{StatusCode: 200, Body: body})
		return err
	}, func() error {
		var env struct {
			Result *struct {
				OriginOrderNo  string `json:"originOrderNo"`
				OrderStatus    int    `json:"orderStatus"`
				TrackingNo     string `json:"trackingNo"`
				LastUpdateTime string `json:"lastUpdateTime"`
				ShipFaildType  *int   `json:"shipFaildType"`
				ExceptionType  *int   `json:"exceptionType"`
			} `json:"result"`
			Message string `json:"message"`
			Code    int    `json:"code"`
		}
		return json.Unmarshal(body, &env)
	})
}
