// Package pgstore is a watch.Store in PostgreSQL, for following orders on
// many machines: each machine runs a Watcher on the same database, and
// Postgres hands each its share. It uses database/sql and imports no
// driver: open the *sql.DB with the one you use (the tests use
// github.com/jackc/pgx/v5/stdlib).
//
//	db, err := sql.Open("pgx", "postgres://ordertrack@db/orders")
//	if err != nil {
//		return err
//	}
//	st, err := pgstore.Open(ctx, db, nil)
//	if err != nil {
//		return err
//	}
//	w := watch.New(watch.Options{Store: st})
//
// How it shares the work:
//   - A claim is one statement: it takes the due refs of one tracker
//     with SELECT ... FOR UPDATE SKIP LOCKED (so two machines never take
//     the same ref), moves their due time to the end of the claim's lease
//     and raises their generation, and returns them. No transaction is
//     held across a provider's request.
//   - A save is one transaction of two statements: an UPDATE (or DELETE)
//     from one JSON array of results that matches each ref's generation,
//     so that a machine whose claim ran out (a GC pause, a partition)
//     writes nothing over the machine that took the ref after it; and the
//     INSERT of the saved refs' changes into the outbox.
//   - A tracker (a provider account) is driven by one machine at a time,
//     the holder of its lease, renewed while it polls and taken over by
//     another machine when it lapses; so an account's rate limit is paced
//     by one limiter. The lease is taken and timed on the database's
//     clock (clock_timestamp()), never a machine's, so machines whose
//     clocks disagree never both hold one. A ref's due time is its
//     Watcher's clock: it decides when a ref is polled, never who polls
//     it; a claim is fenced by its generation, whatever the clocks.
//
// The schema, version 2, is created by Open in the connection's
// search_path, and migrated under an advisory lock, so that two machines
// opening it at once never both migrate; when it is current, Open writes
// nothing (a role with data rights only may open it):
//
//	CREATE TABLE ordertrack_schema (version int NOT NULL);
//	CREATE TABLE ordertrack_refs (
//		tracker   text    NOT NULL,          -- watch.TrackerID.String()
//		ref       text    NOT NULL,
//		due       bigint  NOT NULL,          -- Unix nanoseconds, UTC
//		gen       bigint  NOT NULL DEFAULT 0,
//		stopping  boolean NOT NULL DEFAULT false,
//		seen      boolean NOT NULL DEFAULT false,
//		snapshots json,                      -- []status.Snapshot, as written
//		state     json    NOT NULL,          -- watch.State
//		PRIMARY KEY (tracker, ref)
//	) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
//		autovacuum_vacuum_cost_delay = 0, autovacuum_vacuum_insert_scale_factor = 0.01);
//	CREATE INDEX ordertrack_refs_due ON ordertrack_refs (tracker, due, ref);
//	CREATE TABLE ordertrack_outbox (
//		seq     bigserial PRIMARY KEY,
//		tracker text NOT NULL,
//		id      text NOT NULL,               -- status.Change.ID
//		change  json NOT NULL,               -- status.Change
//		UNIQUE (tracker, id)
//	);
//	CREATE INDEX ordertrack_outbox_tracker ON ordertrack_outbox (tracker, seq);
//	CREATE TABLE ordertrack_leases (
//		tracker text PRIMARY KEY,
//		owner   text   NOT NULL,
//		until   bigint NOT NULL,
//		gen     bigint NOT NULL,
//		outage  json   NOT NULL DEFAULT '{}' -- watch.Outage (version 2)
//	);
//	CREATE SEQUENCE ordertrack_gen; -- every claim's generation
//
// A claim's generation comes from ordertrack_gen, not from the ref's own
// count, so that a ref done and followed again never meets the claims of
// its earlier life.
//
// A claim is an index range scan of ordertrack_refs_due (tracker, then
// due up to now), whatever the rows followed; the table's autovacuum is
// set to keep up with the churn of claims and saves, whose dead index
// entries would slow it otherwise.
package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/internal/sqlrow"
)

