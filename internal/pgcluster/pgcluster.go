// Package pgcluster starts a throwaway PostgreSQL cluster with the
// system's initdb and postgres (the Debian postgresql package) in a
// temporary folder, on a free loopback port, as the postgres user when
// run as root; for the tests (internal/pgtest) and the examples. The
// server is a child of the process that started it, and never outlives
// it, however that process ends.
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
	"syscall"
	"time"
)

// Cluster is a running PostgreSQL cluster of this process.
type Cluster struct {
	// URL connects to its postgres database as a superuser.
	URL string
	// Dir is the cluster's data folder.
	Dir  string
	Port int
	bin  string
	// owner runs the programs as postgres when this process is root;
	// nil runs them as this process's user.
	owner *syscall.Credential
	// postmaster is the running server, exited says when it ends.
	postmaster *exec.Cmd
	exited     chan error
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
		c.owner = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
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

// Start starts the cluster (again, after Stop): the postmaster is a child
// of this process, which it does not outlive (it is sent SIGQUIT when this
// process dies, however it dies), and Start returns once it takes
// connections.
func (c *Cluster) Start() error {
	logf, err := os.OpenFile(filepath.Join(filepath.Dir(c.Dir), "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := c.cmd("postgres", "-D", c.Dir, "-p", strconv.Itoa(c.Port), "-c", "listen_addresses=127.0.0.1", "-k", filepath.Dir(c.Dir))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("postgres: %w", err)
	}
	c.postmaster = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	c.exited = exited
	for deadline := time.Now().Add(60 * time.Second); ; {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", c.Port), time.Second)
		if err == nil {
			conn.Close()
			// Listening; give it the moment it needs to accept logins.
			if out, err := c.cmd("pg_isready", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-t", "10").CombinedOutput(); err == nil {
				return nil
			} else if time.Now().After(deadline) {
				return fmt.Errorf("pg_isready: %v: %s", err, out)
			}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(filepath.Dir(c.Dir), "log"))
			return fmt.Errorf("postgres exited: %v\n%s", err, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return errors.New("postgres did not take connections within 60s")
		}
	}
}

// Stop stops the cluster (fast: open connections are ended), and waits
// for it.
func (c *Cluster) Stop() error {
	if c.postmaster == nil {
		return nil
	}
	_ = c.postmaster.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(60 * time.Second):
		_ = c.postmaster.Process.Kill()
		<-c.exited
	}
	c.postmaster = nil
	return nil
}

// cmd runs one of PostgreSQL's programs as the cluster's owner.
func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = os.TempDir()
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if c.owner != nil {
		cmd.SysProcAttr.Credential = c.owner
		cmd.Env = append(os.Environ(), "HOME="+os.TempDir())
	}
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
