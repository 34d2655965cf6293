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
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for tests
)

// EnvURL names an existing server's URL, used instead of a cluster of
// the tests' own.
const EnvURL = "ORDERTRACK_POSTGRES_URL"

var (
	once    sync.Once
	cluster *Cluster
	failed  error
	schemas atomic.Int64
)

// Cluster is a running PostgreSQL the tests use.
type Cluster struct {
	// URL connects to its postgres database as a superuser.
	URL string
	// Dir is the cluster's data folder; empty for a server of EnvURL.
	Dir  string
	Port int
	bin  string
	run  []string // the command prefix that runs as the cluster's owner
}

// Main runs m's tests, then stops the cluster they started, if any.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil && cluster.Dir != "" {
		_ = cluster.Stop()
		os.RemoveAll(filepath.Dir(cluster.Dir))
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
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "ordertrack-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: filepath.Join(root, "data"), bin: bin}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and no postgres user to run the cluster: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(root, uid, gid); err != nil {
			return nil, err
		}
		c.run = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.cmd("initdb", "-D", c.Dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	conf := "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\nshared_buffers = 256MB\n"
	f, err := os.OpenFile(filepath.Join(c.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	f.Close()
	if err != nil {
		return nil, err
	}
	if c.Port, err = freePort(); err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
	return c, nil
}

// Start starts the cluster (again, after Stop).
func (c *Cluster) Start() error {
	if c.Dir == "" {
		return errors.New("pgtest: the server of " + EnvURL + " is not the tests' to start")
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", c.Port, filepath.Dir(c.Dir))
	if out, err := c.cmd("pg_ctl", "-D", c.Dir, "-o", opts, "-l", filepath.Join(filepath.Dir(c.Dir), "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(filepath.Dir(c.Dir), "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the cluster (fast: open connections are ended).
func (c *Cluster) Stop() error {
	if c.Dir == "" {
		return errors.New("pgtest: the server of " + EnvURL + " is not the tests' to stop")
	}
	if out, err := c.cmd("pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string(nil), c.run...), filepath.Join(c.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = os.TempDir()
	return cmd
}

// findBin finds the folder of initdb and pg_ctl: on PATH, or the newest
// /usr/lib/postgresql/<version>/bin.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "pg_ctl")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestV := "", -1
	for _, d := range dirs {
		v, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(d, "/usr/lib/postgresql/"), "/")[0])
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil && v > bestV {
			best, bestV = d, v
		}
	}
	if best == "" {
		return "", errors.New("initdb is not on PATH nor in /usr/lib/postgresql/*/bin")
	}
	return best, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
