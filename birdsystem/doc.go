// Package birdsystem is a client for BirdSystem's consignment API: list, get
// and create consignments (outbound orders) at a BirdSystem 3PL warehouse,
// attach products to them, confirm or cancel them, and follow their
// tracking history.
//
//	c, err := birdsystem.New(birdsystem.Config{
//		BaseURL:   birdsystem.UKHost,
//		APIKey:    birdsystem.SecretFromEnv("BIRDSYSTEM_API_KEY"),
//		CompanyID: os.Getenv("BIRDSYSTEM_COMPANY_ID"),
//	})
//	page, err := c.ListConsignments(ctx, &birdsystem.ListOptions{Status: status.BirdSystemFinished})
//	for k, err := range c.Consignments(ctx, nil) { ... } // every page
//
// Every call sends the api_key and company_id headers. Listing takes every
// documented filter, Sort, SelectFields, typed Filter conditions
// (NumericFilter, DateFilter, ListFilter) and Limit -1 for every record at
// once. [Client.ListCompanies] finds a company_id.
//
// # Values
//
// [Consignment] types every field of the documented record, about a
// hundred, in the document's order, by one rule (package wire says it
// once): ids and integer amounts are [Int64] (numbers or numeric strings,
// exact beyond 2^53), money, weights and dimensions are [Decimal] kept as
// written ("0.00"), nullable text is [NullString] (sales_order_id too: an
// Amazon order id is text), times keep their raw text. A value that does
// not fit its field's type never fails the consignment or the page: the
// field is left zero and the value kept, verbatim, in k.Unfit by JSON name.
// Encoding a decoded Consignment gives BirdSystem's JSON back.
//
// A consignment id is an int64 wherever you pass or get one
// (GetConsignment, UpdateConsignmentStatus, Created.ID,
// Consignment.ID.Int64), and its decimal text in Track: Created.Ref and
// Consignment.Ref give the ref Track takes, and ParseRef the id of a ref.
//
// # Changing things
//
// [Client.CreateConsignment] and [Client.AddConsignmentProduct] post
// forms, [Client.UpdateConsignmentStatus] ([Client.ConfirmConsignment],
// [Client.CancelConsignment]) confirms or cancels; required fields are
// checked before anything is sent. Such a call is never sent twice: it is
// retried only when no connection could be made, and when it may have
// reached BirdSystem without an answer (a dropped connection, a gateway's
// 5xx page), the error matches status.ErrOutcomeUnknown, so you know to
// look before sending it again.
//
// # Errors
//
// BirdSystem refuses a request with "success": false and a message; that
// is a *status.APIError with BirdSystem's message, matching
// status.ErrInvalidRequest ("Login Required!" matches
// status.ErrUnauthorized), and it is not retried. Other 5xx answers match
// status.ErrUnavailable after the retries. An answer that is not
// BirdSystem's envelope is status.ErrMalformedResponse, never not found. A
// PHP warning printed before the JSON is logged at Warn and the JSON read.
//
// # Tracking
//
// [Client.Track] implements [status.Tracker] with consignment ids as refs;
// each snapshot carries the consignment's recorded times as Events, and,
// with Config.TrackEvents, its tracking check points
// ([Client.TrackingHistory]).
//
// # Credentials, pacing, testing
//
// APIKey is a [Secret]: printed, logged or encoded, it shows [redacted].
// Config.RateLimit paces every request of the client. Package
// birdsystemtest is a fake warehouse for tests and examples; its Advance
// moves a consignment along.
package birdsystem
