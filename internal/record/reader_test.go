package record

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReader: the Reader takes a body exactly when it is one JSON value in
// valid UTF-8 (white space around it); a string it reads is the one
// encoding/json reads, and so is an integer; whatever it refuses, the
// careful path reads.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,-2.5e+3,true,false,null,{"b":"\u00e9\ud83d\ude00"}]}`, ` "x\n" `, `-0`, `1e`, `01`,
		`"\ud800"`, `"\ud800\u0041"`, `{"a":1,}`, `[1,]`, `nul`, `"` + "\xff" + `"`, `9223372036854775808`, `-9223372036854775808`, `"\/\b\f\r\t\\\""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rd := NewReader([]byte(body))
		defer rd.Close()
		took := rd.SkipValue() == nil && rd.End()
		valid := json.Valid([]byte(body)) && utf8.ValidString(body)
		if took != valid {
			t.Fatalf("%q: the Reader took it %v, encoding/json (valid UTF-8) %v", body, took, valid)
		}

		rd2 := NewReader([]byte(body))
		defer rd2.Close()
		var s string
		if rd2.String(&s) == nil && rd2.End() {
			var want string
			if err := json.Unmarshal([]byte(body), &want); err != nil || want != s {
				t.Fatalf("%q: read %q, encoding/json %q (%v)", body, s, want, err)
			}
		}
		rd3 := NewReader([]byte(body))
		defer rd3.Close()
		var n int64
		if Int(rd3, &n) == nil && rd3.End() {
			var want int64
			if err := json.Unmarshal([]byte(body), &want); err != nil || want != n {
				t.Fatalf("%q: read %d, encoding/json %d (%v)", body, n, want, err)
			}
		}
		rd4 := NewReader([]byte(body))
		defer rd4.Close()
		var small int8
		if Int(rd4, &small) == nil && rd4.End() {
			var want int8
			if err := json.Unmarshal([]byte(body), &want); err != nil || want != small {
				t.Fatalf("%q: read %d as int8, encoding/json %d (%v)", body, small, want, err)
			}
		}
	})
}

// Nesting counts over the whole body, as encoding/json counts it: a value
// skipped deep inside a record is refused where encoding/json refuses it.
func TestReaderDepthOfTheWholeBody(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, body := range []string{
		`{"a":` + nest(9999) + `}`,  // 10,000 deep: taken
		`{"a":` + nest(10000) + `}`, // 10,001 deep: refused
		`{"data":[{"a":"x","z":` + nest(10000) + `}]}`,
		nest(10000), nest(10001),
	} {
		valid := json.Valid([]byte(body))
		rd := NewReader([]byte(body))
		took := rd.SkipValue() == nil && rd.End()
		rd.Close()
		if took != valid {
			t.Errorf("%d bytes: the Reader took it %v, encoding/json %v", len(body), took, valid)
		}
		if body[0] != '{' {
			continue
		}
		// Read as a record reads it: the object by hand, each member
		// skipped.
		rd = NewReader([]byte(body))
		took = rd.Object(func([]byte) (uint64, error) { return 0, rd.SkipValue() }) == nil && rd.End()
		rd.Close()
		if took != valid {
			t.Errorf("%d bytes, read member by member: the Reader took it %v, encoding/json %v", len(body), took, valid)
		}
	}
}
