// Command service is a reference service over ordertrack, to copy: it
// follows orders of the four providers for as long as they are open, and
// writes each change into its own table of notifications, exactly once,
// for a mailer to read. Everything it needs is in the SDK; what is left
// here is the wiring.
//
//	go run . -db service.db                          # SQLite, one process
//	go run . -postgres postgres://u@db/orders        # Postgres, as many replicas as you like
//
// The clients are built from the environment, by each provider's
// ConfigFromEnv (BAILUN_BASE_URL, BAILUN_APP_ID, BAILUN_APP_KEY, ...); a
// provider whose BASE_URL is unset is left out. The standalone fakes
// write such a file (go run ./examples/fakes -env fakes.env; then
// set -a; . ./fakes.env; set +a).
//
// Its HTTP API:
//
//	PUT    /orders/{provider}/{ref}   follow an order (again: nothing changes)
//	DELETE /orders/{provider}/{ref}   stop following it
//	GET    /orders/{provider}/{ref}   what is known of it: its snapshots, when it is next polled
//	GET    /notifications?after=N     the notifications written, oldest first, after seq N
//	GET    /health                    each account, from the Store: who drives it, outage, backlog
//	GET    /metrics                   Prometheus: requests, polls, changes, lag, leases (OpenTelemetry)
//	POST   /hooks/reseller            the reseller platform's logistics notifications
//
// The Watcher runs with no deliver: its changes wait in the Store's
// outbox, and Consume hands each to the consumer in a transaction of the
// same database, which writes the notification and takes the change out
// of the outbox together. A process killed at any point leaves each
// change written once: the notifications table's change_id is UNIQUE, so
// a change written twice would fail its transaction (and stop the
// consumer, loudly, rather than send a second mail).
//
// GET /notifications pages by seq, which is given at insert: on Postgres,
// with several replicas writing at once, a row may commit after a later
// seq was read. It is for reading; a mailer takes its rows with
// SELECT ... FOR UPDATE SKIP LOCKED and marks them sent.
//
// It stops on SIGINT or SIGTERM: the HTTP server first, then the
// Watcher, which gives up its accounts so that a replica takes them over
// at once.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	_ "modernc.org/sqlite"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/observe"
	"github.com/ordertrack/ordertrack/otelordertrack"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
	"github.com/ordertrack/ordertrack/status/watch/sqlitestore"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "where the HTTP API listens")
	file := fs.String("db", "service.db", "the SQLite file (without -postgres)")
	pgURL := fs.String("postgres", "", "a Postgres URL: the Store and the notifications there, shared by replicas")
	account := fs.String("account", "default", "the name of the account each provider's client speaks for")
	every := fs.Duration("every", 0, "poll each open order this often (0: watch.DefaultSchedule)")
	claimFor := fs.Duration("claim-for", 0, "how long a lease lasts: a dead replica's accounts are taken over this much later (0: watch.DefaultClaimFor)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, stop, log, config{addr: *addr, file: *file, pgURL: *pgURL, account: *account, every: *every, claimFor: *claimFor}); err != nil {
		log.Error("service", "error", err)
		return 1
	}
	return 0
}

type config struct {
	addr, file, pgURL, account string
	every, claimFor            time.Duration
}

func serve(ctx context.Context, stop func(), log *slog.Logger, cfg config) error {
	// The Store, and the notifications table beside it.
	st, db, dialect, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if c, ok := st.(interface{ Close() error }); ok {
		defer c.Close()
	}
	if _, err := db.ExecContext(ctx, dialect.schema); err != nil {
		return fmt.Errorf("the notifications table: %w", err)
	}

	// Metrics: OpenTelemetry, exported to Prometheus.
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return err
	}
	obs, err := otelordertrack.New(otelordertrack.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))))
	if err != nil {
		return err
	}

	opts := watch.Options{Store: st, Observer: obs, Logger: log, ClaimFor: cfg.claimFor, Tick: time.Second}
	if cfg.every > 0 {
		opts.Schedule = watch.Every{Interval: cfg.every}
	}
	w := watch.New(opts)
	reg, err := obs.ObserveWatcher(w)
	if err != nil {
		return err
	}
	defer reg.Unregister()
	ids, hook, err := clients(w, obs, log, cfg.account)
	if err != nil {
		return err
	}

	// The Watcher polls; Consume writes its changes.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := w.Run(work, nil); err != nil && work.Err() == nil {
			log.Error("watch: run", "error", err)
		}
	})
	wg.Go(func() {
		err := w.Consume(work, 100, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
			body, err := json.Marshal(c)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, dialect.insert, c.ID, c.Account, string(c.Provider), c.Ref, c.Kind.String(), c.String(), string(body))
			return err
		})
		if err != nil && work.Err() == nil {
			log.Error("watch: consume", "error", err)
		}
	})

	mux := http.NewServeMux()
	api{w: w, db: db, dialect: dialect, ids: ids, log: log}.routes(mux)
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	if hook != nil {
		mux.Handle("POST /hooks/reseller", hook)
	}
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		stopWork()
		wg.Wait()
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	log.Info("service: listening", "addr", l.Addr().String(), "owner", w.Owner(), "store", dialect.name)

	<-ctx.Done()
	stop() // a second signal kills at once
	log.Info("service: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	stopWork()
	wg.Wait() // Run gives its leases up as it returns
	return w.Close(sctx)
}

