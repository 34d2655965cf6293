package pgstore_test

import (
	"context"
	"database/sql"
	"log"
	"os"

	"github.com/ordertrack/ordertrack/status"
	"github.com/ordertrack/ordertrack/status/watch"
	"github.com/ordertrack/ordertrack/status/watch/pgstore"
)

// Every machine runs the same Watcher on one Postgres, polling only;
// consumers take each change in their own transaction, once.
func ExampleStore_Consume() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	st, err := pgstore.Open(ctx, db, nil)
	if err != nil {
		log.Fatal(err)
	}
	w := watch.New(watch.Options{Store: st})
	// w.Add(client, "account") for each provider account, on every machine.
	go func() { _ = w.Run(ctx, nil) }() // polls; changes go to the outbox

	for {
		n, err := st.Consume(ctx, 100, func(ctx context.Context, tx *sql.Tx, c status.Change) error {
			// The consumer's own work, in the transaction that takes c.
			_, err := tx.ExecContext(ctx, "INSERT INTO order_events (change_id, body) VALUES ($1, $2)", c.ID, c.String())
			return err
		})
		if err != nil {
			log.Print(err)
		}
		if n == 0 {
			return // (a service would wait, and go on)
		}
	}
}
