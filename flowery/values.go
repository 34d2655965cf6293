package flowery

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
	// Decimal is an amount, weight or size kept exactly as written
	// ("0.00", 1.5): read x.Text, or x.Float64(); x.Valid is false for
	// null or absent.
	Decimal = wire.Decimal
	// NullString is text that may be null: read x.String; x.Valid is
	// false for null or absent. A bare number sent as text is kept as
	// its text. %v prints the text; %#v shows null apart from "".
	NullString = wire.String
	// Time is a time as sent ("2019-6-25 18:56:03"): x.Raw is the text
	// exactly as sent, x.Time the instant it names, read in Western
	// Indonesia Time (Asia/Jakarta). Flowery does not document its zone;
	// Config.Location and Time.In read it in another. x.Time is zero when
	// the text is in no known layout; x.Valid is false for null.
	Time = wire.Time[wire.Jakarta]
	// Secret is a credential in a Config: the client sends its value, and
	// fmt (through any field, exported or not), slog and encoding/json show
	// "[redacted]" instead. Make one with NewSecret or SecretFromEnv.
	Secret = wire.Secret
	// Unfit holds a record's fields whose values did not fit their Go
	// types, verbatim, by JSON name: x.Unfit["status"].
	Unfit = wire.Unfit
)

// NewInt64 returns a valid Int64 that encodes as a JSON number.
func NewInt64(v int64) Int64 { return wire.NewInt64(v) }

// NewDecimal returns a valid Decimal that encodes as a JSON string ("0.00").
func NewDecimal(text string) Decimal { return wire.NewDecimal(text) }

// NewSecret returns s as a Secret, for a Config.
func NewSecret(s string) Secret { return wire.NewSecret(s) }

// SecretFromEnv returns the environment variable name as a Secret, for a
// Config: SecretFromEnv("KEY").
func SecretFromEnv(name string) Secret { return wire.SecretFromEnv(name) }

// NewString returns a valid NullString.
func NewString(s string) NullString { return wire.NewString(s) }

// NewTime returns t as a Time, formatted "2006-01-02 15:04:05" in the zone
// the provider's times are read in.
func NewTime(t time.Time) Time { return wire.NewTime[wire.Jakarta](t) }
