package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

var c0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// openAt opens a store on path, closed at the test's end.
func openAt(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// dataVersion is the file's PRAGMA data_version seen from db: it changes
// when another connection commits a write.
func dataVersion(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var v int64
	require.NoError(t, db.QueryRow("PRAGMA data_version").Scan(&v))
	return v
}

// A claim writes nothing to the file: a poll writes its row once, at its
// save, and a batch commits once.
func TestClaimWritesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "orders.db")
	s := openAt(t, path)
	refs := make([]string, 250)
	for i := range refs {
		refs[i] = fmt.Sprintf("R%03d", i)
	}
	_, err := s.Follow(ctx, acme, c0, refs...)
	require.NoError(t, err)
	// The first claim reserves the Store's block of generations.
	first, err := s.Claim(ctx, acme, c0, c0.Add(time.Minute), 100)
	require.NoError(t, err)
	require.Len(t, first, 100)

	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	before := dataVersion(t, raw)
	second, err := s.Claim(ctx, acme, c0, c0.Add(time.Minute), 100)
	require.NoError(t, err)
	require.Len(t, second, 100)
	assert.Equal(t, before, dataVersion(t, raw), "a claim wrote to the file")
	assert.NotEqual(t, first[0].Ref, second[0].Ref, "a ref out on a claim was claimed again")

	results := make([]watch.Result, len(second))
	for i, c := range second {
		results[i] = watch.Result{Ref: c.Ref, Gen: c.Gen, Seen: true, Due: c0.Add(time.Hour)}
	}
	require.NoError(t, s.Save(ctx, acme, results))
	assert.Equal(t, before+1, dataVersion(t, raw), "a batch's save is not one commit")
	st, err := s.Stats(ctx, acme, c0)
	require.NoError(t, err)
	assert.Equal(t, 50, st.Due, "due: 250 followed, 100 out on a claim, 100 saved")
	assert.Equal(t, c0, st.OldestDue)
}

// Two processes sharing the file, both claiming a ref (the tracker
// changing hands while the first still polls): whichever saves first is
// kept, the other is refused whole, its changes with it; in either order.
func TestClaimsOfTwoStoresFenced(t *testing.T) {
	for _, firstSaves := range []string{"old", "new"} {
		t.Run(firstSaves+" saves first", func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "orders.db")
			old, cur := openAt(t, path), openAt(t, path)
			_, err := old.Follow(ctx, acme, c0, "A")
			require.NoError(t, err)
			a, err := old.Claim(ctx, acme, c0, c0.Add(time.Minute), 10)
			require.NoError(t, err)
			b, err := cur.Claim(ctx, acme, c0.Add(2*time.Minute), c0.Add(3*time.Minute), 10)
			require.NoError(t, err)
			require.Len(t, a, 1)
			require.Len(t, b, 1)
			require.NotEqual(t, a[0].Gen, b[0].Gen, "two claims of one generation")
			save := func(s *sqlitestore.Store, c watch.Claim, to status.Stage) error {
				ch := status.Change{Kind: status.StageChanged, Provider: status.Bailun, Account: "acme", Ref: "A", To: to}
				ch.ID = ch.HashID()
				return s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c.Gen, Seen: true, Due: c0.Add(time.Hour),
					Snapshots: []status.Snapshot{{Provider: status.Bailun, Ref: "A", Stage: to}}, Changes: []status.Change{ch}}})
			}
			kept, lost := status.Shipped, status.Delivered
			var err1, err2 error
			if firstSaves == "old" {
				err1, err2 = save(old, a[0], kept), save(cur, b[0], lost)
			} else {
				err1, err2 = save(cur, b[0], kept), save(old, a[0], lost)
			}
			require.NoError(t, err1)
			require.True(t, errors.Is(err2, watch.ErrLeaseLost), "the second save: %v", err2)
			f, _, err := cur.Get(ctx, acme, "A")
			require.NoError(t, err)
			assert.Equal(t, kept, f.Snapshots[0].Stage)
			p, err := cur.Pending(ctx, acme, 10)
			require.NoError(t, err)
			require.Len(t, p, 1)
			assert.Equal(t, kept, p[0].To)
		})
	}
}

