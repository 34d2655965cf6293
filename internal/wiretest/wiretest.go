// Package wiretest checks, for tests, that encoding a decoded record gives
// the provider's values back.
package wiretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FieldsKept reports how out fails to keep every value of in: every key of
// every object in in must be in out, at the same place, with the same JSON
// type and value (numbers compared by their text, strings by their text
// after unescaping, integers by value, so -0 is 0). out may have keys in
// does not (fields the record always writes), and may lack keys of objects
// nested in a field that no Go field names (a record keeps the values of
// its known fields, not unknown keys). It returns nil when everything is
// kept.
func FieldsKept(in, out []byte) error { return fieldsKept(in, out, false) }

// FieldsKeptFold is FieldsKept with object keys matched without regard to
// case, as encoding/json matches them to struct fields when decoding.
func FieldsKeptFold(in, out []byte) error { return fieldsKept(in, out, true) }

// SetField returns the JSON object record with its i-th key (in sorted
// order, modulo the number of keys) given value, and that key. It reports
// false when record is not an object with keys or value is not one valid
// JSON value.
func SetField(record []byte, i uint, value []byte) ([]byte, string, bool) {
	if !json.Valid(value) {
		return nil, "", false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(record, &m) != nil || len(m) == 0 {
		return nil, "", false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	k := keys[i%uint(len(keys))]
	m[k] = value
	b, err := json.Marshal(m)
	if err != nil {
		return nil, "", false
	}
	return b, k, true
}

func fieldsKept(in, out []byte, fold bool) error {
	a, err := decode(in)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	b, err := decode(out)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return kept("$", a, b, fold)
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func kept(path string, a, b any, fold bool) error {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: object became %T", path, b)
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok && fold {
				for bk, v := range bm {
					if strings.EqualFold(bk, k) {
						bv, ok = v, true
					}
				}
			}
			if !ok && !strings.Contains(path, ".") {
				return fmt.Errorf("%s: key %q lost", path, k)
			}
			if !ok {
				// A key inside a nested value that the record does not
				// know: encoding/json has no place to keep it.
				continue
			}
			if err := kept(path+"."+k, av, bv, fold); err != nil {
				return err
			}
		}
		return nil
	case []any:
		bs, ok := b.([]any)
		if !ok || len(bs) != len(a) {
			return fmt.Errorf("%s: array became %v", path, b)
		}
		for i := range a {
			if err := kept(path+"["+strconv.Itoa(i)+"]", a[i], bs[i], fold); err != nil {
				return err
			}
		}
		return nil
	}
	if an, ok := a.(json.Number); ok {
		if bn, ok := b.(json.Number); ok && sameInteger(an, bn) {
			return nil
		}
	}
	if fmt.Sprintf("%T %v", a, a) != fmt.Sprintf("%T %v", b, b) {
		return fmt.Errorf("%s: %T %v became %T %v", path, a, a, b, b)
	}
	return nil
}

// sameInteger reports whether two integer literals name the same integer:
// -0 is 0, the one integer JSON can write two ways.
func sameInteger(a, b json.Number) bool {
	x, ok1 := new(big.Int).SetString(string(a), 10)
	y, ok2 := new(big.Int).SetString(string(b), 10)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// CheckField is one case of a provider's field fuzz target: record with
// its i-th field set to value is handed to decode, which wraps it in the
// provider's envelope, decodes the answer as the client does and returns
// the decoded record. The answer must decode whatever the value (a null
// in one of the required fields excepted), and the record must encode
// back to every value it came with. Keys are matched without regard to
// case, as encoding/json matches them.
func CheckField(t testing.TB, record []byte, i uint, value []byte, decode func(answer []byte) (any, error), required ...string) {
	t.Helper()
	mutated, key, ok := SetField(record, i, value)
	if !ok {
		return
	}
	rec, err := decode(mutated)
	if err != nil {
		if slices.Contains(required, key) && string(bytes.TrimSpace(value)) == "null" {
			return
		}
		t.Fatalf("%s = %s: the answer failed: %v", key, value, err)
	}
	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatalf("%s = %s: encode: %v", key, value, err)
	}
	if err := FieldsKeptFold(mutated, out); err != nil {
		t.Fatalf("%s = %s: %v\nin:  %s\nout: %s", key, value, err, mutated, out)
	}
}

// AddFixtures adds every recorded answer of a provider (the files in
// ../testdata/<provider>/, seen from its package) to f's seed corpus.
func AddFixtures(f *testing.F, provider string) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", provider, "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// SameJSON fails t when fast and careful, what a one-pass decode and the
// careful path made of one answer, do not encode to the same JSON.
func SameJSON(t testing.TB, fast, careful any) {
	t.Helper()
	a, err1 := json.Marshal(fast)
	b, err2 := json.Marshal(careful)
	if err1 != nil || err2 != nil || string(a) != string(b) {
		t.Fatalf("fast and careful differ:\n%s\n%s\n%v %v", a, b, err1, err2)
	}
}

// WithNullRows returns body, and for each of its first few arrays a copy of
// body with a null as that array's first element ([null, ...]), so that a
// fuzz target holding a one-pass decode to the careful one meets null rows
// in every list the answer has.
func WithNullRows(body []byte) [][]byte {
	const most = 6
	out := [][]byte{body}
	inString, escaped := false, false
	for i, c := range body {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == '[':
			rest := bytes.TrimLeft(body[i+1:], " \t\r\n")
			elem := "null,"
			if len(rest) > 0 && rest[0] == ']' {
				elem = "null"
			}
			v := slices.Concat(body[:i+1], []byte(elem), body[i+1:])
			out = append(out, v)
			if len(out) > most {
				return out
			}
		}
	}
	return out
}
