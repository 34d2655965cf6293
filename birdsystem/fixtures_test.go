package birdsystem_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/status"
)

// Fixture tests replay testdata/birdsystem with gock. gock is global, so
// none of them runs in parallel.

const fixtureHost = "https://birdsystem.fixture"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/birdsystem/" + name)
	require.NoError(t, err)
	return b
}

func gockClient(t *testing.T) *birdsystem.Client {
	t.Helper()
	t.Cleanup(gock.Off)
	hc := &http.Client{}
	gock.InterceptClient(hc)
	c, err := birdsystem.New(birdsystem.Config{BaseURL: fixtureHost, APIKey: birdsystem.NewSecret("fixture-api-key-0001"), CompanyID: "36",
		HTTPClient: hc, MaxRetries: -1})
	require.NoError(t, err)
	return c
}

func mockList(params map[string]string) *gock.Request {
	r := gock.New(fixtureHost).Get("/client/consignment").
		MatchHeader("api_key", "^fixture-api-key-0001$").MatchHeader("company_id", "^36$")
	for k, v := range params {
		r = r.MatchParam(k, "^"+v+"$")
	}
	return r
}

func TestFixtureDocumentedList(t *testing.T) {
	c := gockClient(t)
	mockList(map[string]string{"status": "FINISHED"}).Reply(200).BodyString(string(fixture(t, "list-finished.json")))
	p, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{Status: status.BirdSystemFinished})
	require.NoError(t, err)
	assert.Equal(t, 2, p.Total)
	require.Len(t, p.Consignments, 2)
	k := p.Consignments[0]
	assert.Equal(t, int64(2010290360000089), k.ID.Int64)
	assert.Equal(t, status.BirdSystemLocal, k.Type)
	assert.Equal(t, status.BirdSystemFinished, k.Status)
	assert.Equal(t, "Yodel Tracked(特惠)", k.DeliveryServiceName.String)
	assert.Equal(t, int64(5867), k.DeliveryServiceID.Int64)
	assert.Equal(t, birdsystem.Int64{Int64: 1, Valid: true, Quoted: true}, k.ConsignmentProductQuantity)
	assert.Equal(t, "2.00", k.TotalHandlingFee.String())
	assert.Equal(t, "0.000", k.SalesPrice.String(), "decimals keep their literal")
	assert.Equal(t, "2000", k.TotalWeight.String())
	assert.False(t, k.Weight.Valid, "null")
	assert.Equal(t, "Heather Howe", k.Contact.String)
	assert.False(t, k.AddressLine2.Valid)
	assert.Equal(t, "GB", k.CountryISO.String)
	assert.Equal(t, "JJD0002258212509047", k.DeliveryReference.String)
	assert.Equal(t, "2020-10-29 14:05:50", k.UpdateTime.Raw)
	assert.Equal(t, time.Date(2020, 10, 29, 14, 5, 50, 0, time.UTC), k.UpdateTime.Time.UTC(), "GMT in late October")
	assert.False(t, k.ArriveTime.Valid)
	assert.Equal(t, "ZZ", k.ConsignmentDeliveryAgentNet17TrackCode.String)
	assert.False(t, k.ConsignmentFeedbackStatus.Valid)
	assert.Equal(t, []string{"id"}, k.PrimaryKeys)
	assert.Contains(t, k.NeighbourInstruction.String, "copy from consignment 2007100360000006\n")

	s := k.Snapshot("2010290360000089")
	assert.Equal(t, status.Snapshot{Provider: status.BirdSystem, Ref: "2010290360000089", OrderNo: "2010290360000089",
		Stage: status.Shipped, Codes: []status.Code{{Provider: status.BirdSystem, Field: "status", Value: "FINISHED"}, {Provider: status.BirdSystem, Field: "type", Value: "LOCAL"}},
		TrackingNo: "JJD0002258212509047", Carrier: "Yodel Tracked(特惠)", UpdatedAt: k.UpdateTime.Time.UTC(),
		Events: []status.Event{
			{Time: k.CreateTime.Time.UTC(), RawTime: k.CreateTime.Raw, Description: "consignment created"},
			{Time: k.FinishTime.Time.UTC(), RawTime: k.FinishTime.Raw, Description: "finished"},
		}}, s)
}

