package transport

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readBody reads an answer whole under the cap, whatever it declared.
func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		name       string
		body       string
		size       int64
		limit      int64
		want       string
		tooBig     bool
		unexpected bool
	}{
		{name: "declared", body: `{"a":1}`, size: 7, limit: 100, want: `{"a":1}`},
		{name: "empty", body: ``, size: 0, limit: 100, want: ``},
		{name: "undeclared", body: `{"a":1}`, size: -1, limit: 100, want: `{"a":1}`},
		{name: "at the cap", body: `0123456789`, size: 10, limit: 10, want: `0123456789`},
		{name: "longer than declared", body: `{"a":12345}`, size: 7, limit: 100, want: `{"a":12345}`},
		{name: "empty declared, then more", body: `{}`, size: 0, limit: 100, want: `{}`},
		{name: "longer than declared, past the cap", body: `0123456789A`, size: 7, limit: 10, tooBig: true},
		{name: "declared one past the cap", body: `0123456789A`, size: 10, limit: 10, tooBig: true},
		{name: "declared past the cap", body: `0123456789A`, size: 11, limit: 10, tooBig: true},
		{name: "undeclared past the cap", body: `0123456789A`, size: -1, limit: 10, tooBig: true},
		{name: "shorter than declared", body: `{"a"`, size: 7, limit: 100, unexpected: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte a read, as a slow connection gives them.
			got, err := readBody(iotest.OneByteReader(strings.NewReader(tc.body)), tc.size, tc.limit)
			var tooBig *bodyTooLargeError
			switch {
			case tc.tooBig:
				if !errors.As(err, &tooBig) || tooBig.limit != tc.limit {
					t.Fatalf("got %q, %v; want the %d-byte cap's error", got, err, tc.limit)
				}
			case tc.unexpected:
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("got %q, %v; want io.ErrUnexpectedEOF", got, err)
				}
			case err != nil || string(got) != tc.want:
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// A read error after the declared bytes is an error, not a whole answer.
func TestReadBodyErrorAfterDeclaredBytes(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(`{}`), iotest.ErrReader(boom))
	if _, err := readBody(r, 2, 100); !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
}
