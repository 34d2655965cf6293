// Package reseller is a client for the print-on-demand reseller open
// platform's order query (POST /open/order/query).
//
// Every request is an envelope {"timestamp", "sign", "resellerId",
// "version", "bizContent"}; bizContent is marshalled once, and those exact
// bytes are what the Signer sees and what is sent:
//
//	c, err := reseller.New(reseller.Config{
//		ResellerID: 10000,
//		Secret:     os.Getenv("RESELLER_SECRET"),
//	})
//	o, err := c.QueryOrder(ctx, "20240328-874367231")
//	for _, s := range o.SubOrderList {
//		fmt.Println(s.OrderNo, s.OrderStatus.Description(), s.OrderStatus.Stage())
//	}
//
// # Signing
//
// The platform's document leaves the sign algorithm out. The default,
// [MD5Signer], is the most common convention on such platforms: the
// parameters but sign, sorted by key, as k=v joined by & with bizContent as
// its JSON text, the secret appended, MD5, upper-case hex. It is an
// assumption: confirm it with the platform. [HMACSHA256Signer] is the other
// common convention, and Config.Signer takes any [Signer] or [SignerFunc].
//
// # Answers and errors
//
// Every documented field is typed: sub-orders, addresses, SKUs, and the
// shipment (orderExpress, nil until there is one) with its traces, whose
// times keep their raw text beside the time they name in China Standard
// Time. packageCount and shippingStatus, whose meaning is not documented,
// are kept as the numbers sent.
//
// Code 0 is success. 5000000 (参数校验错误) matches status.ErrInvalidRequest,
// 6010002 (订单查询失败) status.ErrNotFound; every non-zero code is a
// *status.APIError with the code and message verbatim. The query only
// reads, so it is retried like a GET.
//
// [Client.Track] implements [status.Tracker] with one snapshot per
// sub-order. Package resellertest is a fake platform for tests and
// examples; it checks every signature.
package reseller
