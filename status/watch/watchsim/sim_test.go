package watchsim_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
	"github.com/ordertrack/ordertrack/status/watch/watchsim"
)

// TestSimulate runs the simulator's seeds on the memory store and on
// SQLite (fewer under the race detector, which CI runs them without too).
func TestSimulate(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		watchsim.Test(t, watchsim.Config{}, scale(9000), "go test ./status/watch/watchsim -run 'TestSimulate/memory'")
	})
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		n := 0
		cfg := watchsim.Config{Store: func(func() time.Time) (watch.Store, func() error, error) {
			n++
			s, err := sqlitestore.Open(t.Context(), filepath.Join(dir, fmt.Sprintf("sim%d.db", n)), nil)
			if err != nil {
				return nil, nil, err
			}
			return s, s.Close, nil
		}}
		watchsim.Test(t, cfg, scale(1000), "go test ./status/watch/watchsim -run 'TestSimulate/sqlite$'")
	})
	// Each process with a Store of its own on the run's file, as processes
	// on one machine share it: a claim's lease, kept in its Store, dies
	// with its process, and processes meet in the file alone.
	t.Run("sqlite-processes", func(t *testing.T) {
		dir := t.TempDir()
		n := 0
		var path string
		open := func() (watch.Store, func() error, error) {
			s, err := sqlitestore.Open(t.Context(), path, nil)
			if err != nil {
				return nil, nil, err
			}
			return s, s.Close, nil
		}
		cfg := watchsim.Config{
			Store: func(func() time.Time) (watch.Store, func() error, error) {
				n++
				path = filepath.Join(dir, fmt.Sprintf("sim%d.db", n))
				return open()
			},
			ProcessStore: open,
		}
		watchsim.Test(t, cfg, scale(1000), "go test ./status/watch/watchsim -run 'TestSimulate/sqlite-processes'")
	})
}

// TestKnownDefects: each known defect's seed still shows it, so that the
// simulator is seen to fail, and a defect fixed leaves the list.
func TestKnownDefects(t *testing.T) {
	for kind, d := range watchsim.Known {
		rep := watchsim.Run(d.Seed, watchsim.Config{})
		found := false
		for _, v := range rep.Violations {
			found = found || v.Kind == kind
		}
		if !found {
			t.Errorf("seed %d no longer shows %s (%s): fixed? Take it out of watchsim.Known", d.Seed, kind, d.Issue)
		}
	}
}
