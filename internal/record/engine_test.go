package record

import (
	"encoding/json"
	"errors"
	"fmt"
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

// Settled sees every null a body gives a field without one, whatever the
// case of its name, and only reads the body once.
func TestSettled(t *testing.T) {
	type rec struct {
		OrderNo string  `json:"order_no"`
		Note    *string `json:"note"`
		Count   int     `json:"count"`
	}
	type plainRec rec
	for _, tc := range []struct {
		body    string
		settled bool
	}{
		{`{"order_no":"A","note":"x","count":1}`, true},
		{`{"order_no":"A","note":null,"count":1}`, true},        // note has a null of its own
		{`{"order_no":"","note":null,"count":0}`, true},         // zero values, not nulls
		{`{"order_no":null,"count":1}`, false},                  // a null where a string has none
		{`{"ORDER_NO" :  null,"count":1}`, false},               // matched without regard to case
		{`{"Count":null,"order_no":"A"}`, false},                // a number too
		{`{"order_no":"A","count":null}`, false},                // count reads 0 for that null
		{`{"list":[null,null],"order_no":"","count":0}`, false}, // an array's null elements: a null row reads as a zero record
		{`{"list":[1, null],"order_no":"A","count":1}`, true},   // no field at its zero value: never scanned
		{`{"order_no":"ratio: null","count":0}`, false},         // text that reads like a null: unsure, so looked at
		{`{"order\u005fno":null,"count":1}`, false},             // an escaped name: unsure
		{`{"ſount":null,"order_no":"A"}`, false},                // beyond ASCII: unsure
	} {
		var r plainRec
		if err := UnmarshalFast([]byte(tc.body), &r); err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if nulls := NullsOf([]byte(tc.body)); Settled(&r, &nulls) != tc.settled {
			t.Errorf("%s: Settled = %v, want %v", tc.body, !tc.settled, tc.settled)
		}
	}
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

// A body giving many names a null is read in one pass, and each is found.
func TestNullsOfManyNames(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 50000 {
		fmt.Fprintf(&b, `"N%d":null,`, i)
	}
	b.WriteString(`"last":1}`)
	n := NullsOf([]byte(b.String()))
	for _, name := range []string{"n0", "N15", "n16", "N49999"} {
		if !n.may(name) {
			t.Errorf("%s not found", name)
		}
	}
	if n.may("last") || n.may("n50000") {
		t.Error("a name given no null was found")
	}
}

// BenchmarkNullsOf: one scan of a batch of 100 orders, each giving eight
// members a null, as a Flowery answer does.
func BenchmarkNullsOf(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"code":"success","orders_detail":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"order_status":"运输中","order_type":"","order_no":"%d","express_no":"CGK%[1]d","goods_status":"运输中",`+
			`"goods_status_time":"2026-11-23 04:35:15","latest_scan_status":"","shipper":null,"receiver":null,`+
			`"goods_name_cn":"AAAA_1\u0026BBBBB_2","goods_name_en":"","goods_qty":null,"weight":null,"cod_amount":null,`+
			`"insurance_amount":null,"collect_amount":null,"service_type":"","sender_order_time":null,"old_order_no":"","old_express_no":""}`, 1000000+i)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		n := NullsOf(body)
		if n.may("latest_scan_status") || !n.may("Weight") {
			b.Fatal("wrong names")
		}
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