// Decoding the documented answer and encoding it again gives BirdSystem's
// JSON back, field for field and in the same order.
func TestFixtureWireRoundTrip(t *testing.T) {
	for _, file := range []string{"list-finished.json", "page-middle.json", "big-ids.json"} {
		raw := fixture(t, file)
		var doc struct {
			Total      json.RawMessage          `json:"total"`
			Data       []birdsystem.Consignment `json:"data"`
			Success    bool                     `json:"success"`
			ModuleName string                   `json:"moduleName"`
		}
		require.NoError(t, json.Unmarshal(raw, &doc), file)
		out, err := json.Marshal(doc)
		require.NoError(t, err)
		assert.JSONEq(t, string(raw), string(out), file)
	}
	// Key order is kept too: compact both and compare bytes.
	raw := fixture(t, "list-finished.json")
	var doc struct {
		Total      int                      `json:"total"`
		Data       []birdsystem.Consignment `json:"data"`
		Success    bool                     `json:"success"`
		ModuleName string                   `json:"moduleName"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	var want, got []byte
	want, err := compact(raw)
	require.NoError(t, err)
	got, err = json.Marshal(doc)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestFixtureBigIDs(t *testing.T) {
	c := gockClient(t)
	mockList(nil).Reply(200).BodyString(string(fixture(t, "big-ids.json")))
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, p.Total, `"total": "2"`)
	assert.Equal(t, int64(9007199254740993), p.Consignments[0].ID.Int64, "2^53+1 stays exact")
	assert.Equal(t, int64(9223372036854775807), p.Consignments[1].ID.Int64)
	assert.True(t, p.Consignments[1].ID.Quoted)
	assert.Equal(t, "2000.5", p.Consignments[1].TotalWeight.String())
	assert.Equal(t, status.BirdSystemStatus("ON_HOLD_NEW"), p.Consignments[1].Status)
	assert.Equal(t, time.Date(2021, 3, 7, 9, 5, 0, 0, time.UTC), p.Consignments[1].UpdateTime.Time.UTC(), "unpadded, GMT in March")
	s := p.Consignments[1].Snapshot("9223372036854775807")
	assert.Equal(t, status.Unknown, s.Stage)
	assert.Equal(t, "ON_HOLD_NEW", s.Codes[0].Value)
	assert.Equal(t, "JJD000990001", p.Consignments[0].Snapshot("x").TrackingNo, "tracking_reference first")
}

func TestFixturePages(t *testing.T) {
	c := gockClient(t)
	mockList(map[string]string{"start": "2", "limit": "2"}).Reply(200).BodyString(string(fixture(t, "page-middle.json")))
	p, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{Start: 2, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, 5, p.Total)
	require.Len(t, p.Consignments, 2)
	problem := p.Consignments[1].Snapshot("2010290360000092")
	assert.Equal(t, status.Exception, problem.Stage)
	assert.Equal(t, []status.Problem{{Reason: status.ReasonOther, Code: status.BirdSystemProblem.Code()}}, problem.Problems)
	assert.Equal(t, "address incomplete", p.Consignments[1].ConsignmentFeedbackNote.String)

	mockList(map[string]string{"start": "4"}).Reply(200).BodyString(string(fixture(t, "page-empty.json")))
	p, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{Start: 4})
	require.NoError(t, err)
	assert.Empty(t, p.Consignments)
	assert.Equal(t, 5, p.Total)
}

func TestFixtureErrors(t *testing.T) {
	cases := []struct {
		file     string
		httpCode int
		sentinel error
		message  string
	}{
		{"error-500.json", 500, status.ErrInvalidRequest, "Delivery service is not available for this warehouse and country"},
		{"success-false-200.json", 200, status.ErrInvalidRequest, "No permission to view this consignment"},
		{"html-502.html", 502, status.ErrUnavailable, ""},
		{"html-502.html", 200, status.ErrMalformedResponse, "-"},
		{"error-500.json", 401, status.ErrUnauthorized, "Delivery service is not available for this warehouse and country"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c := gockClient(t)
			mockList(nil).Reply(tc.httpCode).BodyString(string(fixture(t, tc.file)))
			_, err := c.ListConsignments(context.Background(), nil)
			var ae *status.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.httpCode, ae.HTTPStatus)
			assert.ErrorIs(t, err, tc.sentinel)
			if tc.message != "-" {
				assert.Equal(t, tc.message, ae.Message)
			}
		})
	}
}

func TestFixtureCreate(t *testing.T) {
	c := gockClient(t)
	// The document's curl example, as the client sends it.
	gock.New(fixtureHost).Post("/client/consignment").
		MatchHeader("api_key", "^fixture-api-key-0001$").MatchHeader("company_id", "^36$").
		MatchType("url").
		AddMatcher(func(r *http.Request, _ *gock.Request) (bool, error) {
			body, _ := r.GetBody()
			var b [1024]byte
			n, _ := body.Read(b[:])
			return string(b[:n]) == "address_line1=3%2C+Northam+Close&address_line2=Marshside&city=Southport&contact=Norman+Drury&country_iso=GB&county=Merseyside&delivery_service_id=2662&post_code=PR9+9GA&sales_reference=2&telephone=01704+226830&type=LOCAL", nil
		}).
		Reply(200).BodyString(string(fixture(t, "create.json")))
	got, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
		Contact: "Norman Drury", AddressLine1: "3, Northam Close", AddressLine2: "Marshside", City: "Southport",
		County: "Merseyside", PostCode: "PR9 9GA", CountryISO: "GB", Telephone: "01704 226830", SalesReference: "2",
		Type: status.BirdSystemLocal, DeliveryServiceID: 2662,
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2006143004830001), got.ID, `the answer's string id`)
	assert.JSONEq(t, `{"id":"2006143004830001","status":"PREPARING"}`, string(got.Data))
	assert.True(t, gock.IsDone())
}

func TestFixtureCreateAnswerWithoutID(t *testing.T) {
	c := gockClient(t)
	gock.New(fixtureHost).Post("/client/consignment").Reply(200).BodyString(string(fixture(t, "create-no-id.json")))
	_, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB", DeliveryServiceID: 1})
	assert.ErrorIs(t, err, status.ErrMalformedResponse)
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown, "BirdSystem answered 200: something happened")
}

