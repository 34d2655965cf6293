package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Int64 is an integer that a provider sends as a JSON number (1), a numeric
// string ("1"), an empty string or null. Large ids stay exact: the value is
// never a float64.
type Int64 struct {
	// Int64 is the value; 0 when Valid is false.
	Int64 int64
	// Valid is false when the value was null, absent or the empty string.
	Valid bool
	// Quoted reports that the value was sent as a string.
	Quoted bool
	// text is the quoted text when it is not the value's plain decimal
	// form ("007", "+5"), so that it is written back as it came.
	text string
	// null reports that the value was sent as null, not left out, so that
	// an omitzero field writes it back.
	null bool
}

// NewInt64 returns a valid Int64 that encodes as a JSON number.
func NewInt64(v int64) Int64 { return Int64{Int64: v, Valid: true} }

// String returns the value in decimal, or "" when it is not Valid.
func (n Int64) String() string {
	if !n.Valid {
		return ""
	}
	return strconv.FormatInt(n.Int64, 10)
}

// GoString shows the value as it travels, for %#v: 7, "7", "" or null.
func (n Int64) GoString() string {
	b, _ := n.MarshalJSON()
	return string(b)
}

// UnmarshalJSON accepts a number, a string holding an integer, "" or null.
func (n *Int64) UnmarshalJSON(b []byte) error {
	*n = Int64{}
	if string(b) == "null" {
		n.null = true
		return nil
	}
	text := b
	if len(b) > 0 && b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return err
		}
		n.Quoted = true
		if s == "" {
			return nil
		}
		text = []byte(s)
	}
	v, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return fmt.Errorf("wire: %s is not a 64-bit integer", truncate(b))
	}
	n.Int64, n.Valid = v, true
	if n.Quoted && strconv.FormatInt(v, 10) != string(text) {
		n.text = string(text)
	}
	return nil
}

// MarshalJSON writes the value in the form it arrived in: a number, a
// quoted number, "" or null.
func (n Int64) MarshalJSON() ([]byte, error) {
	switch {
	case !n.Valid && n.Quoted:
		return []byte(`""`), nil
	case !n.Valid:
		return []byte("null"), nil
	}
	if n.text != "" {
		if v, err := strconv.ParseInt(n.text, 10, 64); err == nil && v == n.Int64 {
			return json.Marshal(n.text)
		}
	}
	buf := make([]byte, 0, 22)
	if n.Quoted {
		buf = append(buf, '"')
	}
	buf = strconv.AppendInt(buf, n.Int64, 10)
	if n.Quoted {
		buf = append(buf, '"')
	}
	return buf, nil
}

// unquote decodes a JSON string as encoding/json does (invalid UTF-8
// becomes U+FFFD), taking a fast path when it has no escapes.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[len(b)-1] == '"' {
		inner := b[1 : len(b)-1]
		if bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 && utf8.Valid(inner) {
			return string(inner), nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", fmt.Errorf("wire: bad JSON string %s: %w", truncate(b), err)
	}
	return s, nil
}

func truncate(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
