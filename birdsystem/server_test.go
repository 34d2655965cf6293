package birdsystem_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/status"
)

// End-to-end tests against the birdsystemtest fake over loopback HTTP.

func setup(t *testing.T) (*birdsystemtest.Server, *birdsystem.Client) {
	t.Helper()
	srv := birdsystemtest.NewServer()
	t.Cleanup(srv.Close)
	c, err := birdsystem.New(srv.Config())
	require.NoError(t, err)
	return srv, c
}

// seed stores n consignments with ids base+0..n-1, every third one PICKING
// and the rest FINISHED.
func seed(srv *birdsystemtest.Server, base int64, n int) {
	for i := 0; i < n; i++ {
		st := status.BirdSystemFinished
		if i%3 == 0 {
			st = status.BirdSystemPicking
		}
		c := birdsystemtest.Consignment(base+int64(i), st)
		c.SalesReference = birdsystem.NewString(fmt.Sprintf("S-%d", i))
		srv.Put(c)
	}
}

func TestServerListFiltersAndPaging(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	seed(srv, 2010290360000001, 10)
	p, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{Status: status.BirdSystemPicking})
	require.NoError(t, err)
	assert.Equal(t, 4, p.Total)
	for _, k := range p.Consignments {
		assert.Equal(t, status.BirdSystemPicking, k.Status)
	}
	p, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{SalesReference: "S-7"})
	require.NoError(t, err)
	require.Len(t, p.Consignments, 1)
	assert.Equal(t, int64(2010290360000008), p.Consignments[0].ID.Int64)

	p, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{Start: 8, Limit: 5})
	require.NoError(t, err)
	assert.Equal(t, 10, p.Total)
	assert.Len(t, p.Consignments, 2)

	p, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{Limit: -1})
	require.NoError(t, err)
	assert.Len(t, p.Consignments, 10, "-1: every record at once")
	_, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{Limit: -2})
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	var walked int
	for _, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: -1}) {
		require.NoError(t, err)
		walked++
	}
	assert.Equal(t, 10, walked)
	assert.Equal(t, 5, srv.Hits(birdsystemtest.ConsignmentPath), "four lists, and the walk with -1 is one request")
}

func TestServerConsignmentsWalksEveryPage(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	seed(srv, 2010290360000001, 23)
	var ids []int64
	for k, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 5}) {
		require.NoError(t, err)
		ids = append(ids, k.ID.Int64)
	}
	assert.Len(t, ids, 23)
	assert.Equal(t, int64(2010290360000023), ids[22])
	assert.Equal(t, 5, srv.Hits(birdsystemtest.ConsignmentPath), "five pages of five")
}

func TestServerConsignmentsStopsWhenTheCallerBreaks(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	seed(srv, 2010290360000001, 30)
	n := 0
	for _, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 10}) {
		require.NoError(t, err)
		if n++; n == 12 {
			break
		}
	}
	assert.Equal(t, 2, srv.Hits(birdsystemtest.ConsignmentPath), "no third page is fetched")
}

func TestServerConsignmentsYieldsTheError(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	seed(srv, 2010290360000001, 8)
	for i := 0; i < 4; i++ {
		srv.Inject(birdsystemtest.Fault{Status: 502})
	}
	var errs, items int
	for k, err := range c.Consignments(context.Background(), &birdsystem.ListOptions{Limit: 5}) {
		if err != nil {
			errs++
			assert.ErrorIs(t, err, status.ErrUnavailable)
			assert.Nil(t, k)
			continue
		}
		items++
	}
	assert.Equal(t, 1, errs)
	assert.Zero(t, items)
}

func TestServerGetConsignment(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(birdsystemtest.Consignment(9007199254740993, status.BirdSystemReviewing))
	k, err := c.GetConsignment(context.Background(), 9007199254740993)
	require.NoError(t, err)
	assert.Equal(t, status.BirdSystemReviewing, k.Status)
	_, err = c.GetConsignment(context.Background(), 9007199254740994)
	assert.ErrorIs(t, err, status.ErrNotFound)
	_, err = c.GetConsignment(context.Background(), 0)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
}

