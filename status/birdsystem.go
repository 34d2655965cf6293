package status

// BirdSystemStatus is a BirdSystem consignment's status. It travels as a JSON
// string, and its documented English name is the value itself.
//
// The document gives the flows: a LOCAL consignment goes 准备中 (PREPARING)
// -> 待处理 (PENDING) -> 待拣货 (WAIT_PICKING) -> 拣货中 (PICKING) -> 处理中
// (PROCESSING) -> 已完成 (FINISHED), and to 审核中 (REVIEWING) when the warehouse
// cannot dispatch it, for example for lack of stock; a RETURN consignment goes
// 准备中 -> 已收货 (RECEIVED) -> 待处理 -> 处理中 -> 审核中 -> 已完成; an
// AGENT_DIRECT consignment goes 准备中 -> 待处理 -> 已出地址贴
// (ADDRESS_LABEL_PRINTED) -> 已完成.
type BirdSystemStatus string

// The documented BirdSystemStatus values.
const (
	// BirdSystemPreparing is 准备中 (preparing; no products attached yet).
	BirdSystemPreparing BirdSystemStatus = "PREPARING"
	// BirdSystemReceived is 已收货 (goods received; RETURN consignments).
	BirdSystemReceived BirdSystemStatus = "RECEIVED"
	// BirdSystemPending is 待处理 (waiting to be processed).
	BirdSystemPending BirdSystemStatus = "PENDING"
	// BirdSystemWaitPicking is 待拣货 (waiting to be picked).
	BirdSystemWaitPicking BirdSystemStatus = "WAIT_PICKING"
	// BirdSystemPicking is 拣货中 (being picked).
	BirdSystemPicking BirdSystemStatus = "PICKING"
	// BirdSystemProcessing is 处理中 (being processed).
	BirdSystemProcessing BirdSystemStatus = "PROCESSING"
	// BirdSystemReviewing is 审核中 (under review, e.g. out of stock).
	BirdSystemReviewing BirdSystemStatus = "REVIEWING"
	// BirdSystemFinished is 已完成 (finished: dispatched from the warehouse).
	BirdSystemFinished BirdSystemStatus = "FINISHED"
	// BirdSystemDeleted is deleted.
	BirdSystemDeleted BirdSystemStatus = "DELETED"
	// BirdSystemCancelled is cancelled.
	BirdSystemCancelled BirdSystemStatus = "CANCELLED"
	// BirdSystemProblem is problem consignment.
	BirdSystemProblem BirdSystemStatus = "PROBLEM"
	// BirdSystemWaitingClientRespond is waiting for the client to respond.
	BirdSystemWaitingClientRespond BirdSystemStatus = "WAITING_CLIENT_RESPOND"
	// BirdSystemWaitingWarehouseRespond is waiting for the warehouse to respond.
	BirdSystemWaitingWarehouseRespond BirdSystemStatus = "WAITING_WAREHOUSE_RESPOND"
	// BirdSystemAddressLabelPrinted is 已出地址贴 (address label printed; AGENT_DIRECT).
	BirdSystemAddressLabelPrinted BirdSystemStatus = "ADDRESS_LABEL_PRINTED"
	// BirdSystemConfirmedByWarehouse is confirmed by the warehouse.
	BirdSystemConfirmedByWarehouse BirdSystemStatus = "CONFIRMED_BY_WAREHOUSE"
)

