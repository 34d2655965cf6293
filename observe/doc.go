// Package observe carries the hooks through which ordertrack's clients
// report their calls and each HTTP attempt of a call, for tracing and
// metrics. The SDK imports no telemetry library: an adapter implements
// Observer (the otelordertrack module does, for OpenTelemetry), and each
// provider's Config takes it.
//
// A call is one exported method of a client (Track, QueryOrder,
// CreateConsignment, ...); its attempts are the HTTP requests it sends,
// retries, redirects and token requests included. The Watcher's batches
// and passes are reported through watch.Observer, under whose context
// the batch's calls run.
package observe
