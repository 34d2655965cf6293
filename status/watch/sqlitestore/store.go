// Package sqlitestore is a watch.Store in one SQLite file, for a service
// on one machine that must follow its orders across restarts and crashes.
// It is pure Go (modernc.org/sqlite, no cgo), and passes the watchtest
// conformance suite.
//
//	st, err := sqlitestore.Open(ctx, "orders.db", nil)
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	w := watch.New(watch.Options{Store: st})
//
// The file is opened in WAL mode with a busy timeout, and every write
// transaction begins IMMEDIATE (so that a write never fails upgrading a
// read lock, which the busy timeout cannot wait out). A transaction
// commits the new snapshots, the schedule and the outbox of one batch
// together, so a process killed at any point loses nothing saved and
// repeats nothing acknowledged. Several processes may share one file:
// tracker leases keep them apart, and generations fence off what a
// process that lost its lease would save.
//
// A poll writes its ref's row once. A claim only reads (one index range
// scan of refs_due): its lease is kept in the Store that made it, and its
// Save writes a row only when the row's generation is still the one the
// claim read (or the claim's own, saved once already). Every other write
// of a row gives it a generation of its own, so a claim whose ref was
// written since (unfollowed, pushed, saved by another process) is
// refused, and nothing is saved twice. A batch takes one read and one
// write transaction.
//
// The schema, version 3 (PRAGMA user_version; Open migrates a file of
// version 1, which had no leases.outage, and of version 2, which kept
// each ref's state as JSON). Stop every process of an earlier version on
// a file before the first of this one opens it: an earlier one reads a
// compact state as a row it cannot read, and takes its ref for one never
// answered.
//
//	CREATE TABLE refs (
//		tracker   TEXT    NOT NULL,           -- watch.TrackerID.String()
//		ref       TEXT    NOT NULL,
//		due       INTEGER NOT NULL,           -- Unix nanoseconds, UTC
//		gen       INTEGER NOT NULL DEFAULT 0, -- the last claim's generation
//		stopping  INTEGER NOT NULL DEFAULT 0,
//		seen      INTEGER NOT NULL DEFAULT 0,
//		snapshots BLOB,                       -- JSON: []status.Snapshot
//		state     BLOB    NOT NULL,           -- watch.State, compact (see below) or JSON
//		PRIMARY KEY (tracker, ref)
//	) WITHOUT ROWID;
//	CREATE INDEX refs_due ON refs (tracker, due);
//	CREATE TABLE outbox (
//		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
//		tracker TEXT NOT NULL,
//		id      TEXT NOT NULL,               -- status.Change.ID
//		change  BLOB NOT NULL,               -- JSON: status.Change
//		UNIQUE (tracker, id)
//	);
//	CREATE TABLE leases (
//		tracker TEXT PRIMARY KEY,
//		owner   TEXT NOT NULL,
//		until   INTEGER NOT NULL,
//		gen     INTEGER NOT NULL,
//		outage  BLOB    NOT NULL DEFAULT '{}' -- JSON: watch.Outage
//	);
//	CREATE TABLE gens (n INTEGER NOT NULL); -- one row: the last generation given
//
// A row's generation, and a claim's, come from gens, not from the ref's
// own count, so that a ref done and followed again never meets the claims
// of its earlier life; a Store reserves its claims' generations in blocks.
package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/internal/sqlrow"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// SchemaVersion is the schema this code writes and reads.
const SchemaVersion = 3

// Options tune Open; every zero value has a default.
type Options struct {
	// BusyTimeout is how long a write waits for another process's lock
	// before it fails; 0 gives 5 seconds.
	BusyTimeout time.Duration
}

// Store is a watch.Store in a SQLite file. Its methods are safe for
// concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// The statements of every pass, prepared once on the one connection
	// (each transaction takes them with Tx.Stmt, not preparing again).
	stmts struct {
		mu                                  sync.Mutex
		claimSel, saveUpd, saveDel, saveOut *sql.Stmt
	}
	claims claims
}