// dialect is what differs between the two databases.
type dialect struct{ name, schema, insert, list string }

var (
	sqlite = dialect{name: "sqlite",
		schema: `CREATE TABLE IF NOT EXISTS notifications (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	change_id TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL, provider TEXT NOT NULL, ref TEXT NOT NULL, kind TEXT NOT NULL,
	line      TEXT NOT NULL,
	change    TEXT NOT NULL
)`,
		insert: `INSERT INTO notifications (change_id, account, provider, ref, kind, line, change) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		list:   `SELECT seq, change FROM notifications WHERE seq > ? ORDER BY seq LIMIT 1000`,
	}
	postgres = dialect{name: "postgres",
		schema: `CREATE TABLE IF NOT EXISTS notifications (
	seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	change_id text NOT NULL UNIQUE,
	account   text NOT NULL, provider text NOT NULL, ref text NOT NULL, kind text NOT NULL,
	line      text NOT NULL,
	change    json NOT NULL -- as written (jsonb would reorder its keys)
)`,
		insert: `INSERT INTO notifications (change_id, account, provider, ref, kind, line, change) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		list:   `SELECT seq, change FROM notifications WHERE seq > $1 ORDER BY seq LIMIT 1000`,
	}
)

// open opens the Store, and the database the notifications go to: the
// same, so that Consume's transaction writes them.
func open(ctx context.Context, cfg config) (watch.Store, *sql.DB, dialect, error) {
	if cfg.pgURL != "" {
		db, err := sql.Open("pgx", cfg.pgURL)
		if err != nil {
			return nil, nil, dialect{}, err
		}
		st, err := pgstore.Open(ctx, db, nil)
		if err != nil {
			db.Close()
			return nil, nil, dialect{}, err
		}
		return st, db, postgres, nil
	}
	st, err := sqlitestore.Open(ctx, cfg.file, nil)
	if err != nil {
		return nil, nil, dialect{}, err
	}
	// The same file as the Store's: a % in its name is written %25 in the
	// URI, as sqlitestore writes it.
	db, err := sql.Open("sqlite", "file:"+strings.ReplaceAll(cfg.file, "%", "%25")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		st.Close()
		return nil, nil, dialect{}, err
	}
	return st, db, sqlite, nil
}

// clients adds a client for each provider whose environment is set, and
// returns the reseller's notification hook when it is one of them.
func clients(w *watch.Watcher, obs observe.Observer, log *slog.Logger, account string) (map[status.Provider]watch.TrackerID, http.Handler, error) {
	ids := map[status.Provider]watch.TrackerID{}
	add := func(t status.Tracker, err error) error {
		if err != nil {
			return err
		}
		id, err := w.Add(t, account)
		ids[t.Provider()] = id
		return err
	}
	var hook http.Handler
	if cfg, err := bailun.ConfigFromEnv(""); err != nil || cfg.BaseURL != "" {
		cfg.Observer, cfg.Logger = obs, log
		if err := add(orErr(cfg, err, bailun.New)); err != nil {
			return nil, nil, err
		}
	}
	if cfg, err := reseller.ConfigFromEnv(""); err != nil || cfg.BaseURL != "" {
		cfg.Observer, cfg.Logger = obs, log
		if err := add(orErr(cfg, err, reseller.New)); err != nil {
			return nil, nil, err
		}
		id := ids[status.Reseller]
		hook = &reseller.NoticeHandler{
			Verifier: reseller.NoticeVerifier{Secret: cfg.Secret},
			OnNotice: func(r *http.Request, n *reseller.Notice) error {
				err := w.Push(r.Context(), id, n.Snapshot())
				if errors.Is(err, watch.ErrNotFollowed) {
					return nil // an order this service does not follow: taken, and dropped
				}
				return err
			},
		}
	}
	if cfg, err := birdsystem.ConfigFromEnv(""); err != nil || cfg.BaseURL != "" {
		cfg.Observer, cfg.Logger = obs, log
		if err := add(orErr(cfg, err, birdsystem.New)); err != nil {
			return nil, nil, err
		}
	}
	if cfg, err := flowery.ConfigFromEnv(""); err != nil || cfg.BaseURL != "" {
		cfg.Observer, cfg.Logger = obs, log
		if err := add(orErr(cfg, err, flowery.New)); err != nil {
			return nil, nil, err
		}
	}
	if len(ids) == 0 {
		return nil, nil, errors.New("no provider's environment is set (BAILUN_BASE_URL, RESELLER_BASE_URL, BIRDSYSTEM_BASE_URL, FLOWERY_BASE_URL)")
	}
	return ids, hook, nil
}

