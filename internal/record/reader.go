package record

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Reader reads a body in one pass by hand, for a record's own reader
// (Object, Array, String, Int, Value, Skip), straight from the body's
// bytes: it keeps no token state but its offset, copies nothing it does
// not return, and checks every byte it reads or reads past as JSON. Names
// are not checked for repeats, since Object does that for the names a
// record knows; a string that is not valid UTF-8, or holds an escaped lone
// surrogate, fails, since encoding/json would mend it. A read that fails
// needs the careful path, which decodes the body again with encoding/json
// and reports what is wrong with it.
type Reader struct {
	b     []byte
	i     int  // the offset of the next byte to read
	depth int  // the objects and arrays open around i
	open  bool // taken by NewReader, not yet given back
	// strings holds short strings read before, by a hash of their bytes:
	// the records of a page, and the pages after it, repeat their statuses.
	strings [64]string
	buf     []byte // unquoted text with escapes, reused
}

// errSyntax fails a one-pass read of a body that is not the JSON it
// expects; the careful path says what is wrong.
var errSyntax = errors.New("record: not the JSON a one-pass read takes")

// maxDepth is how deeply objects and arrays may nest in a whole body:
// encoding/json's own limit.
const maxDepth = 10000

var readers = sync.Pool{New: func() any { return new(Reader) }}

// NewReader returns a Reader of body. Close gives it back when done.
func NewReader(body []byte) *Reader {
	r := readers.Get().(*Reader)
	r.open = true
	r.b, r.i, r.depth = body, 0, 0
	return r
}

// Close gives r back, for another body. Nothing it read refers to it. A
// second Close does nothing.
func (r *Reader) Close() {
	if !r.open {
		return // given back already: twice in the pool, it would be two readers' at once
	}
	r.open = false
	r.b, r.i = nil, 0 // not to keep the body alive
	readers.Put(r)
}

// space reads past white space.
func (r *Reader) space() {
	b, i := r.b, r.i
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
		// An indented body's runs of spaces, eight bytes at a time.
		for i+8 <= len(b) && binary.LittleEndian.Uint64(b[i:]) == 0x2020202020202020 {
			i += 8
		}
	}
	r.i = i
}

// PeekKind returns the kind of the next value, as jsontext names kinds:
// '{', '[', '"', '0' (a number), 'n', 't' or 'f'; or '}' or ']' where an
// object or array ends; or 0 at the end of the body or before a byte that
// starts no value.
func (r *Reader) PeekKind() byte {
	r.space()
	if r.i >= len(r.b) {
		return 0
	}
	switch c := r.b[r.i]; c {
	case '{', '[', '"', 'n', 't', 'f', '}', ']':
		return c
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// End reports whether the whole input has been read: one value, then
// only white space, as encoding/json requires.
func (r *Reader) End() bool {
	r.space()
	return r.i == len(r.b)
}

// ReadValue reads the next value and returns its bytes, as sent: a view
// of the body, valid while the body is.
func (r *Reader) ReadValue() ([]byte, error) {
	r.space()
	start := r.i
	if err := r.skip(); err != nil {
		return nil, err
	}
	return r.b[start:r.i], nil
}

// SkipValue reads past the next value.
func (r *Reader) SkipValue() error {
	r.space()
	return r.skip()
}

// Value reads the next value into u with its UnmarshalJSON, as
// encoding/json calls it: a value type of package wire, or a status code.
func (r *Reader) Value(u json.Unmarshaler) error {
	v, err := r.ReadValue()
	if err != nil {
		return err
	}
	return u.UnmarshalJSON(v)
}

// skip reads past the value at r.i, white space read before it.
func (r *Reader) skip() error {
	if r.i >= len(r.b) {
		return errSyntax
	}
	switch c := r.b[r.i]; c {
	case '"':
		_, _, err := r.str()
		return err
	case '{':
		return r.object(func([]byte) error {
			r.space()
			return r.skip()
		}, false)
	case '[':
		return r.Array(func() error {
			r.space()
			return r.skip()
		})
	case 'n':
		return r.literal("null")
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	}
	if v, _ := r.number(); v == nil {
		return errSyntax
	}
	return nil
}

func (r *Reader) literal(word string) error {
	if len(r.b)-r.i < len(word) || string(r.b[r.i:r.i+len(word)]) != word {
		return errSyntax
	}
	r.i += len(word)
	return nil
}

// number reads a JSON number and returns its bytes, and whether it is an
// integer (no fraction, no exponent).
func (r *Reader) number() (v []byte, integer bool) {
	b, i := r.b, r.i
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	default:
		return nil, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		integer = false
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, false
		}
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, false
		}
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	}
	r.i = i
	return b[start:i], integer
}