// A claim whose lease ended is not out: its ref is claimed again, and its
// save is refused. One whose lease ended and whose ref was not claimed
// again is saved, as on a Store writing its leases; once its lease ended
// as long ago as it lasted, it is forgotten (refused), so that claims
// never saved do not pile up.
func TestClaimLeaseEnds(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	_, err := s.Follow(ctx, acme, c0, "A", "B", "C")
	require.NoError(t, err)
	out, err := s.Claim(ctx, acme, c0, c0.Add(time.Minute), 3)
	require.NoError(t, err)
	require.Len(t, out, 3)
	// Inside the lease: nothing to claim.
	got, err := s.Claim(ctx, acme, c0.Add(59*time.Second), c0.Add(2*time.Minute), 3)
	require.NoError(t, err)
	assert.Empty(t, got)
	// After it, each is due again.
	got, err = s.Claim(ctx, acme, c0.Add(90*time.Second), c0.Add(2*time.Minute), 1)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "A", got[0].Ref)
	res := func(c watch.Claim) []watch.Result {
		return []watch.Result{{Ref: c.Ref, Gen: c.Gen, Seen: true, Due: c0.Add(time.Hour)}}
	}
	assert.ErrorIs(t, s.Save(ctx, acme, res(out[0])), watch.ErrLeaseLost, "A's first claim, taken again")
	require.NoError(t, s.Save(ctx, acme, res(out[1])), "B's claim: its lease ended, but B was not claimed again")
	// Past twice C's lease, a claim forgets C's: its save is refused, and
	// C is claimed again.
	got, err = s.Claim(ctx, acme, c0.Add(2*time.Minute+time.Nanosecond), c0.Add(3*time.Minute), 3)
	require.NoError(t, err)
	assert.ErrorIs(t, s.Save(ctx, acme, res(out[2])), watch.ErrLeaseLost)
	require.Len(t, got, 2)
	assert.Equal(t, []string{"A", "C"}, []string{got[0].Ref, got[1].Ref})
}

// A ref written since its claim (unfollowed, here) is not out on it: the
// next claim takes it at once, for its Unfollowed.
func TestClaimOfARefWrittenSince(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	_, err := s.Follow(ctx, acme, c0, "A")
	require.NoError(t, err)
	c, err := s.Claim(ctx, acme, c0, c0.Add(time.Hour), 1)
	require.NoError(t, err)
	require.Len(t, c, 1)
	_, err = s.Unfollow(ctx, acme, c0, "A")
	require.NoError(t, err)
	got, err := s.Claim(ctx, acme, c0.Add(time.Second), c0.Add(time.Hour), 1)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, got[0].Stopping)
	assert.ErrorIs(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: c[0].Gen, Due: c0}}), watch.ErrLeaseLost)
	require.NoError(t, s.Save(ctx, acme, []watch.Result{{Ref: "A", Gen: got[0].Gen, Done: true}}))
	_, ok, err := s.Get(ctx, acme, "A")
	require.NoError(t, err)
	assert.False(t, ok)
}

// A file of schema version 2 kept a ref's state as JSON only: Open
// migrates it, its rows are read as they were, and a save writes them
// compact.
func TestOpenMigratesVersion2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE refs (tracker TEXT NOT NULL, ref TEXT NOT NULL, due INTEGER NOT NULL, gen INTEGER NOT NULL DEFAULT 0,
	stopping INTEGER NOT NULL DEFAULT 0, seen INTEGER NOT NULL DEFAULT 0, snapshots BLOB, state BLOB NOT NULL, PRIMARY KEY (tracker, ref)) WITHOUT ROWID;
CREATE INDEX refs_due ON refs (tracker, due);
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, tracker TEXT NOT NULL, id TEXT NOT NULL, change BLOB NOT NULL, UNIQUE (tracker, id));
CREATE TABLE leases (tracker TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL, gen INTEGER NOT NULL, outage BLOB NOT NULL DEFAULT '{}');
CREATE TABLE gens (n INTEGER NOT NULL);
INSERT INTO gens VALUES (7);
INSERT INTO refs (tracker, ref, due, gen, state, seen, snapshots) VALUES ('bailun/acme', 'KEEP', 0, 7,
	'{"since":"2026-11-30T08:00:00Z","polled":"2026-12-01T07:00:00.123456789Z","quiet":3,"follow":"f1","changes":2,"misses":{"S1":1}}',
	1, '[{"provider":"bailun","ref":"KEEP","stage":"shipped"}]');
