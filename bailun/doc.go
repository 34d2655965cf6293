// Package bailun is a client for Bailun OMS's order-status API (百伦OMS获取订单状态).
//
// Create a client with OAuth credentials; it fetches a token from
// POST /oauth/token/get (or Config.TokenURL, when Bailun's token host is
// another), caches it until shortly before it expires, shares one fetch
// among concurrent callers and, when Bailun answers 401, fetches a new one
// once and repeats the call:
//
//	c, err := bailun.New(bailun.Config{
//		BaseURL: "https://oms.example.com", // Bailun publishes no production host: set yours
//		AppID:   os.Getenv("BAILUN_APP_ID"),
//		AppKey:  bailun.SecretFromEnv("BAILUN_APP_KEY"),
//	})
//	o, err := c.QueryOrderStatus(ctx, "CP-1001")
//	fmt.Println(o.OrderStatus, o.OrderStatus.Stage(), o.TrackingNo)
//
// # Values
//
// Every field of the document is typed, by one rule (package wire says it
// once): a field Bailun always sends is a plain Go type (OriginOrderNo, the
// [status.BailunOrderStatus] OrderStatus); one that may be null is a
// [NullString] or [Time] with Valid false then; an optional code is a
// pointer, nil for null (ShipFailedType, the document's shipFaildType, and
// ExceptionType; [status.Ptr] makes one from a constant). A value that does
// not fit its field's type never fails the record: the field is left zero
// (OrderStatus reads [UnfitStatus]) and the value is kept, verbatim, in
// o.Unfit by its JSON name, and written back by MarshalJSON. The ref, the
// platform order number, is a string throughout. LastUpdateTime keeps its
// raw text beside the time it names, in UTC.
//
// # Errors
//
// Bailun's code 10000 is success. Other codes, the message 订单不存在 and a
// null result come back as a *status.APIError with the code and message
// verbatim, matching status.ErrInvalidRequest (10001),
// status.ErrUnavailable (10010), status.ErrNotFound (订单不存在, a null
// result, 11000 ER_NotFoundSKU) with errors.Is. A token refusal (statusCode
// 400, 401, 403 or 500 inside an HTTP 200) keeps statusCode and errMsg. An
// answer that is not Bailun's envelope, or a result without orderStatus, is
// status.ErrMalformedResponse; the bare OrderStatusOutput of an older
// version of the doc is read as a success.
//
// # Tracking
//
// [Client.Track] implements [status.Tracker]: one snapshot per order, in the
// order given, whatever fails; orders Bailun does not know are
// status.NotFound, and a failed lookup is a snapshot with Err set. Bailun
// documents no history, so snapshots have no Events.
//
// # Credentials, pacing, testing
//
// AppKey and AccessToken are [Secret]s: printed, logged or encoded, they
// show [redacted]. Config.RateLimit paces every request of the client, the
// token's included. Package bailuntest is a fake Bailun for tests and
// examples; its Advance moves an order along.
//
// Bailun marked this endpoint "未实现" (not implemented) when it documented
// it; the client follows the document, and the fake follows the client.
package bailun
