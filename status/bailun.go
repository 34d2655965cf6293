package status

// BailunOrderStatus is Bailun OMS's orderStatus (OrderStatusDTO, 订单状态枚举).
// It travels as a JSON number.
type BailunOrderStatus int

// The documented BailunOrderStatus values.
const (
	// BailunOrderUnpackaged is Unpackaged: 未打包 (not packed).
	BailunOrderUnpackaged BailunOrderStatus = 1
	// BailunOrderPackaged is Packaged: 已打包 (packed).
	BailunOrderPackaged BailunOrderStatus = 2
	// BailunOrderGetTrackingNumber is GetTrackingNumber: 获取跟踪号 (tracking number obtained).
	BailunOrderGetTrackingNumber BailunOrderStatus = 3
	// BailunOrderShipped is Shipped: 已发货 (shipped).
	BailunOrderShipped BailunOrderStatus = 4
	// BailunOrderError is Error: 发货失败 (shipping failed).
	BailunOrderError BailunOrderStatus = 5
)

var bailunOrderStatuses = newTable(Bailun, "orderStatus", formatInt[BailunOrderStatus],
	// Unpackaged: the OMS is working on the order but has not packed it.
	row[BailunOrderStatus]{value: BailunOrderUnpackaged, name: "Unpackaged", desc: "未打包", stage: Processing},
	row[BailunOrderStatus]{value: BailunOrderPackaged, name: "Packaged", desc: "已打包", stage: ReadyToShip},
	// A tracking number means a label exists; it does not mean the carrier has
	// the parcel, so this is still ReadyToShip.
	row[BailunOrderStatus]{value: BailunOrderGetTrackingNumber, name: "GetTrackingNumber", desc: "获取跟踪号", stage: ReadyToShip},
	row[BailunOrderStatus]{value: BailunOrderShipped, name: "Shipped", desc: "已发货", stage: Shipped},
	// Error comes with shipFaildType or exceptionType, which give the reason.
	row[BailunOrderStatus]{value: BailunOrderError, name: "Error", desc: "发货失败", stage: Exception},
)

// Known reports whether s is a documented value.
func (s BailunOrderStatus) Known() bool { return bailunOrderStatuses.known(s) }

// String returns the documented English name ("Shipped"), or the number when
// the value is not documented.
func (s BailunOrderStatus) String() string { return bailunOrderStatuses.name(s) }

// Description returns Bailun's own words ("已发货"); "" when undocumented.
func (s BailunOrderStatus) Description() string { return bailunOrderStatuses.desc(s) }

// Code returns s as the raw orderStatus code.
func (s BailunOrderStatus) Code() Code { return bailunOrderStatuses.code(s) }

// Stage returns the canonical stage; Unknown when undocumented.
func (s BailunOrderStatus) Stage() Stage { return bailunOrderStatuses.stage(s) }

// BailunShipFailure is Bailun OMS's shipFaildType (ShipFaildType,
// 发货异常类型枚举): why shipping failed. It travels as a JSON number or null.
type BailunShipFailure int

// The documented BailunShipFailure values.
const (
	// BailunShipNetworkEx is NetworkEx: 网络问题 (network problem).
	BailunShipNetworkEx BailunShipFailure = 0
	// BailunShipCharacterEx is CharacterEx: 字符问题 (character problem).
	BailunShipCharacterEx BailunShipFailure = 1
	// BailunShipLogisticsEx is LogisticsEx: 渠道问题 (channel problem).
	BailunShipLogisticsEx BailunShipFailure = 2
	// BailunShipPackingEx is PackingEx: 重量尺寸 (weight or size).
	BailunShipPackingEx BailunShipFailure = 3
	// BailunShipStockEx is StockEx: 库存问题 (stock problem).
	BailunShipStockEx BailunShipFailure = 4
	// BailunShipBalanceEx is BalanceEx: 余额问题 (balance problem).
	BailunShipBalanceEx BailunShipFailure = 5
	// BailunShipTakeStock is TakeStock: 盘点订单 (order under stock-take).
	BailunShipTakeStock BailunShipFailure = 6
	// BailunShipLogisticsReturn is LgisticsReturn (sic): 物流退件 (returned by the carrier).
	BailunShipLogisticsReturn BailunShipFailure = 7
	// BailunShipPreentryEx is PreentryEx: 预报异常 (pre-advice to the carrier failed).
	BailunShipPreentryEx BailunShipFailure = 8
	// BailunShipInterceptOrder is InterceptOrder: 已拦截订单 (order intercepted).
	BailunShipInterceptOrder BailunShipFailure = 9
	// BailunShipInterceptOrderError is InterceptOrderError: 拦截失败订单 (interception failed).
	BailunShipInterceptOrderError BailunShipFailure = 10
	// BailunShipOtherEx is OtherEx: 其他问题 (other problem).
	BailunShipOtherEx BailunShipFailure = 99
)