// SchemaVersion is the schema this code writes and reads.
const SchemaVersion = 2

// migrationLock is the advisory lock key the migration holds.
const migrationLock = 7213984417

// Options tune Open; every zero value has a default.
type Options struct {
	// Clock, when set, replaces the database's clock in tracker leases:
	// for tests and simulations on a clock of their own, shared by every
	// Watcher of the store. Nil takes each lease's time from the
	// database (clock_timestamp()), never from the machine asking, so
	// that machines whose clocks disagree never both hold an account.
	Clock func() time.Time
}

// Store is a watch.Store in PostgreSQL. Its methods are safe for
// concurrent use, and for use by many machines at once.
type Store struct {
	db    *sql.DB
	clock func() time.Time // nil: the database's
}

var (
	_ watch.Store    = (*Store)(nil)
	_ watch.Consumer = (*Store)(nil)
)

var migrations = []string{
	1: `
CREATE TABLE ordertrack_refs (
	tracker   text    NOT NULL,
	ref       text    NOT NULL,
	due       bigint  NOT NULL,
	gen       bigint  NOT NULL DEFAULT 0,
	stopping  boolean NOT NULL DEFAULT false,
	seen      boolean NOT NULL DEFAULT false,
	snapshots json,
	state     json    NOT NULL,
	PRIMARY KEY (tracker, ref)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,
	autovacuum_vacuum_cost_delay = 0, autovacuum_vacuum_insert_scale_factor = 0.01);
CREATE INDEX ordertrack_refs_due ON ordertrack_refs (tracker, due, ref);
CREATE TABLE ordertrack_outbox (
	seq     bigserial PRIMARY KEY,
	tracker text NOT NULL,
	id      text NOT NULL,
	change  json NOT NULL,
	UNIQUE (tracker, id)
);
CREATE INDEX ordertrack_outbox_tracker ON ordertrack_outbox (tracker, seq);
CREATE TABLE ordertrack_leases (
	tracker text PRIMARY KEY,
	owner   text   NOT NULL,
	until   bigint NOT NULL,
	gen     bigint NOT NULL
);
CREATE SEQUENCE ordertrack_gen;`,
	2: `ALTER TABLE ordertrack_leases ADD COLUMN outage json NOT NULL DEFAULT '{}';`,
}

// Open makes the schema current in db (creating it, or migrating an older
// one, under an advisory lock: a second machine opening at once waits for
// the first) and returns the Store; opts may be nil. It fails, matching
// watch.ErrSchema, when the schema is newer than this code; and with
// db's error when Postgres cannot be reached within ctx.
func Open(ctx context.Context, db *sql.DB, opts *Options) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("pgstore: open: nil *sql.DB: %w", status.ErrInvalidConfig)
	}
	s := &Store{db: db}
	if opts != nil {
		s.clock = opts.Clock
	}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	// Current already: nothing to write, so that a role with no right
	// but to read and write the tables opens the store.
	var exists bool
	if err := s.db.QueryRowContext(ctx, "SELECT to_regclass('ordertrack_schema') IS NOT NULL").Scan(&exists); err != nil {
		return err
	}
	if exists {
		var current int
		err := s.db.QueryRowContext(ctx, "SELECT version FROM ordertrack_schema").Scan(&current)
		switch {
		case err == nil && current == SchemaVersion:
			return nil
		case err == nil && current > SchemaVersion:
			return fmt.Errorf("schema version %d, newer than this code's %d: %w", current, SchemaVersion, watch.ErrSchema)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS ordertrack_schema (version int NOT NULL)"); err != nil {
		return err
	}
	version := 0
	err = tx.QueryRowContext(ctx, "SELECT version FROM ordertrack_schema").Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, "INSERT INTO ordertrack_schema VALUES (0)"); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	if version > SchemaVersion {
		return fmt.Errorf("schema version %d, newer than this code's %d: %w", version, SchemaVersion, watch.ErrSchema)
	}
	for v := version + 1; v <= SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migration to version %d: %w", v, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE ordertrack_schema SET version = $1", SchemaVersion); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) fail(op string, t watch.TrackerID, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pgstore: %s %s: %w", op, t, err)
}

