package status

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lists below are copied from ../shared/provider-docs: every documented
// value, its documented name and the provider's words.

func TestBailunOrderStatusDocumented(t *testing.T) {
	doc := []struct {
		n          int
		name, desc string
		stage      Stage
	}{
		{1, "Unpackaged", "未打包", Processing},
		{2, "Packaged", "已打包", ReadyToShip},
		{3, "GetTrackingNumber", "获取跟踪号", ReadyToShip},
		{4, "Shipped", "已发货", Shipped},
		{5, "Error", "发货失败", Exception},
	}
	for _, d := range doc {
		s := BailunOrderStatus(d.n)
		assert.True(t, s.Known(), d.name)
		assert.Equal(t, d.name, s.String())
		assert.Equal(t, d.desc, s.Description())
		assert.Equal(t, d.stage, s.Stage(), d.name)
		assert.Equal(t, Code{Bailun, "orderStatus", strconv.Itoa(d.n)}, s.Code())
	}
	assert.Len(t, bailunOrderStatuses.rows, len(doc))
}

func TestBailunShipFailureDocumented(t *testing.T) {
	doc := []struct {
		n          int
		name, desc string
	}{
		{0, "NetworkEx", "网络问题"}, {1, "CharacterEx", "字符问题"}, {2, "LogisticsEx", "渠道问题"},
		{3, "PackingEx", "重量尺寸"}, {4, "StockEx", "库存问题"}, {5, "BalanceEx", "余额问题"},
		{6, "TakeStock", "盘点订单"}, {7, "LgisticsReturn", "物流退件"}, {8, "PreentryEx", "预报异常"},
		{9, "InterceptOrder", "已拦截订单"}, {10, "InterceptOrderError", "拦截失败订单"}, {99, "OtherEx", "其他问题"},
	}
	for _, d := range doc {
		f := BailunShipFailure(d.n)
		assert.True(t, f.Known(), d.name)
		assert.Equal(t, d.name, f.String())
		assert.Equal(t, d.desc, f.Description())
		assert.NotEqual(t, ReasonUnknown, f.Reason(), "every ShipFaildType has a reason: %s", d.name)
		assert.Equal(t, Code{Bailun, "shipFaildType", strconv.Itoa(d.n)}, f.Code())
	}
	assert.Len(t, bailunShipFailures.rows, len(doc))
	assert.Equal(t, ReasonStock, BailunShipStockEx.Reason())
	assert.Equal(t, ReasonReturned, BailunShipLogisticsReturn.Reason())
}

func TestBailunExceptionDocumented(t *testing.T) {
	doc := []struct {
		n          int
		name, desc string
	}{
		{1, "SkuMapLost", "sku映射缺失"}, {2, "ReceiptAddressError", "地址识别异常"},
		{4, "LogisticsUnknown", "系统匹配不到物流规则"}, {5, "WareHouseUnknown", "系统匹配不到仓库规则"},
		{6, "BailunOrder", "系统匹配到自定义订单问题规则"}, {8, "PickingApply", "配货时触发规则拦截订单"},
		{10, "StopPicking", "人为暂停配货"}, {11, "SpecifiedLogisticsUnVerify", "订单指定的物流被禁用"},
		{12, "NoValidLogistics", "由于物流限制不可用"}, {13, "NoValidWarehouse", "指定区域没有发货仓库"},
		{15, "ReceivierPhoneError", "联系人/电话异常"}, {16, "LogisticsReturn", "物流退件单"},
		{24, "NoOptimalLogistics", "无法匹配最优物流"}, {25, "WrongSizeOfProduct", "产品尺寸错误"},
		{27, "CreateApply", "创建配货单时发生异常"},
	}
	documented := map[int]bool{}
	for _, d := range doc {
		documented[d.n] = true
		e := BailunException(d.n)
		assert.True(t, e.Known(), d.name)
		assert.Equal(t, d.name, e.String())
		assert.Equal(t, d.desc, e.Description())
		assert.NotEqual(t, ReasonUnknown, e.Reason(), d.name)
	}
	assert.Len(t, bailunExceptions.rows, len(doc))
	// The gaps are undocumented: unknown, raw value kept.
	for n := 0; n <= 30; n++ {
		if documented[n] {
			continue
		}
		e := BailunException(n)
		assert.False(t, e.Known(), n)
		assert.Equal(t, strconv.Itoa(n), e.String())
		assert.Equal(t, ReasonUnknown, e.Reason())
		assert.Empty(t, e.Description())
		assert.Equal(t, strconv.Itoa(n), e.Code().Value)
	}
}