var bailunShipFailures = newTable(Bailun, "shipFaildType", formatInt[BailunShipFailure],
	row[BailunShipFailure]{value: BailunShipNetworkEx, name: "NetworkEx", desc: "网络问题", reason: ReasonSystem},
	// 字符问题: characters a carrier or system will not take; Bailun does not
	// say which field, so this is a data problem rather than an address one.
	row[BailunShipFailure]{value: BailunShipCharacterEx, name: "CharacterEx", desc: "字符问题", reason: ReasonData},
	row[BailunShipFailure]{value: BailunShipLogisticsEx, name: "LogisticsEx", desc: "渠道问题", reason: ReasonLogistics},
	// 重量尺寸: the parcel's weight or size is wrong or out of the channel's limits.
	row[BailunShipFailure]{value: BailunShipPackingEx, name: "PackingEx", desc: "重量尺寸", reason: ReasonProduct},
	row[BailunShipFailure]{value: BailunShipStockEx, name: "StockEx", desc: "库存问题", reason: ReasonStock},
	row[BailunShipFailure]{value: BailunShipBalanceEx, name: "BalanceEx", desc: "余额问题", reason: ReasonPayment},
	row[BailunShipFailure]{value: BailunShipTakeStock, name: "TakeStock", desc: "盘点订单", reason: ReasonWarehouse},
	row[BailunShipFailure]{value: BailunShipLogisticsReturn, name: "LgisticsReturn", desc: "物流退件", reason: ReasonReturned},
	row[BailunShipFailure]{value: BailunShipPreentryEx, name: "PreentryEx", desc: "预报异常", reason: ReasonLogistics},
	row[BailunShipFailure]{value: BailunShipInterceptOrder, name: "InterceptOrder", desc: "已拦截订单", reason: ReasonHeld},
	// The interception failed, so the order was not held; what went wrong is
	// not said.
	row[BailunShipFailure]{value: BailunShipInterceptOrderError, name: "InterceptOrderError", desc: "拦截失败订单", reason: ReasonOther},
	row[BailunShipFailure]{value: BailunShipOtherEx, name: "OtherEx", desc: "其他问题", reason: ReasonOther},
)

// Known reports whether f is a documented value.
func (f BailunShipFailure) Known() bool { return bailunShipFailures.known(f) }

// String returns the documented English name ("StockEx"), or the number when
// the value is not documented.
func (f BailunShipFailure) String() string { return bailunShipFailures.name(f) }

// Description returns Bailun's own words ("库存问题"); "" when undocumented.
func (f BailunShipFailure) Description() string { return bailunShipFailures.desc(f) }

// Code returns f as the raw shipFaildType code.
func (f BailunShipFailure) Code() Code { return bailunShipFailures.code(f) }

// Reason returns the canonical reason; ReasonUnknown when undocumented.
func (f BailunShipFailure) Reason() Reason { return bailunShipFailures.reason(f) }

// BailunException is Bailun OMS's exceptionType (ExceptionType, 订单异常类型枚举):
// why the order is held. It travels as a JSON number or null.
type BailunException int

