package record

import (
	"encoding/json"
	"reflect"
	"testing"

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
// takes what encoding/json takes.
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
		if (errA == nil) != (errC == nil) {
			t.Fatalf("encoding/json: %v; fast: %v", errA, errC)
		}
		if errA == nil && !reflect.DeepEqual(a, c) {
			t.Fatalf("differ:\n%#v\n%#v", a, c)
		}
	})
}

// Records reads plain-form records as records, in place, and refuses a
// type that is not the plain form.
func TestRecords(t *testing.T) {
	type rec struct {
		A string
		B int
	}
	type plainRec rec
	ps := []plainRec{{"x", 1}, {"y", 2}}
	rs := Records[rec](ps)
	if len(rs) != 2 || rs[1] != (rec{"y", 2}) || &rs[0].A != &ps[0].A {
		t.Fatalf("Records = %+v", rs)
	}
	if Records[rec]([]plainRec(nil)) != nil {
		t.Error("nil is not kept nil")
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for a type that is not the plain form")
		}
	}()
	type other struct{ A string }
	Records[rec]([]other{{"x"}})
}
