// Package floor is what the stores' benchmarks measure themselves
// against, in the same run: the plainest SQL a team would write for the
// same work, with nothing of ordertrack's. A pass claims a tracker's due
// refs a batch at a time, asks the Tracker, and saves the batch in one
// transaction fenced by the claim's generation, with an outbox row for
// each ref whose answer changed (recognised by its bytes, against those
// kept). Both are given Turning, whose answers change for one ref in
// twenty each pass.
package floor

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync/atomic"

	"github.com/ordertrack/ordertrack/status"
)

// Turning is a Tracker answering at once: every ref Shipped, but for one
// ref in twenty each pass (Pass), which turns to OutForDelivery, or back.
type Turning struct{ Pass atomic.Int64 }

// Provider implements status.Tracker.
func (*Turning) Provider() status.Provider { return status.Flowery }

// Track implements status.Tracker.
func (t *Turning) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	p := t.Pass.Load()
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		h := fnv.New32a()
		h.Write([]byte(r))
		k := int64(h.Sum32() % 20)
		stage := status.Shipped
		if p >= k && ((p-k)/20)%2 == 0 {
			// Turned at passes k, k+40, ...; back at k+20, k+60, ...
			stage = status.OutForDelivery
		}
		out[i] = status.Snapshot{Provider: status.Flowery, Ref: r, OrderNo: r, Stage: stage, TrackingNo: "CGK" + r,
			Codes: []status.Code{{Provider: status.Flowery, Field: "order_status", Value: "运输中"}}}
	}
	return out, nil
}

// Counts is what a pass did.
type Counts struct{ Refs, Changed int }

// answer is one claimed ref's answer, ready to be saved.
type answer struct {
	ref   string
	gen   int64
	snaps []byte // nil: the same as kept
	state string
}

// ask asks t about refs, and returns what to save of each: its snapshots
// when they are not the bytes kept.
func ask(ctx context.Context, t status.Tracker, refs []string, gens []int64, kept [][]byte, polled int64) ([]answer, int, error) {
	snaps, err := t.Track(ctx, refs...)
	if err != nil {
		return nil, 0, err
	}
	out := make([]answer, len(refs))
	changed := 0
	for i, r := range refs {
		b, err := json.Marshal(snaps[i : i+1])
		if err != nil {
			return nil, 0, err
		}
		a := answer{ref: r, gen: gens[i], state: `{"polled":` + strconv.FormatInt(polled, 10) + `}`}
		if !bytes.Equal(b, kept[i]) {
			a.snaps = b
			changed++
		}
		out[i] = a
	}
	return out, changed, nil
}

// claimed reads a claim's rows (ref, gen, snapshots), and closes them.
func claimed(rows *sql.Rows) (refs []string, gens []int64, kept [][]byte, err error) {
	defer rows.Close()
	for rows.Next() {
		var ref string
		var gen int64
		var snaps []byte
		if err := rows.Scan(&ref, &gen, &snaps); err != nil {
			return nil, nil, nil, err
		}
		refs, gens, kept = append(refs, ref), append(gens, gen), append(kept, snaps)
	}
	return refs, gens, kept, rows.Err()
}

// change is an outbox row's JSON for a changed answer.
func change(a answer) string {
	return `{"kind":"stage_changed","ref":` + strconv.Quote(a.ref) + `,"gen":` + strconv.FormatInt(a.gen, 10) + `}`
}

// Postgres runs one pass of the floor over tracker's refs due by now, in
// pgstore's tables: each batch a claim (FOR UPDATE SKIP LOCKED, moving
// due to until and raising the generation), then one transaction of an
// UPDATE ... FROM unnest(...) fenced by generation and an INSERT of the
// changed refs' outbox rows. Arrays travel as pgx takes them.
func Postgres(ctx context.Context, db *sql.DB, tracker string, t status.Tracker, now, until int64, batch int) (Counts, error) {
	var c Counts
	for {
		rows, err := db.QueryContext(ctx, `WITH c AS (
	SELECT ref FROM ordertrack_refs WHERE tracker = $1 AND due <= $2 ORDER BY due, ref LIMIT $3 FOR UPDATE SKIP LOCKED)
UPDATE ordertrack_refs r SET gen = nextval('ordertrack_gen'), due = $4 FROM c
WHERE r.tracker = $1 AND r.ref = c.ref RETURNING r.ref, r.gen, r.snapshots`, tracker, now, batch, until)
		if err != nil {
			return c, err
		}
		refs, gens, kept, err := claimed(rows)
		if err != nil {
			return c, err
		}
		if len(refs) == 0 {
			return c, nil
		}
		answers, changed, err := ask(ctx, t, refs, gens, kept, now)
		if err != nil {
			return c, err
		}
		due := now + 3600e9
		uRefs, uGens, uDues, uSnaps, uStates := make([]string, len(answers)), make([]int64, len(answers)), make([]int64, len(answers)), make([]*string, len(answers)), make([]string, len(answers))
		var oIDs, oChanges []string
		for i, a := range answers {
			uRefs[i], uGens[i], uDues[i], uStates[i] = a.ref, a.gen, due, a.state
			if a.snaps != nil {
				s := string(a.snaps)
				uSnaps[i] = &s
				oIDs = append(oIDs, fmt.Sprintf("%s.%d", a.ref, a.gen))
				oChanges = append(oChanges, change(a))
			}
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return c, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ordertrack_refs r SET due = u.due, seen = true, state = u.state::json,
	snapshots = COALESCE(u.snaps::json, r.snapshots)
FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[]) AS u(ref, gen, due, snaps, state)
WHERE r.tracker = $1 AND r.ref = u.ref AND r.gen = u.gen`, tracker, uRefs, uGens, uDues, uSnaps, uStates); err != nil {
			tx.Rollback()
			return c, err
		}
		if len(oIDs) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ordertrack_outbox (tracker, id, change)
SELECT $1, o.id, o.change::json FROM unnest($2::text[], $3::text[]) AS o(id, change)`, tracker, oIDs, oChanges); err != nil {
				tx.Rollback()
				return c, err
			}
		}
		if err := tx.Commit(); err != nil {
			return c, err
		}
		c.Refs += len(refs)
		c.Changed += changed
	}
}

