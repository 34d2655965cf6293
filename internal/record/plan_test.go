package record

import (
	"encoding/json"
	"reflect"
	"testing"
)

var samplePlan = NewPlan[sample]()

// FuzzPlanEqualsEncodingJSON: whatever a Plan reads, encoding/json reads
// the same way; what it cannot read so, it leaves to the careful path.
func FuzzPlanEqualsEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","count":3,"note":null,"id":"12","amount":1.50,"at":"2024-01-02 03:04:05","tags":["x","y"],"inner":{"name":"b","tags":[]},"raw":{"k":[1]}}`,
		`{"name":"a","name":"b"}`, `{"NAME":"a"}`, `{"name":null}`, `{"count":1.5}`, `{"tags":[null]}`, `{"inner":null,"tags":null}`,
		`{"unknown":{"name":1},"count":-9223372036854775808}`, `{"count":9223372036854775808}`, `[]`, `null`, `{"n\u0061me":"x"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rd := NewReader([]byte(body))
		defer rd.Close()
		var got sample
		if samplePlan.Read(rd, &got) != nil || !rd.End() {
			return
		}
		var want sample
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("%s: the plan read it, encoding/json fails: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\nplan          %#v\nencoding/json %#v", body, got, want)
		}
	})
}

// A Plan refuses what it cannot read as encoding/json would, when it is
// made.
func TestPlanRefusesWhatItCannotRead(t *testing.T) {
	for name, make := range map[string]func(){
		"string option": func() {
			NewPlan[struct {
				N int `json:"n,string"`
			}]()
		},
		"embedded": func() {
			type inner struct{ A int }
			NewPlan[struct{ inner }]()
		},
		"float": func() {
			NewPlan[struct{ F float64 }]()
		},
		"unknown required": func() { NewPlan[sample]("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: made a plan", name)
				}
			}()
			make()
		}()
	}
}
