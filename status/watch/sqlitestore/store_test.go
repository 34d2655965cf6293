package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
	"github.com/ordertrack/ordertrack/status/watch/watchtest"
)

func open(t testing.TB) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "orders.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	watchtest.RunStore(t, func(t *testing.T, _ func() time.Time) watch.Store { return open(t) })
}