func TestFixtureConsignmentProduct(t *testing.T) {
	c := gockClient(t)
	gock.New(fixtureHost).Post("/client/consignment-product").
		BodyString("consignment_id=2006143004830001&product_id=77&product_type=NORMAL&quantity=2").
		Reply(200).BodyString(string(fixture(t, "consignment-product.json")))
	require.NoError(t, c.AddConsignmentProduct(context.Background(), 2006143004830001, 77, birdsystem.ProductNormal, 2))
	assert.True(t, gock.IsDone())
}

// Every options struct goes through go-querystring here, so that a tag typo
// (url:"x:omitempty") cannot ship silently.
func TestListOptionsValues(t *testing.T) {
	v, err := query.Values(birdsystem.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, v.Encode(), "zero options send nothing")
	v, err = query.Values(birdsystem.ListOptions{
		Status: status.BirdSystemFinished, Type: status.BirdSystemReturn, ID: 9007199254740993,
		ConsignmentProductReference: "2989068", SalesReference: "S1", DeliveryReference: "JJD1", PostCode: "tf13hx",
		Contact: "Heather Howe", SalesOrderID: "112-5539603-3130663", CustomIdentityReference: "C1", Start: 50, Limit: 25,
	})
	require.NoError(t, err)
	assert.Equal(t, "consignment_product_reference=2989068&contact=Heather+Howe&custom_identity_reference=C1&delivery_reference=JJD1&id=9007199254740993&limit=25&post_code=tf13hx&sales_order_id=112-5539603-3130663&sales_reference=S1&start=50&status=FINISHED&type=RETURN", v.Encode())
}

