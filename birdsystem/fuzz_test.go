package birdsystem

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/status"
)

// FuzzDecodeConsignments feeds any body to the list decoder: it never
// panics, fails only with a *status.APIError, and every consignment it
// accepts converts to a snapshot and encodes to JSON that decodes to the
// same JSON again.
func FuzzDecodeConsignments(f *testing.F) {
	wiretest.AddFixtures(f, "birdsystem")
	c, err := New(Config{BaseURL: "https://fuzz", APIKey: NewSecret("k"), CompanyID: "1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := c.decodePage(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: consignmentPath}, 50)
		if err != nil {
			var ae *status.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("not an APIError: %v", err)
			}
			return
		}
		if p.Total < -1 {
			t.Fatal("a total below -1 (no total)")
		}
		for i := range p.Consignments {
			_ = p.Consignments[i].Snapshot("ref")
			first, err := json.Marshal(p.Consignments[i])
			if err != nil {
				t.Fatal(err)
			}
			var back Consignment
			if err := json.Unmarshal(first, &back); err != nil {
				t.Fatalf("%s: %v", first, err)
			}
			second, err := json.Marshal(back)
			if err != nil || string(first) != string(second) {
				t.Fatalf("round trip:\n%s\n%s", first, second)
			}
		}
	})
}

// FuzzConsignmentField sets one field of the documented consignment to any
// JSON value: the page always decodes, and the consignment encodes back to
// every value it came with.
func FuzzConsignmentField(f *testing.F) {
	page, err := os.ReadFile("../testdata/birdsystem/list-finished.json")
	if err != nil {
		f.Fatal(err)
	}
	var env struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(page, &env); err != nil || len(env.Data) == 0 {
		f.Fatal("no consignment in list-finished.json", err)
	}
	record := env.Data[0]
	for i, v := range []string{`"abc"`, `1.5`, `"110222319566-0"`, `{"a":[1]}`, `[]`, `null`, `true`, `-0`, `"007"`, `1e3`, `{"value":1}`, `"2019-6-25 18:56:03"`} {
		f.Add(uint(i), []byte(v))
	}
	c, err := New(Config{BaseURL: "https://fuzz", APIKey: NewSecret("k"), CompanyID: "1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, i uint, value []byte) {
		wiretest.CheckField(t, record, i, value, func(rec []byte) (any, error) {
			body := []byte(`{"total":1,"data":[` + string(rec) + `]}`)
			p, err := c.decodePage(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: consignmentPath}, 50)
			if err != nil {
				return nil, err
			}
			_ = p.Consignments[0].Snapshot("1")
			return p.Consignments[0], nil
		})
	})
}

// FuzzFastPageEqualsCareful: wherever the one-pass decode (the json/v2
// engine under encoding/json's rules) takes a page, it gives what the
// careful record-by-record decode gives.
func FuzzFastPageEqualsCareful(f *testing.F) {
	wiretest.AddFixtures(f, "birdsystem")
	f.Add([]byte(`{"total":1,"data":[{"id":"1","ID":2,"status":"FINISHED","contact":"\xff\u00e9","type":"LOCAL"}]}`))
	c, err := New(Config{BaseURL: "https://fuzz", APIKey: NewSecret("k"), CompanyID: "1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"success":true,"total":1,"data":[null]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, body := range wiretest.WithNullRows(body) {
			res := &transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: consignmentPath}
			fast, ok := c.decodePageFast(res, 0)
			if !ok {
				continue
			}
			var env envelope[*record.Rows[Consignment]]
			if err := c.t.DecodeJSON(res, &env, "data"); err != nil || env.Data == nil {
				t.Fatalf("fast took a page the careful path refuses: %v", err)
			}
			wiretest.SameJSON(t, fast.Consignments, env.Data.Items)
			if len(env.Data.Unfit) > 0 {
				t.Fatalf("fast took a page with rows that are not consignments: %s", env.Data.Unfit)
			}
		}
	})
}
