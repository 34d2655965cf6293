package birdsystem_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/internal/wiretest"
	"github.com/ordertrack/ordertrack/status"
)

// Tests of answers shaped as BirdSystem (or something in front of it)
// sends them: a loopback server sends the exact bytes.

// answering starts a loopback server that answers every request with
// status and body, and a client for it; hits counts the requests.
func answering(t *testing.T, status int, body string) (*birdsystem.Client, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	cfg := birdsystemtest.NewServer().Config() // for its fast retry waits
	cfg.BaseURL = srv.URL
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	return c, &hits
}

// consignmentJSON is one consignment as the fake encodes it, with fields
// replaced by the given raw JSON values.
func consignmentJSON(t *testing.T, id int64, fields map[string]string) string {
	t.Helper()
	b, err := json.Marshal(birdsystemtest.Consignment(id, status.BirdSystemFinished))
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	for k, v := range fields {
		m[k] = json.RawMessage(v)
	}
	b, err = json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// An Amazon order id in sales_order_id (text, as BirdSystem documents it)
// loses nothing: all 50 consignments of the page decode.
func TestAnswerAmazonSalesOrderID(t *testing.T) {
	rows := make([]string, 50)
	for i := range rows {
		rows[i] = consignmentJSON(t, 2010290360000001+int64(i), nil)
	}
	rows[17] = consignmentJSON(t, 2010290360000018, map[string]string{"sales_order_id": `"112-5539603-3130663"`})
	rows[18] = consignmentJSON(t, 2010290360000019, map[string]string{"sales_order_id": `1234567`})
	c, _ := answering(t, 200, `{"total":50,"data":[`+strings.Join(rows, ",")+`]}`)
	p, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{Limit: 50})
	require.NoError(t, err)
	require.Len(t, p.Consignments, 50)
	assert.Equal(t, "112-5539603-3130663", p.Consignments[17].SalesOrderID.String)
	assert.Equal(t, "1234567", p.Consignments[18].SalesOrderID.String, "an old numeric id is kept as its text")
	b, err := json.Marshal(p.Consignments[18])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"sales_order_id":1234567`, "and written back as a number")
}

// One field of the wrong type never fails the record or the page: the
// value is kept in Unfit and written back as it came.
func TestAnswerOddFieldsKeepThePage(t *testing.T) {
	odd := map[string]string{
		"weight":             `{"kg":1}`,
		"total_quantity":     `"abc"`,
		"company_id":         `"110222319566-0"`,
		"update_time":        `[2020]`,
		"status":             `5`,
		"delivery_fee":       `true`,
		"contact":            `{"name":"x"}`,
		"primary_keys":       `"id"`,
		"sku_count":          `"1.5"`,
		"tracking_reference": `["a"]`,
	}
	row := consignmentJSON(t, 2010290360000001, odd)
	body := `{"total":2,"data":[` + row + `,` + consignmentJSON(t, 2010290360000002, nil) + `]}`
	c, _ := answering(t, 200, body)
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, p.Consignments, 2)
	k := p.Consignments[0]
	assert.Len(t, k.Unfit, len(odd))
	for name, v := range odd {
		assert.JSONEq(t, v, string(k.Unfit[name]), name)
	}
	assert.Equal(t, int64(2010290360000001), k.ID.Int64, "the fields that fit are read")
	assert.Empty(t, p.Consignments[1].Unfit)
	out, err := json.Marshal(k)
	require.NoError(t, err)
	assert.NoError(t, wiretest.FieldsKept([]byte(row), out))

	s := k.Snapshot("2010290360000001")
	assert.Equal(t, status.Unknown, s.Stage)
	assert.Contains(t, s.Codes, status.Code{Provider: status.BirdSystem, Field: "status", Value: "5"}, "the raw status reaches the snapshot")
}

// A 200 answer that is not BirdSystem's envelope is malformed, never "not
// found", for the list, for a lookup and for Track.
func TestAnswerWrongShapeIsMalformed(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `[]`, `{"error":"internal"}`, `{"success":true}`, `{"total":1,"data":{"id":1}}`} {
		t.Run(body, func(t *testing.T) {
			c, _ := answering(t, 200, body)
			_, err := c.ListConsignments(context.Background(), nil)
			assert.ErrorIs(t, err, status.ErrMalformedResponse)
			_, err = c.GetConsignment(context.Background(), 2010290360000001)
			assert.ErrorIs(t, err, status.ErrMalformedResponse)
			assert.NotErrorIs(t, err, status.ErrNotFound)
			snaps, err := c.Track(context.Background(), "2010290360000001")
			require.NoError(t, err)
			assert.ErrorIs(t, snaps[0].Err, status.ErrMalformedResponse)
			assert.Equal(t, status.Unknown, snaps[0].Stage)
		})
	}
}

// "Login Required!" is BirdSystem refusing the credentials, whatever the
// HTTP status and whether or not "success" is there.
func TestAnswerLoginRequired(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{200, `{"success":false,"message":"Login Required!"}`},
		{200, `{"message":"Login Required!"}`},
		{500, `{"success":false,"message":"Login Required!"}`},
		{401, `{"message":"Login Required!"}`},
	} {
		c, _ := answering(t, tc.status, tc.body)
		_, err := c.ListConsignments(context.Background(), nil)
		assert.ErrorIs(t, err, status.ErrUnauthorized, tc.body)
		var ae *status.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "Login Required!", ae.Message)
		_, err = c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
			DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
		assert.ErrorIs(t, err, status.ErrUnauthorized, tc.body)
		assert.NotErrorIs(t, err, status.ErrOutcomeUnknown, tc.body)
	}
}

// A create answered with the new id but no "success" key, or with data as
// an array of one row, is a success.
func TestAnswerCreateShapes(t *testing.T) {
	nc := &birdsystem.NewConsignment{DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"}
	for body, id := range map[string]int64{
		`{"data":{"id":"2006143004830001","status":"PREPARING"}}`:                  2006143004830001,
		`{"success":true,"data":[{"id":"2006143004830002","status":"PREPARING"}]}`: 2006143004830002,
		`{"data":[{"id":2006143004830003}]}`:                                       2006143004830003,
	} {
		c, hits := answering(t, 200, body)
		got, err := c.CreateConsignment(context.Background(), nc)
		require.NoError(t, err, body)
		assert.Equal(t, id, got.ID)
		assert.Equal(t, int32(1), hits.Load())
	}
	for _, body := range []string{`{}`, `{"data":[]}`, `{"success":true,"data":{"status":"PREPARING"}}`} {
		c, _ := answering(t, 200, body)
		_, err := c.CreateConsignment(context.Background(), nc)
		assert.ErrorIs(t, err, status.ErrMalformedResponse, body)
		assert.ErrorIs(t, err, status.ErrOutcomeUnknown, body)
	}
}

// Consignments never yields a consignment twice and never loops: a
// server that answers every page with the same rows ends the walk with an
// error after one extra request.
func TestAnswerRepeatedPageEndsTheWalk(t *testing.T) {
	rows := []string{consignmentJSON(t, 1, nil), consignmentJSON(t, 2, nil)}
	c, hits := answering(t, 200, `{"total":100,"data":[`+strings.Join(rows, ",")+`]}`)
	var ids []int64
	var walkErr error
	for k, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 2}) {
		if err != nil {
			walkErr = err
			break
		}
		ids = append(ids, k.ID.Int64)
	}
	assert.Equal(t, []int64{1, 2}, ids, "each once")
	assert.ErrorIs(t, walkErr, status.ErrMalformedResponse)
	assert.Equal(t, int32(2), hits.Load(), "one extra request, no more")
}

// Rows without an id are told apart by their bytes: a server that ignores
// start and sends the same id-less rows ends the walk too.
func TestAnswerRepeatedIDlessPageEndsTheWalk(t *testing.T) {
	row := consignmentJSON(t, 1, map[string]string{"id": `null`})
	other := consignmentJSON(t, 1, map[string]string{"id": `"abc"`, "contact": `"x"`})
	c, hits := answering(t, 200, `{"total":1000000,"data":[`+row+`,`+other+`]}`)
	n := 0
	var walkErr error
	for _, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 2}) {
		if err != nil {
			walkErr = err
			break
		}
		n++
	}
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, walkErr, status.ErrMalformedResponse)
	assert.Equal(t, int32(2), hits.Load())
}

// Offset paging that shifts by one (a consignment created mid-walk in a
// newest-first listing) repeats a row: it is skipped and the walk goes on.
func TestAnswerShiftedPageGoesOn(t *testing.T) {
	pages := map[string][]int64{"": {10, 9, 8}, "3": {8, 7, 6}, "6": {5, 4, 3}, "9": {2, 1}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rows []string
		for _, id := range pages[r.URL.Query().Get("start")] {
			rows = append(rows, consignmentJSON(t, id, nil))
		}
		fmt.Fprint(w, `{"total":11,"data":[`+strings.Join(rows, ",")+`]}`)
	}))
	defer srv.Close()
	cfg := birdsystemtest.NewServer().Config()
	cfg.BaseURL = srv.URL
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	var ids []int64
	for k, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 3}) {
		require.NoError(t, err)
		ids = append(ids, k.ID.Int64)
	}
	assert.Equal(t, []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, ids)
}

// An odd envelope field, or one row that is not a consignment, loses no
// other consignment of the page.
func TestAnswerOddEnvelopeKeepsThePage(t *testing.T) {
	row := consignmentJSON(t, 2010290360000089, nil)
	for _, body := range []string{
		`{"moduleName":1,"total":1,"data":[` + row + `]}`,
		`{"message":{"a":1},"total":1,"data":[` + row + `]}`,
		`{"total":"n/a","data":[` + row + `]}`,
		`{"total":2,"data":[1,` + row + `]}`,
	} {
		c, _ := answering(t, 200, body)
		p, err := c.ListConsignments(context.Background(), nil)
		require.NoError(t, err, body)
		require.Len(t, p.Consignments, 1, body)
		assert.Equal(t, int64(2010290360000089), p.Consignments[0].ID.Int64)
		snaps, err := c.Track(context.Background(), "2010290360000089")
		require.NoError(t, err)
		assert.Equal(t, status.Shipped, snaps[0].Stage, body)
	}
	c, _ := answering(t, 200, `{"total":2,"data":[1,"x"]}`)
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []json.RawMessage{json.RawMessage(`1`), json.RawMessage(`"x"`)}, p.Unfit)
	snaps, err := c.Track(context.Background(), "2010290360000089")
	require.NoError(t, err)
	assert.ErrorIs(t, snaps[0].Err, status.ErrMalformedResponse, "a row that is not a consignment may be the one: not 'not found'")
}
