// Package bailun is a client for Bailun OMS's order-status API (百伦OMS获取订单状态).
//
// Create a client with OAuth credentials; it fetches a token from
// POST /oauth/token/get, caches it until shortly before it expires, shares
// one fetch among concurrent callers and, when Bailun answers 401, fetches a
// new one once and repeats the call:
//
//	c, err := bailun.New(bailun.Config{
//		BaseURL: bailun.TestBaseURL, // Bailun publishes no production host: set yours
//		AppID:   os.Getenv("BAILUN_APP_ID"),
//		AppKey:  os.Getenv("BAILUN_APP_KEY"),
//	})
//	o, err := c.QueryOrderStatus(ctx, "CP-1001")
//	fmt.Println(o.OrderStatus, o.OrderStatus.Stage(), o.TrackingNo)
//
// Every field of the document is typed: OrderStatus is a
// [status.BailunOrderStatus], ShipFailedType (the document's shipFaildType)
// and ExceptionType are pointers to [status.BailunShipFailure] and
// [status.BailunException] because Bailun sends null when there is none, and
// LastUpdateTime keeps its raw text beside the time it names in UTC.
//
// Bailun's code 10000 is success. Other codes, the message 订单不存在 and a
// null result come back as a *status.APIError with the code and message
// verbatim, matching status.ErrInvalidRequest (10001),
// status.ErrUnavailable (10010) or status.ErrNotFound (订单不存在, null
// result) with errors.Is.
//
// [Client.Track] implements [status.Tracker]: one snapshot per order, in the
// order given, with orders Bailun does not know as status.NotFound.
//
// Package bailuntest is a fake Bailun server for tests and examples.
//
// Bailun marked this endpoint "未实现" (not implemented) when it documented
// it; the client follows the document, and the fake follows the client.
package bailun
