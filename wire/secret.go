package wire

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Redacted is what a Secret prints as, everywhere.
const Redacted = "[redacted]"

// Secret is a credential: an API key, a secret, a token. The client sends
// its value; everything else shows Redacted instead: fmt with any verb
// (%v, %s, %q, %x, %#v, %p, on the value, a pointer to it, or a struct,
// map or slice holding it, through exported or unexported fields), slog
// (LogValue), and encoding/json.
//
// The value sits behind a pointer, so that printing by reflection (which
// is what fmt does with a field it may not call methods on, an unexported
// one) shows an address at most, never the text. Make one with NewSecret
// or SecretFromEnv, read it with Value. The zero Secret is empty.
type Secret struct{ v *string }

// NewSecret returns s as a Secret; "" gives the empty Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{&s}
}

// SecretFromEnv returns the value of the environment variable name as a
// Secret; empty when it is not set.
func SecretFromEnv(name string) Secret { return NewSecret(os.Getenv(name)) }

// Value returns the secret's text, for sending it.
func (s Secret) Value() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.Value() == "" }

// String returns Redacted, or "" for an empty secret.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString returns the quoted String, for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Format prints String for every verb, GoString for %#v and %q.
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
// never holds the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// UnmarshalJSON reads a JSON string (or null, for empty) as the secret's
// value, as a Config is read from a file of settings.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v *string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("wire: a secret is a JSON string")
	}
	if v == nil {
		*s = Secret{}
		return nil
	}
	*s = NewSecret(*v)
	return nil
}

// MarshalText returns String, for encoders that use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads text as the secret's value.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = NewSecret(string(b))
	return nil
}