// str reads a string at r.i and returns its bytes between the quotes, as
// sent, and whether it holds an escape. Control characters, bad escapes
// and text that is not valid UTF-8 fail.
func (r *Reader) str() (inner []byte, escaped bool, err error) {
	b := r.b
	i := r.i + 1 // past the quote
	start := i
	nonASCII := false
	for i < len(b) {
		// Eight bytes at a time while none is a quote, a backslash or a
		// control character.
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			nonASCII = nonASCII || w&0x8080808080808080 != 0 // checked at the end: a byte past the string costs only that
			if m := special(w); m != 0 {
				i += bits.TrailingZeros64(m) / 8 // the first such byte
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			if nonASCII && !utf8.Valid(b[start:i]) {
				return nil, false, errSyntax
			}
			r.i = i + 1
			return b[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return nil, false, errSyntax
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !hex4(b[i+2:i+6]) {
					return nil, false, errSyntax
				}
				i += 6
			default:
				return nil, false, errSyntax
			}
		case c < 0x20:
			return nil, false, errSyntax
		case c < utf8.RuneSelf:
			i++
		default:
			nonASCII = true // checked as a whole at the end
			i++
		}
	}
	return nil, false, errSyntax
}

// special returns a mask of w's bytes whose lowest set bit is in the
// first byte (in memory order) that is '"', '\\' or below 0x20, and 0 when
// there is none. Bits above the lowest may be set by a borrow.
func special(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return zero(w^(ones*'"')) | zero(w^(ones*'\\')) | (w-ones*0x20) & ^w & highs
}

func hex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// unescape appends the text of inner, a string's bytes between its quotes
// (checked by str), to dst. A lone surrogate fails: encoding/json would
// read it as U+FFFD.
func unescape(dst, inner []byte) ([]byte, error) {
	for i := 0; i < len(inner); {
		c := inner[i]
		if c != '\\' {
			j := i + 1
			for j < len(inner) && inner[j] != '\\' {
				j++
			}
			dst = append(dst, inner[i:j]...)
			i = j
			continue
		}
		switch e := inner[i+1]; e {
		case 'u':
			ru := rune(hexVal(inner[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(ru) {
				if i+6 > len(inner) || inner[i] != '\\' || inner[i+1] != 'u' {
					return nil, errSyntax
				}
				ru = utf16.DecodeRune(ru, rune(hexVal(inner[i+2:i+6])))
				if ru == utf8.RuneError {
					return nil, errSyntax
				}
				i += 6
			}
			dst = utf8.AppendRune(dst, ru)
			continue
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		default: // " \ /
			dst = append(dst, e)
		}
		i += 2
	}
	return dst, nil
}

func hexVal(b []byte) int {
	n := 0
	for _, c := range b {
		switch {
		case c <= '9':
			n = n<<4 | int(c-'0')
		case c <= 'F':
			n = n<<4 | int(c-'A'+10)
		default:
			n = n<<4 | int(c-'a'+10)
		}
	}
	return n
}

// object reads an object at r.i, calling member with each member's name
// as written (its bytes between the quotes), after the colon; member reads
// the value. names false fails a name with an escape.
func (r *Reader) object(member func(name []byte) error, plainNames bool) error {
	if r.depth++; r.depth > maxDepth {
		return errSyntax
	}
	r.i++ // past '{'
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return errSyntax
		}
		name, escaped, err := r.str()
		if err != nil {
			return err
		}
		if escaped && plainNames {
			return errCareful
		}
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return errSyntax
		}
		r.i++
		if err := member(name); err != nil {
			return err
		}
		if end, err := r.after('}'); end || err != nil {
			if end {
				r.depth--
			}
			return err
		}
		r.space()
	}
}

