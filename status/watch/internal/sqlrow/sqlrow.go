// Package sqlrow is what the SQL stores (sqlitestore, pgstore) write and
// read alike: due times as Unix nanoseconds, and a ref's snapshots and
// state as JSON.
package sqlrow

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
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

// Decode reads a ref's snapshots (none when empty) and its state, as JSON.
func Decode(snaps, state []byte, into *[]status.Snapshot, st *watch.State) error {
	return DecodeWith(DecodeState, snaps, state, into, st)
}

// DecodeWith reads a ref's snapshots (none when empty) and its state, by
// decodeState.
func DecodeWith(decodeState func([]byte, *watch.State) error, snaps, state []byte, into *[]status.Snapshot, st *watch.State) error {
	if len(snaps) > 0 {
		if err := json.Unmarshal(snaps, into); err != nil {
			return fmt.Errorf("snapshots: %w", err)
		}
	}
	if err := decodeState(state, st); err != nil {
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

// plain reports whether encoding/json writes s as it is, between quotes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// AppendState appends the JSON of st to b, as encoding/json writes it
// (its fields, names and omissions), without reflection: a store writes
// one a ref each poll.
func AppendState(b []byte, st watch.State) ([]byte, error) {
	for _, t := range [...]time.Time{st.Since, st.Polled, st.Changed, st.FinalSince} {
		if _, off := t.Zone(); !t.IsZero() && (t.Year() < 0 || t.Year() > 9999 || off <= -24*3600 || off >= 24*3600) {
			// A time encoding/json refuses to write, or writes what it
			// cannot read back: its error, as before.
			j, err := json.Marshal(st)
			return append(b, j...), err
		}
	}
	b = append(b, '{')
	n := 0
	key := func(name string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	at := func(name string, t time.Time) {
		if t.IsZero() {
			return
		}
		key(name)
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	num := func(name string, v int) {
		if v != 0 {
			key(name)
			b = strconv.AppendInt(b, int64(v), 10)
		}
	}
	at("since", st.Since)
	at("polled", st.Polled)
	at("changed", st.Changed)
	at("final_since", st.FinalSince)
	num("quiet", st.Quiet)
	num("failures", st.Failures)
	if st.Outage {
		key("outage")
		b = append(b, "true"...)
	}
	if st.Follow != "" {
		key("follow")
		if plain(st.Follow) {
			b = append(b, '"')
			b = append(b, st.Follow...)
			b = append(b, '"')
		} else {
			q, _ := json.Marshal(st.Follow)
			b = append(b, q...)
		}
	}
	num("changes", st.Changes)
	if len(st.Misses) > 0 {
		key("misses")
		q, _ := json.Marshal(st.Misses)
		b = append(b, q...)
	}
	return append(b, '}'), nil
}

// DecodeState reads a ref's state as AppendState writes it, without
// reflection; anything else (another writer's spacing, an escaped
// follow name, misses) is read by encoding/json, so that every state
// encoding/json reads is read alike.
func DecodeState(b []byte, st *watch.State) error {
	if fastState(b, st) {
		return nil
	}
	*st = watch.State{}
	return json.Unmarshal(b, st)
}

// fastState reads b as AppendState writes it, and reports whether it
// could; st is left partly written when it could not.
func fastState(b []byte, st *watch.State) bool {
	*st = watch.State{}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	b = b[1 : len(b)-1]
	for len(b) > 0 {
		if b[0] != '"' {
			return false
		}
		end := bytes.IndexByte(b[1:], '"')
		if end < 0 || len(b) < end+3 || b[end+2] != ':' {
			return false
		}
		key := string(b[1 : end+1])
		b = b[end+3:]
		// The value runs to the next comma: no value AppendState writes
		// holds one but misses and an escaped follow, which are left to
		// encoding/json.
		v := b
		if i := bytes.IndexByte(b, ','); i >= 0 {
			v, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		var ok bool
		switch key {
		case "since":
			st.Since, ok = quotedTime(v)
		case "polled":
			st.Polled, ok = quotedTime(v)
		case "changed":
			st.Changed, ok = quotedTime(v)
		case "final_since":
			st.FinalSince, ok = quotedTime(v)
		case "quiet":
			st.Quiet, ok = integer(v)
		case "failures":
			st.Failures, ok = integer(v)
		case "changes":
			st.Changes, ok = integer(v)
		case "outage":
			st.Outage, ok = string(v) == "true", string(v) == "true" || string(v) == "false"
		case "follow":
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && plain(string(v[1:len(v)-1])) {
				st.Follow, ok = string(v[1:len(v)-1]), true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func quotedTime(v []byte) (time.Time, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(v[1:len(v)-1]))
	return t, err == nil
}

func integer(v []byte) (int, bool) {
	n, err := strconv.Atoi(string(v))
	return n, err == nil
}
