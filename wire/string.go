package wire

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// String is text that a provider may send as null, like sql.NullString. A
// number or boolean where text was expected is kept as its literal text and
// written back in its own form, so a provider's loose typing never fails a
// decode.
type String struct {
	// String is the text; "" when Valid is false.
	String string
	// Valid is false when the value was null or absent.
	Valid bool
	// literal reports that the value was a bare number or boolean.
	literal bool
	// null reports that the value was sent as null, not left out, so that
	// an omitzero field writes it back.
	null bool
}

// NewString returns a valid String.
func NewString(s string) String { return String{String: s, Valid: true} }

// UnmarshalJSON accepts a string, null, a number or a boolean.
func (s *String) UnmarshalJSON(b []byte) error {
	*s = String{}
	switch {
	case string(b) == "null":
		s.null = true
		return nil
	case len(b) > 0 && b[0] == '"':
		text, err := unquote(b)
		if err != nil {
			return err
		}
		*s = String{String: text, Valid: true}
		return nil
	case string(b) == "true" || string(b) == "false" || len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*s = String{String: string(b), Valid: true, literal: true}
		return nil
	}
	return fmt.Errorf("wire: %s is not text", truncate(b))
}

// MarshalJSON writes the value in the form it arrived in.
func (s String) MarshalJSON() ([]byte, error) {
	switch {
	case !s.Valid:
		return []byte("null"), nil
	case s.literal:
		return []byte(s.String), nil
	}
	return json.Marshal(s.String)
}

// Format prints the text for %v and %s ("" when not Valid), the quoted
// text for %q, and GoString for %#v.
func (s String) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	case verb == 'q':
		io.WriteString(f, strconv.Quote(s.String))
	default:
		io.WriteString(f, s.String)
	}
}

// GoString shows the text quoted, or null, for %#v.
func (s String) GoString() string {
	if !s.Valid {
		return "null"
	}
	return strconv.Quote(s.String)
}
