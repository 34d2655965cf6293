package record

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Semantics are encoding/json's rules (names matched without regard to
// case, invalid UTF-8 accepted as encoding/json does, methods called as it
// calls them) on the json/v2 engine, less two, each of which only makes a
// one-pass decode fail where encoding/json's rules would succeed, and the
// careful path (encoding/json itself) then decodes the body:
//
//   - Errors are reported the v2 way. With encoding/json's way, the engine
//     checks the whole of each value before decoding it, at every level a
//     record's unmarshaler starts again, so a nested record is scanned once
//     per level above it.
//   - A name given twice in one object (or twice without regard to case)
//     fails. encoding/json's rules merge a repeated object or array into
//     the first, and let a later null leave an earlier value standing,
//     where a record's own UnmarshalJSON starts afresh and keeps the null.
var v1Semantics = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false),
	jsontext.AllowDuplicateNames(false))

// UnmarshalFast decodes b into v in one pass with the json/v2 engine
// (github.com/go-json-experiment/json, the mirror of encoding/json/v2)
// under encoding/json's semantics: the same result as encoding/json's
// Unmarshal, without its separate validating scan of the whole body. The
// providers' one-pass decodes of pages and batches use it.
func UnmarshalFast(b []byte, v any) error {
	return jsonv2.Unmarshal(b, v, v1Semantics)
}

// errCareful fails a one-pass decode whose result needs the careful path.
var errCareful = errors.New("record: the one-pass decode needs the careful path")

// Plain returns an unmarshaler for one-pass decodes (UnmarshalFastWith)
// that decodes a record R through P, its plain form (the same struct
// without R's methods), straight from the token stream: R's own
// UnmarshalJSON would have its bytes scanned again, at every level of
// nesting. pre, when not nil, runs before (to set a sentinel); ok, when
// not nil, runs after, and a false fails the one-pass decode, so that the
// caller takes its careful path.
func Plain[R, P any](pre func(*R), ok func(*R) bool) *jsonv2.Unmarshalers {
	if !reflect.TypeFor[R]().ConvertibleTo(reflect.TypeFor[P]()) {
		panic(fmt.Sprintf("record: %v is not the plain form of %v", reflect.TypeFor[P](), reflect.TypeFor[R]()))
	}
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, r *R) error {
		if dec.PeekKind() == 'n' {
			// A null record: encoding/json calls R's UnmarshalJSON with it,
			// which keeps it aside, where P would be read as zero.
			return errCareful
		}
		if pre != nil {
			pre(r)
		}
		// P has R's underlying struct type: the conversion is exact.
		if err := jsonv2.UnmarshalDecode(dec, (*P)(unsafe.Pointer(r))); err != nil {
			return err
		}
		if ok != nil && !ok(r) {
			return errCareful
		}
		return nil
	})
}

// Records returns ps, records decoded into their plain form P, as records
// of R, without copying: P has R's underlying struct type, so the memory
// is the same. It panics when P is not R's plain form.
func Records[R, P any](ps []P) []R {
	if !reflect.TypeFor[R]().ConvertibleTo(reflect.TypeFor[P]()) || reflect.TypeFor[R]().Kind() != reflect.Struct {
		panic(fmt.Sprintf("record: %v is not the plain form of %v", reflect.TypeFor[P](), reflect.TypeFor[R]()))
	}
	if ps == nil {
		return nil
	}
	return unsafe.Slice((*R)(unsafe.Pointer(unsafe.SliceData(ps))), len(ps))
}

// UnmarshalFastWith is UnmarshalFast with the records' one-pass
// unmarshalers u.
func UnmarshalFastWith(b []byte, v any, u *jsonv2.Unmarshalers) error {
	return jsonv2.Unmarshal(b, v, v1Semantics, jsonv2.WithUnmarshalers(u))
}