// Follow implements watch.Store.
func (s *Store) Follow(ctx context.Context, t watch.TrackerID, due time.Time, refs ...string) (int, error) {
	if err := watch.CheckRefs(refs); err != nil {
		return 0, s.fail("follow", t, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, s.fail("follow", t, err)
	}
	state, err := json.Marshal(watch.State{Since: due.UTC()})
	if err != nil {
		return 0, err
	}
	refsJSON, err := json.Marshal(refs)
	if err != nil {
		return 0, err
	}
	var added int
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// A ref being unfollowed is followed again, its generation raised
		// so that the claim that would stop it is refused.
		if _, err := tx.ExecContext(ctx, `UPDATE ordertrack_refs SET stopping = false, gen = nextval('ordertrack_gen'), due = $3
			WHERE tracker = $1 AND stopping AND ref IN (SELECT json_array_elements_text($2::json))`, t.String(), refsJSON, sqlrow.Nanos(due)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `WITH ins AS (
			INSERT INTO ordertrack_refs (tracker, ref, due, state)
			SELECT $1, r, $3, $4::json FROM (SELECT DISTINCT json_array_elements_text($2::json) AS r) AS refs
			ON CONFLICT (tracker, ref) DO NOTHING RETURNING 1)
			SELECT count(*) FROM ins`, t.String(), refsJSON, sqlrow.Nanos(due), state).Scan(&added)
	})
	return added, s.fail("follow", t, err)
}

