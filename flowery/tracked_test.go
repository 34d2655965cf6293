package flowery

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Track's hand-written reader takes an answer only where encoding/json's
// rules read it the same way, and leaves every other to the careful path.
func TestFastTrackedTakesOnlyWhatReadsTheSame(t *testing.T) {
	const order = `"order_no":"1","express_no":"CGK1","order_status":"运输中","goods_status_time":"2024-1-2 3:04:05"`
	for _, tc := range []struct {
		body string
		fast bool
	}{
		{`{"code":"success","orders_detail":[{` + order + `}]}`, true},
		{`{"code":"success","message":null,"sn_str":"2,3","orders_detail":[{` + order + `,"shipper":{"name":"A"},"extra":[1]}]}`, true},
		{` {"status":"success","orders_detail":[{` + order + `,"return_reason":null}]} ` + "\n", true},
		{`{"code":"success","orders_detail":[{` + order + `,"problem_reason":"\u95ee\u9898"}]}`, true},

		{`{"code":"success","orders_detail":[{` + order + `}]} x`, false},                        // trailing data
		{`{"code":"success","orders_detail":[{` + order + `,"order_no":"2"}]}`, false},           // a name twice
		{`{"code":"success","orders_detail":[{` + order + `,"Order_No":"2"}]}`, false},           // twice, in another case
		{`{"code":"success","orders_detail":[{"ORDER_NO":"1"}]}`, false},                         // another case
		{`{"code":"success","orders_detail":[{` + order + `,"latest_scan_ſtatus":"x"}]}`, false}, // folds to a field
		{`{"code":"success","orders_detail":[{"order\u005fno":"1"}]}`, false},                    // an escaped name
		{`{"code":"success","orders_detail":[{` + order + `,"latest_scan_status":null}]}`, false},
		{`{"code":"success","orders_detail":[{"order_no":1}]}`, false},      // a number: Unfit
		{`{"code":"success","orders_detail":[{"order_no":"\xff"}]}`, false}, // invalid UTF-8
		{`{"code":"success","orders_detail":[7,{` + order + `}]}`, false},   // an entry that is no order
		{`{"code":"success","orders_detail":[null]}`, false},
		{`{"code":"success","orders_detail":[]}`, false},
		{`{"code":"success","orders_detail":null}`, false},
		{`{"code":"success","orders_detail":[{` + order + `}],"orders_detail":[]}`, false},
		{`{"code":"failure","orders_detail":[{` + order + `}]}`, false},
		{`{"code":"success","Message":"m","orders_detail":[{` + order + `}]}`, false},
		{`null`, false},
		{`[]`, false},
	} {
		r, ok := fastTracked([]byte(tc.body), 2)
		if ok != tc.fast {
			t.Errorf("%s: fast = %v, want %v", tc.body, ok, tc.fast)
			continue
		}
		if !ok {
			continue
		}
		var w wireResponse[trackedOrder]
		if err := json.Unmarshal([]byte(tc.body), &w); err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		want := &Response[trackedOrder]{Code: w.Code, Status: w.Status, Message: w.Message, SNStr: w.SNStr, OrdersDetail: w.OrdersDetail.Items}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("%s:\nfast    %+v\ncareful %+v", tc.body, r, want)
		}
	}
}