func TestBailunResultCodes(t *testing.T) {
	assert.NoError(t, BailunSuccess.Err())
	assert.ErrorIs(t, BailunErParameter.Err(), ErrInvalidRequest)
	assert.ErrorIs(t, BailunErSystem.Err(), ErrUnavailable)
	assert.ErrorIs(t, BailunErNotFoundSKU.Err(), ErrNotFound)
	assert.Equal(t, "ER_PARAMETER", BailunErParameter.String())
	assert.Equal(t, "请求参数异常", BailunErParameter.Description())
	assert.Equal(t, "系统内部异常", BailunErSystem.Description())
	assert.Equal(t, "成功", BailunSuccess.Description())
	assert.False(t, BailunResultCode(10002).Known())
	assert.NoError(t, BailunResultCode(10002).Err())
	assert.Equal(t, "10002", BailunResultCode(10002).String())
}

func TestResellerOrderStatusDocumented(t *testing.T) {
	doc := []struct {
		n     int
		desc  string
		stage Stage
	}{
		{0, "已取消", Cancelled}, {10, "待支付", Pending}, {20, "待发货", ReadyToShip},
		{30, "待收货", Shipped}, {40, "已完成", Delivered}, {50, "已退款", Refunded},
		{60, "待生产", Processing}, {70, "无法生产", Exception}, {80, "生产中", Processing},
		{90, "已补发", Shipped},
	}
	for _, d := range doc {
		s := ResellerOrderStatus(d.n)
		assert.True(t, s.Known(), d.n)
		assert.Equal(t, d.desc, s.Description())
		assert.Equal(t, d.stage, s.Stage(), d.desc)
		assert.NotEqual(t, strconv.Itoa(d.n), s.String(), "documented values have a name")
	}
	assert.Len(t, resellerOrderStatuses.rows, len(doc))
	assert.Equal(t, ReasonProduction, ResellerCannotProduce.Reason())
	for _, n := range []int{5, 15, 25, 100, -1} {
		s := ResellerOrderStatus(n)
		assert.False(t, s.Known())
		assert.Equal(t, Unknown, s.Stage())
		assert.Equal(t, strconv.Itoa(n), s.String())
	}
}

func TestResellerResultCodes(t *testing.T) {
	assert.NoError(t, ResellerOK.Err())
	assert.ErrorIs(t, ResellerParamInvalid.Err(), ErrInvalidRequest)
	assert.ErrorIs(t, ResellerOrderQueryFailed.Err(), ErrNotFound)
	assert.Equal(t, "参数校验错误", ResellerParamInvalid.Description())
	assert.Equal(t, "订单查询失败", ResellerOrderQueryFailed.Description())
	assert.True(t, ResellerOrderQueryFailed.Known())
	assert.Equal(t, Code{Reseller, "code", "6010002"}, ResellerOrderQueryFailed.Code())
}

func TestBirdSystemStatusDocumented(t *testing.T) {
	// 'PREPARING','RECEIVED','PENDING','WAIT_PICKING','PICKING','PROCESSING',
	// 'REVIEWING','FINISHED','DELETED','CANCELLED','PROBLEM','WAITING_CLIENT_RESPOND',
	// 'WAITING_WAREHOUSE_RESPOND','ADDRESS_LABEL_PRINTED','CONFIRMED_BY_WAREHOUSE'
	doc := []string{"PREPARING", "RECEIVED", "PENDING", "WAIT_PICKING", "PICKING", "PROCESSING",
		"REVIEWING", "FINISHED", "DELETED", "CANCELLED", "PROBLEM", "WAITING_CLIENT_RESPOND",
		"WAITING_WAREHOUSE_RESPOND", "ADDRESS_LABEL_PRINTED", "CONFIRMED_BY_WAREHOUSE"}
	for _, v := range doc {
		s := BirdSystemStatus(v)
		assert.True(t, s.Known(), v)
		assert.Equal(t, v, s.String())
		assert.NotEqual(t, Unknown, s.Stage(), v)
		assert.NotEmpty(t, s.Description(), v)
	}
	assert.Len(t, birdSystemStatuses.rows, len(doc))
	// The flows' Chinese words, from the document.
	words := map[BirdSystemStatus]string{BirdSystemPreparing: "准备中", BirdSystemPending: "待处理",
		BirdSystemWaitPicking: "待拣货", BirdSystemPicking: "拣货中", BirdSystemProcessing: "处理中",
		BirdSystemFinished: "已完成", BirdSystemReviewing: "审核中", BirdSystemReceived: "已收货",
		BirdSystemAddressLabelPrinted: "已出地址贴"}
	for s, w := range words {
		assert.Equal(t, w, s.Description())
	}
	assert.Equal(t, Shipped, BirdSystemFinished.Stage(), "FINISHED is dispatched, not delivered")
	assert.Equal(t, ReasonOther, BirdSystemProblem.Reason())
	assert.Equal(t, ReasonAwaitingCustomer, BirdSystemWaitingClientRespond.Reason())
	assert.Equal(t, ReasonAwaitingProvider, BirdSystemWaitingWarehouseRespond.Reason())

	for _, v := range []string{"", "finished", "SHIPPED", " FINISHED"} {
		s := BirdSystemStatus(v)
		assert.False(t, s.Known(), v)
		assert.Equal(t, Unknown, s.Stage())
		assert.Equal(t, v, s.String())
		assert.Equal(t, v, s.Code().Value)
	}
}

