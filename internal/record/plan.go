package record

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/ordertrack/ordertrack/wire"
)

// A Plan reads records of type R in one pass with a Reader, each member
// straight into its field, as encoding/json would decode R's plain form
// (the struct without R's own UnmarshalJSON): names matched exactly, a
// value read by its field's kind (a string, an integer, a value with its
// own UnmarshalJSON such as package wire's, a pointer to a record, a list
// of records or of strings). Anything encoding/json might read otherwise
// needs the careful path: a name matched only without regard to case, a
// name with an escape or given twice, a null where the field's Go type has
// none, a value of another kind, a required member that is absent.
//
// A Plan is made once, for a type, and is safe for concurrent use.
type Plan[R any] struct {
	p *plan
}

// plan is a struct type's fields, by JSON name.
type plan struct {
	typ      reflect.Type
	fields   []*planField // in the struct's order
	byName   map[string]*planField
	names    []string // every JSON name, for Skip
	required []int    // the fields that must be sent
}

type planField struct {
	name   string
	index  int // the field's place, a bit of the filled set
	offset uintptr
	read   func(r *Reader, p unsafe.Pointer) error
}

// NewPlan makes the Plan of R, a struct type. required names members that
// must be sent: a record without one needs the careful path. It panics on a
// field it cannot read as encoding/json would (a ",string" option, an
// embedded struct, a value read as text).
func NewPlan[R any](required ...string) Plan[R] {
	p := planOf(reflect.TypeFor[R](), map[reflect.Type]*plan{})
	for _, name := range required {
		f, ok := p.byName[name]
		if !ok {
			panic(fmt.Sprintf("record: %v has no member %q", p.typ, name))
		}
		p.required = append(p.required, f.index)
	}
	return Plan[R]{p}
}

// Read reads the next value, an object, into *v, which it zeroes first.
func (pl Plan[R]) Read(r *Reader, v *R) error {
	*v = *new(R)
	return pl.p.read(r, unsafe.Pointer(v))
}

// ReadList reads the next value, an array of objects, appending each to
// *list. A null, or a null row, needs the careful path, which says what
// it means.
func (pl Plan[R]) ReadList(r *Reader, list *[]R) error {
	return r.Array(func() error {
		*list = append(*list, *new(R))
		return pl.p.read(r, unsafe.Pointer(&(*list)[len(*list)-1]))
	})
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	unfitType           = reflect.TypeFor[wire.Unfit]()
)

// isRecord reports whether t is a record: a struct that keeps what does
// not fit in a field of type wire.Unfit.
func isRecord(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).Type == unfitType {
			return true
		}
	}
	return false
}

// planOf makes t's plan; making holds the plans being made, so that a
// record that holds itself (through a pointer or a list) is planned once.
func planOf(t reflect.Type, making map[reflect.Type]*plan) *plan {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("record: %v is not a struct", t))
	}
	if p, ok := making[t]; ok {
		return p
	}
	p := &plan{typ: t, byName: map[string]*planField{}}
	making[t] = p
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if sf.Anonymous && tag != "-" {
			panic(fmt.Sprintf("record: %v embeds %v", t, sf.Type)) // encoding/json reads its fields as t's
		}
		if !sf.IsExported() || tag == "-" || sf.Type == unfitType {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			panic(fmt.Sprintf("record: %v.%s has the string option", t, sf.Name))
		}
		if name == "" {
			name = sf.Name
		}
		f := &planField{name: name, index: len(p.names), offset: sf.Offset, read: readerOf(sf.Type, making)}
		p.byName[name] = f
		p.fields = append(p.fields, f)
		p.names = append(p.names, name)
	}
	return p
}