func TestNewConsignmentValues(t *testing.T) {
	v, err := query.Values(birdsystem.NewConsignment{DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
	require.NoError(t, err)
	assert.Equal(t, "address_line1=b&city=c&contact=a&country_iso=GB&delivery_service_id=1", v.Encode())
	v, err = query.Values(birdsystem.NewConsignment{BusinessName: "B", AddressLine3: "3", Email: "e", CustomIdentityReference: "i",
		SpecialInstruction: "s", NeighbourInstruction: "n", IsUrgent: true, Type: status.BirdSystemReturn})
	require.NoError(t, err)
	assert.Equal(t, "address_line1=&address_line3=3&business_name=B&city=&contact=&country_iso=&custom_identity_reference=i&delivery_service_id=0&email=e&is_urgent=1&neighbour_instruction=n&special_instruction=s&type=RETURN", v.Encode())
}

// Without a total, the walk goes on until a short page.
func TestConsignmentsWithoutTotal(t *testing.T) {
	c := gockClient(t)
	page := func(ids ...int) string {
		var b []string
		for _, id := range ids {
			b = append(b, fmt.Sprintf(`{"id":%d,"status":"FINISHED","type":"LOCAL"}`, id))
		}
		return `{"data":[` + strings.Join(b, ",") + `],"success":true}`
	}
	first := func(r *http.Request, _ *gock.Request) (bool, error) { return !r.URL.Query().Has("start"), nil }
	mockList(map[string]string{"limit": "2"}).AddMatcher(first).Times(2).Reply(200).BodyString(page(1, 2))
	mockList(map[string]string{"start": "2", "limit": "2"}).Reply(200).BodyString(page(3))
	p, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, -1, p.Total, "no total in the answer")
	var ids []int64
	for k, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 2}) {
		require.NoError(t, err)
		ids = append(ids, k.ID.Int64)
	}
	assert.Equal(t, []int64{1, 2, 3}, ids)
	assert.True(t, gock.IsDone())
}

// Sort, SelectFields, Filter and Limit -1 go through go-querystring as the
// exact query BirdSystem documents.
func TestListOptionsSortFilterValues(t *testing.T) {
	since := time.Date(2021, 5, 17, 0, 0, 0, 0, time.UTC)
	v, err := query.Values(birdsystem.ListOptions{
		Limit:        -1,
		Sort:         birdsystem.Sorts{{Property: "update_time", Direction: birdsystem.Descending}},
		SelectFields: []string{"id", "status", "update_time"},
		Filter: birdsystem.Filters{
			birdsystem.NumericFilter("total_weight", birdsystem.GreaterThan, "0.5"),
			birdsystem.DateFilter("update_time", birdsystem.GreaterThan, since),
			birdsystem.ListFilter("status", "PENDING", "PICKING"),
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "-1", v.Get("limit"))
	assert.Equal(t, `[{"property":"update_time","direction":"DESC"}]`, v.Get("sort"))
	assert.Equal(t, "id,status,update_time", v.Get("selectFields"))
	assert.Equal(t, `[{"type":"numeric","comparison":"gt","value":0.5,"field":"total_weight"},`+
		`{"type":"date","comparison":"gt","value":"2021-05-17","field":"update_time"},`+
		`{"type":"list","value":["PENDING","PICKING"],"field":"status"}]`, v.Get("filter"))
	v, err = query.Values(birdsystem.ListOptions{Sort: birdsystem.Sorts{}, Filter: birdsystem.Filters{}})
	require.NoError(t, err)
	assert.Empty(t, v.Encode(), "empty sorts and filters send nothing")
}

// The create fields of BirdSystem's fuller docs, with the hyphen of
// return_consignment_action-id.
func TestNewConsignmentMoreValues(t *testing.T) {
	v, err := query.Values(birdsystem.NewConsignment{DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB",
		SalesPrice: "12.50", SalesOrderID: "112-5539603-3130663", DeliveryReference: "JJD1", PaymentReference: "PAY-1",
		ReturnConsignmentActionID: 3})
	require.NoError(t, err)
	assert.Equal(t, "address_line1=b&city=c&contact=a&country_iso=GB&delivery_reference=JJD1&delivery_service_id=1&"+
		"payment_reference=PAY-1&return_consignment_action-id=3&sales_order_id=112-5539603-3130663&sales_price=12.50", v.Encode())
}