func TestServerCreateAndAddProduct(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	got, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
		DeliveryServiceID: birdsystemtest.DeliveryServiceID, Contact: "Norman Drury", AddressLine1: "3, Northam Close",
		City: "Southport", PostCode: "PR9 9GA", CountryISO: "GB", SalesReference: "SO-1", IsUrgent: true,
	})
	require.NoError(t, err)
	k, err := c.GetConsignment(context.Background(), got.ID)
	require.NoError(t, err)
	assert.Equal(t, status.BirdSystemPreparing, k.Status)
	assert.Equal(t, status.BirdSystemLocal, k.Type)
	assert.Equal(t, "3, Northam Close", k.AddressLine1.String)
	assert.Equal(t, int64(1), k.IsUrgent.Int64)

	require.NoError(t, c.AddConsignmentProduct(context.Background(), got.ID, 77, birdsystem.ProductNormal, 2))
	k, err = c.GetConsignment(context.Background(), got.ID)
	require.NoError(t, err)
	assert.Equal(t, status.BirdSystemPending, k.Status, "a consignment with products moves to PENDING")
	assert.Equal(t, int64(2), k.ConsignmentProductQuantity.Int64)

	err = c.AddConsignmentProduct(context.Background(), 123, 77, birdsystem.ProductNormal, 1)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.ErrorContains(t, err, "Consignment not found")
	assert.Equal(t, 1, srv.Creates())
}

func TestServerCreateRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	for _, n := range []*birdsystem.NewConsignment{
		nil,
		{},
		{DeliveryServiceID: 1, Contact: "a", City: "c", CountryISO: "GB"},
		{DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c"},
		{DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GBR"},
		{DeliveryServiceID: 1, Contact: " ", AddressLine1: "b", City: "c", CountryISO: "GB"},
		{DeliveryServiceID: 1, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB", Type: "EXPRESS"},
	} {
		_, err := c.CreateConsignment(context.Background(), n)
		assert.ErrorIs(t, err, status.ErrInvalidRequest, "%+v", n)
	}
	_, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{})
	assert.ErrorContains(t, err, "delivery_service_id, contact, address_line1, city, country_iso")
	for _, bad := range []func() error{
		func() error { return c.AddConsignmentProduct(context.Background(), 0, 1, birdsystem.ProductNormal, 1) },
		func() error { return c.AddConsignmentProduct(context.Background(), 1, 1, "SPECIAL", 1) },
		func() error {
			return c.AddConsignmentProduct(context.Background(), 1, 1, birdsystem.ProductDirectional, 0)
		},
	} {
		assert.ErrorIs(t, bad(), status.ErrInvalidRequest)
	}
	assert.Zero(t, srv.Hits(""), "nothing was sent")
}

func TestServerCreateRefusedByBirdSystem(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
		DeliveryServiceID: 2662, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
	var ae *status.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 500, ae.HTTPStatus)
	assert.Equal(t, "Delivery service is not available for this warehouse and country", ae.Message)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.NotErrorIs(t, err, status.ErrOutcomeUnknown, "BirdSystem said no")
	assert.Equal(t, 1, srv.Hits(birdsystemtest.ConsignmentPath))
}

// A create is never sent twice, whatever the fault.
func TestServerCreateSentOnceUnderFaults(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault   birdsystemtest.Fault
		unknown bool
	}{
		// A gateway's 5xx says nothing of whether BirdSystem acted.
		"503":       {birdsystemtest.Fault{Status: 503}, true},
		"502 html":  {birdsystemtest.Fault{Status: 502, Body: "<html>bad gateway</html>"}, true},
		"500 html":  {birdsystemtest.Fault{Status: 500, Body: "<html><h1>500 Internal Server Error</h1></html>"}, true},
		"504 page":  {birdsystemtest.Fault{Status: 504, Body: "<html><body>Gateway Timeout</body></html>"}, true},
		"429":       {birdsystemtest.Fault{Status: 429, RetryAfter: "0"}, false},
		"dropped":   {birdsystemtest.Fault{Drop: true}, true},
		"truncated": {birdsystemtest.Fault{Truncate: true, Body: `{"success":true,"data":{"id":"20`}, true},
		"html 200":  {birdsystemtest.Fault{Body: "<html>ok</html>"}, true},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t)
			tc.fault.Path = birdsystemtest.ConsignmentPath
			srv.Inject(tc.fault)
			_, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
				DeliveryServiceID: birdsystemtest.DeliveryServiceID, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
			require.Error(t, err)
			assert.Equal(t, 1, srv.Hits(birdsystemtest.ConsignmentPath), "sent once")
			assert.Equal(t, tc.unknown, errorIsOutcomeUnknown(err), "%v", err)
			if tc.fault.Status >= 500 {
				assert.ErrorIs(t, err, status.ErrUnavailable)
				var ae *status.APIError
				assert.ErrorAs(t, err, &ae, "the APIError is still there to inspect")
			}
		})
	}
}

