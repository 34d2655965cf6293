// Package watchsim tests package watch by deterministic simulation: one
// seed makes one world, run the same way every time.
//
// A world has a virtual clock that only the simulator advances; several
// Watcher processes on one Store, each with its own owner, started,
// crashed between any two Store calls (and between a delivery and its
// acknowledgement), stalled past their leases, resumed and restarted; a
// simulated provider for each of the four providers' shapes, whose orders
// move through their stages (reseller orders of several sub-orders, one
// of them missing from an answer now and then; BirdSystem and Flowery
// batches, Flowery's not-found refs; Bailun's problems), with answers that
// lag behind the truth, outages of a whole account and of single refs, and
// slow batches; reseller pushes delivered late, twice and out of order;
// users who follow, unfollow and follow again; processes that Close their
// Watcher and poll again; and consumers that are slow or panic (a change
// not taken comes again).
//
// The processes run as goroutines, but one at a time: each stops at every
// Store call, request, sleep and delivery (a yield point) and the world's
// scheduler, drawing from the seed, picks what happens next. Nothing in a
// run depends on the machine's speed or on the Go scheduler.
//
// Every run checks, from the truth the simulated providers keep:
//
//  1. every fact (the stage an order ends in, a tracking number, an event,
//     a failure and its recovery) reaches the consumer while the ref is
//     followed;
//  2. no fact is delivered under two change IDs, and no ID more often than
//     the one change in flight when a process died;
//  3. no change says what never happened, or moves an order back (a stage
//     or a tracking number an order had before, an event again);
//  4. a request for an account is sent only by the process holding its
//     lease, as the Store granted it, before the lease ends: no two
//     processes send requests for one account at once;
//  5. nothing is delivered for a ref after its Unfollowed, or after
//     Unfollow returned but that Unfollowed; an account's outage is said
//     once, and its recovery once, never one without the other;
//  6. no call hangs, and every run ends within its steps.
//
// Run runs one seed; package watchsim's test runs many, and prints the
// command that replays a failing one.
package watchsim