// SQLiteFollow makes the floor's tables in db (one table of refs, each
// row with its snapshots and state, as a team would write it, and an
// outbox) and follows refs through tracker, due at once.
func SQLiteFollow(ctx context.Context, db *sql.DB, tracker string, refs []string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS floor_refs (
	tracker TEXT NOT NULL, ref TEXT NOT NULL, due INTEGER NOT NULL, gen INTEGER NOT NULL DEFAULT 0,
	seen INTEGER NOT NULL DEFAULT 0, snapshots BLOB, state BLOB NOT NULL, PRIMARY KEY (tracker, ref)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS floor_refs_due ON floor_refs (tracker, due);
CREATE TABLE IF NOT EXISTS floor_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, tracker TEXT NOT NULL, id TEXT NOT NULL,
	change BLOB NOT NULL, UNIQUE (tracker, id));`); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, "INSERT INTO floor_refs (tracker, ref, due, state) VALUES (?, ?, 0, '{}')")
	if err != nil {
		return err
	}
	for _, r := range refs {
		if _, err := ins.ExecContext(ctx, tracker, r); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SQLite runs one pass of the floor over tracker's refs due by now, in
// the tables SQLiteFollow made: each batch one immediate transaction (the
// connection's own BEGIN IMMEDIATE) that reads the due refs, asks, and
// writes each row once (due, generation, state, its snapshots when they
// changed) and the changed refs' outbox rows, with statements prepared
// once.
func SQLite(ctx context.Context, db *sql.DB, tracker string, t status.Tracker, now int64, batch int) (Counts, error) {
	var c Counts
	conn, err := db.Conn(ctx)
	if err != nil {
		return c, err
	}
	defer conn.Close()
	sel, err := conn.PrepareContext(ctx, `SELECT ref, gen, snapshots FROM floor_refs WHERE tracker = ? AND due <= ? ORDER BY due, ref LIMIT ?`)
	if err != nil {
		return c, err
	}
	defer sel.Close()
	upd, err := conn.PrepareContext(ctx, `UPDATE floor_refs SET due = ?, gen = gen + 1, seen = 1, state = ?, snapshots = COALESCE(?, snapshots)
WHERE tracker = ? AND ref = ? AND gen = ?`)
	if err != nil {
		return c, err
	}
	defer upd.Close()
	ins, err := conn.PrepareContext(ctx, `INSERT INTO floor_outbox (tracker, id, change) VALUES (?, ?, ?)`)
	if err != nil {
		return c, err
	}
	defer ins.Close()
	for {
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return c, err
		}
		n, changed, err := func() (int, int, error) {
			rows, err := sel.QueryContext(ctx, tracker, now, batch)
			if err != nil {
				return 0, 0, err
			}
			refs, gens, kept, err := claimed(rows)
			if err != nil {
				return 0, 0, err
			}
			if len(refs) == 0 {
				return 0, 0, nil
			}
			answers, changed, err := ask(ctx, t, refs, gens, kept, now)
			if err != nil {
				return 0, 0, err
			}
			due := now + 3600e9
			for _, a := range answers {
				var snaps any
				if a.snaps != nil {
					snaps = a.snaps
				}
				if _, err := upd.ExecContext(ctx, due, a.state, snaps, tracker, a.ref, a.gen); err != nil {
					return 0, 0, err
				}
				if a.snaps != nil {
					if _, err := ins.ExecContext(ctx, tracker, fmt.Sprintf("%s.%d", a.ref, a.gen), change(a)); err != nil {
						return 0, 0, err
					}
				}
			}
			return len(refs), changed, nil
		}()
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			return c, err
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			return c, err
		}
		if n == 0 {
			return c, nil
		}
		c.Refs += n
		c.Changed += changed
	}
}