var birdSystemStatuses = newTable(BirdSystem, "status", formatString[BirdSystemStatus],
	// A draft: products are attached with consignment-product, then PENDING.
	row[BirdSystemStatus]{value: BirdSystemPreparing, name: "PREPARING", desc: "准备中", stage: Pending},
	// Only RETURN consignments pass here: the warehouse has the returned goods.
	// (StageFor maps the rest of a return's flow.)
	row[BirdSystemStatus]{value: BirdSystemReceived, name: "RECEIVED", desc: "已收货", stage: Returned},
	row[BirdSystemStatus]{value: BirdSystemPending, name: "PENDING", desc: "待处理", stage: Pending},
	row[BirdSystemStatus]{value: BirdSystemWaitPicking, name: "WAIT_PICKING", desc: "待拣货", stage: Processing},
	row[BirdSystemStatus]{value: BirdSystemPicking, name: "PICKING", desc: "拣货中", stage: Processing},
	row[BirdSystemStatus]{value: BirdSystemProcessing, name: "PROCESSING", desc: "处理中", stage: Processing},
	// Review is a hold for LOCAL consignments (the warehouse cannot dispatch,
	// e.g. out of stock): Processing, with the hold as a reason. For RETURN
	// consignments it is a normal step (see StageFor).
	row[BirdSystemStatus]{value: BirdSystemReviewing, name: "REVIEWING", desc: "审核中", stage: Processing, reason: ReasonHeld},
	// FINISHED means the warehouse dispatched it; delivery is not known.
	row[BirdSystemStatus]{value: BirdSystemFinished, name: "FINISHED", desc: "已完成", stage: Shipped},
	// The document gives no words for the six statuses below; the English in
	// desc is ordertrack's.
	// A deleted consignment will not ship; Cancelled is the stage it shares.
	row[BirdSystemStatus]{value: BirdSystemDeleted, name: "DELETED", desc: "deleted", stage: Cancelled},
	row[BirdSystemStatus]{value: BirdSystemCancelled, name: "CANCELLED", desc: "cancelled", stage: Cancelled},
	// The warehouse flagged a problem without saying which kind.
	row[BirdSystemStatus]{value: BirdSystemProblem, name: "PROBLEM", desc: "problem", stage: Exception, reason: ReasonOther},
	// BirdSystem's client is the merchant: the warehouse waits for it.
	row[BirdSystemStatus]{value: BirdSystemWaitingClientRespond, name: "WAITING_CLIENT_RESPOND", desc: "waiting for the client to respond", stage: Exception, reason: ReasonAwaitingCustomer},
	row[BirdSystemStatus]{value: BirdSystemWaitingWarehouseRespond, name: "WAITING_WAREHOUSE_RESPOND", desc: "waiting for the warehouse to respond", stage: Exception, reason: ReasonAwaitingProvider},
	row[BirdSystemStatus]{value: BirdSystemAddressLabelPrinted, name: "ADDRESS_LABEL_PRINTED", desc: "已出地址贴", stage: ReadyToShip},
	// The warehouse has accepted the consignment and will work on it.
	row[BirdSystemStatus]{value: BirdSystemConfirmedByWarehouse, name: "CONFIRMED_BY_WAREHOUSE", desc: "confirmed by the warehouse", stage: Processing},
)

// Known reports whether s is a documented value.
func (s BirdSystemStatus) Known() bool { return birdSystemStatuses.known(s) }

// String returns the status as sent ("FINISHED").
func (s BirdSystemStatus) String() string { return birdSystemStatuses.name(s) }

// Description returns BirdSystem's own words ("已完成"), or an English
// description where the document gives none; "" when undocumented.
func (s BirdSystemStatus) Description() string { return birdSystemStatuses.desc(s) }

// Code returns s as the raw status code.
func (s BirdSystemStatus) Code() Code { return birdSystemStatuses.code(s) }

// CodeAs returns s as a raw code of the named field (current_status, in a
// tracking check point).
func (s BirdSystemStatus) CodeAs(field string) Code {
	c := s.Code()
	c.Field = field
	return c
}

// Stage returns the canonical stage; Unknown when undocumented.
func (s BirdSystemStatus) Stage() Stage { return birdSystemStatuses.stage(s) }

// Reason returns the canonical reason for a status that is itself a problem
// (PROBLEM, REVIEWING, the two WAITING_ statuses); ReasonUnknown otherwise.
func (s BirdSystemStatus) Reason() Reason { return birdSystemStatuses.reason(s) }

