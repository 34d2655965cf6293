// Package pgcluster starts a throwaway PostgreSQL cluster with the
// system's initdb and pg_ctl (the Debian postgresql package) in a
// temporary folder, on a free loopback port, as the postgres user when
// run as root; for the tests (internal/pgtest) and the examples.
package pgcluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Cluster is a running PostgreSQL cluster of this process.
type Cluster struct {
	// URL connects to its postgres database as a superuser.
	URL string
	// Dir is the cluster's data folder.
	Dir  string
	Port int
	bin  string
	run  []string // the command prefix that runs as the cluster's owner
}

// New makes a cluster in a new temporary folder and starts it. Stop it,
// and Remove its folder, when done. Unless durable, it runs without
// fsync and with asynchronous commits (a throwaway cluster loses nothing
// to a crash that matters); durable keeps PostgreSQL's defaults, for
// figures a production server would give.
func New(durable bool) (c *Cluster, err error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "ordertrack-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(root)
		}
	}()
	c = &Cluster{Dir: filepath.Join(root, "data"), bin: bin}
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
	conf := "\nmax_connections = 200\nshared_buffers = 256MB\n"
	if !durable {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
	}
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
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", c.Port, filepath.Dir(c.Dir))
	if out, err := c.cmd("pg_ctl", "-D", c.Dir, "-o", opts, "-l", filepath.Join(filepath.Dir(c.Dir), "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(filepath.Dir(c.Dir), "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the cluster (fast: open connections are ended).
func (c *Cluster) Stop() error {
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

// Remove deletes the cluster's folder (stop it first).
func (c *Cluster) Remove() error { return os.RemoveAll(filepath.Dir(c.Dir)) }
