package birdsystem_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// Both documented shapes of a tracking answer decode; "Invalid track
// reference." is per-reference not found; the newest option is sent.
func TestAnswerTrackingHistory(t *testing.T) {
	var lastQuery string
	answer := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastQuery = r.URL.Path + "?" + r.URL.RawQuery
		fmt.Fprint(w, answer)
	}))
	defer srv.Close()
	cfg := birdsystemtest.NewServer().Config()
	cfg.BaseURL = "https://never.example"
	cfg.TrackingURL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/consignment/tracking"
	cfg.TrackingNewest = true
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)

	answer = `{"success":true,"data":{"JJD1":{"destination_country":"GB","check_points":[` +
		`{"create_time":"2015-01-01T08:10:19+00:00","current_status":"PREPARING","note":"Order received"},` +
		`{"create_time":"2015-01-02T09:00:00+00:00","current_status":"FINISHED","note":"Dispatched"}]},` +
		`"JJD2":[{"create_time":"2015-01-03T10:00:00+01:00","current_status":"PICKING","note":"old shape"}]},"message":[]}`
	res, err := c.TrackingHistory(context.Background(), "JJD2", "JJD1", "JJD3")
	require.NoError(t, err)
	assert.Equal(t, "/consignment/tracking?newest=true&tracking_references=JJD2%2CJJD1%2CJJD3", lastQuery)
	require.Len(t, res.Tracking, 2)
	assert.Equal(t, "JJD2", res.Tracking[0].Reference, "the order asked")
	assert.Equal(t, status.BirdSystemPicking, res.Tracking[0].CheckPoints[0].CurrentStatus)
	assert.Equal(t, "2015-01-03T09:00:00Z", res.Tracking[0].CheckPoints[0].CreateTime.Time.UTC().Format(time.RFC3339))
	assert.Equal(t, "GB", res.Tracking[1].DestinationCountry.String)
	assert.Len(t, res.Tracking[1].CheckPoints, 2)
	assert.Equal(t, "Dispatched", res.Tracking[1].CheckPoints[1].Note.String)
	assert.Equal(t, []string{"JJD3"}, res.NotFound)

	answer = `{"success":true,"data":[],"message":[]}`
	res, err = c.TrackingHistory(context.Background(), "X1")
	require.NoError(t, err, "PHP's empty map")
	assert.Equal(t, []string{"X1"}, res.NotFound)

	answer = `{"success":false,"data":[],"message":"Invalid track reference."}`
	res, err = c.TrackingHistory(context.Background(), "X1", "X2")
	require.NoError(t, err)
	assert.Equal(t, []string{"X1", "X2"}, res.NotFound)

	_, err = c.TrackingHistory(context.Background(), "A,B")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
}

// A PHP warning printed before the JSON (as BirdSystem's own pages show)
// loses nothing: the JSON after it is read, and the warning logged at Warn.
func TestAnswerPHPWarningPrefix(t *testing.T) {
	row := consignmentJSON(t, 2010290360000089, nil)
	body := "<br />\n<b>Warning</b>:  Invalid argument supplied for foreach() in <b>/var/www/client/Consignment.php</b> on line <b>212</b><br />\n" +
		`{"total":1,"data":[` + row + `]}`
	c, _ := answering(t, 200, body)
	var logs bytes.Buffer
	cfg := birdsystemtest.NewServer().Config()
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, p.Consignments, 1)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) }))
	defer srv.Close()
	cfg.BaseURL, cfg.Logger = srv.URL, slog.New(slog.NewTextHandler(&logs, nil))
	c, err = birdsystem.New(cfg)
	require.NoError(t, err)
	_, err = c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "Warning: Invalid argument supplied for foreach() in /var/www/client/Consignment.php on line 212")

	c, _ = answering(t, 200, "<br />\n<b>Fatal error</b>: out of memory")
	_, err = c.ListConsignments(context.Background(), nil)
	assert.ErrorIs(t, err, status.ErrMalformedResponse, "no JSON after the prefix")
}