// orErr builds a client from cfg, unless reading cfg failed.
func orErr[C any, T status.Tracker](cfg C, err error, build func(C) (T, error)) (status.Tracker, error) {
	if err != nil {
		return nil, err
	}
	return build(cfg)
}

// api serves the HTTP API.
type api struct {
	w       *watch.Watcher
	db      *sql.DB
	dialect dialect
	ids     map[status.Provider]watch.TrackerID
	log     *slog.Logger
}

func (a api) routes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /orders/{provider}/{ref}", a.order(func(w http.ResponseWriter, r *http.Request, id watch.TrackerID, ref string) {
		if err := a.w.Follow(r.Context(), id, ref); err != nil {
			a.fail(w, err)
			return
		}
		reply(w, http.StatusOK, map[string]string{"following": ref})
	}))
	mux.HandleFunc("DELETE /orders/{provider}/{ref}", a.order(func(w http.ResponseWriter, r *http.Request, id watch.TrackerID, ref string) {
		if err := a.w.Unfollow(r.Context(), id, ref); err != nil {
			a.fail(w, err)
			return
		}
		reply(w, http.StatusOK, map[string]string{"unfollowing": ref})
	}))
	mux.HandleFunc("GET /orders/{provider}/{ref}", a.order(func(w http.ResponseWriter, r *http.Request, id watch.TrackerID, ref string) {
		f, ok, err := a.w.Get(r.Context(), id, ref)
		switch {
		case err != nil:
			a.fail(w, err)
		case !ok:
			reply(w, http.StatusNotFound, map[string]string{"error": "not followed"})
		default:
			reply(w, http.StatusOK, f)
		}
	}))
	mux.HandleFunc("GET /notifications", func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		rows, err := a.db.QueryContext(r.Context(), a.dialect.list, after)
		if err != nil {
			a.fail(w, err)
			return
		}
		defer rows.Close()
		type note struct {
			Seq    int64           `json:"seq"`
			Change json.RawMessage `json:"change"`
		}
		out := []note{}
		for rows.Next() {
			var n note
			var body string
			if err := rows.Scan(&n.Seq, &body); err != nil {
				a.fail(w, err)
				return
			}
			n.Change = json.RawMessage(body)
			out = append(out, n)
		}
		if err := rows.Err(); err != nil {
			a.fail(w, err)
			return
		}
		reply(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		h, err := a.w.Health(r.Context())
		code := http.StatusOK
		if err != nil {
			code = http.StatusServiceUnavailable // the Store did not answer
		}
		reply(w, code, map[string]any{"replica": a.w.Owner(), "accounts": h})
	})
}

// order serves a request naming a provider and a ref.
func (a api) order(h func(http.ResponseWriter, *http.Request, watch.TrackerID, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := status.ParseProvider(r.PathValue("provider"))
		id, ok := a.ids[p]
		if err != nil || !ok {
			reply(w, http.StatusNotFound, map[string]string{"error": "no such provider here: " + r.PathValue("provider")})
			return
		}
		h(w, r, id, r.PathValue("ref"))
	}
}

func (a api) fail(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	if errors.Is(err, status.ErrInvalidRequest) {
		code = http.StatusBadRequest
	}
	a.log.Error("service: request", "error", err)
	reply(w, code, map[string]string{"error": err.Error()})
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
