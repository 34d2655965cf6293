// Package transport is ordertrack's one HTTP core. Every provider client
// sends its requests through a [Client]: it builds the go-retryablehttp
// client from the common Config fields, retries what is safe to retry with
// jittered backoff that honours Retry-After, reads bodies through a size cap,
// maps HTTP statuses to the status package's sentinel errors on a
// *status.APIError, and keeps secrets out of logs and errors.
//
// A provider package holds only what is particular to it: its paths, its
// envelope (codes inside a 200 answer, decoded with [Client.DecodeJSON] and
// reported with [Client.Error]) and its auth.
package transport
