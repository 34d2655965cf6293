package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

// followed opens a store at path with n refs followed and polled once,
// their Following changes in the outbox.
func followed(t *testing.T, path string, n int) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	w := watch.New(watch.Options{Store: s, Schedule: watch.Every{}})
	id, err := w.Add(shippedAll{}, "acme")
	require.NoError(t, err)
	ctx := context.Background()
	refs := make([]string, n)
	for i := range refs {
		refs[i] = fmt.Sprintf("R%04d", i)
	}
	require.NoError(t, w.Follow(ctx, id, refs...))
	require.NoError(t, w.Poll(ctx, id, nil))
	return s
}

// shippedAll answers every ref shipped.
type shippedAll struct{}

func (shippedAll) Provider() status.Provider { return status.Bailun }
func (shippedAll) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		out[i] = status.Snapshot{Provider: status.Bailun, Ref: r, OrderNo: r, Stage: status.Shipped}
	}
	return out, nil
}

// record is a consumer writing each change into its own table, in the
// hand-off's transaction.
func record(ctx context.Context, tx *sql.Tx, c status.Change) error {
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, kind TEXT NOT NULL)"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO seen VALUES (?, ?)", c.ID, c.Kind.String())
	return err
}

// seen counts the consumer's rows, and the distinct ones, reading the file
// beside the store.
func seen(t *testing.T, path string) (rows, distinct int) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	err = db.QueryRow("SELECT count(*), count(DISTINCT id) FROM seen").Scan(&rows, &distinct)
	if err != nil {
		return 0, 0 // no table yet
	}
	return rows, distinct
}

// Consume hands each change to the consumer's own transaction, in the same
// file, once: a consumer that fails gets the batch again with none of its
// writes kept; a panic rolls back too.
func TestConsumeHandsOffOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	s := followed(t, path, 200)
	ctx := context.Background()
	boom := errors.New("the consumer failed")
	calls := 0
	_, err := s.Consume(ctx, 10, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
		calls++
		if calls == 5 {
			return boom
		}
		return record(ctx, tx, c)
	})
	require.ErrorIs(t, err, boom)
	n, _ := seen(t, path)
	assert.Zero(t, n, "the failed batch's writes are rolled back")
	func() {
		defer func() { assert.NotNil(t, recover()) }()
		_, _ = s.Consume(ctx, 10, func(context.Context, *sql.Tx, status.Change) error { panic("the consumer's bug") })
	}()

	total := 0
	for {
		got, err := s.Consume(ctx, 7, record)
		require.NoError(t, err)
		if got == 0 {
			break
		}
		total += got
	}
	assert.Equal(t, 200, total)
	rows, distinct := seen(t, path)
	assert.Equal(t, 200, rows)
	assert.Equal(t, 200, distinct, "every change once")
}

// A consumer process killed (SIGKILL) mid-hand-off, again and again: every
// change is in its table exactly once at the end.
func TestConsumerKilledExactlyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	s := followed(t, path, 1000)
	require.NoError(t, s.Close())
	kills := 0
	for run := range 60 {
		at := 5 + (run*13)%60 // some batches taken whole before each kill, the last one cut
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ORDERTRACK_CONSUME_CHILD="+path)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(out)
		done := false
		for i := 0; sc.Scan(); i++ {
			if sc.Text() == "done" {
				done = true
				break
			}
			if i == at {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				kills++
				break
			}
		}
		_ = cmd.Wait()
		if done {
			break
		}
	}
	rows, distinct := seen(t, path)
	t.Logf("%d kills, %d rows", kills, rows)
	assert.Greater(t, kills, 0)
	assert.Equal(t, 1000, rows, "every change taken")
	assert.Equal(t, 1000, distinct, "none twice")
}

// consumeChild is the child of TestConsumerKilledExactlyOnce: it consumes
// the outbox of the file named, a line out for each change, slowly enough
// to be killed in a batch.
func consumeChild(path string) {
	s, err := sqlitestore.Open(context.Background(), path, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for {
		got, err := s.Consume(context.Background(), 25, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
			if err := record(ctx, tx, c); err != nil {
				return err
			}
			fmt.Println(c.ID)
			time.Sleep(time.Millisecond)
			return nil
		})
		if err != nil {
			fmt.Println("consume:", err)
			os.Exit(1)
		}
		if got == 0 {
			fmt.Println("done")
			return
		}
	}
}

// Watcher.Consume hands over what a pass saved at once (the Tick is an
// hour: no timer woke it).
func TestWatcherConsume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	s, err := sqlitestore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	defer s.Close()
	w := watch.New(watch.Options{Store: s, Schedule: watch.Every{Interval: time.Hour}, Tick: time.Hour})
	id, err := w.Add(shippedAll{}, "acme")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 2)
	go func() { done <- w.Run(ctx, nil) }()
	var mu sync.Mutex
	var got []string
	go func() {
		done <- w.Consume(ctx, 10, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, c.Ref)
			return record(ctx, tx, c)
		})
	}()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	require.NoError(t, w.Follow(ctx, id, "A"))
	deadline := time.Now().Add(20 * time.Second)
	for count() < 1 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	assert.Equal(t, 1, count(), "A's Following handed over at once, no Tick waited")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.ErrorIs(t, <-done, context.Canceled)

	// A store that hands nothing over in a transaction says so.
	err = watch.New(watch.Options{}).Consume(context.Background(), 10, record)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
}

// A failing consumer backs off and is asked again: nothing is lost.
func TestWatcherConsumeBacksOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	s := followed(t, path, 3)
	w := watch.New(watch.Options{Store: s, Tick: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	tries := 0
	done := make(chan error, 1)
	go func() {
		done <- w.Consume(ctx, 10, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
			mu.Lock()
			defer mu.Unlock()
			tries++
			if tries <= 2 {
				return errors.New("down")
			}
			return record(ctx, tx, c)
		})
	}()
	// Until the three are committed (taken counts them in the
	// transaction, which cancel would roll back).
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if rows, _ := seen(t, path); rows == 3 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	<-done
	rows, distinct := seen(t, path)
	assert.Equal(t, 3, rows)
	assert.Equal(t, 3, distinct)
}
