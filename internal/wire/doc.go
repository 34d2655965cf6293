// Package wire holds the tolerant JSON scalars the providers need: integers
// that arrive as numbers or strings, decimals kept exactly as written, and
// times that keep their raw text beside the parsed value. Each remembers how
// it was written, so decoding then encoding gives the provider's bytes back.
//
// The provider packages re-export these types under their own names
// (bailun.Time, birdsystem.Int64, ...), so users can name them.
package wire