// A null row of data is kept aside as unfit, never read as a zero
// consignment: a page whose only row is null is malformed, never "not
// found", and a null beside real rows loses none of them.
func TestAnswerNullRow(t *testing.T) {
	c, _ := answering(t, 200, `{"success":true,"total":1,"data":[null]}`)
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, p.Consignments, "no phantom consignment")
	assert.Equal(t, []json.RawMessage{json.RawMessage(`null`)}, p.Unfit)
	_, err = c.GetConsignment(context.Background(), 2010290360000001)
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.NotErrorIs(t, err, status.ErrNotFound)
	snaps, err := c.Track(context.Background(), "2010290360000001")
	require.NoError(t, err)
	assert.ErrorIs(t, snaps[0].Err, status.ErrMalformedResponse)
	assert.NotEqual(t, status.NotFound, snaps[0].Stage)

	row := consignmentJSON(t, 2010290360000002, nil)
	c, _ = answering(t, 200, `{"success":true,"total":2,"data":[null, `+row+`]}`)
	p, err = c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, p.Consignments, 1)
	assert.Equal(t, int64(2010290360000002), p.Consignments[0].ID.Int64)
	assert.Len(t, p.Unfit, 1)
}

// An empty page may come as data null with a total of 0 (PHP clients
// decide by total): it is empty, not malformed. With a total above 0 it
// stays malformed.
func TestAnswerNullDataEmptyPage(t *testing.T) {
	c, _ := answering(t, 200, `{"success":true,"total":0,"data":null}`)
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 0, p.Total)
	assert.Empty(t, p.Consignments)
	_, err = c.GetConsignment(context.Background(), 2010290360000001)
	assert.ErrorIs(t, err, status.ErrNotFound)

	c, _ = answering(t, 200, `{"success":true,"total":3,"data":null}`)
	_, err = c.ListConsignments(context.Background(), nil)
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
}

// A tracking history encodes in BirdSystem's own shape: decoding its data
// and encoding the result gives the data back, both shapes of history and
// an odd value included.
func TestAnswerTrackingRoundTrip(t *testing.T) {
	data := `{"JJD1":{"destination_country":"GB","check_points":[` +
		`{"create_time":"2015-01-01T08:10:19+00:00","current_status":"PREPARING","note":"Order received"},` +
		`{"create_time":{"date":"2015-01-02"},"current_status":5,"note":"Dispatched"}]},` +
		`"JJD2":[{"create_time":"2015-01-03T10:00:00+01:00","current_status":"PICKING","note":"old shape"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"success":true,"data":`+data+`,"message":[]}`)
	}))
	defer srv.Close()
	cfg := birdsystemtest.NewServer().Config()
	cfg.BaseURL = srv.URL
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	res, err := c.TrackingHistory(context.Background(), "JJD1", "JJD2")
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, data, string(b))
	require.NoError(t, wiretest.FieldsKept([]byte(data), b))
	ev := res.Tracking[0].Events()
	assert.Equal(t, "5", ev[1].Code.Value, "the odd current_status on its event")
	assert.Equal(t, `{"date":"2015-01-02"}`, ev[1].RawTime)

	var back birdsystem.TrackingResult
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, []string{"JJD1", "JJD2"}, []string{back.Tracking[0].Reference, back.Tracking[1].Reference})

	b, err = json.Marshal(birdsystem.TrackingResult{NotFound: []string{"X"}})
	require.NoError(t, err)
	assert.Equal(t, `[]`, string(b), "PHP's empty map")
}

// A check point whose current_status or create_time does not fit keeps
// the value as sent on its event: the code's value, the raw time.
func TestAnswerCheckPointRawValues(t *testing.T) {
	tr := birdsystem.Tracking{}
	require.NoError(t, json.Unmarshal([]byte(`{"check_points":[{"create_time":{"date":"2015-01-02"},"current_status":5,"note":"Dispatched"}]}`), &tr))
	ev := tr.Events()
	require.Len(t, ev, 1)
	assert.Equal(t, status.Code{Provider: status.BirdSystem, Field: "current_status", Value: "5"}, ev[0].Code)
	assert.Equal(t, status.Unknown, ev[0].Stage)
	assert.Equal(t, `{"date":"2015-01-02"}`, ev[0].RawTime)
	assert.True(t, ev[0].Time.IsZero())
	assert.Equal(t, "Dispatched", ev[0].Description)
}

// A failed events request on its own tracking URL names its path: never
// "events: GET : ...".
func TestAnswerEventsErrorNamesThePath(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"success":false,"message":"bad"}`)
	}))
	defer srv.Close()
	cfg := birdsystemtest.NewServer().Config()
	cfg.BaseURL = srv.URL
	cfg.TrackingURL = srv.URL + "/consignment/tracking"
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	_, err = c.TrackingHistory(context.Background(), "JJD1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GET /consignment/tracking: ")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.TrackingHistory(ctx, "JJD1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "GET : ")
}