PRAGMA user_version = 2;`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s := openAt(t, path)
	want := watch.State{Since: c0.Add(-24 * time.Hour), Polled: c0.Add(-time.Hour + 123456789), Quiet: 3, Follow: "f1", Changes: 2,
		Misses: map[string]int{"S1": 1}}
	f, ok, err := s.Get(ctx, acme, "KEEP")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, want, f.State)
	assert.Equal(t, status.Shipped, f.Snapshots[0].Stage)

	c, err := s.Claim(ctx, acme, c0, c0.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, c, 1)
	assert.Equal(t, want, c[0].State)
	// Saved without Misses, it is written compact.
	want.Misses, want.Quiet, want.Polled = nil, 4, c0
	require.NoError(t, s.Save(ctx, acme, []watch.Result{{Ref: "KEEP", Gen: c[0].Gen, Seen: true, Same: true, State: want, Due: c0.Add(time.Hour)}}))
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer raw.Close()
	var state []byte
	require.NoError(t, raw.QueryRow("SELECT state FROM refs WHERE ref = 'KEEP'").Scan(&state))
	assert.Equal(t, byte(1), state[0], "the state saved compact: %q", state)
	assert.Less(t, len(state), 50)
	f, _, err = s.Get(ctx, acme, "KEEP")
	require.NoError(t, err)
	assert.Equal(t, want, f.State)
	assert.Equal(t, status.Shipped, f.Snapshots[0].Stage, "the snapshots kept (Same)")
	var v int
	require.NoError(t, raw.QueryRow("PRAGMA user_version").Scan(&v))
	assert.Equal(t, sqlitestore.SchemaVersion, v)
}

// A state the compact form cannot hold (a time beyond Unix nanoseconds,
// sub-orders missed) comes back as it was saved; one it can, too, with
// its zero times zero.
func TestStateKeptWhole(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	states := []watch.State{
		{},
		{Since: c0, Polled: c0.Add(time.Nanosecond), Changed: c0.Add(time.Second), FinalSince: c0.Add(time.Hour), Quiet: 2, Failures: 1,
			Outage: true, Follow: "3f9a", Changes: 12},
		{Since: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), Follow: "old"},
		{Since: c0, FinalSince: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		{Since: c0, Misses: map[string]int{"S1": 2, "S2": 1}},
		{Since: time.Unix(0, 0).UTC(), Polled: time.Unix(0, -1).UTC()},
	}
	for i, want := range states {
		ref := fmt.Sprintf("R%d", i)
		_, err := s.Follow(ctx, acme, c0, ref)
		require.NoError(t, err)
		c, err := s.Claim(ctx, acme, c0, c0.Add(time.Minute), 1)
		require.NoError(t, err)
		require.Len(t, c, 1)
		require.NoError(t, s.Save(ctx, acme, []watch.Result{{Ref: ref, Gen: c[0].Gen, State: want, Due: c0.Add(time.Hour)}}))
		f, _, err := s.Get(ctx, acme, ref)
		require.NoError(t, err)
		assert.Equal(t, want, f.State, "state %d", i)
		got, err := s.Claim(ctx, acme, c0.Add(time.Hour), c0.Add(2*time.Hour), 1)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, want, got[0].State, "state %d, claimed", i)
		require.NoError(t, s.Save(ctx, acme, []watch.Result{{Ref: ref, Gen: got[0].Gen, Done: true}}))
	}
}

// A claim of a ref's earlier life never saves into its next one: a ref
// claimed, then done by another claim (a push's) and followed again, has a
// generation the first claim never read.
func TestClaimOfAnEarlierLife(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	_, err := s.Follow(ctx, acme, c0, "X")
	require.NoError(t, err)
	pass, err := s.Claim(ctx, acme, c0, c0.Add(time.Minute), 10)
	require.NoError(t, err)
	push, ok, err := s.ClaimRef(ctx, acme, "X", c0.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.Save(ctx, acme, []watch.Result{{Ref: "X", Gen: push.Gen, Done: true,
		Changes: []status.Change{{Kind: status.Unfollowed, Ref: "X", ID: "unfollowed"}}}}))
	_, err = s.Follow(ctx, acme, c0.Add(time.Second), "X")
	require.NoError(t, err)
	err = s.Save(ctx, acme, []watch.Result{{Ref: "X", Gen: pass[0].Gen, Seen: true, Due: c0.Add(time.Hour),
		Changes: []status.Change{{Kind: status.StageChanged, Ref: "X", ID: "earlier-life"}}}})
	assert.ErrorIs(t, err, watch.ErrLeaseLost)
	p, err := s.Pending(ctx, acme, 10)
	require.NoError(t, err)
	require.Len(t, p, 1)
	assert.Equal(t, "unfollowed", p[0].ID)
}

// A push's claim that outlived its lease, and the pass's claim of the ref
// after it: whichever saves first is kept, the other refused, in either
// order.
func TestClaimRefOutlivedAndClaimedAgain(t *testing.T) {
	for _, first := range []string{"push", "pass"} {
		t.Run(first+" saves first", func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			_, err := s.Follow(ctx, acme, c0, "X")
			require.NoError(t, err)
			push, ok, err := s.ClaimRef(ctx, acme, "X", c0.Add(time.Minute))
			require.NoError(t, err)
			require.True(t, ok)
			t1 := c0.Add(2 * time.Minute)
			pass, err := s.Claim(ctx, acme, t1, t1.Add(time.Minute), 10)
			require.NoError(t, err)
			require.Len(t, pass, 1)
			save := func(gen int64, id string) error {
				return s.Save(ctx, acme, []watch.Result{{Ref: "X", Gen: gen, Seen: true, Due: t1.Add(time.Hour),
					Changes: []status.Change{{Kind: status.StageChanged, Ref: "X", ID: id}}}})
			}
			var err1, err2 error
			if first == "push" {
				err1, err2 = save(push.Gen, "push"), save(pass[0].Gen, "pass")
			} else {
				err1, err2 = save(pass[0].Gen, "pass"), save(push.Gen, "push")
			}
			require.NoError(t, err1)
			assert.ErrorIs(t, err2, watch.ErrLeaseLost)
			p, err := s.Pending(ctx, acme, 10)
			require.NoError(t, err)
			require.Len(t, p, 1)
			assert.Equal(t, first, p[0].ID)
		})
	}
}
