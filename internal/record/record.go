// Package record decodes and encodes the providers' records so that a
// field whose value does not fit its Go type never fails its record: the
// value is kept verbatim in the record's wire.Unfit and written back.
package record

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/ordertrack/ordertrack/wire"
)

// Decode decodes the JSON object b into *v, a pointer to a struct
// without its own UnmarshalJSON (a record's plain form). A field whose
// value does not fit its Go type is left zero and kept verbatim in *unfit.
// It fails only when b is not a JSON object (or null).
//
// A null where the Go type has no null (a string, a number, a status
// code) does not fit either: it is kept in *unfit too, so that it is
// written back as null rather than as "" or 0.
func Decode(b []byte, v any, unfit *wire.Unfit) error {
	*unfit = nil
	rv := reflect.ValueOf(v).Elem()
	info := fieldsOf(rv.Type())
	err := json.Unmarshal(b, v)
	if err == nil && !info.mayHoldNull(rv, b) {
		return nil
	}
	var fields map[string]json.RawMessage
	if jerr := json.Unmarshal(b, &fields); jerr != nil {
		// Not an object at all: the record itself does not fit.
		return cmp.Or(err, jerr)
	}
	if err == nil {
		// Only nulls in fields without one to look at.
		for key, raw := range fields {
			if f, ok := info.lookup(key); ok && f.noNull && isNull(raw) {
				set(unfit, f.name, raw)
			}
		}
		return nil
	}
	for key, raw := range fields {
		f, ok := info.lookup(key)
		if !ok {
			continue
		}
		if f.noNull && isNull(raw) {
			set(unfit, f.name, raw)
			rv.Field(f.index).SetZero()
			continue
		}
		nv := reflect.New(rv.Type().Field(f.index).Type)
		if json.Unmarshal(raw, nv.Interface()) != nil {
			set(unfit, f.name, raw)
			rv.Field(f.index).SetZero()
			continue
		}
		rv.Field(f.index).Set(nv.Elem())
	}
	return nil
}

// Encode encodes v, a record's plain form, and writes every unfit
// value back in its field's place, exactly as it came.
func Encode(v any, unfit wire.Unfit) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(unfit) == 0 {
		return b, err
	}
	type pair struct {
		key   string
		value json.RawMessage
	}
	var pairs []pair
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{k.(string), raw})
	}
	info := fieldsOf(reflect.TypeOf(v))
	order := func(key string) int {
		if f, ok := info.lookup(key); ok {
			return f.index
		}
		return 1 << 30
	}
	keys := make([]string, 0, len(unfit))
	for k := range unfit {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		raw := unfit[k]
		replaced := false
		for i := range pairs {
			if pairs[i].key == k {
				pairs[i].value, replaced = raw, true
				break
			}
		}
		if replaced {
			continue
		}
		// The field was left out (omitempty of its zero value): put it back
		// after the last field that comes before it.
		at, idx := len(pairs), order(k)
		for i := range pairs {
			if order(pairs[i].key) > idx {
				at = i
				break
			}
		}
		pairs = append(pairs[:at], append([]pair{{k, raw}}, pairs[at:]...)...)
	}
	var out bytes.Buffer
	out.Grow(len(b) + 64)
	out.WriteByte('{')
	for i, p := range pairs {
		if i > 0 {
			out.WriteByte(',')
		}
		kb, _ := json.Marshal(p.key)
		out.Write(kb)
		out.WriteByte(':')
		out.Write(p.value)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func set(u *wire.Unfit, name string, raw json.RawMessage) {
	if *u == nil {
		*u = wire.Unfit{}
	}
	(*u)[name] = append(json.RawMessage(nil), raw...)
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

type fieldInfo struct {
	name  string
	index int
	// noNull: the Go type has no null of its own (a string, a number, a
	// struct without UnmarshalJSON), so a JSON null would decode as its
	// zero value and be written back as that.
	noNull bool
}

type recordInfo struct {
	fields []fieldInfo
	byName map[string]int
	noNull []int // indexes into fields
}

// mayHoldNull reports whether the decoded record could have met a null in
// a field without one: some such field holds its zero value, and the
// record's text has a null at all. Both are cheap, and rarely true.
func (r *recordInfo) mayHoldNull(rv reflect.Value, b []byte) bool {
	for _, i := range r.noNull {
		if rv.Field(r.fields[i].index).IsZero() {
			return bytes.Contains(b, []byte("null"))
		}
	}
	return false
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// hasNoNull reports whether a JSON null decodes into t as its zero value
// while t's zero value encodes as something else.
func hasNoNull(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return false
	}
	return true
}

// lookup finds the field for a JSON key as encoding/json does: the exact
// name first, then a case-insensitive match.
func (r *recordInfo) lookup(key string) (fieldInfo, bool) {
	if i, ok := r.byName[key]; ok {
		return r.fields[i], true
	}
	for _, f := range r.fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return fieldInfo{}, false
}

var records sync.Map // reflect.Type -> *recordInfo

func fieldsOf(t reflect.Type) *recordInfo {
	if r, ok := records.Load(t); ok {
		return r.(*recordInfo)
	}
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("wire: %v is not a struct", t))
	}
	r := &recordInfo{byName: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		r.byName[name] = len(r.fields)
		if hasNoNull(sf.Type) {
			r.noNull = append(r.noNull, len(r.fields))
		}
		r.fields = append(r.fields, fieldInfo{name: name, index: i, noNull: hasNoNull(sf.Type)})
	}
	records.Store(t, r)
	return r
}
