// Package sqlrow is what the SQL stores (sqlitestore, pgstore) write and
// read alike: due times as Unix nanoseconds, and a ref's snapshots and
// state as JSON.
package sqlrow

import (
	"encoding/json"
	"fmt"
	"math"
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
