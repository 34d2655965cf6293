// Package record decodes and encodes the providers' records so that a
// field whose value does not fit its Go type never fails its record: the
// value is kept verbatim in the record's wire.Unfit and written back.
//
// That careful path (Decode, Rows, Required) is encoding/json's. An answer
// whose values all fit is first read in one pass, straight from its bytes
// with a Reader: member by member by hand, or each record by its Plan. A
// one-pass read that meets anything encoding/json might read otherwise
// fails, and the careful path then decodes the answer: the result is the
// same either way. Answers without a read of their own try the json/v2
// engine under encoding/json's rules first (UnmarshalFast).
package record

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/ordertrack/ordertrack/wire"
)

// Decode decodes the JSON object b into *v, a pointer to a struct
// without its own UnmarshalJSON (a record's plain form). A field whose
// value does not fit its Go type is left zero and kept verbatim in *unfit;
// a list keeps the rows that fit (a null row, or a row that is not the
// record, is left out of it), and the whole list is kept in *unfit.
// It fails only when b is not a JSON object (or null).
//
// A null where the Go type has no null (a string, a number, a status
// code) does not fit either: it is kept in *unfit too, so that it is
// written back as null rather than as "" or 0.
func Decode(b []byte, v any, unfit *wire.Unfit) error {
	*unfit = nil
	rv := reflect.ValueOf(v).Elem()
	info := fieldsOf(rv.Type())
	err := UnmarshalFast(b, v)
	if err == nil && !info.mayHoldNull(rv, b) {
		return nil
	}
	members, merr := Members(b)
	if merr != nil {
		// Not an object at all: the record itself does not fit.
		return cmp.Or(err, merr)
	}
	// In the order sent, so that a repeated key ends as encoding/json
	// leaves it: the last one wins.
	for _, m := range members {
		f, ok := info.lookup(m.Key)
		if !ok {
			continue
		}
		if f.noNull && isNull(m.Value) {
			set(unfit, f.name, m.Value)
			rv.Field(f.index).SetZero()
			continue
		}
		if err == nil {
			continue // the fast decode already read every value that fits
		}
		nv := reflect.New(rv.Type().Field(f.index).Type)
		if json.Unmarshal(m.Value, nv.Interface()) != nil {
			set(unfit, f.name, m.Value)
			rv.Field(f.index).SetZero()
			if rows, ok := fittingRows(nv.Elem().Type(), m.Value); ok {
				rv.Field(f.index).Set(rows)
			}
			continue
		}
		delete(*unfit, f.name)
		rv.Field(f.index).Set(nv.Elem())
	}
	return nil
}

// fittingRows decodes the rows of the JSON array b that fit t's element
// type, a slice's, leaving out the others (a null row, a number): one odd
// row loses none of its siblings. The list itself is kept verbatim in
// Unfit, so that it is written back as it came.
func fittingRows(t reflect.Type, b []byte) (reflect.Value, bool) {
	if t.Kind() != reflect.Slice {
		return reflect.Value{}, false
	}
	var raws []json.RawMessage
	if json.Unmarshal(b, &raws) != nil || raws == nil {
		return reflect.Value{}, false
	}
	rows := reflect.MakeSlice(t, 0, len(raws))
	for _, raw := range raws {
		v := reflect.New(t.Elem())
		if isNull(raw) || json.Unmarshal(raw, v.Interface()) != nil {
			continue
		}
		rows = reflect.Append(rows, v.Elem())
	}
	return rows, true
}

// Member is one key and its value in a JSON object, as sent.
type Member struct {
	Key   string
	Value json.RawMessage
}

// Members returns the members of the JSON object b in the order sent. It
// fails when b is not an object.
func Members(b []byte) ([]Member, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, cmp.Or(err, errors.New("record: not a JSON object"))
	}
	var out []Member
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, Member{Key: k.(string), Value: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// Lookup returns the value of key in the JSON object b, the last one when
// it is repeated, matched as encoding/json matches names to fields.
func Lookup(b []byte, key string) (json.RawMessage, bool) {
	members, err := Members(b)
	if err != nil {
		return nil, false
	}
	var v json.RawMessage
	found := false
	for _, m := range members {
		if m.Key == key || strings.EqualFold(m.Key, key) {
			v, found = m.Value, true
		}
	}
	return v, found
}

// Encode encodes v, a record's plain form, and writes every unfit
// value back in its field's place, exactly as it came.
func Encode(v any, unfit wire.Unfit) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(unfit) == 0 {
		return b, err
	}
	pairs, err := Members(b)
	if err != nil {
		return nil, err
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
			if pairs[i].Key == k {
				pairs[i].Value, replaced = raw, true
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
			if order(pairs[i].Key) > idx {
				at = i
				break
			}
		}
		pairs = append(pairs[:at], append([]Member{{Key: k, Value: raw}}, pairs[at:]...)...)
	}
	return object(pairs, len(b)+64), nil
}

// object writes members as a JSON object.
func object(members []Member, size int) []byte {
	var out bytes.Buffer
	out.Grow(size)
	out.WriteByte('{')
	for i, p := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		kb, _ := json.Marshal(p.Key)
		out.Write(kb)
		out.WriteByte(':')
		out.Write(p.Value)
	}
	out.WriteByte('}')
	return out.Bytes()
}

// Omit returns the JSON object b without its member name, for a record
// that writes back a field it was not sent.
func Omit(b []byte, name string) ([]byte, error) {
	members, err := Members(b)
	if err != nil {
		return nil, err
	}
	return object(slices.DeleteFunc(members, func(m Member) bool { return m.Key == name }), len(b)), nil
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

// Required settles a required field that its record's UnmarshalJSON set to
// sentinel before decoding, so that an absent value can be told from a
// zero one. A value that fit is returned as it is. A value that did not fit
// (kept in unfit, a null included) gives unfitValue: never a documented
// value, so the field claims nothing. An absent one gives the zero value
// and missing true.
func Required[T comparable](b []byte, name string, got, sentinel, unfitValue T, unfit *wire.Unfit) (v T, missing bool) {
	if _, ok := (*unfit)[name]; ok {
		return unfitValue, false
	}
	if got != sentinel {
		return got, false
	}
	raw, ok := Lookup(b, name)
	switch {
	case !ok:
		var zero T
		return zero, true
	case isNull(raw):
		set(unfit, name, raw)
		return unfitValue, false
	}
	return got, false // the sentinel itself was sent
}

// Rows is a JSON array of records that never fails for one bad row: a row
// that is not the record's object (a number, a string) is kept verbatim in
// Unfit, and the others are decoded.
type Rows[T any] struct {
	Items []T
	Unfit []json.RawMessage
}

// UnmarshalJSON decodes the array, row by row when one row does not fit.
// It fails only when b is not an array (or null).
func (r *Rows[T]) UnmarshalJSON(b []byte) error {
	*r = Rows[T]{}
	err := json.Unmarshal(b, &r.Items)
	if err == nil {
		return nil
	}
	var raws []json.RawMessage
	if json.Unmarshal(b, &raws) != nil {
		return err
	}
	r.Items = make([]T, 0, len(raws))
	for _, raw := range raws {
		var v T
		if json.Unmarshal(raw, &v) != nil {
			r.Unfit = append(r.Unfit, append(json.RawMessage(nil), raw...))
			continue
		}
		r.Items = append(r.Items, v)
	}
	return nil
}

func equalFoldASCII[S ~string | ~[]byte](a []byte, b S) bool {
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
