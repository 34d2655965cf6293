package watch_test

import (
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/watchtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	watchtest.RunStore(t, func(*testing.T, func() time.Time) watch.Store { return watch.NewMemoryStore() })
}