// prepared prepares the pass's statements, at the first call that can.
func (s *Store) prepared(ctx context.Context) error {
	st := &s.stmts
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.saveOut != nil {
		return nil
	}
	var err error
	var done []*sql.Stmt
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var p *sql.Stmt
		if p, err = s.db.PrepareContext(ctx, q); err == nil {
			done = append(done, p)
		}
		return p
	}
	{
		// stopping and seen as one column: the driver reads a row a
		// column at a time.
		st.claimSel = prep(`SELECT ref, gen, stopping | (seen << 1), snapshots, state FROM refs
			WHERE tracker = ?1 AND due <= ?2 ORDER BY due, ref LIMIT ?3`)
		// ?8 says the snapshots are the claim's: kept as they are. (A ref
		// written since its claim has another generation than ?7 and ?9.)
		st.saveUpd = prep(`UPDATE refs SET gen = ?9, due = ?1,
			seen = ?2, snapshots = CASE WHEN ?8 THEN snapshots ELSE ?3 END, state = ?4
			WHERE tracker = ?5 AND ref = ?6 AND gen IN (?7, ?9)`)
		st.saveDel = prep("DELETE FROM refs WHERE tracker = ? AND ref = ? AND gen IN (?, ?)")
		st.saveOut = prep("INSERT INTO outbox (tracker, id, change) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
	}
	if err != nil {
		for _, p := range done {
			p.Close()
		}
		st.claimSel, st.saveUpd, st.saveDel, st.saveOut = nil, nil, nil, nil
	}
	return err
}

var (
	_ watch.Store    = (*Store)(nil)
	_ watch.Consumer = (*Store)(nil)
)

const schema = `
CREATE TABLE refs (
	tracker   TEXT    NOT NULL,
	ref       TEXT    NOT NULL,
	due       INTEGER NOT NULL,
	gen       INTEGER NOT NULL DEFAULT 0,
	stopping  INTEGER NOT NULL DEFAULT 0,
	seen      INTEGER NOT NULL DEFAULT 0,
	snapshots BLOB,
	state     BLOB    NOT NULL,
	PRIMARY KEY (tracker, ref)
) WITHOUT ROWID;
CREATE INDEX refs_due ON refs (tracker, due);
CREATE TABLE outbox (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	tracker TEXT NOT NULL,
	id      TEXT NOT NULL,
	change  BLOB NOT NULL,
	UNIQUE (tracker, id)
);
CREATE TABLE leases (
	tracker TEXT PRIMARY KEY,
	owner   TEXT NOT NULL,
	until   INTEGER NOT NULL,
	gen     INTEGER NOT NULL,
	outage  BLOB    NOT NULL DEFAULT '{}'
);
CREATE TABLE gens (n INTEGER NOT NULL);
INSERT INTO gens VALUES (0);
PRAGMA user_version = 3;
`

// migrations[v] takes a file of schema version v-1 to version v.
var migrations = map[int]string{
	2: `ALTER TABLE leases ADD COLUMN outage BLOB NOT NULL DEFAULT '{}';
PRAGMA user_version = 2;`,
	// A ref's state may be compact (see appendState): the JSON states of
	// version 2 are read as they are, and written compact at their next
	// save. (This code's version refuses a file of a newer one.)
	3: `PRAGMA user_version = 3;`,
}

// Open opens the store in the file at path, creating it (and its schema)
// when it does not exist; opts may be nil, for the defaults. It fails at once, with the path in its message,
// when the file is not a SQLite database or is corrupt, when its schema is
// newer than this code (matching watch.ErrSchema), when it cannot be
// written (read-only), or when another process holds its write lock longer
// than the busy timeout.
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	busy := o.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlitestore: open %q: a file path without ? or #: %w", path, status.ErrInvalidConfig)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("sqlitestore: open %s: a directory, not a file: %w", path, status.ErrInvalidConfig)
	}
	// The file name is a URI's: a % in it is written %25.
	file := "file:" + strings.ReplaceAll(path, "%", "%25")
	if err := refuseForeign(ctx, path, file, busy); err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	dsn := file + fmt.Sprintf("?_pragma=busy_timeout(%d)", busy.Milliseconds()) +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(10000)" +
		"&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer at a time, and a queue in the
	// pool is cheaper than lock retries.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return s, nil
}