// readerOf returns how a value of t is read, as encoding/json reads it.
func readerOf(t reflect.Type, making map[reflect.Type]*plan) func(*Reader, unsafe.Pointer) error {
	pt := reflect.PointerTo(t)
	switch {
	case isRecord(t):
		// A record: its own UnmarshalJSON is the careful path's.
		sub := planOf(t, making)
		return func(r *Reader, p unsafe.Pointer) error {
			if r.PeekKind() != '{' {
				return errCareful
			}
			return sub.read(r, p)
		}
	case pt.Implements(unmarshalerType):
		// A value type of package wire, json.RawMessage: encoding/json
		// gives it every value, null included.
		return func(r *Reader, p unsafe.Pointer) error {
			return r.Value(reflect.NewAt(t, p).Interface().(json.Unmarshaler))
		}
	case pt.Implements(textUnmarshalerType):
		panic(fmt.Sprintf("record: %v is read as text", t))
	}
	switch t.Kind() {
	case reflect.String:
		return func(r *Reader, p unsafe.Pointer) error { return r.String((*string)(p)) }
	case reflect.Int:
		return func(r *Reader, p unsafe.Pointer) error { return Int(r, (*int)(p)) }
	case reflect.Int64:
		return func(r *Reader, p unsafe.Pointer) error { return Int(r, (*int64)(p)) }
	case reflect.Int32:
		return func(r *Reader, p unsafe.Pointer) error { return Int(r, (*int32)(p)) }
	case reflect.Bool:
		return func(r *Reader, p unsafe.Pointer) error {
			switch r.PeekKind() {
			case 't':
				*(*bool)(p) = true
				return r.literal("true")
			case 'f':
				*(*bool)(p) = false
				return r.literal("false")
			}
			return errCareful
		}
	case reflect.Pointer:
		elem := t.Elem()
		read := readerOf(elem, making)
		return func(r *Reader, p unsafe.Pointer) error {
			if r.PeekKind() == 'n' {
				*(*unsafe.Pointer)(p) = nil
				return r.literal("null")
			}
			v := reflect.New(elem).UnsafePointer()
			if err := read(r, v); err != nil {
				return err
			}
			*(*unsafe.Pointer)(p) = v
			return nil
		}
	case reflect.Slice:
		elem := t.Elem()
		read := readerOf(elem, making)
		size := elem.Size()
		return func(r *Reader, p unsafe.Pointer) error {
			if r.PeekKind() == 'n' {
				reflect.NewAt(t, p).Elem().SetZero()
				return r.literal("null")
			}
			s := reflect.NewAt(t, p).Elem()
			s.SetLen(0)
			n := 0
			err := r.Array(func() error {
				if r.PeekKind() == 'n' {
					return errCareful // a null row: the careful path leaves it out
				}
				if n == s.Cap() {
					s.Grow(max(n, 4)) // doubling, from four
				}
				s.SetLen(n + 1)
				at := unsafe.Add(s.UnsafePointer(), uintptr(n)*size)
				n++
				return read(r, at)
			})
			if err == nil && s.IsNil() {
				s.Set(reflect.MakeSlice(t, 0, 0)) // [] is an empty list, not nil
			}
			return err
		}
	case reflect.Struct:
		sub := planOf(t, making)
		return func(r *Reader, p unsafe.Pointer) error {
			if r.PeekKind() != '{' {
				return errCareful
			}
			reflect.NewAt(t, p).Elem().SetZero()
			return sub.read(r, p)
		}
	}
	panic(fmt.Sprintf("record: no one-pass read of %v", t))
}

// read reads an object into the struct at v.
func (p *plan) read(r *Reader, v unsafe.Pointer) error {
	if r.PeekKind() != '{' {
		return errCareful
	}
	var small [4]uint64
	filled := small[:]
	if n := (len(p.names) + 63) / 64; n > len(small) {
		filled = make([]uint64, n)
	}
	next := 0 // the field after the last one read: most answers send them in one order
	err := r.object(func(name []byte) error {
		var f *planField
		if next < len(p.fields) && p.fields[next].name == string(name) {
			f = p.fields[next]
		} else if f = p.byName[string(name)]; f == nil {
			return r.Skip(name, p.names...)
		}
		next = f.index + 1
		word, bit := f.index/64, uint64(1)<<(f.index%64)
		if filled[word]&bit != 0 {
			return errCareful // encoding/json would merge the two
		}
		filled[word] |= bit
		r.space()
		return f.read(r, unsafe.Add(v, f.offset))
	}, true)
	if err != nil {
		return err
	}
	for _, i := range p.required {
		if filled[i/64]&(1<<(i%64)) == 0 {
			return errCareful
		}
	}
	return nil
}
