package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
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

// Reader reads a body in one pass by hand, for a record's own reader
// (Object, String, Int, Skip): names are not checked for repeats by the
// decoder, since Object does that for the names a record knows, and a
// string that is not valid UTF-8 fails, since encoding/json would mend
// it. A read that fails needs the careful path. The decoder reads the
// value types (wire.Time, wire.String) with their UnmarshalJSONFrom.
type Reader struct {
	*jsontext.Decoder
	body bytes.Buffer // read in place: the decoder copies nothing
	open bool         // taken by NewReader, not yet given back
	// strings holds short strings read before, by a hash of their bytes:
	// the records of a page, and the pages after it, repeat their statuses.
	strings [64]string
}

var (
	readerOptions = jsontext.Options(jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(false)))
	readers       = sync.Pool{New: func() any { return new(Reader) }}
)

// NewReader returns a Reader of body. Close gives it back when done.
func NewReader(body []byte) *Reader {
	r := readers.Get().(*Reader)
	r.open = true
	r.body = *bytes.NewBuffer(body)
	if r.Decoder == nil {
		r.Decoder = jsontext.NewDecoder(&r.body, readerOptions)
	} else {
		r.Reset(&r.body, readerOptions)
	}
	return r
}

// Close gives r back, for another body. Nothing it read refers to it. A
// second Close does nothing.
func (r *Reader) Close() {
	if !r.open {
		return // given back already: twice in the pool, it would be two readers' at once
	}
	r.open = false
	r.body = bytes.Buffer{}
	r.Reset(&r.body, readerOptions) // not to keep the body alive
	readers.Put(r)
}

// End reports whether the whole input has been read: one value, then
// only white space, as encoding/json requires.
func (r *Reader) End() bool {
	_, err := r.ReadToken()
	return err == io.EOF
}

// Object reads an object, member by member: member is called with each
// member's name, as written, reads its value, and returns the field it
// filled, a bit of its own (zero for a member it reads past). A field
// filled twice, a name with an escape, or a value other than an object
// needs the careful path.
func (r *Reader) Object(member func(name []byte) (field uint64, err error)) error {
	if r.PeekKind() != '{' {
		return errCareful
	}
	if _, err := r.ReadToken(); err != nil {
		return err
	}
	var filled uint64
	for r.PeekKind() != '}' {
		name, err := r.ReadValue()
		if err != nil {
			return err
		}
		if bytes.IndexByte(name, '\\') >= 0 {
			return errCareful
		}
		field, err := member(name[1 : len(name)-1])
		if err != nil {
			return err
		}
		if filled&field != 0 {
			return errCareful // encoding/json would merge the two
		}
		filled |= field
	}
	_, err := r.ReadToken()
	return err
}

// String reads a string value into s, as encoding/json does. Any other
// value (a null, a number), or a string that is not valid UTF-8, needs the
// careful path, which keeps it in Unfit.
func (r *Reader) String(s *string) error {
	v, err := r.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() != '"' {
		return errCareful
	}
	var buf [64]byte
	b, err := jsontext.AppendUnquote(buf[:0], v)
	if err != nil {
		return errCareful
	}
	*s = r.intern(b)
	return nil
}

// Int reads an integer into n, as encoding/json reads one into an integer
// type: a number without a fraction or exponent that fits. Any other value
// (a null, a string, 1.5, 1e3) needs the careful path.
func Int[T ~int | ~int8 | ~int16 | ~int32 | ~int64](r *Reader, n *T) error {
	v, err := r.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() != '0' {
		return errCareful
	}
	i, err := strconv.ParseInt(string(v), 10, int(unsafe.Sizeof(*n))*8)
	if err != nil {
		return errCareful
	}
	*n = T(i)
	return nil
}

// IntOrNull reads an integer into a new *p, as Int does, or a null, which
// sets *p to nil, as encoding/json does.
func IntOrNull[T ~int | ~int8 | ~int16 | ~int32 | ~int64](r *Reader, p **T) error {
	if r.PeekKind() == 'n' {
		*p = nil
		return r.SkipValue()
	}
	n := new(T)
	if err := Int(r, n); err != nil {
		return err
	}
	*p = n
	return nil
}

// intern returns b as a string, the one read before when it is the same.
func (r *Reader) intern(b []byte) string {
	if len(b) < 2 || len(b) > 32 {
		return string(b)
	}
	h := (uint(b[0])*31 + uint(b[len(b)-1])*7 + uint(len(b))) % uint(len(r.strings))
	if s := r.strings[h]; s == string(b) {
		return s
	}
	s := string(b)
	r.strings[h] = s
	return s
}

// Skip reads past the value of a member whose name, as written, is none
// of known, the names a record decodes. A name that is one of them
// without regard to case, as encoding/json matches names, needs the
// careful path; so does a name beyond ASCII, which encoding/json may fold
// to one of them (ſ to s).
func (r *Reader) Skip(name []byte, known ...string) error {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return errCareful
		}
	}
	for _, k := range known {
		if len(k) == len(name) && equalFoldASCII(name, k) {
			return errCareful
		}
	}
	return r.SkipValue()
}
