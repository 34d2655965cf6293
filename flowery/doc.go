// Package flowery is a client for Flowery Island, an Indonesian last-mile
// carrier: batched order and waybill status (POST /orders), scan histories
// and order creation.
//
//	c, err := flowery.New(flowery.Config{
//		AccountID: os.Getenv("FLOWERY_ACCOUNT_ID"),
//		Logistics: os.Getenv("FLOWERY_LOGISTICS"),
//		Token:     flowery.SecretFromEnv("FLOWERY_TOKEN"), // or SecretKey, to register one
//	})
//	res, err := c.QueryOrders(ctx, flowery.ByOrderNo, "1000025", "1000026")
//	for _, o := range res.Orders {
//		fmt.Println(o.OrderNo, o.OrderStatus, o.OrderStatus.Stage())
//	}
//	fmt.Println("not found:", res.NotFound)
//
// One request asks about many numbers (serial_no, comma-joined). The client
// sends them in batches of Config.BatchSize, several batches at once, and
// merges the answers: orders in the order asked, and the numbers Flowery did
// not find (sn_str). A number that is empty or contains a comma is refused
// before anything is sent. The newest docs put the token and
// tracking-detail endpoints on another host: set Config.TokenURL and
// Config.DetailURL ([LogisticsTokenURL], [LogisticsDetailURL]).
//
// # Values
//
// Every documented field is typed, by one rule (package wire says it once):
// a field Flowery always sends is a plain Go type; one that may be null or
// absent is an [Int64], [Decimal], [NullString], [Time] or [Money] with
// Valid false then; the parties are pointers. A value that does not fit
// its field's type never fails the order or the batch: the field is left
// zero and the value kept, verbatim, in o.Unfit by JSON name. Flowery's
// statuses are free Chinese text (退件, 拒收, 末端派件); they are
// [status.FloweryStatus] values, kept exactly as sent and placed by phrase
// rules that read negations (拒绝签收 is no delivery). Money keeps its value
// as written, reads the unit under either spelling ("uint" or "unit"), and
// reads the first doc version's bare numbers. Dates have no zero padding
// and are read in Western Indonesia Time.
//
// # Creating
//
// [Client.CreateOrder] posts every documented field, checked before
// anything is sent. It is never sent twice (but once more after Flowery
// rejected the token, a refusal), and when it may have reached Flowery
// without an answer, the error matches status.ErrOutcomeUnknown.
//
// # Errors
//
// Success is "code": "success", "status": "success" or, in older versions,
// "true"; all three are accepted. A failure ({"status": "failure",
// "message": ...}, even with the document's own invalid "orders_detail": })
// is a *status.APIError with Flowery's message; an answer without the
// envelope is status.ErrMalformedResponse. With a SecretKey, a token is
// registered on first use, cached, and registered once more when Flowery
// rejects it.
//
// # Tracking
//
// [Client.Track] implements [status.Tracker] with order numbers as refs, or
// waybill numbers when Config.TrackBy is ByExpressNo; a batch that fails
// marks only its own numbers. With Config.TrackEvents, each snapshot
// carries the order's scans as Events.
//
// # Credentials, pacing, testing
//
// Token and SecretKey are [Secret]s: printed, logged or encoded, they show
// [redacted]. Config.RateLimit paces every request of the client, the token
// registration's included. Package flowerytest is a fake Flowery for tests
// and examples; it stores created orders, and its Advance moves an order
// along.
package flowery
