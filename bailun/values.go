package bailun

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
	// NullString is text that may be null: read x.String; x.Valid is
	// false for null or absent. A bare number sent as text is kept as
	// its text. %v prints the text; %#v shows null apart from "".
	NullString = wire.String
	// Time is a time as sent ("2020-01-03 00:00:00"): x.Raw is the text
	// exactly as sent, x.Time the instant it names, read in UTC, as Bailun
	// documents. x.Time is zero when the text is in no known layout; x.Valid
	// is false for null.
	Time = wire.Time[wire.UTC]
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

// NewString returns a valid NullString.
func NewString(s string) NullString { return wire.NewString(s) }

// NewTime returns t as a Time, formatted "2006-01-02 15:04:05" in the zone
// the provider's times are read in.
func NewTime(t time.Time) Time { return wire.NewTime[wire.UTC](t) }