func TestBirdSystemTypeDocumented(t *testing.T) {
	// ENUM('LOCAL','DIRECT','RETURN','AGENT_DIRECT'), and CLIENT_DIRECT.
	for _, v := range []string{"LOCAL", "DIRECT", "RETURN", "AGENT_DIRECT", "CLIENT_DIRECT"} {
		ty := BirdSystemType(v)
		assert.True(t, ty.Known(), v)
		assert.Equal(t, v, ty.String())
		assert.Equal(t, Code{BirdSystem, "type", v}, ty.Code())
	}
	assert.Equal(t, "本地订单", BirdSystemLocal.Description())
	assert.Equal(t, "退货订单", BirdSystemReturn.Description())
	assert.Equal(t, "代理专线订单", BirdSystemAgentDirect.Description())
	assert.False(t, BirdSystemType("EXPRESS").Known())
}

func TestFloweryStatusRules(t *testing.T) {
	cases := []struct {
		text   string
		stage  Stage
		reason Reason
	}{
		// The document's example and PROVIDERS.md.
		{"退件", Returned, ReasonReturned},
		{"拒收", Exception, ReasonRefused},
		{"末端派件", OutForDelivery, ReasonUnknown},
		{"Updating", Unknown, ReasonUnknown},
		// The phrases, and longer texts that contain them.
		{"派件", OutForDelivery, ReasonUnknown},
		{"签收", Delivered, ReasonUnknown},
		{"已签收", Delivered, ReasonUnknown},
		{"运输中", Shipped, ReasonUnknown},
		{"揽收", Shipped, ReasonUnknown},
		{"已揽收", Shipped, ReasonUnknown},
		{"待揽收", ReadyToShip, ReasonUnknown},
		{"问题件", Exception, ReasonOther},
		{"  退件 ", Returned, ReasonReturned},
		{"退件签收", Returned, ReasonReturned},
		{"拒收退件", Returned, ReasonReturned},
		{"末端派件中", OutForDelivery, ReasonUnknown},
		{"", Unknown, ReasonUnknown},
		{"   ", Unknown, ReasonUnknown},
		{"DELIVERED", Unknown, ReasonUnknown},
		// Negated and failed steps claim less than the plain phrase.
		{"未签收", Shipped, ReasonUnknown},
		{"待签收", OutForDelivery, ReasonUnknown},
		{"签收失败", Exception, ReasonOther},
		{"派件失败", Exception, ReasonOther},
		{"未揽收", ReadyToShip, ReasonUnknown},
		{"揽收失败", Exception, ReasonOther},
		// Flowery's fuller docs, and the negations.
		{"收件", Shipped, ReasonUnknown},
		{"已收件", Shipped, ReasonUnknown},
		{"未收件", ReadyToShip, ReasonUnknown},
		{"拒绝签收", Exception, ReasonRefused},
		{"客户拒绝签收", Exception, ReasonRefused},
		{"无人签收", Exception, ReasonOther},
		{"签收异常", Exception, ReasonOther},
		{"签收未成功", Exception, ReasonOther},
		{"未派件", Shipped, ReasonUnknown},
		{"未派送", Shipped, ReasonUnknown},
		{"派件异常", Exception, ReasonOther},
		{"派送未成功", Exception, ReasonOther},
		{"揽收异常", Exception, ReasonOther},
	}
	for _, c := range cases {
		s := FloweryStatus(c.text)
		assert.Equal(t, c.stage, s.Stage(), "%q", c.text)
		assert.Equal(t, c.reason, s.Reason(), "%q", c.text)
		assert.Equal(t, c.stage != Unknown || c.text == "Updating", s.Known(), "%q", c.text)
		assert.Equal(t, c.text, s.Description(), "raw text is never altered")
		assert.Equal(t, c.text, s.Code().Value)
		if !s.Known() {
			assert.Equal(t, c.text, s.String())
		}
	}
	assert.Equal(t, Code{Flowery, "goods_status", "拒收"}, FloweryRefused.CodeAs("goods_status"))
	assert.Equal(t, "Refused", FloweryRefused.String())
}

