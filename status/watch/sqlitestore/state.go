package sqlitestore

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/internal/sqlrow"
)

// A ref's schedule state (watch.State) is kept in refs.state in a compact
// form, a third of its JSON, for a poll rewrites its row: the byte
// stateCompact, a flags uvarint, then each time the flags name as a
// varint of Unix nanoseconds (Since, Polled, Changed, FinalSince), the
// varints Quiet, Failures and Changes, and Follow's length (a uvarint)
// and bytes. A state it cannot hold (a time beyond Unix nanoseconds'
// range, 1678 to 2262, or Misses) is kept as JSON, as schema version 2
// kept every state: JSON begins with '{', so a reader tells them apart.
const stateCompact = 0x01

// The flags of a compact state.
const (
	hasSince = 1 << iota
	hasPolled
	hasChanged
	hasFinalSince
	isOutage
	flagsKnown = 1<<iota - 1
)

// The times a compact state holds: Unix nanoseconds.
var (
	minNanos = time.Unix(0, math.MinInt64).UTC()
	maxNanos = time.Unix(0, math.MaxInt64).UTC()
)

// appendState appends st to b as a refs row keeps it: compact, or JSON
// when the compact form cannot hold it.
func appendState(b []byte, st watch.State) ([]byte, error) {
	times := [4]time.Time{st.Since, st.Polled, st.Changed, st.FinalSince}
	flags := uint64(0)
	for i, t := range times {
		switch {
		case t.IsZero():
			continue
		case t.Before(minNanos) || t.After(maxNanos):
			return sqlrow.AppendState(b, st)
		}
		flags |= 1 << i
	}
	if len(st.Misses) > 0 {
		return sqlrow.AppendState(b, st)
	}
	if st.Outage {
		flags |= isOutage
	}
	b = append(b, stateCompact)
	b = binary.AppendUvarint(b, flags)
	for i, t := range times {
		if flags&(1<<i) != 0 {
			b = binary.AppendVarint(b, t.UnixNano())
		}
	}
	b = binary.AppendVarint(b, int64(st.Quiet))
	b = binary.AppendVarint(b, int64(st.Failures))
	b = binary.AppendVarint(b, int64(st.Changes))
	b = binary.AppendUvarint(b, uint64(len(st.Follow)))
	return append(b, st.Follow...), nil
}

var errCompactState = errors.New("a malformed compact state")

// decodeState reads a state as appendState writes it, compact or JSON.
func decodeState(b []byte, st *watch.State) error {
	if len(b) == 0 || b[0] != stateCompact {
		return sqlrow.DecodeState(b, st)
	}
	b = b[1:]
	// Each number in its shortest form only: a state has one encoding.
	uvarint := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 || n != uvarintLen(v) {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	varint := func() (int64, bool) {
		v, n := binary.Varint(b)
		if n <= 0 || n != uvarintLen(zigzag(v)) {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	flags, ok := uvarint()
	if !ok || flags&^flagsKnown != 0 {
		return errCompactState
	}
	var out watch.State
	for i, t := range [4]*time.Time{&out.Since, &out.Polled, &out.Changed, &out.FinalSince} {
		if flags&(1<<i) == 0 {
			continue
		}
		n, ok := varint()
		if !ok {
			return errCompactState
		}
		*t = time.Unix(0, n).UTC()
	}
	out.Outage = flags&isOutage != 0
	for _, n := range []*int{&out.Quiet, &out.Failures, &out.Changes} {
		v, ok := varint()
		if !ok || v < math.MinInt || v > math.MaxInt {
			return errCompactState
		}
		*n = int(v)
	}
	n, ok := uvarint()
	if !ok || n != uint64(len(b)) {
		return errCompactState
	}
	out.Follow = string(b)
	*st = out
	return nil
}

// uvarintLen is the length of v as binary.AppendUvarint writes it.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// zigzag is v as binary.AppendVarint writes it, unsigned.
func zigzag(v int64) uint64 {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	return u
}

// decodeRow reads a row's snapshots (none when empty) and state.
func decodeRow(snaps, state []byte, into *[]status.Snapshot, st *watch.State) error {
	return sqlrow.DecodeWith(decodeState, snaps, state, into, st)
}