func errorIsOutcomeUnknown(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("may or may not")) &&
		isErr(err, status.ErrOutcomeUnknown)
}

func TestServerQueriesAreRetried(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	seed(srv, 2010290360000001, 3)
	srv.Inject(birdsystemtest.Fault{Status: 503}, birdsystemtest.Fault{Drop: true})
	p, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 3, p.Total)
	assert.Equal(t, 3, srv.Hits(birdsystemtest.ConsignmentPath))
}

func TestServerRefusalIsNotRetried(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(birdsystemtest.Fault{Status: 500, Body: `{"success":false,"message":"start must be a number"}`})
	_, err := c.ListConsignments(context.Background(), nil)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.ErrorContains(t, err, "start must be a number")
	assert.Equal(t, 1, srv.Hits(""), "BirdSystem's considered answer is not retried")
}

func TestServerWrongCredentials(t *testing.T) {
	t.Parallel()
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.APIKey = birdsystem.NewSecret("not-the-right-key")
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	_, err = c.ListConsignments(context.Background(), nil)
	assert.ErrorIs(t, err, status.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "not-the-right-key")
}

func TestServerTrack(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	shipped := birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished)
	shipped.DeliveryReference = birdsystem.NewString("JJD0002258212509047")
	waiting := birdsystemtest.Consignment(2010290360000090, status.BirdSystemWaitingClientRespond)
	srv.Put(shipped, waiting)
	snaps, err := c.Track(context.Background(), "2010290360000090", "not-a-number", "2010290360000089", "99")
	require.NoError(t, err)
	require.Len(t, snaps, 4)
	assert.Equal(t, status.Exception, snaps[0].Stage)
	assert.Equal(t, []status.Problem{{Reason: status.ReasonAwaitingCustomer, Code: status.BirdSystemWaitingClientRespond.Code()}}, snaps[0].Problems)
	assert.Equal(t, status.NotFound, snaps[1].Stage)
	assert.Equal(t, status.Shipped, snaps[2].Stage)
	assert.Equal(t, "JJD0002258212509047", snaps[2].TrackingNo)
	assert.Equal(t, "Yodel Tracked(特惠)", snaps[2].Carrier)
	assert.Equal(t, "2020-10-29T14:05:50Z", snaps[2].UpdatedAt.Format(time.RFC3339))
	assert.Equal(t, status.NotFound, snaps[3].Stage)

	_, err = c.Track(context.Background(), "1", "")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
}

func TestServerCancellation(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(birdsystemtest.Fault{Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.ListConsignments(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	var logs bytes.Buffer
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	srv.Inject(birdsystemtest.Fault{Status: 503})
	_, _ = c.ListConsignments(context.Background(), nil)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(c), fmt.Sprintf("%+v", c), logs.String()} {
		assert.NotContains(t, s, birdsystemtest.APIKey)
	}
	assert.Contains(t, logs.String(), "ordertrack: attempt")
	assert.Contains(t, fmt.Sprint(cfg), birdsystemtest.CompanyID)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []birdsystem.Config{
		{BaseURL: birdsystem.TestHost, CompanyID: "36"},
		{BaseURL: birdsystem.TestHost, APIKey: birdsystem.NewSecret("k")},
		{APIKey: birdsystem.NewSecret("k"), CompanyID: "36"},
		{BaseURL: birdsystem.TestHost, APIKey: birdsystem.NewSecret("k"), CompanyID: "36", Concurrency: -2},
	} {
		_, err := birdsystem.New(cfg)
		assert.ErrorIs(t, err, status.ErrInvalidConfig, "%v", cfg)
	}
}

func TestServerTrackInAnotherZone(t *testing.T) {
	t.Parallel()
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	srv.Put(birdsystemtest.Consignment(2010290360000089, status.BirdSystemFinished)) // update_time 2020-10-29 14:05:50
	cfg := srv.Config()
	cfg.Location = time.FixedZone("CST", 8*3600)
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), "2010290360000089")
	require.NoError(t, err)
	assert.Equal(t, "2020-10-29T06:05:50Z", snaps[0].UpdatedAt.Format(time.RFC3339), "read as China time")
}

