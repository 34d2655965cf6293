package wire

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Decimal is an amount, weight or dimension kept exactly as the provider
// wrote it, whether as a JSON number (1.5) or a string ("0.00"). ordertrack
// never rounds it through a float; Float64 is there for callers who want one.
type Decimal struct {
	// Text is the value as written, without quotes ("0.00", "1"); "" when
	// the value was null, absent or the empty string.
	Text string
	// Valid is false when the value was null or absent.
	Valid bool
	// Quoted reports that the value was sent as a string.
	Quoted bool
	// null reports that the value was sent as null, not left out, so that
	// an omitzero field writes it back.
	null bool
}

// NewDecimal returns a valid Decimal that encodes as a JSON string.
func NewDecimal(text string) Decimal { return Decimal{Text: text, Valid: true, Quoted: true} }

// String returns the value as written.
func (d Decimal) String() string { return d.Text }

// GoString shows the value as it travels, for %#v: 1.5, "0.00" or null.
func (d Decimal) GoString() string {
	b, err := d.MarshalJSON()
	if err != nil {
		return strconv.Quote(d.Text)
	}
	return string(b)
}

// Float64 parses the value; it fails for "" and for text that is not a number.
func (d Decimal) Float64() (float64, error) {
	return strconv.ParseFloat(d.Text, 64)
}

// UnmarshalJSON accepts a number, a string or null. A string is kept even
// when it does not look like a number.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	*d = Decimal{}
	switch {
	case string(b) == "null":
		d.null = true
		return nil
	case len(b) > 0 && b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*d = Decimal{Text: s, Valid: true, Quoted: true}
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*d = Decimal{Text: string(b), Valid: true}
		return nil
	}
	return fmt.Errorf("wire: %s is not a number", truncate(b))
}

// MarshalJSON writes the value in the form it arrived in.
func (d Decimal) MarshalJSON() ([]byte, error) {
	switch {
	case !d.Valid:
		return []byte("null"), nil
	case d.Quoted:
		return json.Marshal(d.Text)
	case d.Text == "":
		return []byte(`""`), nil
	}
	if !json.Valid([]byte(d.Text)) {
		return nil, fmt.Errorf("wire: decimal %q is not a JSON number", d.Text)
	}
	return []byte(d.Text), nil
}
