package reseller

import (
	"time"

	"github.com/ordertrack/ordertrack/wire"
)

// The value types of the records, as package wire documents them once.
// The rule: a field the provider always sends is a plain Go type; one that
// may be null or absent is one of these, with Valid false then; an optional
// code or object is a pointer; and a value that does not fit its field is
// kept verbatim in the record's Unfit, the field left zero.
type (
	// Int64 is an integer sent as a number or a numeric string, exact
	// beyond 2^53: read x.Int64; x.Valid is false for null, absent or "".
	// %v prints it; %#v shows it as sent (7, "7", null).
	Int64 = wire.Int64
	// Time is a time as sent ("2024-04-03 18:40:12"): x.Raw is the text
	// exactly as sent, x.Time the instant it names, read in China time
	// (Asia/Shanghai), as the platform's traces are. x.Time is zero when the
	// text is in no known layout; x.Valid is false for null.
	Time = wire.Time[wire.Shanghai]
	// Secret is a credential in a Config: the client sends its value, and
	// fmt (through any field, exported or not), slog and encoding/json show
	// "[redacted]" instead. Make one with NewSecret or SecretFromEnv.
	Secret = wire.Secret
	// Unfit holds a record's fields whose values did not fit their Go
	// types, verbatim, by JSON name: x.Unfit["status"].
	Unfit = wire.Unfit
)

// NewSecret returns s as a Secret, for a Config.
func NewSecret(s string) Secret { return wire.NewSecret(s) }

// SecretFromEnv returns the environment variable name as a Secret, for a
// Config: SecretFromEnv("KEY").
func SecretFromEnv(name string) Secret { return wire.SecretFromEnv(name) }

// NewTime returns t as a Time, formatted "2006-01-02 15:04:05" in the zone
// the provider's times are read in.
func NewTime(t time.Time) Time { return wire.NewTime[wire.Shanghai](t) }