// DropAfterServe stores the create and then hangs up: the client says the
// outcome is unknown, and the consignment is there to be looked up.
func TestServerCreateStoredThenDropped(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(birdsystemtest.Fault{Path: birdsystemtest.ConsignmentPath, DropAfterServe: true})
	_, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
		DeliveryServiceID: birdsystemtest.DeliveryServiceID, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB",
		SalesReference: "SR-DROP"})
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Hits(birdsystemtest.ConsignmentPath), "sent once")
	assert.Equal(t, 1, srv.Creates(), "the fake acted")
	p, err := c.ListConsignments(context.Background(), &birdsystem.ListOptions{SalesReference: "SR-DROP"})
	require.NoError(t, err)
	assert.Len(t, p.Consignments, 1, "look it up before creating it again")
}

// Confirm and cancel through Batch-Update-Status, sent once whatever the
// fault; the fake's tracking and company list.
func TestServerUpdateStatusTrackingCompanies(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Put(birdsystemtest.Consignment(1, status.BirdSystemPreparing), birdsystemtest.Consignment(2, status.BirdSystemPreparing))
	require.NoError(t, c.ConfirmConsignment(context.Background(), 1, 2))
	k, _ := srv.Get(1)
	assert.Equal(t, status.BirdSystemPending, k.Status)
	require.NoError(t, c.CancelConsignment(context.Background(), 2))
	k, _ = srv.Get(2)
	assert.Equal(t, status.BirdSystemCancelled, k.Status)

	assert.ErrorIs(t, c.UpdateConsignmentStatus(context.Background(), status.BirdSystemFinished, 1), status.ErrInvalidRequest)
	assert.ErrorIs(t, c.ConfirmConsignment(context.Background()), status.ErrInvalidRequest)
	assert.ErrorIs(t, c.CancelConsignment(context.Background(), 404), status.ErrInvalidRequest, "BirdSystem's refusal")

	srv.ResetHits()
	srv.Inject(birdsystemtest.Fault{Path: birdsystemtest.BatchUpdateStatusPath, Status: 503})
	err := c.ConfirmConsignment(context.Background(), 1)
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Hits(birdsystemtest.BatchUpdateStatusPath), "never sent twice")

	srv.PutCheckPoints("JJD1", birdsystem.CheckPoint{CreateTime: birdsystem.NewTime(time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)),
		CurrentStatus: status.BirdSystemFinished, Note: birdsystem.NewString("Dispatched")})
	res, err := c.TrackingHistory(context.Background(), "JJD1", "JJD404")
	require.NoError(t, err)
	require.Len(t, res.Tracking, 1)
	assert.Equal(t, "Dispatched", res.Tracking[0].CheckPoints[0].Note.String)
	assert.Equal(t, []string{"JJD404"}, res.NotFound)

	companies, err := c.ListCompanies(context.Background())
	require.NoError(t, err)
	require.Len(t, companies, 1)
	assert.Equal(t, birdsystemtest.CompanyID, companies[0].ID.String())
}

// With TrackEvents, each consignment's check points join its recorded
// times as events, oldest first; a failed tracking request leaves the
// stage and sets Err.
func TestServerTrackEvents(t *testing.T) {
	t.Parallel()
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.TrackEvents = true
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	k := birdsystemtest.Consignment(7, status.BirdSystemFinished)
	srv.Put(k)
	srv.PutCheckPoints(k.DeliveryReference.String,
		birdsystem.CheckPoint{CreateTime: birdsystem.Time{Raw: "2020-10-29T13:00:00+00:00", Valid: true}, CurrentStatus: status.BirdSystemPicking, Note: birdsystem.NewString("Picking")},
		birdsystem.CheckPoint{CreateTime: birdsystem.Time{Raw: "2020-10-29T14:00:00+00:00", Valid: true}, CurrentStatus: status.BirdSystemFinished, Note: birdsystem.NewString("Dispatched")})
	snaps, err := c.Track(context.Background(), "7")
	require.NoError(t, err)
	var notes []string
	for _, e := range snaps[0].Events {
		notes = append(notes, e.Description)
	}
	assert.Equal(t, []string{"consignment created", "Picking", "Dispatched"}, notes)
	assert.Equal(t, status.Shipped, snaps[0].Events[2].Stage, "current_status is a documented code")
	assert.Equal(t, status.Code{Provider: status.BirdSystem, Field: "current_status", Value: "FINISHED"}, snaps[0].Events[2].Code)

	for i := 0; i < 4; i++ {
		srv.Inject(birdsystemtest.Fault{Path: birdsystemtest.TrackingPath, Status: 502})
	}
	snaps, err = c.Track(context.Background(), "7")
	require.NoError(t, err)
	assert.Equal(t, status.Shipped, snaps[0].Stage, "the stage stays")
	assert.ErrorIs(t, snaps[0].Err, status.ErrUnavailable)
	assert.Contains(t, snaps[0].Err.Error(), `birdsystem: ref "7": events: GET /consignment/tracking`)
}

