package status

// ResellerOrderStatus is the reseller platform's sub-order status
// (subOrderList[].orderStatus, 子订单状态). It travels as a JSON number. The
// document gives only Chinese words; the English names are ordertrack's.
type ResellerOrderStatus int

// The documented ResellerOrderStatus values.
const (
	// ResellerCancelled is 已取消 (cancelled).
	ResellerCancelled ResellerOrderStatus = 0
	// ResellerAwaitingPayment is 待支付 (awaiting payment).
	ResellerAwaitingPayment ResellerOrderStatus = 10
	// ResellerAwaitingShipment is 待发货 (awaiting shipment).
	ResellerAwaitingShipment ResellerOrderStatus = 20
	// ResellerAwaitingReceipt is 待收货 (awaiting receipt).
	ResellerAwaitingReceipt ResellerOrderStatus = 30
	// ResellerCompleted is 已完成 (completed).
	ResellerCompleted ResellerOrderStatus = 40
	// ResellerRefunded is 已退款 (refunded).
	ResellerRefunded ResellerOrderStatus = 50
	// ResellerAwaitingProduction is 待生产 (awaiting production).
	ResellerAwaitingProduction ResellerOrderStatus = 60
	// ResellerCannotProduce is 无法生产 (cannot be produced).
	ResellerCannotProduce ResellerOrderStatus = 70
	// ResellerInProduction is 生产中 (in production).
	ResellerInProduction ResellerOrderStatus = 80
	// ResellerReissued is 已补发 (reissued).
	ResellerReissued ResellerOrderStatus = 90
)

var resellerOrderStatuses = newTable(Reseller, "orderStatus", formatInt[ResellerOrderStatus],
	row[ResellerOrderStatus]{value: ResellerCancelled, name: "Cancelled", desc: "已取消", stage: Cancelled},
	row[ResellerOrderStatus]{value: ResellerAwaitingPayment, name: "AwaitingPayment", desc: "待支付", stage: Pending},
	// 待发货 comes after production in a print-on-demand flow: the item exists
	// and waits for the courier.
	row[ResellerOrderStatus]{value: ResellerAwaitingShipment, name: "AwaitingShipment", desc: "待发货", stage: ReadyToShip},
	// 待收货: shipped, the buyer has not confirmed receipt.
	row[ResellerOrderStatus]{value: ResellerAwaitingReceipt, name: "AwaitingReceipt", desc: "待收货", stage: Shipped},
	// 已完成 follows 待收货: the platform counts the parcel as received. It
	// may have been completed automatically after a waiting period; the
	// platform still treats it as delivered, and so does ordertrack.
	row[ResellerOrderStatus]{value: ResellerCompleted, name: "Completed", desc: "已完成", stage: Delivered},
	row[ResellerOrderStatus]{value: ResellerRefunded, name: "Refunded", desc: "已退款", stage: Refunded},
	row[ResellerOrderStatus]{value: ResellerAwaitingProduction, name: "AwaitingProduction", desc: "待生产", stage: Processing},
	row[ResellerOrderStatus]{value: ResellerCannotProduce, name: "CannotProduce", desc: "无法生产", stage: Exception, reason: ReasonProduction},
	row[ResellerOrderStatus]{value: ResellerInProduction, name: "InProduction", desc: "生产中", stage: Processing},
	// 已补发: a replacement was sent out; its parcel is in the carrier's hands.
	row[ResellerOrderStatus]{value: ResellerReissued, name: "Reissued", desc: "已补发", stage: Shipped},
)

// Known reports whether s is a documented value.
func (s ResellerOrderStatus) Known() bool { return resellerOrderStatuses.known(s) }

// String returns the English name ("InProduction"), or the number when the
// value is not documented.
func (s ResellerOrderStatus) String() string { return resellerOrderStatuses.name(s) }

// Description returns the platform's own words ("生产中"); "" when undocumented.
func (s ResellerOrderStatus) Description() string { return resellerOrderStatuses.desc(s) }

// Code returns s as the raw orderStatus code.
func (s ResellerOrderStatus) Code() Code { return resellerOrderStatuses.code(s) }

// Stage returns the canonical stage; Unknown when undocumented.
func (s ResellerOrderStatus) Stage() Stage { return resellerOrderStatuses.stage(s) }

// Reason returns the canonical reason for a status that is itself a problem
// (ResellerCannotProduce); ReasonUnknown otherwise.
func (s ResellerOrderStatus) Reason() Reason { return resellerOrderStatuses.reason(s) }

// ResellerResultCode is the envelope's code (错误码). It travels as a JSON
// number.
type ResellerResultCode int

// The documented ResellerResultCode values.
const (
	// ResellerOK is success; the example's message is 成功.
	ResellerOK ResellerResultCode = 0
	// ResellerParamInvalid is 参数校验错误 (parameter validation error).
	ResellerParamInvalid ResellerResultCode = 5000000
	// ResellerOrderQueryFailed is 订单查询失败 (order query failed).
	ResellerOrderQueryFailed ResellerResultCode = 6010002
)

var resellerResultCodes = newTable(Reseller, "code", formatInt[ResellerResultCode],
	row[ResellerResultCode]{value: ResellerOK, name: "OK", desc: "成功"},
	row[ResellerResultCode]{value: ResellerParamInvalid, name: "ParamInvalid", desc: "参数校验错误", err: ErrInvalidRequest},
	// The order query has one input, the third-party order number, and two
	// documented failures: a malformed request (5000000) and this one, which
	// is what an order the platform does not know gets. ordertrack reads it
	// as not found; the code stays on the APIError verbatim.
	row[ResellerResultCode]{value: ResellerOrderQueryFailed, name: "OrderQueryFailed", desc: "订单查询失败", err: ErrNotFound},
)

// Known reports whether c is a documented value.
func (c ResellerResultCode) Known() bool { return resellerResultCodes.known(c) }

// String returns the English name ("ParamInvalid"), or the number when the
// value is not documented.
func (c ResellerResultCode) String() string { return resellerResultCodes.name(c) }

// Description returns the platform's own words; "" when undocumented.
func (c ResellerResultCode) Description() string { return resellerResultCodes.desc(c) }

// Code returns c as the raw code.
func (c ResellerResultCode) Code() Code { return resellerResultCodes.code(c) }

// Err returns the sentinel error the code matches: nil for ResellerOK and
// for undocumented codes.
func (c ResellerResultCode) Err() error {
	if r, ok := resellerResultCodes.lookup(c); ok {
		return r.err
	}
	return nil
}