// Unfollow implements watch.Store.
func (s *Store) Unfollow(ctx context.Context, t watch.TrackerID, now time.Time, refs ...string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, s.fail("unfollow", t, err)
	}
	refsJSON, err := json.Marshal(refs)
	if err != nil {
		return 0, err
	}
	// A claim of a ref out is fenced off: its news is not saved.
	res, err := s.db.ExecContext(ctx, `UPDATE ordertrack_refs SET stopping = true, gen = nextval('ordertrack_gen'), due = least(due, $3)
		WHERE tracker = $1 AND NOT stopping AND ref IN (SELECT json_array_elements_text($2::json))`, t.String(), refsJSON, sqlrow.Nanos(now))
	if err != nil {
		return 0, s.fail("unfollow", t, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// claimSQL takes up to $3 of tracker $1's refs due by $2, leases them
// until $4, and returns them with their old due time, for their order.
const claimSQL = `WITH c AS (
	SELECT ref, due FROM ordertrack_refs WHERE tracker = $1 AND due <= $2
	ORDER BY due, ref LIMIT $3 FOR UPDATE SKIP LOCKED)
UPDATE ordertrack_refs r SET gen = nextval('ordertrack_gen'), due = $4
FROM c WHERE r.tracker = $1 AND r.ref = c.ref
RETURNING r.ref, r.gen, r.stopping, r.seen, r.snapshots, r.state, c.due`

// Claim implements watch.Store.
func (s *Store) Claim(ctx context.Context, t watch.TrackerID, now, until time.Time, limit int) ([]watch.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.fail("claim", t, err)
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, claimSQL, t.String(), sqlrow.Nanos(now), limit, sqlrow.Nanos(until))
	if err != nil {
		return nil, s.fail("claim", t, err)
	}
	defer rows.Close()
	claims := make([]watch.Claim, 0, min(limit, 1024))
	dues := make([]int64, 0, cap(claims))
	// Scanned into once: a destination Scan is given lives on the heap.
	var ref string
	var gen, due int64
	var stopping, seen bool
	var snaps, state []byte
	for rows.Next() {
		snaps, state = nil, nil
		if err := rows.Scan(&ref, &gen, &stopping, &seen, &snaps, &state, &due); err != nil {
			return nil, s.fail("claim", t, err)
		}
		c := watch.Claim{Ref: ref, Gen: gen, Stopping: stopping, Seen: seen}
		// The snapshots are left to the Watcher to decode, when it needs
		// them (Claim.Raw): a quiet poll never does.
		if err := sqlrow.Decode(nil, state, nil, &c.State); err != nil {
			// A row this code cannot read is claimed as not seen: its next
			// answer is its new baseline.
			c.State, c.Seen = watch.State{}, false
		} else if len(snaps) > 0 {
			c.Raw = snaps
		}
		claims = append(claims, c)
		dues = append(dues, due)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("claim", t, err)
	}
	sort.Sort(byDue{claims, dues})
	return claims, nil
}

// ClaimRef implements watch.Store.
func (s *Store) ClaimRef(ctx context.Context, t watch.TrackerID, ref string, until time.Time) (watch.Claim, bool, error) {
	if err := ctx.Err(); err != nil {
		return watch.Claim{}, false, s.fail("claim", t, err)
	}
	c := watch.Claim{Ref: ref}
	var snaps, state []byte
	// A ref being unfollowed is not claimed: its due time and generation
	// stand.
	err := s.db.QueryRowContext(ctx, `UPDATE ordertrack_refs SET gen = CASE WHEN stopping THEN gen ELSE nextval('ordertrack_gen') END,
		due = CASE WHEN stopping THEN due ELSE $3 END
		WHERE tracker = $1 AND ref = $2 RETURNING gen, stopping, seen, snapshots, state`, t.String(), ref, sqlrow.Nanos(until)).
		Scan(&c.Gen, &c.Stopping, &c.Seen, &snaps, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return watch.Claim{}, false, nil
	}
	if err != nil {
		return watch.Claim{}, false, s.fail("claim", t, err)
	}
	if err := sqlrow.Decode(snaps, state, &c.Snapshots, &c.State); err != nil {
		c.Snapshots, c.State, c.Seen = nil, watch.State{}, false
	}
	return c, true, nil
}

// Save implements watch.Store.
func (s *Store) Save(ctx context.Context, t watch.TrackerID, results []watch.Result) error {
	if err := ctx.Err(); err != nil {
		return s.fail("save", t, err)
	}
	// A ref given twice is saved twice, in order, as the other stores do:
	// one UPDATE would take either row. Each layer holds a ref once; the
	// usual batch is one layer, saved in one statement (its own
	// transaction), one round trip.
	all := layersOf(results)
	stmts := make([]saveArgs, 0, len(all))
	for _, rs := range all {
		a, err := s.prepare(t, rs)
		if err != nil {
			return s.fail("save", t, err)
		}
		stmts = append(stmts, a)
	}
	var lost []string
	run := func(q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}) error {
		lost = lost[:0]
		for i, a := range stmts {
			kept, err := saveLayer(ctx, q, t, a)
			if err != nil {
				return err
			}
			for _, r := range all[i] {
				if !kept[r.Ref] {
					lost = append(lost, r.Ref)
				}
			}
		}
		return nil
	}
	var err error
	if len(stmts) == 1 {
		err = run(s.db)
	} else {
		err = s.inTx(ctx, func(tx *sql.Tx) error { return run(tx) })
	}
	if err != nil {
		return s.fail("save", t, err)
	}
	if len(lost) > 0 {
		return &watch.LeaseLostError{Tracker: t, Refs: lost}
	}
	return nil
}