// The documented BailunException values. The numbers have gaps (3, 7, 9, 14,
// 17-23, 26): those are undocumented and map to ReasonUnknown.
const (
	// BailunExSKUMapLost is SkuMapLost: sku映射缺失 (SKU mapping missing).
	BailunExSKUMapLost BailunException = 1
	// BailunExReceiptAddressError is ReceiptAddressError: 地址识别异常 (address not recognised).
	BailunExReceiptAddressError BailunException = 2
	// BailunExLogisticsUnknown is LogisticsUnknown: 系统匹配不到物流规则 (no logistics rule matched).
	BailunExLogisticsUnknown BailunException = 4
	// BailunExWarehouseUnknown is WareHouseUnknown: 系统匹配不到仓库规则 (no warehouse rule matched).
	BailunExWarehouseUnknown BailunException = 5
	// BailunExBailunOrder is BailunOrder: 系统匹配到自定义订单问题规则 (a custom order-problem rule matched).
	BailunExBailunOrder BailunException = 6
	// BailunExPickingApply is PickingApply: 配货时触发规则拦截订单 (a rule intercepted the order at allocation).
	BailunExPickingApply BailunException = 8
	// BailunExStopPicking is StopPicking: 人为暂停配货 (allocation paused by hand).
	BailunExStopPicking BailunException = 10
	// BailunExSpecifiedLogisticsUnverify is SpecifiedLogisticsUnVerify: 订单指定的物流被禁用 (the order's chosen logistics is disabled).
	BailunExSpecifiedLogisticsUnverify BailunException = 11
	// BailunExNoValidLogistics is NoValidLogistics: 由于物流限制不可用 (unavailable because of logistics limits).
	BailunExNoValidLogistics BailunException = 12
	// BailunExNoValidWarehouse is NoValidWarehouse: 指定区域没有发货仓库 (no shipping warehouse for the region).
	BailunExNoValidWarehouse BailunException = 13
	// BailunExReceiverPhoneError is ReceivierPhoneError (sic): 联系人/电话异常 (contact or phone wrong).
	BailunExReceiverPhoneError BailunException = 15
	// BailunExLogisticsReturn is LogisticsReturn: 物流退件单 (returned by the carrier).
	BailunExLogisticsReturn BailunException = 16
	// BailunExNoOptimalLogistics is NoOptimalLogistics: 无法匹配最优物流 (no best logistics matched).
	BailunExNoOptimalLogistics BailunException = 24
	// BailunExWrongSizeOfProduct is WrongSizeOfProduct: 产品尺寸错误 (wrong product size).
	BailunExWrongSizeOfProduct BailunException = 25
	// BailunExCreateApply is CreateApply: 创建配货单时发生异常 (error creating the allocation order).
	BailunExCreateApply BailunException = 27
)

var bailunExceptions = newTable(Bailun, "exceptionType", formatInt[BailunException],
	row[BailunException]{value: BailunExSKUMapLost, name: "SkuMapLost", desc: "sku映射缺失", reason: ReasonProduct},
	row[BailunException]{value: BailunExReceiptAddressError, name: "ReceiptAddressError", desc: "地址识别异常", reason: ReasonAddress},
	row[BailunException]{value: BailunExLogisticsUnknown, name: "LogisticsUnknown", desc: "系统匹配不到物流规则", reason: ReasonLogistics},
	row[BailunException]{value: BailunExWarehouseUnknown, name: "WareHouseUnknown", desc: "系统匹配不到仓库规则", reason: ReasonWarehouse},
	// A rule the merchant wrote put the order on hold.
	row[BailunException]{value: BailunExBailunOrder, name: "BailunOrder", desc: "系统匹配到自定义订单问题规则", reason: ReasonHeld},
	row[BailunException]{value: BailunExPickingApply, name: "PickingApply", desc: "配货时触发规则拦截订单", reason: ReasonHeld},
	row[BailunException]{value: BailunExStopPicking, name: "StopPicking", desc: "人为暂停配货", reason: ReasonHeld},
	row[BailunException]{value: BailunExSpecifiedLogisticsUnverify, name: "SpecifiedLogisticsUnVerify", desc: "订单指定的物流被禁用", reason: ReasonLogistics},
	row[BailunException]{value: BailunExNoValidLogistics, name: "NoValidLogistics", desc: "由于物流限制不可用", reason: ReasonLogistics},
	row[BailunException]{value: BailunExNoValidWarehouse, name: "NoValidWarehouse", desc: "指定区域没有发货仓库", reason: ReasonWarehouse},
	row[BailunException]{value: BailunExReceiverPhoneError, name: "ReceivierPhoneError", desc: "联系人/电话异常", reason: ReasonAddress},
	row[BailunException]{value: BailunExLogisticsReturn, name: "LogisticsReturn", desc: "物流退件单", reason: ReasonReturned},
	row[BailunException]{value: BailunExNoOptimalLogistics, name: "NoOptimalLogistics", desc: "无法匹配最优物流", reason: ReasonLogistics},
	row[BailunException]{value: BailunExWrongSizeOfProduct, name: "WrongSizeOfProduct", desc: "产品尺寸错误", reason: ReasonProduct},
	// The OMS failed while creating the allocation (pick) order: its own fault.
	row[BailunException]{value: BailunExCreateApply, name: "CreateApply", desc: "创建配货单时发生异常", reason: ReasonSystem},
)

