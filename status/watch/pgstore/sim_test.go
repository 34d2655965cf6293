package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/internal/pgtest"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
	"github.com/ordertrack/ordertrack/status/watch/watchsim"
)

// TestSimulate runs the simulator's seeds on Postgres: each seed on a
// schema of its own, on the virtual clock the Store is given.
func TestSimulate(t *testing.T) {
	cfg := watchsim.Config{Store: func(now func() time.Time) (watch.Store, func() error, error) {
		db, _ := pgtest.Open(t)
		s, err := pgstore.Open(context.Background(), db, &pgstore.Options{Clock: now})
		if err != nil {
			return nil, nil, err
		}
		return s, db.Close, nil // the schema goes with the test
	}}
	watchsim.Test(t, cfg, simSeeds, "go test ./status/watch/pgstore -run TestSimulate")
}