// A phrase that contains an earlier rule's phrase would never match: the
// rules must run from specific to general.
func TestFloweryRulesShadowing(t *testing.T) {
	for i, r := range floweryRules {
		got, ok := FloweryStatus(r.phrase).rule()
		require.True(t, ok)
		assert.Equal(t, r.phrase, got.phrase, "rule %d (%s) is shadowed by %s", i, r.phrase, got.phrase)
	}
}

func TestWireRoundTrip(t *testing.T) {
	type doc struct {
		A BailunOrderStatus     `json:"a"`
		B *BailunShipFailure    `json:"b"`
		C *BailunException      `json:"c"`
		D BailunResultCode      `json:"d"`
		E ResellerOrderStatus   `json:"e"`
		F ResellerResultCode    `json:"f"`
		G BirdSystemStatus      `json:"g"`
		H BirdSystemType        `json:"h"`
		I FloweryStatus         `json:"i"`
		J []ResellerOrderStatus `json:"j"`
	}
	for _, in := range []string{
		`{"a":4,"b":7,"c":16,"d":10000,"e":60,"f":6010002,"g":"FINISHED","h":"LOCAL","i":"退件","j":[0,90]}`,
		`{"a":42,"b":null,"c":null,"d":12345,"e":65,"f":-1,"g":"NEW_ONE","h":"","i":"Updating","j":[]}`,
		`{"a":0,"b":0,"c":3,"d":0,"e":0,"f":0,"g":"","h":"X","i":"\u003cb\u003e","j":null}`,
	} {
		var d doc
		require.NoError(t, json.Unmarshal([]byte(in), &d))
		out, err := json.Marshal(d)
		require.NoError(t, err)
		assert.Equal(t, in, string(out))
	}
	var d doc
	assert.Error(t, json.Unmarshal([]byte(`{"a":"4"}`), &d), "an int code sent as a string is a decode error, not a silent zero")
}

func TestStageText(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Stages() {
		b, err := s.MarshalText()
		require.NoError(t, err)
		assert.False(t, seen[string(b)], "duplicate name %s", b)
		seen[string(b)] = true
		var back Stage
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
		assert.Equal(t, string(b), s.String())
	}
	assert.Equal(t, "ready_to_ship", ReadyToShip.String())
	assert.Equal(t, Unknown, Stage(0))
	var s Stage
	assert.Error(t, s.UnmarshalText([]byte("Ready_To_Ship")))
	assert.Error(t, s.UnmarshalText([]byte("")))
	b200, err := Stage(200).MarshalText()
	require.NoError(t, err, "a value that is no stage is kept, not refused")
	assert.Equal(t, "Stage(200)", string(b200))
	require.NoError(t, s.UnmarshalText(b200))
	assert.Equal(t, Stage(200), s, "and read back")
	for _, bad := range []string{"Stage(256)", "Stage(007)", "Stage(1", "Stage()", "Stage(3)"} {
		assert.Error(t, s.UnmarshalText([]byte(bad)), bad)
	}

	b, err := json.Marshal(map[string]Stage{"s": OutForDelivery})
	require.NoError(t, err)
	assert.JSONEq(t, `{"s":"out_for_delivery"}`, string(b))
}

