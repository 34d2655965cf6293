package pgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/internal/pgtest"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
)

var acme = watch.TrackerID{Provider: status.Bailun, Account: "acme"}

// Postgres unreachable at start: Open fails within its context, saying so.
func TestOpenUnreachable(t *testing.T) {
	pgtest.Get(t)
	db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err = pgstore.Open(ctx, db, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pgstore: open: ")
	assert.Regexp(t, "connect|refused", err.Error())
	assert.Less(t, time.Since(start), 5*time.Second)
	t.Log(err)
}

func TestOpenNewerSchema(t *testing.T) {
	db, _ := pgtest.Open(t)
	_, err := pgstore.Open(context.Background(), db, nil)
	require.NoError(t, err)
	_, err = db.Exec("UPDATE ordertrack_schema SET version = 9")
	require.NoError(t, err)
	_, err = pgstore.Open(context.Background(), db, nil)
	assert.ErrorIs(t, err, watch.ErrSchema)
	assert.ErrorContains(t, err, "schema version 9, newer than this code's 2")
}

// Machines opening one new database at once: one migrates, the others
// wait for it, and all of them work.
func TestMigrationByManyAtOnce(t *testing.T) {
	_, schema := pgtest.Open(t)
	c := pgtest.Get(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			db, err := sql.Open("pgx", c.SchemaURL(schema))
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			s, err := pgstore.Open(context.Background(), db, nil)
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = s.Follow(context.Background(), acme, time.Now(), fmt.Sprintf("R%d", i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "machine %d", i)
	}
	db, err := sql.Open("pgx", c.SchemaURL(schema))
	require.NoError(t, err)
	defer db.Close()
	var n, version int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM ordertrack_refs").Scan(&n))
	require.NoError(t, db.QueryRow("SELECT version FROM ordertrack_schema").Scan(&version))
	assert.Equal(t, 8, n)
	assert.Equal(t, pgstore.SchemaVersion, version)
}

// A pool with no connection free: a claim waits with its context, and
// fails with the context's error, naming the tracker.
func TestPoolExhausted(t *testing.T) {
	db, _ := pgtest.Open(t)
	s, err := pgstore.Open(context.Background(), db, nil)
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = s.Claim(ctx, acme, time.Now(), time.Now().Add(time.Minute), 10)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "pgstore: claim bailun/acme: ")
	conn.Close()
	_, err = s.Claim(context.Background(), acme, time.Now(), time.Now().Add(time.Minute), 10)
	assert.NoError(t, err, "once a connection is free")
}

// Connections dropped under a store (pg_terminate_backend): the call that
// meets it fails, the pool opens new ones, nothing saved is lost.
func TestConnectionsDropped(t *testing.T) {
	db, _ := pgtest.Open(t)
	s, err := pgstore.Open(context.Background(), db, nil)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = s.Follow(ctx, acme, time.Now(), "A", "B")
	require.NoError(t, err)
	admin, err := sql.Open("pgx", pgtest.Get(t).URL)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend' AND application_name <> 'keep'")
	require.NoError(t, err)
	var errs int
	for range 3 {
		if _, err := s.Stats(ctx, acme, time.Now()); err != nil {
			errs++
		}
	}
	assert.LessOrEqual(t, errs, 1, "the pool replaces a dropped connection")
	st, err := s.Stats(ctx, acme, time.Now())
	require.NoError(t, err)
	assert.Equal(t, 2, st.Followed)
}

// The claim is an index range scan of (tracker, due, ref), whatever the
// rows followed: its plan, at 200,000 rows over 20 trackers (or
// ORDERTRACK_PLAN_ROWS: 10000000 for the README's).
func TestClaimUsesTheIndex(t *testing.T) {
	db, _ := pgtest.Open(t)
	_, err := pgstore.Open(context.Background(), db, nil)
	require.NoError(t, err)
	rows := 200000
	if n, err := strconv.Atoi(os.Getenv("ORDERTRACK_PLAN_ROWS")); err == nil && n > 0 {
		rows = n
	}
	_, err = db.Exec(`INSERT INTO ordertrack_refs (tracker, ref, due, state)
		SELECT 'bailun/a' || (i % 20), 'R' || i, (random() * 1e15)::bigint, '{}' FROM generate_series(1, $1) AS i`, rows)
	require.NoError(t, err)
	_, err = db.Exec("ANALYZE ordertrack_refs")
	require.NoError(t, err)
	plans, err := db.Query(`EXPLAIN (ANALYZE, BUFFERS) SELECT ref, due FROM ordertrack_refs WHERE tracker = 'bailun/a3' AND due <= 500000000000000
		ORDER BY due, ref LIMIT 100 FOR UPDATE SKIP LOCKED`)
	require.NoError(t, err)
	defer plans.Close()
	var plan []string
	for plans.Next() {
		var line string
		require.NoError(t, plans.Scan(&line))
		plan = append(plan, line)
	}
	t.Logf("%d rows:\n%s", rows, joinLines(plan))
	assert.Contains(t, joinLines(plan), "Index Scan using ordertrack_refs_due")
	assert.NotContains(t, joinLines(plan), "Seq Scan")
}

func joinLines(s []string) string {
	out := ""
	for _, l := range s {
		out += l + "\n"
	}
	return out
}

// A role with no right but to read and write the tables (no CREATE) opens
// a store its schema is current in, and works.
func TestOpenWithDataRightsOnly(t *testing.T) {
	db, schema := pgtest.Open(t)
	_, err := pgstore.Open(context.Background(), db, nil)
	require.NoError(t, err)
	role := "app_" + schema
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role,
		"GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role,
	} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP OWNED BY " + role)
		_, _ = db.Exec("DROP ROLE " + role)
	})
	u, err := url.Parse(pgtest.Get(t).SchemaURL(schema))
	require.NoError(t, err)
	u.User = url.User(role)
	app, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	defer app.Close()
	s, err := pgstore.Open(context.Background(), app, nil)
	require.NoError(t, err)
	_, err = s.Follow(context.Background(), acme, time.Now(), "A")
	require.NoError(t, err)
	c, err := s.Claim(context.Background(), acme, time.Now(), time.Now().Add(time.Minute), 1)
	require.NoError(t, err)
	assert.Len(t, c, 1)
}