// saveSQL saves one layer of results in one statement: the rows whose
// generation is current (updated, or deleted when done), and the changes
// of those rows to the outbox, in the order given; it returns the refs
// kept. Its arguments are arrays, each sent as the text of a Postgres
// array (arrays.go): $2-$8 the rows to update (ref, gen, due, seen, same:
// the snapshots are the bytes kept already, snapshots, state); $9-$10
// the rows to delete (ref, gen); $11-$13 the changes (ref, id, change).
// (A ref Unfollow marked since its claim has another generation.)
//
// Snapshots, state and changes travel as their JSON text, cast to json
// by the statement: a NUL in a provider's text is \u0000 in JSON, which
// Postgres's json type keeps but could not unpack into text.
const saveSQL = `WITH u AS (
	UPDATE ordertrack_refs r SET due = u.due, seen = u.seen, state = u.state::json,
		snapshots = CASE WHEN u.same THEN r.snapshots ELSE u.snapshots::json END
	FROM unnest($2::text::text[], $3::text::bigint[], $4::text::bigint[], $5::text::boolean[], $6::text::boolean[],
		$7::text::text[], $8::text::text[]) AS u(ref, gen, due, seen, same, snapshots, state)
	WHERE r.tracker = $1 AND r.ref = u.ref AND r.gen = u.gen
	RETURNING r.ref),
d AS (
	DELETE FROM ordertrack_refs r USING unnest($9::text::text[], $10::text::bigint[]) AS d(ref, gen)
	WHERE r.tracker = $1 AND r.ref = d.ref AND r.gen = d.gen
	RETURNING r.ref),
k AS (SELECT ref FROM u UNION ALL SELECT ref FROM d),
o AS (
	INSERT INTO ordertrack_outbox (tracker, id, change)
	SELECT $1, c.id, c.change::json
	FROM unnest($11::text::text[], $12::text::text[], $13::text::text[]) WITH ORDINALITY AS c(ref, id, change, n)
	WHERE c.ref IN (SELECT ref FROM k) ORDER BY c.n
	ON CONFLICT (tracker, id) DO NOTHING)
SELECT ref FROM k`

// saveArgs are one layer's arguments to saveSQL, $2 to $13.
type saveArgs [12]string

// prepare encodes a layer's arguments.
func (s *Store) prepare(t watch.TrackerID, results []watch.Result) (saveArgs, error) {
	var upd, del, out struct{ refs, gens, dues, seen, same, snaps, states, ids, changes arrayText }
	for _, a := range []*arrayText{&upd.refs, &upd.gens, &upd.dues, &upd.seen, &upd.same, &upd.states} {
		a.expect = len(results)
	}
	var buf []byte
	for _, r := range results {
		if r.Done {
			del.refs.text(r.Ref)
			del.gens.int(r.Gen)
		} else {
			upd.refs.text(r.Ref)
			upd.gens.int(r.Gen)
			upd.dues.int(sqlrow.Nanos(r.Due))
			upd.seen.bool(r.Seen)
			if r.Same {
				upd.same.bool(true) // the claim's, kept as they are
				upd.snaps.null()
			} else {
				switch b, err := marshalSnapshots(buf[:0], r.Snapshots); {
				case err != nil:
					return saveArgs{}, err
				case r.Snapshots == nil:
					upd.same.bool(false)
					upd.snaps.null()
				default:
					upd.same.bool(false)
					upd.snaps.textBytes(b)
					buf = b
				}
			}
			var err error
			if buf, err = sqlrow.AppendState(buf[:0], r.State); err != nil {
				return saveArgs{}, err
			}
			upd.states.textBytes(buf)
		}
		for _, c := range r.Changes {
			b, err := json.Marshal(c)
			if err != nil {
				return saveArgs{}, err
			}
			out.refs.text(r.Ref)
			out.ids.text(c.ID)
			out.changes.textBytes(b)
		}
	}
	return saveArgs{upd.refs.end(), upd.gens.end(), upd.dues.end(), upd.seen.end(), upd.same.end(), upd.snaps.end(), upd.states.end(),
		del.refs.end(), del.gens.end(), out.refs.end(), out.ids.end(), out.changes.end()}, nil
}

