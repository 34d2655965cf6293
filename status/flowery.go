package status

import (
	"strings"
	"sync/atomic"
)

// FloweryStatus is one of Flowery Island's free-text statuses: order_status
// (订单状态), goods_status (最新货态) or latest_scan_status (最新扫描状态). It
// travels as a JSON string and is kept exactly as sent.
//
// Flowery publishes no list of values. Seen in its docs: order_status 退件
// (returned), 收件 (collected by the carrier) and "Updating", goods_status
// 拒收 (refused), latest_scan_status 末端派件 (last-mile delivery). The text
// is matched by ordered phrase rules: the first rule whose phrase the
// trimmed text contains decides, and the more specific phrases come first
// (末端派件 before 派件, 待揽收 before 揽收).
//
// A phrase that says a step succeeded (签收 signed, 派件 and 派送 out for
// delivery, 揽收 and 收件 collected) never claims that step when the text
// also holds a negation (未, 无, 拒, 异常, 失败): 拒绝签收 is a refusal,
// 签收异常 and 派送未成功 are exceptions, 未派件 is still only shipped and
// 未揽收 only ready to ship. The rule reads the negation, so no phrasing
// has to be listed.
type FloweryStatus string

// Statuses Flowery has been seen to send, and the phrases the rules match.
const (
	// FloweryReturned is 退件: returned to the sender.
	FloweryReturned FloweryStatus = "退件"
	// FloweryRefused is 拒收: refused by the recipient.
	FloweryRefused FloweryStatus = "拒收"
	// FloweryLastMileDelivery is 末端派件: out for last-mile delivery.
	FloweryLastMileDelivery FloweryStatus = "末端派件"
	// FloweryDelivering is 派件: out for delivery.
	FloweryDelivering FloweryStatus = "派件"
	// FlowerySigned is 签收: signed for, delivered.
	FlowerySigned FloweryStatus = "签收"
	// FloweryInTransit is 运输中: in transit.
	FloweryInTransit FloweryStatus = "运输中"
	// FloweryPickedUp is 揽收: picked up by the carrier.
	FloweryPickedUp FloweryStatus = "揽收"
	// FloweryCollected is 收件: the parcel collected by the carrier, as
	// Flowery's docs show it in order_status.
	FloweryCollected FloweryStatus = "收件"
	// FloweryProblemParcel is 问题件: a problem parcel.
	FloweryProblemParcel FloweryStatus = "问题件"
	// FloweryUpdating is seen in order_status while Flowery refreshes it.
	// It is a known value that says nothing of the parcel yet: deliberately
	// unmapped, its stage is Unknown.
	FloweryUpdating FloweryStatus = "Updating"
)

// floweryStatusFields are the fields whose values are FloweryStatus.
var floweryStatusFields = []string{"order_status", "goods_status", "latest_scan_status"}

type floweryRule struct {
	phrase string
	name   string
	stage  Stage
	reason Reason
	// notYet is the stage a success phrase claims when the text says the
	// step has not happened yet (未派件); 0 for the other rules.
	notYet Stage
}

// negations are the markers that turn a success phrase into its failure
// (异常, 失败, 无人, 未成功) or refusal (拒). 未 alone says the step has not
// happened yet.
var negations = []string{"未", "无", "拒", "异常", "失败"}

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
	// Updating says nothing yet: known, and deliberately Unknown.
	{phrase: "Updating", name: "Updating", stage: Unknown},
	// Awaiting a step is the stage before it.
	{phrase: "待签收", name: "AwaitingSignature", stage: OutForDelivery},
	{phrase: "待揽收", name: "AwaitingPickup", stage: ReadyToShip},
	// The success phrases: negated, they claim less (see FloweryStatus).
	{phrase: "签收", name: "Signed", stage: Delivered, notYet: Shipped},
	{phrase: "末端派件", name: "LastMileDelivery", stage: OutForDelivery, notYet: Shipped},
	{phrase: "派件", name: "Delivering", stage: OutForDelivery, notYet: Shipped},
	{phrase: "派送", name: "Dispatching", stage: OutForDelivery, notYet: Shipped},
	{phrase: "运输中", name: "InTransit", stage: Shipped},
	{phrase: "揽收", name: "PickedUp", stage: Shipped, notYet: ReadyToShip},
	{phrase: "收件", name: "Collected", stage: Shipped, notYet: ReadyToShip},
}

// negatedRules are what a success phrase becomes with a negation beside it.
var negatedRules = map[string]floweryRule{
	"refused": {name: "Refused", stage: Exception, reason: ReasonRefused},
	"failed":  {name: "Failed", stage: Exception, reason: ReasonOther},
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
	if m := floweryMemo.Load(); m != nil {
		if r, ok := (*m)[string(s)]; ok {
			return r, r != nil
		}
	}
	r, ok := s.match()
	remember(string(s), r)
	return r, ok
}

// floweryMemo holds the rule of each status text met so far (nil for
// none), up to floweryMemoMax texts of at most floweryMemoText bytes:
// Flowery sends a few dozen distinct short ones, and every order of every
// batch names three. The map is never
// written once published; a new text publishes a copy, so a lookup takes
// no lock.
var floweryMemo atomic.Pointer[map[string]*floweryRule]

const (
	floweryMemoMax  = 1024
	floweryMemoText = 128
)

func remember(text string, r *floweryRule) {
	if len(text) > floweryMemoText {
		return
	}
	for {
		old := floweryMemo.Load()
		n := 0
		if old != nil {
			n = len(*old)
		}
		if n >= floweryMemoMax {
			return
		}
		m := make(map[string]*floweryRule, n+1)
		if old != nil {
			for k, v := range *old {
				m[k] = v
			}
		}
		m[text] = r
		if floweryMemo.CompareAndSwap(old, &m) {
			return
		}
	}
}

// match finds the rule of s by its phrases.
func (s FloweryStatus) match() (*floweryRule, bool) {
	text := strings.TrimSpace(string(s))
	if text == "" {
		return nil, false
	}
	for i := range floweryRules {
		r := &floweryRules[i]
		if !strings.Contains(text, r.phrase) {
			continue
		}
		if r.notYet != 0 {
			if neg, ok := negated(r, text); ok {
				return neg, true
			}
		}
		return r, true
	}
	return nil, false
}

// negated returns what success rule r says of text when text also holds a
// negation: a refusal (拒), the stage before (未 alone: the step has not
// happened), or a failed step (anything else: 异常, 失败, 无人, 未成功).
func negated(r *floweryRule, text string) (*floweryRule, bool) {
	found := ""
	for _, n := range negations {
		if strings.Contains(text, n) {
			found = n
			break
		}
	}
	switch {
	case found == "":
		return nil, false
	case strings.Contains(text, "拒"):
		neg := negatedRules["refused"]
		neg.phrase = r.phrase
		return &neg, true
	case found == "未" && !strings.Contains(text, "成功") && !strings.Contains(text, "异常") && !strings.Contains(text, "失败"):
		return &floweryRule{phrase: r.phrase, name: "Not" + r.name, stage: r.notYet}, true
	}
	neg := negatedRules["failed"]
	neg.phrase, neg.name = r.phrase, r.name+"Failed"
	return &neg, true
}

// Known reports whether a phrase rule matches s (FloweryUpdating included,
// whose stage is Unknown).
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
