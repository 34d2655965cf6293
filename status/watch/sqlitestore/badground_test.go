package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

// Bad ground: each file a store can be opened on that is not a good one
// gives a clear error at Open, naming the file, and leaves it as it was.

var acme = watch.TrackerID{Provider: status.Bailun, Account: "acme"}

// saved opens a store at path, follows and saves one ref, and closes it.
func saved(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	now := time.Now()
	_, err = s.Follow(ctx, acme, now, "KEEP")
	require.NoError(t, err)
	c, err := s.Claim(ctx, acme, now, now.Add(time.Minute), 1)
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, acme, []watch.Result{{Ref: "KEEP", Gen: c[0].Gen, Seen: true,
		Snapshots: []status.Snapshot{{Provider: status.Bailun, Ref: "KEEP", Stage: status.Shipped}}, Due: now.Add(time.Hour)}}))
	require.NoError(t, s.Close())
}

// kept checks the ref saved by saved is still there, as it was.
func kept(t *testing.T, path string) {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	defer s.Close()
	f, ok, err := s.Get(context.Background(), acme, "KEEP")
	require.NoError(t, err)
	require.True(t, ok, "the ref saved before is lost")
	assert.Equal(t, status.Shipped, f.Snapshots[0].Stage)
}

func TestOpenNotSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	body := strings.Repeat("not a database, a text file with my notes in it\n", 100)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	_, err := sqlitestore.Open(context.Background(), path, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sqlitestore: open "+path+": ")
	assert.Contains(t, err.Error(), "not a database")
	t.Log(err)
	b, _ := os.ReadFile(path)
	assert.Equal(t, body, string(b), "the file is left as it was")
}

func TestOpenOtherSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = sqlitestore.Open(context.Background(), path, nil)
	assert.ErrorIs(t, err, watch.ErrSchema, "another program's database is not taken over")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before[18:20], after[18:20], "the file's journal mode (header bytes 18-19) is left as it was: not WAL")
	assert.Equal(t, before, after, "nothing in the file was written")
	for _, side := range []string{"-wal", "-shm"} {
		_, err := os.Stat(path + side)
		assert.True(t, os.IsNotExist(err), "no %s file left beside it", side)
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	saved(t, path)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("PRAGMA user_version = 7")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = sqlitestore.Open(context.Background(), path, nil)
	assert.ErrorIs(t, err, watch.ErrSchema)
	assert.ErrorContains(t, err, fmt.Sprintf("schema version 7, newer than this code's %d", sqlitestore.SchemaVersion))
}

func TestOpenCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	saved(t, path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for i := 100; i < 4096 && i < len(b); i++ {
		b[i] = 0xA5 // page 1: the schema
	}
	require.NoError(t, os.WriteFile(path, b, 0o644))
	_, err = sqlitestore.Open(context.Background(), path, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sqlitestore: open "+path+": ")
	assert.Regexp(t, "malformed|not a database|corrupt", err.Error())
	t.Log(err)
}

// The pages of refs corrupt, the schema whole: Open may succeed, but a
// read that meets the page fails with an error, never a panic or a wrong
// answer.
func TestCorruptRefsPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	refs := make([]string, 2000)
	for i := range refs {
		refs[i] = fmt.Sprintf("REF-%05d-%s", i, strings.Repeat("x", 40))
	}
	_, err = s.Follow(ctx, acme, time.Now(), refs...)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(b), 8*4096)
	for page := 3; (page+1)*4096 <= len(b); page++ {
		for i := page*4096 + 8; i < page*4096+64; i++ {
			b[i] = 0xA5 // each page's header and cell pointers, past the schema's
		}
	}
	require.NoError(t, os.WriteFile(path, b, 0o644))
	s, err = sqlitestore.Open(ctx, path, nil)
	if err != nil {
		assert.Contains(t, err.Error(), path)
		return
	}
	defer s.Close()
	_, errClaim := s.Claim(ctx, acme, time.Now(), time.Now().Add(time.Minute), 5000)
	_, errStats := s.Stats(ctx, acme, time.Now())
	require.True(t, errClaim != nil || errStats != nil, "a corrupt page read without an error")
	for _, err := range []error{errClaim, errStats} {
		if err != nil {
			t.Log(err)
			assert.Contains(t, err.Error(), "sqlitestore: ")
			assert.Contains(t, err.Error(), "bailun/acme")
		}
	}
}