// after reads what follows a member or an element: a comma, or end, the
// close of its object or array (then it reports true).
func (r *Reader) after(end byte) (bool, error) {
	r.space()
	switch {
	case r.i >= len(r.b):
		return false, errSyntax
	case r.b[r.i] == ',':
		r.i++
		return false, nil
	case r.b[r.i] == end:
		r.i++
		return true, nil
	}
	return false, errSyntax
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
	var filled uint64
	return r.object(func(name []byte) error {
		field, err := member(name)
		if err != nil {
			return err
		}
		if filled&field != 0 {
			return errCareful // encoding/json would merge the two
		}
		filled |= field
		return nil
	}, true)
}

// Array reads an array, calling elem for each element, which reads it. A
// value other than an array needs the careful path.
func (r *Reader) Array(elem func() error) error {
	if r.PeekKind() != '[' {
		return errCareful
	}
	if r.depth++; r.depth > maxDepth {
		return errSyntax
	}
	r.i++
	r.space()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		r.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if end, err := r.after(']'); end || err != nil {
			if end {
				r.depth--
			}
			return err
		}
	}
}

// String reads a string value into s, as encoding/json does. Any other
// value (a null, a number), or a string that is not valid UTF-8, needs the
// careful path, which keeps it in Unfit.
func (r *Reader) String(s *string) error {
	if r.PeekKind() != '"' {
		return errCareful
	}
	inner, escaped, err := r.str()
	if err != nil {
		return err
	}
	if !escaped {
		*s = r.intern(inner)
		return nil
	}
	r.buf, err = unescape(r.buf[:0], inner)
	if err != nil {
		return err
	}
	*s = r.intern(r.buf)
	return nil
}

// Int reads an integer into n, as encoding/json reads one into an integer
// type: a number without a fraction or exponent that fits. Any other value
// (a null, a string, 1.5, 1e3) needs the careful path.
func Int[T ~int | ~int8 | ~int16 | ~int32 | ~int64](r *Reader, n *T) error {
	if r.PeekKind() != '0' {
		return errCareful
	}
	v, integer := r.number()
	if v == nil {
		return errSyntax
	}
	if !integer {
		return errCareful
	}
	i, ok := parseInt[T](v)
	if !ok {
		return errCareful
	}
	*n = i
	return nil
}

// parseInt reads v, an integer's digits with an optional minus, as a T,
// reporting false when it does not fit.
func parseInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](v []byte) (T, bool) {
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range v {
		u = u*10 + uint64(c-'0') // 19 digits cannot overflow a uint64
	}
	var n T
	if neg {
		n = T(-int64(u))
		if u > 1<<63 || int64(n) != -int64(u) || (u != 0 && n >= 0) {
			return 0, false
		}
		return n, true
	}
	n = T(u)
	if u >= 1<<63 || uint64(n) != u || n < 0 {
		return 0, false
	}
	return n, true
}

// IntOrNull reads an integer into a new *p, as Int does, or a null, which
// sets *p to nil, as encoding/json does.
func IntOrNull[T ~int | ~int8 | ~int16 | ~int32 | ~int64](r *Reader, p **T) error {
	if r.PeekKind() == 'n' {
		*p = nil
		return r.literal("null")
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

// BoolOrNull reads true or false into a new *p, or a null, which sets *p
// to nil, as encoding/json does. Any other value needs the careful path.
func (r *Reader) BoolOrNull(p **bool) error {
	switch r.PeekKind() {
	case 'n':
		*p = nil
		return r.literal("null")
	case 't':
		b := true
		*p = &b
		return r.literal("true")
	case 'f':
		b := false
		*p = &b
		return r.literal("false")
	}
	return errCareful
}