// refuseForeign reads an existing file read-only, before anything writes
// to it (opening it switches it to WAL for good): a file that is not a
// SQLite database, another program's database, or a schema newer than
// this code's is refused as it is.
func refuseForeign(ctx context.Context, path, file string, busy time.Duration) error {
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return nil // a new file: nothing to refuse
	}
	db, err := sql.Open("sqlite", file+fmt.Sprintf("?mode=ro&_pragma=busy_timeout(%d)", busy.Milliseconds()))
	if err != nil {
		return err
	}
	defer db.Close()
	var version, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
		return err
	}
	return checkSchema(version, tables)
}

// checkSchema refuses a file of schema version whose tables are not
// this code's.
func checkSchema(version, tables int) error {
	switch {
	case version > SchemaVersion:
		return fmt.Errorf("schema version %d, newer than this code's %d: %w", version, SchemaVersion, watch.ErrSchema)
	case version == 0 && tables > 0:
		return fmt.Errorf("a SQLite file with %d tables and no ordertrack schema: %w", tables, watch.ErrSchema)
	}
	return nil
}

// migrate creates the schema in a new file, and checks an old file's
// version, in one write transaction (which also proves the file writable
// and not locked).
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	switch {
	case version > SchemaVersion:
		return checkSchema(version, 0)
	case version == SchemaVersion:
		// Prove the file writable: a write transaction that writes.
		if _, err := tx.ExecContext(ctx, "UPDATE leases SET gen = gen WHERE 0"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
			return err
		}
	case version > 0:
		for v := version + 1; v <= SchemaVersion; v++ {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration to version %d: %w", v, err)
			}
		}
	default:
		var tables int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
			return err
		}
		if err := checkSchema(version, tables); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) fail(op string, t watch.TrackerID, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlitestore: %s %s: %w", op, t, err)
}

// Follow implements watch.Store.
func (s *Store) Follow(ctx context.Context, t watch.TrackerID, due time.Time, refs ...string) (int, error) {
	if err := watch.CheckRefs(refs); err != nil {
		return 0, s.fail("follow", t, err)
	}
	state, err := appendState(nil, watch.State{Since: due.UTC()})
	if err != nil {
		return 0, s.fail("follow", t, err)
	}
	added := 0
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, "INSERT INTO refs (tracker, ref, due, gen, state) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
		if err != nil {
			return err
		}
		defer ins.Close()
		// A new row's generation is new too (a claim of the ref's earlier
		// life, done since, read another): and followed again while
		// stopping, its generation grows, so that the claim that would stop
		// it is refused.
		gen, err := nextGen(ctx, tx)
		if err != nil {
			return err
		}
		again, err := tx.PrepareContext(ctx, "UPDATE refs SET stopping = 0, gen = ?, due = ? WHERE tracker = ? AND ref = ? AND stopping = 1")
		if err != nil {
			return err
		}
		defer again.Close()
		for _, r := range refs {
			res, err := ins.ExecContext(ctx, t.String(), r, sqlrow.Nanos(due), gen, state)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added++
				continue
			}
			if _, err := again.ExecContext(ctx, gen, sqlrow.Nanos(due), t.String(), r); err != nil {
				return err
			}
		}
		return nil
	})
	return added, s.fail("follow", t, err)
}

// Unfollow implements watch.Store.
func (s *Store) Unfollow(ctx context.Context, t watch.TrackerID, now time.Time, refs ...string) (int, error) {
	marked := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A claim of a ref out is fenced off: its news is not saved.
		gen, err := nextGen(ctx, tx)
		if err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, "UPDATE refs SET stopping = 1, gen = ?, due = min(due, ?) WHERE tracker = ? AND ref = ? AND stopping = 0")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range refs {
			res, err := st.ExecContext(ctx, gen, sqlrow.Nanos(now), t.String(), r)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			marked += int(n)
		}
		return nil
	})
	return marked, s.fail("unfollow", t, err)
}

