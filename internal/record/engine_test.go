package record

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/ordertrack/ordertrack/wire"
)

type sample struct {
	Name   string              `json:"name"`
	Count  int64               `json:"count"`
	Note   wire.String         `json:"note"`
	ID     wire.Int64          `json:"id"`
	Amount wire.Decimal        `json:"amount"`
	At     wire.Time[wire.UTC] `json:"at"`
	Tags   []string            `json:"tags"`
	Inner  *sample             `json:"inner"`
	Raw    json.RawMessage     `json:"raw"`
}

// FuzzFastEqualsEncodingJSON: the json/v2 engine under encoding/json's
// rules decodes as encoding/json does, wherever both take the input, and
// takes what encoding/json takes, unless it gives a name twice in one
// object (which the one-pass decode leaves to the careful path).
func FuzzFastEqualsEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","count":1,"note":null,"id":"007","amount":"1.50","at":"2020-1-2 3:4:5","tags":["x"],"inner":{"name":"b"},"raw":{"k":[1]}}`,
		`{"NAME":"a","Name":"b","name":"c"}`,
		"{\"name\":\"\xff\xfe\",\"note\":\"\xc3\"}",
		`{"name":"a","name":"b","count":2,"count":3}`,
		`{"count":1.5}`, `{"name":null,"count":null,"tags":null}`, `{"inner":null}`, `{"unknown":{"a":[1,2]},"name":"x"}`,
		`{"name":"\u00e9\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a, c sample
		errA := json.Unmarshal(b, &a)
		errC := UnmarshalFast(b, &c)
		if errA == nil && errors.Is(errC, jsontext.ErrDuplicateName) {
			return
		}
		if (errA == nil) != (errC == nil) {
			t.Fatalf("encoding/json: %v; fast: %v", errA, errC)
		}
		if errA == nil && !reflect.DeepEqual(a, c) {
			t.Fatalf("differ:\n%#v\n%#v", a, c)
		}
	})
}

// A name given twice in one object, in any case, fails the one-pass
// decode, whose merging rules would otherwise differ from a record's own.
func TestUnmarshalFastRefusesRepeatedNames(t *testing.T) {
	for _, body := range []string{
		`{"name":"a","name":"b"}`,
		`{"name":"a","NAME":null}`,
		`{"inner":{"name":"a"},"Inner":{}}`,
		`{"tags":["a"],"tags":["b"]}`,
		`{"other":1,"other":2}`,
	} {
		var s sample
		if err := UnmarshalFast([]byte(body), &s); !errors.Is(err, jsontext.ErrDuplicateName) {
			t.Errorf("%s: %v, want a duplicate name error", body, err)
		}
	}
	var s sample
	if err := UnmarshalFast([]byte(`{"name":"a","inner":{"name":"b"},"tags":["x","x"]}`), &s); err != nil {
		t.Errorf("the same name in two objects: %v", err)
	}
}

// A Reader reads strings as encoding/json does, shares the ones a body
// repeats, and leaves to the careful path what it cannot read the same way.
func TestReader(t *testing.T) {
	body := `{"a":"运输中","b":"运输中","c":"\u8fd0\u8f93\u4e2d","d":"ab","e":"ba","f":"","g":"x"}`
	got := map[string]string{}
	rd := NewReader([]byte(body))
	err := rd.Object(func(name []byte) (uint64, error) {
		var s string
		err := rd.String(&s)
		got[string(name)] = s
		return 1 << (name[0] - 'a'), err
	})
	if err != nil || !rd.End() {
		t.Fatalf("%v", err)
	}
	var want map[string]string
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if unsafe.StringData(got["a"]) != unsafe.StringData(got["b"]) || unsafe.StringData(got["a"]) != unsafe.StringData(got["c"]) {
		t.Error("a repeated string was allocated again")
	}

	for _, body := range []string{
		`{"a":"x","a":"y"}`, // a field filled twice
		`{"a\u0062":"x"}`,   // an escaped name
		`{"a":null}`,
		`{"a":1}`,
		`{"a":"` + "\xff" + `"}`,
		`null`,
	} {
		rd := NewReader([]byte(body))
		err := rd.Object(func(name []byte) (uint64, error) {
			var s string
			return 1, rd.String(&s)
		})
		if err == nil {
			t.Errorf("%s: read, want the careful path", body)
		}
	}
	if rd := NewReader([]byte(`{} {}`)); rd.Object(nil) != nil || rd.End() {
		t.Error("a second value after the first was not seen")
	}
	rd = NewReader([]byte(`{"Name":1,"other":2,"ſ":3}`))
	err = rd.Object(func(name []byte) (uint64, error) { return 0, rd.Skip(name, "name") })
	if err == nil {
		t.Error("Name was skipped, though encoding/json reads it as name")
	}
	rd = NewReader([]byte(`{"other":{"name":[1,2]},"x":null}`))
	if err := rd.Object(func(name []byte) (uint64, error) { return 0, rd.Skip(name, "name") }); err != nil || !rd.End() {
		t.Errorf("unknown members not skipped: %v", err)
	}
}

// A Reader given back and taken again reads its new body afresh, and what
// the first read keeps its value.
func TestReaderReused(t *testing.T) {
	read := func(body string) (string, bool) {
		rd := NewReader([]byte(body))
		defer rd.Close()
		var s string
		err := rd.Object(func(name []byte) (uint64, error) { return 1, rd.String(&s) })
		return s, err == nil && rd.End()
	}
	first := []byte(`{"a":"运输中"}`)
	a, ok := read(string(first))
	for i := range 100 {
		b, ok2 := read(`{"b":"签收` + strings.Repeat("x", i%3) + `"}`)
		if !ok || !ok2 || a != "运输中" || b != "签收"+strings.Repeat("x", i%3) {
			t.Fatalf("%q %v, %q %v", a, ok, b, ok2)
		}
		if _, ok := read(`{"a":"x"} trailing`); ok {
			t.Fatal("a reused Reader read trailing data as the end")
		}
	}
}

// Closing a Reader twice gives it back once: two Readers taken after are
// not one.
func TestReaderClosedTwice(t *testing.T) {
	rd := NewReader([]byte(`{}`))
	rd.Close()
	rd.Close()
	a, b := NewReader([]byte(`{"a":"x"}`)), NewReader([]byte(`{"b":"y"}`))
	defer a.Close()
	defer b.Close()
	if a == b {
		t.Fatal("two Readers in use are one")
	}
}