// birdSystemReturnStatuses are the stages of a RETURN consignment, where
// they differ from birdSystemStatuses: a return's flow is 准备中 -> 已收货 ->
// 待处理 -> 处理中 -> 审核中 -> 已完成, and once the goods are received the
// order has come back, whatever the warehouse does with them next; review
// is a normal step there, not a hold.
// PREPARING (announced, goods not back yet: Pending) and RECEIVED (Returned)
// read the same for every type, so they are not repeated here.
var birdSystemReturnStatuses = newTable(BirdSystem, "status:RETURN", formatString[BirdSystemStatus],
	row[BirdSystemStatus]{value: BirdSystemPending, name: "PENDING", desc: "待处理", stage: Returned},
	row[BirdSystemStatus]{value: BirdSystemProcessing, name: "PROCESSING", desc: "处理中", stage: Returned},
	row[BirdSystemStatus]{value: BirdSystemReviewing, name: "REVIEWING", desc: "审核中", stage: Returned},
	row[BirdSystemStatus]{value: BirdSystemFinished, name: "FINISHED", desc: "已完成", stage: Returned},
)

// StageFor returns the canonical stage of s for a consignment of type t: a
// RETURN consignment's statuses from RECEIVED on mean the goods came back
// (Returned); every other type, and the statuses a return shares with them
// (CANCELLED, PROBLEM, ...), read as Stage does.
func (s BirdSystemStatus) StageFor(t BirdSystemType) Stage {
	if t == BirdSystemReturn {
		if r, ok := birdSystemReturnStatuses.lookup(s); ok {
			return r.stage
		}
	}
	return s.Stage()
}

// ReasonFor returns the canonical reason of s for a consignment of type t:
// as Reason, but a RETURN consignment's REVIEWING is a normal step, not a
// hold.
func (s BirdSystemStatus) ReasonFor(t BirdSystemType) Reason {
	if t == BirdSystemReturn {
		if r, ok := birdSystemReturnStatuses.lookup(s); ok {
			return r.reason
		}
	}
	return s.Reason()
}

// BirdSystemType is a BirdSystem consignment's type (订单类型). It travels as
// a JSON string.
type BirdSystemType string

// The documented BirdSystemType values.
const (
	// BirdSystemLocal is 本地订单 (local: shipped from stock in the warehouse).
	BirdSystemLocal BirdSystemType = "LOCAL"
	// BirdSystemDirect is direct mail.
	BirdSystemDirect BirdSystemType = "DIRECT"
	// BirdSystemReturn is 退货订单 (return).
	BirdSystemReturn BirdSystemType = "RETURN"
	// BirdSystemAgentDirect is 代理专线订单 (agent dedicated line).
	BirdSystemAgentDirect BirdSystemType = "AGENT_DIRECT"
	// BirdSystemClientDirect is client direct; not in the excerpt, named in BirdSystem's fuller docs.
	BirdSystemClientDirect BirdSystemType = "CLIENT_DIRECT"
)

var birdSystemTypes = newTable(BirdSystem, "type", formatString[BirdSystemType],
	row[BirdSystemType]{value: BirdSystemLocal, name: "LOCAL", desc: "本地订单"},
	row[BirdSystemType]{value: BirdSystemDirect, name: "DIRECT", desc: "direct"},
	row[BirdSystemType]{value: BirdSystemReturn, name: "RETURN", desc: "退货订单"},
	row[BirdSystemType]{value: BirdSystemAgentDirect, name: "AGENT_DIRECT", desc: "代理专线订单"},
	row[BirdSystemType]{value: BirdSystemClientDirect, name: "CLIENT_DIRECT", desc: "client direct"},
)

// Known reports whether t is a documented value.
func (t BirdSystemType) Known() bool { return birdSystemTypes.known(t) }

// String returns the type as sent ("LOCAL").
func (t BirdSystemType) String() string { return birdSystemTypes.name(t) }

// Description returns BirdSystem's own words ("本地订单"), or an English
// description where the document gives none; "" when undocumented.
func (t BirdSystemType) Description() string { return birdSystemTypes.desc(t) }

// Code returns t as the raw type code.
func (t BirdSystemType) Code() Code { return birdSystemTypes.code(t) }
