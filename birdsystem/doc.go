// Package birdsystem is a client for BirdSystem's consignment API: list, get
// and create consignments (outbound orders) at a BirdSystem 3PL warehouse,
// attach products to them, and track them.
//
//	c, err := birdsystem.New(birdsystem.Config{
//		BaseURL:   birdsystem.UKHost,
//		APIKey:    os.Getenv("BIRDSYSTEM_API_KEY"),
//		CompanyID: os.Getenv("BIRDSYSTEM_COMPANY_ID"),
//	})
//	page, err := c.ListConsignments(ctx, &birdsystem.ListOptions{Status: status.BirdSystemFinished})
//	for k, err := range c.Consignments(ctx, nil) { ... } // every page
//
// Every call sends the api_key and company_id headers. [Consignment] types
// every field of the documented record, about a hundred, in the document's
// order: ids and integer amounts are Int64 (numbers or numeric strings,
// exact beyond 2^53), money, weights and dimensions are Decimal kept as
// written ("0.00"), nullable text is NullString, times keep their raw text.
// Encoding a decoded Consignment gives BirdSystem's JSON back: the same
// fields in the same order with the same values (for the documented
// answer, the same bytes once compacted; encoding/json writes <, > and &
// as \u escapes).
//
// # Creating
//
// [Client.CreateConsignment] posts a form; the required fields
// (delivery_service_id, contact, address_line1, city, country_iso) are
// checked before anything is sent. A create is never sent twice: it is
// retried only when no connection could be made, and when it may have
// reached BirdSystem without an answer, the error matches
// status.ErrOutcomeUnknown, so you know to look before creating again.
//
// # Errors
//
// BirdSystem refuses a request with HTTP 500 and "success": false; that is
// a *status.APIError with BirdSystem's message, matching
// status.ErrInvalidRequest, and it is not retried. Other 5xx answers match
// status.ErrUnavailable after the retries.
//
// [Client.Track] implements [status.Tracker] with consignment ids as refs.
// Package birdsystemtest is a fake warehouse for tests and examples.
package birdsystem
