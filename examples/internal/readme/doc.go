// Package readme holds the test that compiles the README's Go snippets, so
// that they never drift from the API.
package readme
