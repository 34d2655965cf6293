// Package wiretest checks, for tests, that encoding a decoded record gives
// the provider's values back.
package wiretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// FieldsKept reports how out fails to keep every value of in: every key of
// every object in in must be in out, at the same place, with the same JSON
// type and value (numbers compared by their text, strings by their text
// after unescaping). out may have keys in does not (fields the record
// always writes). It returns nil when everything is kept.
func FieldsKept(in, out []byte) error {
	a, err := decode(in)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	b, err := decode(out)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return kept("$", a, b)
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

func kept(path string, a, b any) error {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: object became %T", path, b)
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok {
				return fmt.Errorf("%s: key %q lost", path, k)
			}
			if err := kept(path+"."+k, av, bv); err != nil {
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
			if err := kept(path+"["+strconv.Itoa(i)+"]", a[i], bs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if fmt.Sprintf("%T %v", a, a) != fmt.Sprintf("%T %v", b, b) {
		return fmt.Errorf("%s: %T %v became %T %v", path, a, a, b, b)
	}
	return nil
}