// The fake honours the list filters and the sort its doc names: list,
// numeric and date conditions, and several sort properties; a condition
// BirdSystem would not take is refused.
func TestServerListFiltersAndSort(t *testing.T) {
	srv := birdsystemtest.NewServer()
	defer srv.Close()
	day := func(d int) time.Time { return time.Date(2021, 5, d, 10, 0, 0, 0, time.UTC) }
	for i, st := range []status.BirdSystemStatus{status.BirdSystemPending, status.BirdSystemPicking, status.BirdSystemFinished,
		status.BirdSystemPending, status.BirdSystemCancelled} {
		k := birdsystemtest.Consignment(int64(1001+i), st)
		k.UpdateTime = birdsystem.NewTime(day(10 + i))
		k.TotalHandlingFee = birdsystem.NewDecimal(fmt.Sprintf("%d.50", i))
		srv.Put(k)
	}
	c, err := birdsystem.New(srv.Config())
	require.NoError(t, err)
	ids := func(opts *birdsystem.ListOptions) []int64 {
		t.Helper()
		p, err := c.ListConsignments(context.Background(), opts)
		require.NoError(t, err)
		var out []int64
		for _, k := range p.Consignments {
			out = append(out, k.ID.Int64)
		}
		assert.Equal(t, len(out), p.Total)
		return out
	}
	assert.Equal(t, []int64{1001, 1004}, ids(&birdsystem.ListOptions{Filter: birdsystem.Filters{birdsystem.ListFilter("status", "PENDING")}}))
	assert.Equal(t, []int64{1002, 1003, 1004}, ids(&birdsystem.ListOptions{Filter: birdsystem.Filters{
		birdsystem.DateFilter("update_time", birdsystem.GreaterThan, day(11)),
		birdsystem.NumericFilter("total_handling_fee", birdsystem.LessThan, "4")}}))
	assert.Equal(t, []int64{1005, 1004, 1003, 1002, 1001}, ids(&birdsystem.ListOptions{Sort: birdsystem.Sorts{{Property: "update_time", Direction: birdsystem.Descending}}}))
	assert.Equal(t, []int64{1002, 1001, 1004, 1003, 1005}, ids(&birdsystem.ListOptions{Sort: birdsystem.Sorts{
		{Property: "status", Direction: birdsystem.Descending}, {Property: "id", Direction: birdsystem.Ascending}}}))

	_, err = c.ListConsignments(context.Background(), &birdsystem.ListOptions{Filter: birdsystem.Filters{{Type: "regex", Field: "status", Value: "P.*"}}})
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
}

// A fault aimed at the create (POST) is not used up by the GET polling
// the same path: the poll is served, the create dropped after storing.
func TestServerFaultByMethod(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.Inject(birdsystemtest.Fault{Method: "POST", Path: birdsystemtest.ConsignmentPath, DropAfterServe: true})
	_, err := c.ListConsignments(context.Background(), nil)
	require.NoError(t, err, "the GET is not the fault's")
	_, err = c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{
		DeliveryServiceID: birdsystemtest.DeliveryServiceID, Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"GET", "POST"}, []string{reqs[0].Method, reqs[1].Method})
	assert.Equal(t, []bool{false, true}, []bool{reqs[0].Faulted, reqs[1].Faulted})
}