// Claim implements watch.Store. It writes nothing: the lease is kept in
// s (see the package doc), and the refs it returns stay due in the file.
func (s *Store) Claim(ctx context.Context, t watch.TrackerID, now, until time.Time, limit int) ([]watch.Claim, error) {
	if limit <= 0 {
		return nil, s.fail("claim", t, ctx.Err())
	}
	if err := ctx.Err(); err != nil {
		return nil, s.fail("claim", t, err)
	}
	if err := s.prepared(ctx); err != nil {
		return nil, s.fail("claim", t, err)
	}
	tracker, at := t.String(), sqlrow.Nanos(now)
	c := &s.claims
	// Held while the rows are read: two claims of this Store never hand
	// one ref out twice.
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sweep(tracker, at)
	token, err := c.token(ctx, s)
	if err != nil {
		return nil, s.fail("claim", t, err)
	}
	// The refs out on claims are due still: read past them.
	rows, err := s.stmts.claimSel.QueryContext(ctx, tracker, at, limit+len(out))
	if err != nil {
		return nil, s.fail("claim", t, err)
	}
	defer rows.Close()
	got := make([]watch.Claim, 0, min(limit, 1024))
	read := make([]int64, 0, cap(got))
	for len(got) < limit && rows.Next() {
		var cl watch.Claim
		var gen, flags int64
		var snaps, state []byte
		if err := rows.Scan(&cl.Ref, &gen, &flags, &snaps, &state); err != nil {
			return nil, s.fail("claim", t, err)
		}
		cl.Stopping, cl.Seen = flags&1 != 0, flags&2 != 0
		if out.holds(cl.Ref, gen, at) {
			continue
		}
		// The snapshots are left to the Watcher to decode, when it needs
		// them (Claim.Raw): a quiet poll never does.
		if err := decodeState(state, &cl.State); err != nil {
			// A row this code cannot read (written by hand, or by a newer
			// code) does not stop the others: it is claimed as not seen,
			// and its next answer is its new baseline.
			cl.State, cl.Seen = watch.State{}, false
		} else if len(snaps) > 0 {
			cl.Raw = snaps
		}
		cl.Gen = token
		got = append(got, cl)
		read = append(read, gen)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("claim", t, err)
	}
	if len(got) == 0 {
		return nil, nil
	}
	if out == nil {
		if c.out == nil {
			c.out = map[string]claimedRefs{}
		}
		out = claimedRefs{}
		c.out[tracker] = out
	}
	end := sqlrow.Nanos(until)
	for i, cl := range got {
		out[cl.Ref] = claimed{read: read[i], token: token, at: at, until: end}
	}
	return got, nil
}

// nextGen takes the next generation of the store, in tx.
func nextGen(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, "UPDATE gens SET n = n + 1 RETURNING n").Scan(&n)
	return n, err
}

// ClaimRef implements watch.Store.
func (s *Store) ClaimRef(ctx context.Context, t watch.TrackerID, ref string, until time.Time) (watch.Claim, bool, error) {
	c := watch.Claim{Ref: ref}
	found := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		gen, err := nextGen(ctx, tx)
		if err != nil {
			return err
		}
		var snaps, state []byte
		// A ref being unfollowed is not claimed: its due time and
		// generation stand.
		err = tx.QueryRowContext(ctx, `UPDATE refs SET gen = CASE WHEN stopping THEN gen ELSE ? END,
			due = CASE WHEN stopping THEN due ELSE ? END WHERE tracker = ? AND ref = ?
			RETURNING gen, stopping, seen, snapshots, state`, gen, sqlrow.Nanos(until), t.String(), ref).Scan(&gen, &c.Stopping, &c.Seen, &snaps, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found, c.Gen = true, gen
		if err := decodeRow(snaps, state, &c.Snapshots, &c.State); err != nil {
			c.Snapshots, c.State, c.Seen = nil, watch.State{}, false
		}
		return nil
	})
	if err != nil || !found {
		return watch.Claim{}, false, s.fail("claim", t, err)
	}
	return c, true, nil
}