// marshalSnapshots appends the JSON of snaps to b, as json.Marshal writes
// it (so that it is compared with the bytes a claim read).
func marshalSnapshots(b []byte, snaps []status.Snapshot) ([]byte, error) {
	if snaps == nil {
		return b, nil
	}
	return status.AppendSnapshotsJSON(b, snaps)
}

// saveLayer runs saveSQL for one layer, and returns the refs kept.
func saveLayer(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, t watch.TrackerID, a saveArgs) (map[string]bool, error) {
	args := make([]any, 0, 13)
	args = append(args, t.String())
	for _, v := range a {
		args = append(args, v)
	}
	rows, err := q.QueryContext(ctx, saveSQL, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	kept := map[string]bool{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		kept[ref] = true
	}
	return kept, rows.Err()
}

// layersOf splits results into layers in which each ref is once: the
// first result of each ref, then the second, and so on, each in the order
// given. Results of distinct refs are one layer, as they came.
func layersOf(results []watch.Result) [][]watch.Result {
	if distinct(results) {
		return [][]watch.Result{results} // the usual batch: one layer, as it is
	}
	seen := make(map[string]int, len(results))
	var layers [][]watch.Result
	for _, r := range results {
		n := seen[r.Ref]
		seen[r.Ref] = n + 1
		if n == len(layers) {
			if n == 0 {
				layers = append(layers, make([]watch.Result, 0, len(results)))
			} else {
				layers = append(layers, nil)
			}
		}
		layers[n] = append(layers[n], r)
	}
	return layers
}

// distinct reports whether results name each ref once.
func distinct(results []watch.Result) bool {
	seen := make(map[string]struct{}, len(results))
	for _, r := range results {
		if _, ok := seen[r.Ref]; ok {
			return false
		}
		seen[r.Ref] = struct{}{}
	}
	return true
}

// byDue sorts claims by their old due time (dues), then ref: the order
// of the claim's SELECT, which UPDATE ... RETURNING does not keep.
type byDue struct {
	claims []watch.Claim
	dues   []int64
}

func (b byDue) Len() int { return len(b.claims) }
func (b byDue) Less(i, j int) bool {
	if b.dues[i] != b.dues[j] {
		return b.dues[i] < b.dues[j]
	}
	return b.claims[i].Ref < b.claims[j].Ref
}
func (b byDue) Swap(i, j int) {
	b.claims[i], b.claims[j] = b.claims[j], b.claims[i]
	b.dues[i], b.dues[j] = b.dues[j], b.dues[i]
}

// Pending implements watch.Store.
func (s *Store) Pending(ctx context.Context, t watch.TrackerID, limit int) ([]status.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.fail("pending", t, err)
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, change FROM ordertrack_outbox WHERE tracker = $1 ORDER BY seq LIMIT $2", t.String(), limit)
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
	if err := ctx.Err(); err != nil {
		return s.fail("ack", t, err)
	}
	if len(ids) == 0 {
		return nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM ordertrack_outbox WHERE tracker = $1 AND id IN (SELECT json_array_elements_text($2::json))`, t.String(), b)
	return s.fail("ack", t, err)
}

// Lease implements watch.Store.
func (s *Store) Lease(ctx context.Context, t watch.TrackerID, owner string, now, until time.Time) (watch.TrackerLease, bool, error) {
	if err := ctx.Err(); err != nil {
		return watch.TrackerLease{}, false, s.fail("lease", t, err)
	}
	var l watch.TrackerLease
	var u int64
	var outage []byte
	// The lease lasts until-now from the database's now (or the Clock's),
	// not from the caller's: the caller's clock decides nothing here.
	var at any // NULL: the database's clock
	if s.clock != nil {
		at = sqlrow.Nanos(s.clock())
	}
	err := s.db.QueryRowContext(ctx, `INSERT INTO ordertrack_leases AS l (tracker, owner, until, gen)
		VALUES ($1, $2, COALESCE($3::bigint, (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint) + $4::bigint, 1)
		ON CONFLICT (tracker) DO UPDATE SET owner = excluded.owner, until = excluded.until,
			gen = CASE WHEN l.owner = excluded.owner THEN l.gen ELSE l.gen + 1 END
		WHERE l.owner = excluded.owner OR l.owner = '' OR l.until <= excluded.until - $4::bigint
		RETURNING owner, until, gen, outage`, t.String(), owner, at, int64(until.Sub(now))).Scan(&l.Owner, &u, &l.Gen, &outage)
	switch {
	case err == nil:
		l.Until = sqlrow.Time(u)
		if err := json.Unmarshal(outage, &l.Outage); err != nil {
			return watch.TrackerLease{}, false, s.fail("lease", t, fmt.Errorf("its outage state: %w", err))
		}
		return l, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return watch.TrackerLease{}, false, s.fail("lease", t, err)
	}
	// Held by another.
	err = s.db.QueryRowContext(ctx, "SELECT owner, until, gen, outage FROM ordertrack_leases WHERE tracker = $1", t.String()).Scan(&l.Owner, &u, &l.Gen, &outage)
	if err != nil {
		return watch.TrackerLease{}, false, s.fail("lease", t, err)
	}
	l.Until = sqlrow.Time(u)
	if err := json.Unmarshal(outage, &l.Outage); err != nil {
		return watch.TrackerLease{}, false, s.fail("lease", t, fmt.Errorf("its outage state: %w", err))
	}
	return l, false, nil
}

// SaveOutage implements watch.Store.
func (s *Store) SaveOutage(ctx context.Context, t watch.TrackerID, gen int64, o watch.Outage, changes []status.Change) error {
	if err := ctx.Err(); err != nil {
		return s.fail("save outage", t, err)
	}
	ob, err := json.Marshal(o)
	if err != nil {
		return s.fail("save outage", t, err)
	}
	type row struct {
		ID     string `json:"id"`
		Change string `json:"change"`
	}
	rows := make([]row, len(changes))
	for i, c := range changes {
		b, err := json.Marshal(c)
		if err != nil {
			return s.fail("save outage", t, err)
		}
		rows[i] = row{c.ID, string(b)}
	}
	rb, err := json.Marshal(rows)
	if err != nil {
		return s.fail("save outage", t, err)
	}
	// One statement: the state written only while the lease is of gen,
	// the changes only when it was.
	var n int
	err = s.db.QueryRowContext(ctx, `WITH o AS (
			UPDATE ordertrack_leases SET outage = $3::json WHERE tracker = $1 AND gen = $2 RETURNING tracker),
		c AS (
			INSERT INTO ordertrack_outbox (tracker, id, change)
			SELECT o.tracker, c.id, c.change::json FROM o, ROWS FROM (json_to_recordset($4::json) AS (id text, change text)) WITH ORDINALITY AS c(id, change, n)
			ORDER BY c.n
			ON CONFLICT (tracker, id) DO NOTHING)
		SELECT count(*) FROM o`, t.String(), gen, string(ob), string(rb)).Scan(&n)
	if err != nil {
		return s.fail("save outage", t, err)
	}
	if n == 0 {
		return s.fail("save outage", t, fmt.Errorf("the lease is no longer of generation %d: %w", gen, watch.ErrLeaseLost))
	}
	return nil
}

// Release implements watch.Store.
func (s *Store) Release(ctx context.Context, t watch.TrackerID, owner string) error {
	if err := ctx.Err(); err != nil {
		return s.fail("release", t, err)
	}
	_, err := s.db.ExecContext(ctx, "UPDATE ordertrack_leases SET owner = '', until = 0 WHERE tracker = $1 AND owner = $2", t.String(), owner)
	return s.fail("release", t, err)
}

// Get implements watch.Store.
func (s *Store) Get(ctx context.Context, t watch.TrackerID, ref string) (watch.Followed, bool, error) {
	if err := ctx.Err(); err != nil {
		return watch.Followed{}, false, s.fail("get", t, err)
	}
	f := watch.Followed{Ref: ref}
	var due int64
	var snaps, state []byte
	err := s.db.QueryRowContext(ctx, "SELECT due, gen, stopping, seen, snapshots, state FROM ordertrack_refs WHERE tracker = $1 AND ref = $2",
		t.String(), ref).Scan(&due, &f.Gen, &f.Stopping, &f.Seen, &snaps, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return watch.Followed{}, false, nil
	}
	if err != nil {
		return watch.Followed{}, false, s.fail("get", t, err)
	}
	f.Due = sqlrow.Time(due)
	if err := sqlrow.Decode(snaps, state, &f.Snapshots, &f.State); err != nil {
		return watch.Followed{}, false, s.fail("get", t, err)
	}
	return f, true, nil
}

// Stats implements watch.Store.
func (s *Store) Stats(ctx context.Context, t watch.TrackerID, now time.Time) (watch.Stats, error) {
	if err := ctx.Err(); err != nil {
		return watch.Stats{}, s.fail("stats", t, err)
	}
	var st watch.Stats
	var oldest sql.NullInt64
	var owner sql.NullString
	var until, gen sql.NullInt64
	var outage []byte
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM ordertrack_refs WHERE tracker = $1),
		(SELECT count(*) FROM ordertrack_refs WHERE tracker = $1 AND due <= $2),
		(SELECT min(due) FROM ordertrack_refs WHERE tracker = $1 AND due <= $2),
		(SELECT count(*) FROM ordertrack_outbox WHERE tracker = $1),
		l.owner, l.until, l.gen, l.outage
		FROM (SELECT 1) AS one LEFT JOIN ordertrack_leases l ON l.tracker = $1`, t.String(), sqlrow.Nanos(now)).
		Scan(&st.Followed, &st.Due, &oldest, &st.Pending, &owner, &until, &gen, &outage)
	if err != nil {
		return st, s.fail("stats", t, err)
	}
	if oldest.Valid {
		st.OldestDue = sqlrow.Time(oldest.Int64)
	}
	st.Lease.Owner, st.Lease.Gen = owner.String, gen.Int64
	if owner.String != "" && until.Valid {
		st.Lease.Until = sqlrow.Time(until.Int64)
	}
	if len(outage) > 0 {
		if err := json.Unmarshal(outage, &st.Lease.Outage); err != nil {
			return st, s.fail("stats", t, fmt.Errorf("the outage state: %w", err))
		}
	}
	return st, nil
}

// inTx runs f in one transaction, and commits it when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
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
// oldest first) to f, in one transaction that also takes them out of the
// outbox: f's own writes in tx commit with their removal, so a change is
// handed off exactly once. When f returns an error, or the process dies
// midway, the transaction rolls back: every change of the batch comes
// again, and none of f's writes remain. Several consumers may run at
// once: each takes other changes (SKIP LOCKED), and then the order holds
// within each batch only. It returns how many changes were consumed.
//
// Changes reach the outbox when a Watcher runs without a deliver
// (Run(ctx, nil)); a Watcher that delivers takes them itself.
func (s *Store) Consume(ctx context.Context, limit int, f func(ctx context.Context, tx *sql.Tx, c status.Change) error) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM ordertrack_outbox WHERE seq IN (
			SELECT seq FROM ordertrack_outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING seq, id, change`, limit)
		if err != nil {
			return err
		}
		n, err = sqlrow.HandOver(ctx, tx, rows, f)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("pgstore: consume: %w", err)
	}
	return n, nil
}