func TestReasonText(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Reasons() {
		b, err := r.MarshalText()
		require.NoError(t, err)
		assert.False(t, seen[string(b)], "duplicate name %s", b)
		seen[string(b)] = true
		var back Reason
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, r, back)
	}
	var r Reason
	assert.Error(t, r.UnmarshalText([]byte("nope")))
	// A value of no declared reason goes through text and back, as a Stage
	// does, so that it never stops a Store's save.
	b, err := Reason(99).MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "Reason(99)", string(b))
	require.NoError(t, r.UnmarshalText(b))
	assert.Equal(t, Reason(99), r)
	assert.Error(t, r.UnmarshalText([]byte("Reason(099)")), "only the text MarshalText writes")
	assert.Equal(t, "awaiting_customer", ReasonAwaitingCustomer.String())
}

// unreachableStages are the stages no provider code maps to, on purpose:
// Unknown is the absence of a mapping and NotFound is set by Track when the
// provider does not know a ref.
var unreachableStages = []Stage{Unknown, NotFound}

func TestTablesReachEveryStage(t *testing.T) {
	reached := map[Stage]bool{}
	for _, m := range Mappings() {
		reached[m.Stage] = true
	}
	for _, s := range unreachableStages {
		reached[s] = true
	}
	for _, s := range Stages() {
		assert.True(t, reached[s], "no provider code maps to %s", s)
	}
}

func TestTablesIntegrity(t *testing.T) {
	seen := map[Code]bool{}
	for _, m := range Mappings() {
		assert.False(t, seen[m.Code], "duplicate key %v", m.Code)
		seen[m.Code] = true
		assert.NotEmpty(t, m.Name, m.Code)
		assert.NotEmpty(t, m.Description, m.Code)
		assert.True(t, m.Stage.Valid() && m.Reason.Valid(), m.Code)
		got, ok := Lookup(m.Code)
		require.True(t, ok, m.Code)
		assert.Equal(t, m.Stage, got.Stage)
	}
	_, ok := Lookup(Code{Bailun, "orderStatus", "9"})
	assert.False(t, ok)
	m, ok := Lookup(Code{Flowery, "goods_status", "客户拒收"})
	require.True(t, ok)
	assert.Equal(t, ReasonRefused, m.Reason)
	assert.Panics(t, func() {
		newTable(Bailun, "x", formatInt[int], row[int]{value: 1}, row[int]{value: 1})
	})
}

func TestAPIError(t *testing.T) {
	e := &APIError{Provider: Bailun, Method: "GET", Endpoint: "/apiV2/bailunOrder/queryOrderStatus",
		HTTPStatus: 200, Code: "10001", Message: "请求参数异常", Err: ErrInvalidRequest}
	var err error = fmt.Errorf("wrapped: %w", e)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.NotErrorIs(t, err, ErrNotFound)
	var ae *APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "10001", ae.Code)
	assert.Equal(t, "bailun: GET /apiV2/bailunOrder/queryOrderStatus: HTTP 200: code 10001: 请求参数异常 (invalid request)", e.Error())
	assert.Equal(t, "flowery: HTTP 500", (&APIError{Provider: Flowery, HTTPStatus: 500}).Error())
}

