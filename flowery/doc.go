// Package flowery is a client for Flowery Island, an Indonesian last-mile
// carrier: batched order and waybill status (POST /orders) and scan
// histories.
//
//	c, err := flowery.New(flowery.Config{
//		AccountID: os.Getenv("FLOWERY_ACCOUNT_ID"),
//		Logistics: os.Getenv("FLOWERY_LOGISTICS"),
//		Token:     os.Getenv("FLOWERY_TOKEN"), // or SecretKey, to register one
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
// before anything is sent.
//
// # Answers
//
// Flowery's statuses are free Chinese text (退件, 拒收, 末端派件); they are
// [status.FloweryStatus] values, kept exactly as sent and placed by phrase
// rules. Money keeps its value as written and reads the unit under either
// of Flowery's spellings ("uint" or "unit"); goods names ("name_qty&...")
// are parsed by [ParseItems]; dates have no zero padding and are read in
// Western Indonesia Time. The tracking-detail endpoint's scan_list is a
// JSON string holding JSON, decoded a second time.
//
// Success is "code": "success", "status": "success" or, in older versions,
// "true"; all three are accepted. A failure ({"status": "failure",
// "message": ...}, even with the document's own invalid "orders_detail": })
// is a *status.APIError with Flowery's message. With a SecretKey, a token
// is registered on first use, cached, and registered once more when Flowery
// rejects it.
//
// [Client.Track] implements [status.Tracker] with order numbers as refs.
// Package flowerytest is a fake Flowery for tests and examples.
package flowery
