package pgstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// fixed answers every ref at one stage.
type fixed struct{ stage status.Stage }

func (fixed) Provider() status.Provider { return status.Bailun }
func (f fixed) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		out[i] = status.Snapshot{Provider: status.Bailun, Ref: r, OrderNo: r, Stage: f.stage}
	}
	return out, nil
}

// A Watcher that only polls leaves its changes in the outbox; Consume
// hands each to the consumer's own transaction, once: a consumer that
// fails gets the batch again with none of its writes kept, and two
// consumers at once share the changes without overlap.
func TestConsumeHandsOffOnce(t *testing.T) {
	s, db := openDB(t)
	_, err := db.Exec("CREATE TABLE seen (id text PRIMARY KEY, kind text NOT NULL)")
	require.NoError(t, err)
	w := watch.New(watch.Options{Store: s, Schedule: watch.Every{}})
	id, err := w.Add(fixed{status.Shipped}, "acme")
	require.NoError(t, err)
	ctx := context.Background()
	var refs []string
	for i := range 200 {
		refs = append(refs, fmt.Sprintf("R%03d", i))
	}
	require.NoError(t, w.Follow(ctx, id, refs...))
	require.NoError(t, w.Poll(ctx, id, nil))
	st, err := s.Stats(ctx, id, time.Now())
	require.NoError(t, err)
	assert.Equal(t, 200, st.Pending, "polling only: every Following is in the outbox")

	record := func(ctx context.Context, tx *sql.Tx, c status.Change) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO seen VALUES ($1, $2)", c.ID, c.Kind.String())
		return err
	}
	boom := errors.New("the consumer failed")
	calls := 0
	_, err = s.Consume(ctx, 10, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
		calls++
		if calls == 5 {
			return boom
		}
		return record(ctx, tx, c)
	})
	require.ErrorIs(t, err, boom)
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM seen").Scan(&n))
	assert.Zero(t, n, "the failed batch's writes are rolled back")

	var wg sync.WaitGroup
	totals := make([]int, 4)
	for i := range totals {
		wg.Go(func() {
			for {
				got, err := s.Consume(ctx, 7, record)
				if err != nil {
					t.Error(err)
					return
				}
				if got == 0 {
					return
				}
				totals[i] += got
			}
		})
	}
	wg.Wait()
	require.NoError(t, db.QueryRow("SELECT count(*) FROM seen").Scan(&n))
	assert.Equal(t, 200, n, "every change once (a second insert of one would have failed its batch)")
	assert.Equal(t, 200, totals[0]+totals[1]+totals[2]+totals[3])
	got, err := s.Consume(ctx, 10, record)
	require.NoError(t, err)
	assert.Zero(t, got, "nothing comes twice")
}

// A consumer that panics (and is recovered, as an HTTP server does)
// leaves nothing locked: its batch comes again.
func TestConsumePanicRollsBack(t *testing.T) {
	s, _ := openDB(t)
	w := watch.New(watch.Options{Store: s, Schedule: watch.Every{}})
	id, err := w.Add(fixed{status.Shipped}, "acme")
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, w.Follow(ctx, id, "A"))
	require.NoError(t, w.Poll(ctx, id, nil))
	func() {
		defer func() { assert.NotNil(t, recover()) }()
		_, _ = s.Consume(ctx, 10, func(context.Context, *sql.Tx, status.Change) error { panic("the consumer's bug") })
	}()
	got, err := s.Consume(ctx, 10, func(context.Context, *sql.Tx, status.Change) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, 1, got, "the change comes again, unlocked")
}

// An outbox row this code cannot read (a newer one wrote it) is handed
// over with its text in Err, and does not stop the others.
func TestUnreadableChange(t *testing.T) {
	s, db := openDB(t)
	ctx := context.Background()
	_, err := db.Exec(`INSERT INTO ordertrack_outbox (tracker, id, change) VALUES
		('bailun/acme', 'new1', '{"kind":"teleported","id":"new1"}'),
		('bailun/acme', 'ok1', '{"kind":"recovered","provider":"bailun","ref":"A","id":"ok1"}')`)
	require.NoError(t, err)
	p, err := s.Pending(ctx, watch.TrackerID{Provider: status.Bailun, Account: "acme"}, 10)
	require.NoError(t, err)
	require.Len(t, p, 2)
	assert.Equal(t, "new1", p[0].ID)
	assert.ErrorContains(t, p[0].Err, `"teleported"`)
	assert.Equal(t, status.Recovered, p[1].Kind)
	var ids []string
	n, err := s.Consume(ctx, 10, func(_ context.Context, _ *sql.Tx, c status.Change) error {
		ids = append(ids, c.ID)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{"new1", "ok1"}, ids)
}
