package wire

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/ordertrack/ordertrack/status"
)

// Unfit holds the fields of a record whose values did not fit their Go
// types, by the provider's JSON name, each exactly as it was sent: a word
// where a number was expected, an object where text was. The field itself
// is left at its zero value; the record still decodes, and encoding it
// writes the value back as it came.
type Unfit map[string]json.RawMessage

// String lists the unfit fields as name=value, sorted by name.
func (u Unfit) String() string {
	if len(u) == 0 {
		return ""
	}
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.Write(u[k])
	}
	return b.String()
}

// Text returns the unfit value of field name as text: a JSON string
// unquoted, anything else as its JSON. It reports false when the field fit.
func (u Unfit) Text(name string) (string, bool) {
	raw, ok := u[name]
	if !ok {
		return "", false
	}
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return string(raw), true
}

// Code returns the unfit value of field as p's raw code, when it did not
// fit.
func (u Unfit) Code(p status.Provider, field string) (status.Code, bool) {
	v, ok := u.Text(field)
	return status.Code{Provider: p, Field: field, Value: v}, ok
}