func TestSnapshotJSON(t *testing.T) {
	s := Snapshot{Provider: BirdSystem, Ref: "1", Stage: Shipped,
		Problems: []Problem{{Reason: ReasonHeld, Code: BirdSystemReviewing.Code()}}}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"provider":"birdsystem","ref":"1","stage":"shipped","problems":[{"reason":"held","code":{"provider":"birdsystem","field":"status","value":"REVIEWING"}}]}`, string(b))
	assert.Equal(t, "held (birdsystem status=REVIEWING)", s.Problems[0].String())
}

func FuzzParseStage(f *testing.F) {
	for _, s := range Stages() {
		f.Add(s.String())
	}
	f.Add("READY")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseStage(text)
		if err != nil {
			return
		}
		if s.String() != text {
			t.Fatalf("ParseStage(%q) = %v", text, s)
		}
	})
}

func FuzzParseReason(f *testing.F) {
	for _, r := range Reasons() {
		f.Add(r.String())
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseReason(text)
		if err == nil && r.String() != text {
			t.Fatalf("ParseReason(%q) = %v", text, r)
		}
	})
}

func FuzzFloweryStatus(f *testing.F) {
	for _, s := range []string{"退件", "拒收", "末端派件", "Updating", "", " 签收 ", "\xff派件", "客户拒绝签收", "签收未成功", "无人签收", "已签收无异常"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s := FloweryStatus(text)
		if s.Description() != text || s.Code().Value != text {
			t.Fatal("raw text altered")
		}
		if !s.Stage().Valid() || !s.Reason().Valid() {
			t.Fatal("invalid stage or reason")
		}
		if s.Known() != (s.Stage() != Unknown) && !strings.Contains(text, "Updating") {
			t.Fatalf("%q: Known=%v Stage=%v", text, s.Known(), s.Stage())
		}
		// A negation anywhere in the text never claims a success.
		for _, n := range []string{"未", "无", "拒", "异常", "失败"} {
			if strings.Contains(text, n) && s.Stage() == Delivered {
				t.Fatalf("%q holds %q and maps to delivered", text, n)
			}
		}
		if !s.Known() && s.String() != text {
			t.Fatal("unknown text must print as sent")
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back FloweryStatus
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back != s && isValidUTF8(text) {
			t.Fatalf("round trip %q -> %q", text, back)
		}
	})
}

// FuzzIntCodes decodes any JSON number into every int code type: it never
// panics, and an undocumented value stays itself and maps to nothing.
func FuzzIntCodes(f *testing.F) {
	for _, n := range []int{0, 1, 5, 7, 10, 16, 27, 40, 99, 10001, 6010002, -3} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int) {
		b := BailunOrderStatus(n)
		if !b.Known() && (b.Stage() != Unknown || b.String() != strconv.Itoa(n)) {
			t.Fatal("undocumented bailun status mapped")
		}
		e := BailunException(n)
		if !e.Known() && e.Reason() != ReasonUnknown {
			t.Fatal("undocumented exception mapped")
		}
		r := ResellerOrderStatus(n)
		if r.Code().Value != strconv.Itoa(n) {
			t.Fatal("raw value changed")
		}
		out, _ := json.Marshal(r)
		if string(out) != strconv.Itoa(n) {
			t.Fatal("wire form changed")
		}
	})
}

func isValidUTF8(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' {
			return false
		}
	}
	return true
}

func TestBirdSystemReturnFlow(t *testing.T) {
	// 准备中->已收货->待处理->处理中->审核中->已完成
	flow := []struct {
		s     BirdSystemStatus
		stage Stage
	}{{BirdSystemPreparing, Pending}, {BirdSystemReceived, Returned}, {BirdSystemPending, Returned},
		{BirdSystemProcessing, Returned}, {BirdSystemReviewing, Returned}, {BirdSystemFinished, Returned}}
	for _, f := range flow {
		assert.Equal(t, f.stage, f.s.StageFor(BirdSystemReturn), f.s)
		assert.Equal(t, ReasonUnknown, f.s.ReasonFor(BirdSystemReturn), "no hold in a return's flow: %s", f.s)
	}
	assert.Equal(t, Cancelled, BirdSystemCancelled.StageFor(BirdSystemReturn))
	assert.Equal(t, ReasonOther, BirdSystemProblem.ReasonFor(BirdSystemReturn))
	assert.Equal(t, Shipped, BirdSystemFinished.StageFor(BirdSystemLocal))
	assert.Equal(t, ReasonHeld, BirdSystemReviewing.ReasonFor(BirdSystemLocal))
	_, ok := Lookup(Code{BirdSystem, "status", "FINISHED"})
	assert.True(t, ok)
}

// A zero Code prints as nothing, never as " =".
func TestCodeStringEmpty(t *testing.T) {
	assert.Equal(t, "", Code{}.String())
	assert.Equal(t, "", fmt.Sprint(Event{}.Code))
	assert.Equal(t, "bailun orderStatus=4", Code{Provider: Bailun, Field: "orderStatus", Value: "4"}.String())
}

// Events that times cannot order keep the order sent (or its reverse, for
// a provider that sends newest first); the others are ordered around them.
func TestSortEventsWhereTimesCannotTell(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2024, 1, 1, h, 0, 0, 0, time.UTC) }
	ev := []Event{{Time: at(3), Description: "c"}, {Description: "x"}, {Time: at(1), Description: "a"}}
	SortEvents(ev)
	assert.Equal(t, []string{"a", "x", "c"}, []string{ev[0].Description, ev[1].Description, ev[2].Description})
	ev = []Event{{Time: at(2), Description: "second"}, {Time: at(2), Description: "first"}, {Time: at(1), Description: "zero"}}
	SortEventsNewestFirst(ev)
	assert.Equal(t, []string{"zero", "first", "second"}, []string{ev[0].Description, ev[1].Description, ev[2].Description})
}