// Save implements watch.Store. A result of a claim of s still out is
// saved when its row's generation is still the one the claim read, or
// the claim's own (a second result of the ref in this Save); the row then
// takes the claim's, which no claim has read. Any other result (of a
// ClaimRef's claim, whose generation is the row's, or of a claim saved
// once already) is saved when its generation is the row's, or a new one
// this Save writes; the row then takes that new one, so that no claim
// that read the row meanwhile is ever saved too.
func (s *Store) Save(ctx context.Context, t watch.TrackerID, results []watch.Result) error {
	if err := s.prepared(ctx); err != nil {
		return s.fail("save", t, err)
	}
	tracker := t.String()
	held := &s.claims
	// reads[i] is the generation results[i]'s row must have, writes[i]
	// the one it takes (and may have too).
	reads, writes := make([]int64, len(results)), make([]int64, len(results))
	var fresh int64
	held.mu.Lock()
	for i, r := range results {
		if read, ok := held.fence(tracker, r.Ref, r.Gen); ok {
			reads[i], writes[i] = read, r.Gen
			continue
		}
		if fresh == 0 {
			var err error
			if fresh, err = held.token(ctx, s); err != nil {
				held.mu.Unlock()
				return s.fail("save", t, err)
			}
		}
		reads[i], writes[i] = r.Gen, fresh
	}
	held.mu.Unlock()
	// Saved or refused, the claims are no longer out (taken after the
	// transaction: a Claim holds the lock waiting for the connection).
	defer func() {
		held.mu.Lock()
		for _, r := range results {
			held.done(tracker, r.Ref, r.Gen)
		}
		held.mu.Unlock()
	}()
	var lost []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lost = lost[:0]
		// A row at a time, by statements prepared once: cheaper in SQLite
		// than one UPDATE ... FROM a list of values, which it runs as a
		// join into a table of its own before writing.
		upd := tx.StmtContext(ctx, s.stmts.saveUpd)
		var del, out *sql.Stmt
		for i, r := range results {
			var res sql.Result
			var err error
			if r.Done {
				if del == nil {
					del = tx.StmtContext(ctx, s.stmts.saveDel)
				}
				res, err = del.ExecContext(ctx, tracker, r.Ref, reads[i], writes[i])
			} else {
				var snaps []byte
				if r.Snapshots != nil && !r.Same {
					if snaps, err = status.AppendSnapshotsJSON(nil, r.Snapshots); err != nil {
						return err
					}
				}
				var state []byte
				if state, err = appendState(nil, r.State); err != nil {
					return err
				}
				res, err = upd.ExecContext(ctx, sqlrow.Nanos(r.Due), r.Seen, snaps, state, tracker, r.Ref, reads[i], r.Same, writes[i])
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lost = append(lost, r.Ref)
				continue
			}
			for _, c := range r.Changes {
				if out == nil {
					out = tx.StmtContext(ctx, s.stmts.saveOut)
				}
				b, err := json.Marshal(c)
				if err != nil {
					return err
				}
				if _, err := out.ExecContext(ctx, tracker, c.ID, b); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return s.fail("save", t, err)
	}
	if len(lost) > 0 {
		return &watch.LeaseLostError{Tracker: t, Refs: lost}
	}
	return nil
}

// Pending implements watch.Store.
func (s *Store) Pending(ctx context.Context, t watch.TrackerID, limit int) ([]status.Change, error) {
	if limit <= 0 {
		return nil, s.fail("pending", t, ctx.Err())
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, change FROM outbox WHERE tracker = ? ORDER BY seq LIMIT ?", t.String(), limit)
	if err != nil {
		return nil, s.fail("pending", t, err)
	}
	defer rows.Close()
	var out []status.Change
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, s.fail("pending", t, err)
		}
		var c status.Change
		if err := json.Unmarshal(b, &c); err != nil {
			c = watch.Unreadable(id, b, err)
		}
		out = append(out, c)
	}
	return out, s.fail("pending", t, rows.Err())
}

