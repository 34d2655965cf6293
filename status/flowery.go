package status

import "strings"

// FloweryStatus is one of Flowery Island's free-text statuses: order_status
// (订单状态), goods_status (最新货态) or latest_scan_status (最新扫描状态). It
// travels as a JSON string and is kept exactly as sent.
//
// Flowery publishes no list of values. Seen so far: order_status 退件
// (returned) and "Updating", goods_status 拒收 (refused), latest_scan_status
// 末端派件 (last-mile delivery). The text is matched by ordered phrase rules:
// the first rule whose phrase the trimmed text contains decides, and the more
// specific phrases come first (末端派件 before 派件, 待揽收 before 揽收).
type FloweryStatus string

// Statuses Flowery has been seen to send, and the phrases the rules match.
const (
	FloweryReturned         FloweryStatus = "退件"   // returned to sender
	FloweryRefused          FloweryStatus = "拒收"   // refused by the recipient
	FloweryLastMileDelivery FloweryStatus = "末端派件" // last-mile delivery
	FloweryDelivering       FloweryStatus = "派件"   // out for delivery
	FlowerySigned           FloweryStatus = "签收"   // signed for: delivered
	FloweryInTransit        FloweryStatus = "运输中"  // in transit
	FloweryPickedUp         FloweryStatus = "揽收"   // picked up by the carrier
	FloweryProblemParcel    FloweryStatus = "问题件"  // problem parcel
	// FloweryUpdating is seen in order_status while Flowery refreshes it; it
	// says nothing of the parcel, so no rule matches it and it maps to Unknown.
	FloweryUpdating FloweryStatus = "Updating"
)

// floweryStatusFields are the fields whose values are FloweryStatus.
var floweryStatusFields = []string{"order_status", "goods_status", "latest_scan_status"}

type floweryRule struct {
	phrase string
	name   string
	stage  Stage
	reason Reason
}

// floweryRules are tried in order; the first whose phrase the text contains
// wins. Specific before general: a return or refusal outranks the scans that
// led to it, a problem parcel outranks its last scan, and longer phrases come
// before the shorter ones they contain.
var floweryRules = floweryRuleTable{
	// 退件 / 退回: on its way back, or back, to the sender.
	{phrase: "退件", name: "Returned", stage: Returned, reason: ReasonReturned},
	{phrase: "退回", name: "SentBack", stage: Returned, reason: ReasonReturned},
	// A refusal is a failed delivery; the parcel is not yet back, so the
	// weaker claim is Exception rather than Returned.
	{phrase: "拒收", name: "Refused", stage: Exception, reason: ReasonRefused},
	{phrase: "拒签", name: "SignatureRefused", stage: Exception, reason: ReasonRefused},
	{phrase: "问题件", name: "ProblemParcel", stage: Exception, reason: ReasonOther},
	{phrase: "取消", name: "Cancelled", stage: Cancelled},
	// A failed or pending step says the step did not happen: these come
	// before the plain phrases they contain, and claim only the stage
	// before it.
	{phrase: "签收失败", name: "SigningFailed", stage: Exception, reason: ReasonOther},
	{phrase: "未签收", name: "NotSigned", stage: Shipped},
	{phrase: "待签收", name: "AwaitingSignature", stage: OutForDelivery},
	{phrase: "派件失败", name: "DeliveryFailed", stage: Exception, reason: ReasonOther},
	{phrase: "派送失败", name: "DispatchFailed", stage: Exception, reason: ReasonOther},
	{phrase: "揽收失败", name: "PickupFailed", stage: Exception, reason: ReasonOther},
	{phrase: "未揽收", name: "NotPickedUp", stage: ReadyToShip},
	{phrase: "签收", name: "Signed", stage: Delivered},
	{phrase: "末端派件", name: "LastMileDelivery", stage: OutForDelivery},
	{phrase: "派件", name: "Delivering", stage: OutForDelivery},
	{phrase: "派送", name: "Dispatching", stage: OutForDelivery},
	{phrase: "运输中", name: "InTransit", stage: Shipped},
	{phrase: "待揽收", name: "AwaitingPickup", stage: ReadyToShip},
	{phrase: "揽收", name: "PickedUp", stage: Shipped},
}

type floweryRuleTable []floweryRule

func (t floweryRuleTable) mappings() []Mapping {
	m := make([]Mapping, len(t))
	for i, r := range t {
		m[i] = Mapping{Code: Code{Provider: Flowery, Field: "status", Value: r.phrase}, Name: r.name, Description: r.phrase, Stage: r.stage, Reason: r.reason}
	}
	return m
}

func init() { registry = append(registry, floweryRules) }

func (s FloweryStatus) rule() (*floweryRule, bool) {
	text := strings.TrimSpace(string(s))
	if text == "" {
		return nil, false
	}
	for i := range floweryRules {
		if strings.Contains(text, floweryRules[i].phrase) {
			return &floweryRules[i], true
		}
	}
	return nil, false
}

// Known reports whether a phrase rule matches s.
func (s FloweryStatus) Known() bool { _, ok := s.rule(); return ok }

// String returns the matching rule's English name ("Refused"), or the text
// as sent when no rule matches.
func (s FloweryStatus) String() string {
	if r, ok := s.rule(); ok {
		return r.name
	}
	return string(s)
}

// Description returns the text as Flowery sent it: the status is already in
// the provider's own words.
func (s FloweryStatus) Description() string { return string(s) }

// Code returns s as a raw order_status code; use CodeAs for goods_status and
// latest_scan_status.
func (s FloweryStatus) Code() Code { return s.CodeAs("order_status") }

// CodeAs returns s as a raw code of the named field.
func (s FloweryStatus) CodeAs(field string) Code {
	return Code{Provider: Flowery, Field: field, Value: string(s)}
}

// Stage returns the canonical stage of the first matching rule; Unknown when
// none matches.
func (s FloweryStatus) Stage() Stage {
	if r, ok := s.rule(); ok {
		return r.stage
	}
	return Unknown
}

// Reason returns the canonical reason for a status that is itself a problem
// (拒收 refused, 退件 returned, 问题件 problem parcel); ReasonUnknown otherwise.
func (s FloweryStatus) Reason() Reason {
	if r, ok := s.rule(); ok {
		return r.reason
	}
	return ReasonUnknown
}