// A file another process holds the write lock of: Open waits the busy
// timeout, then fails saying it is locked; once free, it opens.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	saved(t, path)
	other, err := sql.Open("sqlite", path+"?_txlock=immediate")
	require.NoError(t, err)
	defer other.Close()
	tx, err := other.Begin()
	require.NoError(t, err)
	start := time.Now()
	_, err = sqlitestore.Open(context.Background(), path, &sqlitestore.Options{BusyTimeout: 200 * time.Millisecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sqlitestore: open "+path+": ")
	assert.Contains(t, err.Error(), "locked")
	t.Log(err)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "it waited the busy timeout")
	require.NoError(t, tx.Rollback())
	kept(t, path)
}

// A Watcher whose store is locked by another process fails its pass,
// says so, and goes on once the lock is gone, with nothing lost.
func TestWatcherThroughALock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path, &sqlitestore.Options{BusyTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()
	tr := &fixed{p: status.Bailun, stage: status.Shipped}
	var errs []error
	w := watch.New(watch.Options{Store: s, Schedule: watch.Every{}, OnError: func(err error) { errs = append(errs, err) }})
	id, err := w.Add(tr, "acme")
	require.NoError(t, err)
	require.NoError(t, w.Follow(ctx, id, "A"))

	other, err := sql.Open("sqlite", path+"?_txlock=immediate")
	require.NoError(t, err)
	defer other.Close()
	tx, err := other.Begin()
	require.NoError(t, err)
	var got []string
	err = w.Poll(ctx, id, func(c status.Change) { got = append(got, c.String()) })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "locked")
	require.Len(t, errs, 1)
	assert.Empty(t, got)
	require.NoError(t, tx.Rollback())
	require.NoError(t, w.Poll(ctx, id, func(c status.Change) { got = append(got, c.String()) }))
	assert.Equal(t, []string{"bailun/acme A following, shipped"}, got)
}

// fixed answers every ref at one stage.
type fixed struct {
	p     status.Provider
	stage status.Stage
}

func (f *fixed) Provider() status.Provider { return f.p }
func (f *fixed) Track(_ context.Context, refs ...string) ([]status.Snapshot, error) {
	out := make([]status.Snapshot, len(refs))
	for i, r := range refs {
		out[i] = status.Snapshot{Provider: f.p, Ref: r, OrderNo: r, Stage: f.stage}
	}
	return out, nil
}

// A file that cannot be written (made immutable, which binds root too)
// fails at Open, saying so.
func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	saved(t, path)
	if err := exec.Command("chattr", "+i", path).Run(); err != nil {
		t.Skipf("chattr +i is not available here (%v): the read-only case needs it, as root bypasses file modes", err)
	}
	defer exec.Command("chattr", "-i", path).Run()
	_, err := sqlitestore.Open(context.Background(), path, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sqlitestore: open "+path+": ")
	assert.Regexp(t, "readonly|read-only|permission|not permitted|unable to open", err.Error())
	t.Log(err)
	require.NoError(t, exec.Command("chattr", "-i", path).Run())
	kept(t, path)
}

// A full disk: saves fail with a clear error, and what was saved before
// is still there once there is room again.
func TestFullDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "small")
	require.NoError(t, os.Mkdir(dir, 0o755))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s): the full-disk case needs one", err, out)
	}
	defer exec.Command("umount", dir).Run()
	path := filepath.Join(dir, "orders.db")
	saved(t, path)
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	var fillErr error
	for i := 0; i < 1000 && fillErr == nil; i++ {
		refs := make([]string, 100)
		for j := range refs {
			refs[j] = fmt.Sprintf("FILL-%d-%d-%s", i, j, strings.Repeat("y", 200))
		}
		_, fillErr = s.Follow(ctx, acme, time.Now().Add(time.Hour), refs...)
	}
	require.Error(t, fillErr, "the disk never filled")
	assert.Contains(t, fillErr.Error(), "sqlitestore: follow bailun/acme: ")
	assert.Regexp(t, "full|no space", fillErr.Error())
	t.Log(fillErr)
	f, ok, err := s.Get(ctx, acme, "KEEP")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, status.Shipped, f.Snapshots[0].Stage, "nothing saved before is lost")
	s.Close()
}

