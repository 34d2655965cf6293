// Package watch follows orders over time, reliably: a Watcher polls each
// provider account for the orders due, diffs each answer against the last,
// and delivers what changed as status.Change values, at least once, with
// IDs that stay the same across re-deliveries and restarts.
//
// Everything it follows lives in a Store: the follow set, each ref's next
// due time (set by a Schedule from its stage and how long it has been
// quiet), what is known of it (its baseline: every sub-order as it last
// stood, with every event ever seen), and an outbox of the changes not yet
// acknowledged. NewMemoryStore keeps them in memory; package sqlitestore
// keeps them in a file, so that a service restarted, or killed, goes on
// where it stopped:
//
//	st, err := sqlitestore.Open(ctx, "orders.db", nil)
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	w := watch.New(watch.Options{Store: st})
//	id, err := w.Add(bailunClient, "acme") // provider account "acme"
//	if err != nil {
//		return err
//	}
//	if err := w.Follow(ctx, id, "CP-1001", "CP-1002"); err != nil {
//		return err
//	}
//	return w.Run(ctx, func(ctx context.Context, c status.Change) error {
//		log.Println(c) // bailun/acme CP-1002 ready_to_ship -> shipped
//		return nil // taken; an error leaves it in the outbox, tried again
//	})
//
// A ref's first answer is its baseline, one Following change, never a
// stage change from unknown. A failing ref is reported NowFailing once and
// Recovered when it answers again; an account none of whose refs answer
// is reported once, as a whole. A ref stops being followed when Unfollow
// asks, when it has lingered in a final stage, or when it has been quiet
// too long, each with an Unfollowed change saying why. Health tells how
// each account fares: last success, failing since, refs due.
//
// The Store contract is made for several processes sharing one store:
// claims of due refs carry a lease that expires and a generation that
// fences a late save, and each account is driven by one process at a time
// (a tracker lease), so that its rate limiter is the account's real pace.
// Package watchtest is the contract's conformance suite.
package watch