// Ack implements watch.Store.
func (s *Store) Ack(ctx context.Context, t watch.TrackerID, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	exec := func(q sqlExec) error {
		return inChunks(len(ids), func(lo, hi int) error {
			args := []any{t.String()}
			for _, id := range ids[lo:hi] {
				args = append(args, id)
			}
			_, err := q.ExecContext(ctx, "DELETE FROM outbox WHERE tracker = ? AND id IN (?"+strings.Repeat(", ?", hi-lo-1)+")", args...)
			return err
		})
	}
	if len(ids) <= chunk {
		return s.fail("ack", t, exec(s.db)) // one statement: no transaction needed
	}
	return s.fail("ack", t, s.inTx(ctx, func(tx *sql.Tx) error { return exec(tx) }))
}

// chunk is how many values one statement's IN list takes: SQLite takes at
// most 32,766 parameters a statement.
const chunk = 1000

// inChunks calls f with the bounds of each chunk of n items.
func inChunks(n int, f func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += chunk {
		if err := f(lo, min(lo+chunk, n)); err != nil {
			return err
		}
	}
	return nil
}

// sqlExec is a *sql.DB or a *sql.Tx.
type sqlExec interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Lease implements watch.Store.
func (s *Store) Lease(ctx context.Context, t watch.TrackerID, owner string, now, until time.Time) (watch.TrackerLease, bool, error) {
	var l watch.TrackerLease
	ok := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var u int64
		var outage []byte
		err := tx.QueryRowContext(ctx, "SELECT owner, until, gen, outage FROM leases WHERE tracker = ?", t.String()).Scan(&l.Owner, &u, &l.Gen, &outage)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			l = watch.TrackerLease{}
		case err != nil:
			return err
		default:
			l.Until = sqlrow.Time(u)
			if err := json.Unmarshal(outage, &l.Outage); err != nil {
				return fmt.Errorf("the outage state of %s: %w", t, err)
			}
		}
		switch {
		case l.Owner == owner:
		case l.Owner == "" || !l.Until.After(now):
			l.Owner = owner
			l.Gen++
		default:
			ok = false
			return nil
		}
		l.Until = until.UTC()
		ok = true
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (tracker, owner, until, gen) VALUES (?, ?, ?, ?)
			ON CONFLICT (tracker) DO UPDATE SET owner = excluded.owner, until = excluded.until, gen = excluded.gen`,
			t.String(), l.Owner, sqlrow.Nanos(l.Until), l.Gen)
		return err
	})
	if err != nil {
		return watch.TrackerLease{}, false, s.fail("lease", t, err)
	}
	return l, ok, nil
}

// SaveOutage implements watch.Store.
func (s *Store) SaveOutage(ctx context.Context, t watch.TrackerID, gen int64, o watch.Outage, changes []status.Change) error {
	b, err := json.Marshal(o)
	if err != nil {
		return s.fail("save outage", t, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE leases SET outage = ? WHERE tracker = ? AND gen = ?", b, t.String(), gen)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("the lease is no longer of generation %d: %w", gen, watch.ErrLeaseLost)
		}
		for _, c := range changes {
			cb, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO outbox (tracker, id, change) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", t.String(), c.ID, cb); err != nil {
				return err
			}
		}
		return nil
	})
	return s.fail("save outage", t, err)
}

// Release implements watch.Store.
func (s *Store) Release(ctx context.Context, t watch.TrackerID, owner string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE leases SET owner = '', until = 0 WHERE tracker = ? AND owner = ?", t.String(), owner)
	return s.fail("release", t, err)
}

// Get implements watch.Store.
func (s *Store) Get(ctx context.Context, t watch.TrackerID, ref string) (watch.Followed, bool, error) {
	f := watch.Followed{Ref: ref}
	var due int64
	var snaps, state []byte
	err := s.db.QueryRowContext(ctx, "SELECT due, gen, stopping, seen, snapshots, state FROM refs WHERE tracker = ? AND ref = ?",
		t.String(), ref).Scan(&due, &f.Gen, &f.Stopping, &f.Seen, &snaps, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return watch.Followed{}, false, nil
	}
	if err != nil {
		return watch.Followed{}, false, s.fail("get", t, err)
	}
	f.Due = sqlrow.Time(due)
	if err := decodeRow(snaps, state, &f.Snapshots, &f.State); err != nil {
		return watch.Followed{}, false, s.fail("get", t, err)
	}
	return f, true, nil
}

// Stats implements watch.Store. The refs out on this Store's claims are
// not counted due.
func (s *Store) Stats(ctx context.Context, t watch.TrackerID, now time.Time) (watch.Stats, error) {
	var st watch.Stats
	var oldest sql.NullInt64
	tracker, at := t.String(), sqlrow.Nanos(now)
	// The claims out, as a JSON list of [ref, generation read].
	var out [][2]any
	held := &s.claims
	held.mu.Lock()
	for ref, e := range held.out[tracker] {
		if e.until > at {
			out = append(out, [2]any{ref, e.read})
		}
	}
	held.mu.Unlock()
	due, args := "tracker = ?1 AND due <= ?2", []any{tracker, at}
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			return st, s.fail("stats", t, err)
		}
		due += " AND (ref, gen) NOT IN (SELECT value ->> 0, value ->> 1 FROM json_each(?3))"
		args = append(args, string(b))
	}
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM refs WHERE tracker = ?1),
		(SELECT count(*) FROM refs WHERE `+due+`),
		(SELECT min(due) FROM refs WHERE `+due+`),
		(SELECT count(*) FROM outbox WHERE tracker = ?1)`, args...).Scan(&st.Followed, &st.Due, &oldest, &st.Pending)
	if err != nil {
		return st, s.fail("stats", t, err)
	}
	if oldest.Valid {
		st.OldestDue = sqlrow.Time(oldest.Int64)
	}
	var u int64
	var outage []byte
	err = s.db.QueryRowContext(ctx, "SELECT owner, until, gen, outage FROM leases WHERE tracker = ?", t.String()).Scan(&st.Lease.Owner, &u, &st.Lease.Gen, &outage)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, nil
	case err != nil:
		return st, s.fail("stats", t, err)
	}
	if st.Lease.Owner != "" {
		st.Lease.Until = sqlrow.Time(u)
	}
	if err := json.Unmarshal(outage, &st.Lease.Outage); err != nil {
		return st, s.fail("stats", t, fmt.Errorf("the outage state: %w", err))
	}
	return st, nil
}

// inTx runs f in one write transaction (BEGIN IMMEDIATE), and commits it
// when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// Rolled back on any way out but a commit: an error, or a panic of f
	// (a consumer's), which would hold the connection and its row locks.
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Consume hands up to limit changes of the outbox (of every tracker,
// oldest first) to f, in one write transaction of the file that also
// takes them out of the outbox (watch.Consumer): f's own writes in tx (to
// a table of its own, in the same file) commit with their removal, so a
// change is handed off exactly once. When f returns an error, panics, or
// the process dies midway, the transaction rolls back: every change of the
// batch comes again, and none of f's writes remain. f must write through
// tx: the store has one connection, which tx holds. It returns how many
// changes were consumed.
//
// Changes reach the outbox when a Watcher runs without a deliver
// (Run(ctx, nil)); a Watcher that delivers takes them itself.
func (s *Store) Consume(ctx context.Context, limit int, f func(ctx context.Context, tx *sql.Tx, c status.Change) error) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)
			RETURNING seq, id, change`, limit)
		if err != nil {
			return err
		}
		n, err = sqlrow.HandOver(ctx, tx, rows, f)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: consume %s: %w", s.path, err)
	}
	return n, nil
}
