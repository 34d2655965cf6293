package pgstore_test

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/internal/pgtest"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
	"github.com/ordertrack/ordertrack/status/watch/watchtest"
)

// TestMain runs the test binary as a worker of TestFleetFaults when it is
// one, and stops the tests' Postgres after the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(fleetWorkerEnv) != "" {
		fleetWorker()
		os.Exit(0)
	}
	pgtest.Main(m)
}

// openDB returns a store on a new schema, and its database.
func openDB(t testing.TB) (*pgstore.Store, *sql.DB) {
	t.Helper()
	db, _ := pgtest.Open(t)
	s, err := pgstore.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestConformance runs the suite with the store's clock set to the time
// of each of the suite's leases; TestLeaseOnTheDatabasesClock checks the
// database's clock.
func TestConformance(t *testing.T) {
	watchtest.RunStore(t, func(t *testing.T, now func() time.Time) watch.Store {
		db, _ := pgtest.Open(t)
		s, err := pgstore.Open(context.Background(), db, &pgstore.Options{Clock: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