// A database of schema version 1 (no outage state) is migrated at Open:
// what it kept stays, and an account's outage is kept from then on.
func TestOpenMigratesVersion1(t *testing.T) {
	db, _ := pgtest.Open(t)
	ctx := context.Background()
	s, err := pgstore.Open(ctx, db, nil)
	require.NoError(t, err)
	_, err = s.Follow(ctx, acme, time.Now(), "KEEP")
	require.NoError(t, err)
	// Back to version 1, as a store of the code before left it.
	_, err = db.Exec("ALTER TABLE ordertrack_leases DROP COLUMN outage; UPDATE ordertrack_schema SET version = 1; INSERT INTO ordertrack_leases VALUES ('bailun/acme', 'old', 0, 4)")
	require.NoError(t, err)

	s, err = pgstore.Open(ctx, db, nil)
	require.NoError(t, err)
	_, ok, err := s.Get(ctx, acme, "KEEP")
	require.NoError(t, err)
	assert.True(t, ok)
	l, ok, err := s.Lease(ctx, acme, "new", time.Now(), time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, int64(5), l.Gen)
	require.NoError(t, s.SaveOutage(ctx, acme, l.Gen, watch.Outage{Failing: true, Count: 1}, nil))
	l, _, err = s.Lease(ctx, acme, "new", time.Now(), time.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, l.Outage.Failing)
	var v int
	require.NoError(t, db.QueryRow("SELECT version FROM ordertrack_schema").Scan(&v))
	assert.Equal(t, pgstore.SchemaVersion, v)
}

// Tracker leases are on the database's clock, not the caller's: a machine
// whose clock runs 30 s behind asks for a lease of 10 s, and a machine
// whose clock is right, asking next, is refused (by the callers' clocks
// the first lease ended 20 s ago). It holds once the lease ends, by the
// database's clock.
func TestLeaseOnTheDatabasesClock(t *testing.T) {
	db, _ := pgtest.Open(t)
	ctx := context.Background()
	s, err := pgstore.Open(ctx, db, nil)
	require.NoError(t, err)
	behind := time.Now().Add(-30 * time.Second)
	_, ok, err := s.Lease(ctx, acme, "behind", behind, behind.Add(10*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	now := time.Now()
	l, ok, err := s.Lease(ctx, acme, "right", now, now.Add(10*time.Second))
	require.NoError(t, err)
	assert.False(t, ok, "two machines hold the account: %+v", l)
	assert.Equal(t, "behind", l.Owner)
	assert.WithinDuration(t, time.Now().Add(10*time.Second), l.Until, 5*time.Second, "the lease ends 10 s from the database's now")

	// A machine 30 s ahead does not take a lease that has not ended.
	ahead := time.Now().Add(30 * time.Second)
	_, ok, err = s.Lease(ctx, acme, "ahead", ahead, ahead.Add(10*time.Second))
	require.NoError(t, err)
	assert.False(t, ok, "a clock ahead took a live lease")
}
