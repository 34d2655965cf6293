// Package otelordertrack reports ordertrack's work to OpenTelemetry:
// traces and metrics of each client call and HTTP attempt, and of a
// Watcher's batches, passes and accounts. It is a module of its own, so
// that the SDK itself depends on no telemetry library.
//
// One Observer serves every client and Watcher of a process. Give it to
// each provider's Config (Config.Observer) and to watch.Options.Observer,
// and register each Watcher with ObserveWatcher for the gauges read from
// its Store:
//
//	obs, err := otelordertrack.New() // the global providers
//	c, err := flowery.New(flowery.Config{..., Observer: obs})
//	w := watch.New(watch.Options{Store: store, Observer: obs})
//	reg, err := obs.ObserveWatcher(w)
//	defer reg.Unregister()
//
// # Traces
//
// Each call is a span named after its provider and method
// ("flowery.Track"); a call made inside another (bailun's Track asks
// QueryOrderStatus for each ref) is a span under it, and is measured too,
// so sum ordertrack.client.call.duration by ordertrack.call. Each has a
// client span per HTTP request under it named
// "{method} {url.template}", carrying the HTTP client semantic
// conventions (http.request.method, url.template, server.address,
// server.port, http.response.status_code, http.request.resend_count,
// error.type) and ordertrack.provider and ordertrack.account. Each
// Watcher batch is a span ("ordertrack.watch.batch") over the calls it
// makes. No header is added to a provider's requests: trace context is
// not propagated to third parties.
//
// # Metrics
//
// Every instrument carries ordertrack.provider and ordertrack.account
// (the account a Watcher's tracker was added with; "" for a call made
// outside a Watcher unless observe.WithAccount named one):
//
//   - http.client.request.duration (s): each HTTP request, with the
//     attributes of its span;
//   - ordertrack.client.call.duration (s): each call, with
//     ordertrack.call (its method) and error.type when it failed;
//   - ordertrack.watch.polls ({ref}): refs asked, with
//     ordertrack.outcome "answered" or "failed";
//   - ordertrack.watch.changes ({change}): changes saved, with
//     ordertrack.change.kind ("stage_changed", "now_failing", ...);
//   - ordertrack.watch.pass.duration (s): each pass over a tracker's due
//     refs, with error.type when it stopped early;
//
// and, read from the Store through Watcher.Health at each collection, for
// every tracker of each Watcher registered, whichever process drives it:
//
//   - ordertrack.watch.refs.followed, ordertrack.watch.refs.due ({ref});
//   - ordertrack.watch.lag (s): how long the ref due longest has been due;
//   - ordertrack.watch.outbox.pending ({change});
//   - ordertrack.watch.failing: 1 while the account is in an outage;
//   - ordertrack.watch.lease.held: 1 while this Watcher drives it;
//   - ordertrack.watch.lease.refused, ordertrack.watch.lease.lost,
//     ordertrack.watch.claims.lost: counts since the Watcher was made.
package otelordertrack
