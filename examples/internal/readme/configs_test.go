package readme

import (
	"reflect"
	"testing"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/reseller"
)

// The four Configs stay flat and alike: each has the same transport fields
// with the same types, so that what a user learns of one holds for all.
func TestConfigsShareTheTransportFields(t *testing.T) {
	shared := []string{"BaseURL", "HTTPClient", "Logger", "RateLimit", "Burst", "Concurrency", "MaxRetries",
		"RetryWaitMin", "RetryWaitMax", "AllowInsecureHTTP", "UserAgent"}
	first := reflect.TypeFor[bailun.Config]()
	for _, cfg := range []reflect.Type{first, reflect.TypeFor[reseller.Config](), reflect.TypeFor[birdsystem.Config](), reflect.TypeFor[flowery.Config]()} {
		for _, name := range shared {
			f, ok := cfg.FieldByName(name)
			if !ok {
				t.Errorf("%v has no %s", cfg, name)
				continue
			}
			want, _ := first.FieldByName(name)
			if f.Type != want.Type {
				t.Errorf("%v.%s is %v, %v's is %v", cfg, name, f.Type, first, want.Type)
			}
		}
	}
}
