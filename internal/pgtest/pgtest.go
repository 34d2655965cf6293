// Package pgtest gives tests a real PostgreSQL: a throwaway cluster made
// with the system's initdb and pg_ctl (the Debian postgresql package) in
// a temporary folder, on a free loopback port, or the server that
// ORDERTRACK_POSTGRES_URL names. Nothing is mocked.
//
// A test package that uses it runs its tests through Main, so that the
// cluster it started is stopped and removed when they end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without a server and without initdb, the tests that ask for one skip,
// saying how to run them, except when the CI environment variable is set:
// then they fail.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for tests

	"github.com/ordertrack/ordertrack/internal/pgcluster"
)

// EnvURL names an existing server's URL, used instead of a cluster of
// the tests' own; EnvDurable, set, keeps fsync and synchronous commits
// on in the tests' own (for benchmark figures).
const (
	EnvURL     = "ORDERTRACK_POSTGRES_URL"
	EnvDurable = "ORDERTRACK_POSTGRES_DURABLE"
)

var (
	once    sync.Once
	cluster *Cluster
	failed  error
	schemas atomic.Int64
)

// Main runs m's tests, then stops the cluster they started, if any.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil && cluster.c != nil {
		_ = cluster.c.Stop()
		_ = cluster.c.Remove()
	}
	os.Exit(code)
}

// Get returns the cluster, started on first use; it skips t (or fails it
// under CI) when there is none to be had.
func Get(t testing.TB) *Cluster {
	t.Helper()
	once.Do(func() { cluster, failed = start() })
	if failed != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pgtest: no PostgreSQL: %v", failed)
		}
		t.Skipf("pgtest: no PostgreSQL (%v): install the postgresql package (initdb, pg_ctl), or set %s to a server's URL", failed, EnvURL)
	}
	return cluster
}

// Open returns a database/sql pool (driver pgx) on a new, empty schema
// of the cluster, its search_path set to it, closed when t ends; and the
// schema's name.
func Open(t testing.TB) (*sql.DB, string) {
	t.Helper()
	c := Get(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), schemas.Add(1))
	admin, err := sql.Open("pgx", c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", c.SchemaURL(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", c.URL); err == nil {
			_, _ = a.Exec("DROP SCHEMA " + name + " CASCADE")
			a.Close()
		}
	})
	return db, name
}

// SchemaURL returns the cluster's URL with search_path set to schema.
func (c *Cluster) SchemaURL(schema string) string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return c.URL
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func start() (*Cluster, error) {
	if u := os.Getenv(EnvURL); u != "" {
		db, err := sql.Open("pgx", u)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvURL, err)
		}
		return &Cluster{URL: u}, nil
	}
	c, err := pgcluster.New(os.Getenv(EnvDurable) != "")
	if err != nil {
		return nil, err
	}
	return &Cluster{URL: c.URL, c: c}, nil
}

// Cluster is the PostgreSQL the tests use: a cluster of their own, or
// the server EnvURL names.
type Cluster struct {
	// URL connects to its postgres database as a superuser.
	URL string
	c   *pgcluster.Cluster // nil for a server of EnvURL
}

// Own reports whether the cluster is the tests' own (they may stop and
// start it), not the server of EnvURL.
func (c *Cluster) Own() bool { return c.c != nil }

// Stop stops the tests' own cluster (fast: open connections are ended).
func (c *Cluster) Stop() error {
	if c.c == nil {
		return errors.New("pgtest: the server of " + EnvURL + " is not the tests' to stop")
	}
	return c.c.Stop()
}

// Start starts the tests' own cluster again, after Stop.
func (c *Cluster) Start() error {
	if c.c == nil {
		return errors.New("pgtest: the server of " + EnvURL + " is not the tests' to start")
	}
	return c.c.Start()
}