// Known reports whether e is a documented value.
func (e BailunException) Known() bool { return bailunExceptions.known(e) }

// String returns the documented English name ("SkuMapLost"), or the number
// when the value is not documented.
func (e BailunException) String() string { return bailunExceptions.name(e) }

// Description returns Bailun's own words ("sku映射缺失"); "" when undocumented.
func (e BailunException) Description() string { return bailunExceptions.desc(e) }

// Code returns e as the raw exceptionType code.
func (e BailunException) Code() Code { return bailunExceptions.code(e) }

// Reason returns the canonical reason; ReasonUnknown when undocumented.
func (e BailunException) Reason() Reason { return bailunExceptions.reason(e) }

// BailunResultCode is the code of Bailun's BaseResponse (ExternalCode,
// 状态码枚举). It travels as a JSON number.
type BailunResultCode int

// The documented BailunResultCode values.
const (
	// BailunSuccess is SUCCESS: 成功 (success).
	BailunSuccess BailunResultCode = 10000
	// BailunErParameter is ER_PARAMETER: 请求参数异常 (bad request parameters).
	BailunErParameter BailunResultCode = 10001
	// BailunErSystem is ER_SYSTEM: 系统内部异常 (internal system error).
	BailunErSystem BailunResultCode = 10010
	// BailunErNotFoundSKU is ER_NotFoundSKU: Product SKU not found (the createOrder doc).
	BailunErNotFoundSKU BailunResultCode = 11000
)

var bailunResultCodes = newTable(Bailun, "code", formatInt[BailunResultCode],
	row[BailunResultCode]{value: BailunSuccess, name: "SUCCESS", desc: "成功"},
	row[BailunResultCode]{value: BailunErParameter, name: "ER_PARAMETER", desc: "请求参数异常", err: ErrInvalidRequest},
	row[BailunResultCode]{value: BailunErSystem, name: "ER_SYSTEM", desc: "系统内部异常", err: ErrUnavailable},
	// Not in the order-status document; Bailun's createOrder doc names it.
	row[BailunResultCode]{value: BailunErNotFoundSKU, name: "ER_NotFoundSKU", desc: "Product SKU not found", err: ErrNotFound},
)

// Known reports whether c is a documented value.
func (c BailunResultCode) Known() bool { return bailunResultCodes.known(c) }

// String returns the documented name ("ER_PARAMETER"), or the number when
// the value is not documented.
func (c BailunResultCode) String() string { return bailunResultCodes.name(c) }

// Description returns Bailun's own words ("请求参数异常"); "" when undocumented.
func (c BailunResultCode) Description() string { return bailunResultCodes.desc(c) }

// Code returns c as the raw code.
func (c BailunResultCode) Code() Code { return bailunResultCodes.code(c) }

// Err returns the sentinel error the code matches: nil for BailunSuccess and
// for undocumented codes.
func (c BailunResultCode) Err() error {
	if r, ok := bailunResultCodes.lookup(c); ok {
		return r.err
	}
	return nil
}
