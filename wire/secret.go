package wire

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a Secret prints as, everywhere.
const Redacted = "[redacted]"

// Secret is a credential: an API key, a secret, a token. The client sends
// its value; everything else shows Redacted instead: fmt with any verb
// (%v, %s, %q, %x, %#v, on the value, a pointer to it, or a struct holding
// it), slog (LogValue), and encoding/json. A Secret is set like a string
// (Secret("k") or a string constant) and read back with string(s).
type Secret string

// String returns Redacted, or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString returns the quoted String, for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Format prints String for every verb, GoString for %#v.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') || verb == 'q' {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.String())
}

// LogValue returns String, for slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes String as a JSON string: a Config encoded to JSON
// never holds the secret. Decoding a Secret from JSON reads its value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalText returns String, for encoders that use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
