// Package sqlrow is what the SQL stores (sqlitestore, pgstore) write and
// read alike: due times as Unix nanoseconds, and a ref's snapshots and
// state as JSON.
package sqlrow

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
)

// The times a due column holds: Unix nanoseconds, from 1678 to 2262. A
// time beyond is kept at the nearest end (a due time in the year 3000 is
// one in 2262).
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// Nanos returns t as a due column holds it.
func Nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Time returns a due column's value as a time, in UTC.
func Time(n int64) time.Time { return time.Unix(0, n).UTC() }

// Decode reads a ref's snapshots (none when empty) and state.
func Decode(snaps, state []byte, into *[]status.Snapshot, st *watch.State) error {
	if len(snaps) > 0 {
		if err := json.Unmarshal(snaps, into); err != nil {
			return fmt.Errorf("snapshots: %w", err)
		}
	}
	if err := json.Unmarshal(state, st); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// HandOver reads the outbox rows a consume statement took (seq, id,
// change) and hands each change, in seq order, to f in tx: the body of
// both stores' Consume. A change this code cannot read is handed over as
// watch.Unreadable, never stopping the others. It returns how many were
// handed over, or f's error (the caller rolls tx back).
func HandOver(ctx context.Context, tx *sql.Tx, rows *sql.Rows, f func(ctx context.Context, tx *sql.Tx, c status.Change) error) (int, error) {
	type taken struct {
		seq int64
		c   status.Change
	}
	var batch []taken
	for rows.Next() {
		var t taken
		var id string
		var b []byte
		if err := rows.Scan(&t.seq, &id, &b); err != nil {
			rows.Close()
			return 0, err
		}
		if err := json.Unmarshal(b, &t.c); err != nil {
			t.c = watch.Unreadable(id, b, err)
		}
		batch = append(batch, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	slices.SortFunc(batch, func(a, b taken) int { return cmp.Compare(a.seq, b.seq) })
	for _, t := range batch {
		if err := f(ctx, tx, t.c); err != nil {
			return 0, err
		}
	}
	return len(batch), nil
}