// Faults that last: for a count, until healed (SetDown), for a while; and
// one chosen by ref fails that order while the others answer.
func TestServerLastingFaults(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	cfg := srv.Config()
	cfg.MaxRetries = -1
	c, err := birdsystem.New(cfg)
	require.NoError(t, err)
	ids := []string{"2010290360000089", "2010290360000090"}

	srv.Inject(birdsystemtest.Fault{Status: 503, Times: 3})
	for i := range 4 {
		_, err := c.ListConsignments(context.Background(), nil)
		if i < 3 {
			assert.ErrorIs(t, err, status.ErrUnavailable, "request %d", i)
		} else {
			assert.NoError(t, err, "three times, then served")
		}
	}

	srv.SetDown(true)
	for range 5 {
		snaps, err := c.Track(context.Background(), ids...)
		require.NoError(t, err)
		for _, s := range snaps {
			assert.ErrorIs(t, s.Err, status.ErrUnavailable)
		}
	}
	srv.SetDown(false)
	snaps, err := c.Track(context.Background(), ids...)
	require.NoError(t, err)
	require.NoError(t, status.Errors(snaps))

	srv.Inject(birdsystemtest.Fault{Status: 500, Body: `{"success":false,"message":"boom"}`, Ref: ids[1], Times: birdsystemtest.Forever})
	snaps, err = c.Track(context.Background(), ids...)
	require.NoError(t, err)
	assert.Error(t, snaps[0].Err, "one batch, one request: it fails whole")
	assert.Error(t, snaps[1].Err, "this order fails")
	cfg.BatchSize = 1
	one, err := birdsystem.New(cfg)
	require.NoError(t, err)
	snaps, err = one.Track(context.Background(), ids...)
	require.NoError(t, err)
	assert.NoError(t, snaps[0].Err, "asked alone, the other order answers")
	assert.Error(t, snaps[1].Err, "this order fails")
	srv.Heal()

	srv.ResetHits()
	srv.Inject(birdsystemtest.Fault{Status: 503, For: time.Hour})
	for range 3 {
		_, err := c.ListConsignments(context.Background(), nil)
		assert.ErrorIs(t, err, status.ErrUnavailable)
	}
	assert.Equal(t, 3, srv.Hits(""))
	assert.Len(t, srv.Requests(), 3)
}

// A findable create whose answer is lost is found by its SalesReference,
// sent once; one that never reached BirdSystem is not found, and says so;
// one without a SalesReference is refused before sending.
func TestServerCreateOrFind(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	n := &birdsystem.NewConsignment{DeliveryServiceID: birdsystemtest.DeliveryServiceID, Contact: "a", AddressLine1: "b",
		City: "c", CountryISO: "GB", SalesReference: "SR-FIND"}
	srv.Inject(birdsystemtest.Fault{Method: "POST", Path: birdsystemtest.ConsignmentPath, DropAfterServe: true})
	got, err := c.CreateOrFindConsignment(context.Background(), n)
	require.NoError(t, err)
	assert.True(t, got.Found)
	assert.NotZero(t, got.ID)
	k, err := c.GetConsignment(context.Background(), got.ID)
	require.NoError(t, err)
	assert.Equal(t, "SR-FIND", k.SalesReference.String)

	lost := *n
	lost.SalesReference = "SR-LOST"
	srv.Inject(birdsystemtest.Fault{Method: "POST", Path: birdsystemtest.ConsignmentPath, Drop: true})
	before := srv.Creates()
	_, err = c.CreateOrFindConsignment(context.Background(), &lost)
	assert.ErrorIs(t, err, status.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, status.ErrNotFound)
	assert.Equal(t, before, srv.Creates(), "never sent again on its own")
	posts := 0
	for _, r := range srv.Requests() {
		if r.Method == "POST" {
			posts++
		}
	}
	assert.Equal(t, 2, posts, "each create sent once")

	anon := *n
	anon.SalesReference = ""
	srv.ResetHits()
	_, err = c.CreateOrFindConsignment(context.Background(), &anon)
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
	assert.Zero(t, srv.Hits(""), "nothing sent")

	got, err = c.CreateOrFindConsignment(context.Background(), &birdsystem.NewConsignment{DeliveryServiceID: birdsystemtest.DeliveryServiceID,
		Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB", SalesReference: "SR-OK"})
	require.NoError(t, err)
	assert.False(t, got.Found, "answered: created, not found")
}

// One way between the id kinds: a created consignment's Ref is what Track
// takes, and ParseRef gives the id back.
func TestServerRefsAndIDs(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	created, err := c.CreateConsignment(context.Background(), &birdsystem.NewConsignment{DeliveryServiceID: birdsystemtest.DeliveryServiceID,
		Contact: "a", AddressLine1: "b", City: "c", CountryISO: "GB"})
	require.NoError(t, err)
	snaps, err := c.Track(context.Background(), created.Ref())
	require.NoError(t, err)
	require.NoError(t, snaps[0].Err)
	assert.Equal(t, created.Ref(), snaps[0].OrderNo)
	k, err := c.GetConsignment(context.Background(), created.ID)
	require.NoError(t, err)
	assert.Equal(t, created.Ref(), k.Ref())
	id, err := birdsystem.ParseRef(k.Ref())
	require.NoError(t, err)
	assert.Equal(t, created.ID, id)
	_, err = birdsystem.ParseRef("JJD1")
	assert.ErrorIs(t, err, status.ErrInvalidRequest)
}
