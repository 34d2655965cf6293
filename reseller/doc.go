// Package reseller is a client for the print-on-demand reseller open
// platform's order query (POST /open/order/query).
//
// Every request is an [Envelope] {"timestamp", "sign", "resellerId",
// "version", "signType", "bizContent"}; bizContent is marshalled once, and
// those exact bytes are what the Signer sees and what is sent:
//
//	c, err := reseller.New(reseller.Config{
//		ResellerID: 10000,
//		Secret:     reseller.SecretFromEnv("RESELLER_SECRET"),
//	})
//	o, err := c.QueryOrder(ctx, "20240328-874367231")
//	for _, s := range o.SubOrderList {
//		fmt.Println(s.OrderNo, s.OrderStatus.Description(), s.OrderStatus.Stage())
//	}
//
// # Signing
//
// The default, [YingeSigner], is the rule the platform's public integration
// code uses: the parameters but sign, plus secret=<secret>, sorted by key,
// as k=v joined by & (bizContent as its compact JSON text), MD5, lower-case
// hex; the platform compares case-insensitively. Set Config.SignType (2,
// as that code does) to send and sign signType. [MD5Signer] and
// [HMACSHA256Signer] are kept for accounts set up with them, and
// Config.Signer takes any [Signer] or [SignerFunc].
//
// # Values
//
// Every documented field is typed, by one rule (package wire says it once):
// a field the platform always sends is a plain Go type; one that may be
// null or absent is an [Int64] or [Time] with Valid false then; the shipment
// (orderExpress) is a pointer, nil until there is one. A value that does
// not fit its field's type never fails the record: the field is left zero
// (a sub-order's OrderStatus reads [UnfitStatus], never the documented 0,
// cancelled; a list such as traces keeps its rows that fit, a null row left
// out) and the value is kept, verbatim, in its record's Unfit by JSON
// name. The ref, the third-party order number, is a string throughout.
// Trace times keep their raw text beside the time they name in China time.
//
// # Errors
//
// Code 0 is success. 5000000 (参数校验错误) matches status.ErrInvalidRequest,
// 6010002 (订单查询失败) status.ErrNotFound; every non-zero code is a
// *status.APIError with the code and the platform's text (message, msg and
// error, whichever are present) verbatim. The query only reads, so it is
// retried like a GET.
//
// # Tracking
//
// [Client.Track] implements [status.Tracker] with one snapshot per
// sub-order, whatever fails; each carries the shipment's traces as Events,
// oldest first.
//
// # Credentials, pacing, testing
//
// Secret is a [Secret]: printed, logged or encoded, it shows [redacted].
// Config.RateLimit paces every request of the client. Package resellertest
// is a fake platform for tests and examples; it checks every signature the
// way the platform does, and its Advance moves a sub-order along.
package reseller