func TestOpenBadPath(t *testing.T) {
	_, err := sqlitestore.Open(context.Background(), t.TempDir(), nil)
	assert.ErrorIs(t, err, status.ErrInvalidConfig)
	_, err = sqlitestore.Open(context.Background(), "orders.db?mode=ro", nil)
	assert.ErrorIs(t, err, status.ErrInvalidConfig)
	_, err = sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "orders.db"), nil)
	require.Error(t, err)
	assert.False(t, errors.Is(err, status.ErrInvalidConfig))
}

// A row whose snapshots this code cannot read does not stop the others:
// it is claimed as not seen (its next answer is a new baseline).
func TestUnreadableRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	saved(t, path)
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	_, err = s.Follow(ctx, acme, time.Now().Add(-time.Hour), "OTHER")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE refs SET snapshots = '{"not":"a list"', due = 0 WHERE ref = 'KEEP'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err = sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	defer s.Close()
	claims, err := s.Claim(ctx, acme, time.Now(), time.Now().Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, claims, 2)
	assert.Equal(t, "KEEP", claims[0].Ref)
	// Its snapshots are left to Decode, which finds them unreadable: the
	// claim is not seen, and its next answer is its baseline.
	assert.False(t, claims[0].Decode())
	assert.False(t, claims[0].Seen)
	assert.Nil(t, claims[0].Snapshots)
	assert.Equal(t, "OTHER", claims[1].Ref)
}

// A % in the file's name is a %, not an escape.
func TestOpenPercentPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a%41.db")
	saved(t, path)
	_, err := os.Stat(path)
	require.NoError(t, err, "the file is named as given")
	_, err = os.Stat(filepath.Join(dir, "aA.db"))
	assert.True(t, os.IsNotExist(err))
	kept(t, path)
}

// A file of schema version 1 (no outage state) is migrated at Open: what
// it kept stays, and an account's outage is kept from then on.
func TestOpenMigratesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE refs (tracker TEXT NOT NULL, ref TEXT NOT NULL, due INTEGER NOT NULL, gen INTEGER NOT NULL DEFAULT 0,
	stopping INTEGER NOT NULL DEFAULT 0, seen INTEGER NOT NULL DEFAULT 0, snapshots BLOB, state BLOB NOT NULL, PRIMARY KEY (tracker, ref)) WITHOUT ROWID;
CREATE INDEX refs_due ON refs (tracker, due);
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, tracker TEXT NOT NULL, id TEXT NOT NULL, change BLOB NOT NULL, UNIQUE (tracker, id));
CREATE TABLE leases (tracker TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL, gen INTEGER NOT NULL);
CREATE TABLE gens (n INTEGER NOT NULL);
INSERT INTO gens VALUES (0);
INSERT INTO leases VALUES ('bailun/acme', 'old', 0, 4);
INSERT INTO refs (tracker, ref, due, state, seen, snapshots) VALUES ('bailun/acme', 'KEEP', 0, '{}', 1, '[{"provider":"bailun","ref":"KEEP","stage":"shipped"}]');
PRAGMA user_version = 1;`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	kept(t, path)
	s, err := sqlitestore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	l, ok, err := s.Lease(ctx, acme, "new", time.Now(), time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, int64(5), l.Gen, "the lease row of version 1, taken over")
	require.NoError(t, s.SaveOutage(ctx, acme, l.Gen, watch.Outage{Failing: true, Count: 1}, nil))
	l, _, err = s.Lease(ctx, acme, "new", time.Now(), time.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, l.Outage.Failing)
	var v int
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.QueryRow("PRAGMA user_version").Scan(&v))
	assert.Equal(t, sqlitestore.SchemaVersion, v)
}
