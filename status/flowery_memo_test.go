package status

import (
	"strconv"
	"strings"
	"testing"
)

// The memo gives what matching the phrases gives, for texts met once and
// met again, and stays within its bounds whatever a provider sends.
func TestFloweryMemoAgreesWithTheRules(t *testing.T) {
	texts := []string{"", " ", "退件", "拒收", "未签收", "签收失败", "末端派件", "运输中", "Updating", "unheard-of", " 派件 ", "拒绝签收",
		strings.Repeat("签收", 100)}
	for _, round := range []string{"first", "memoised"} {
		for _, text := range texts {
			want, wantOK := FloweryStatus(text).match()
			got, gotOK := FloweryStatus(text).rule()
			if gotOK != wantOK || (got == nil) != (want == nil) || got != nil && (got.stage != want.stage || got.reason != want.reason || got.name != want.name) {
				t.Fatalf("%s %q: memo %+v %v, rules %+v %v", round, text, got, gotOK, want, wantOK)
			}
		}
	}
	if m := floweryMemo.Load(); m != nil {
		if _, ok := (*m)[strings.Repeat("签收", 100)]; ok {
			t.Error("a text over floweryMemoText bytes was memoised")
		}
	}
	for i := range 2 * floweryMemoMax {
		FloweryStatus("签收 " + strconv.Itoa(i)).Stage()
	}
	if n := len(*floweryMemo.Load()); n > floweryMemoMax {
		t.Errorf("memo holds %d texts, over %d", n, floweryMemoMax)
	}
	if FloweryStatus("签收 "+strconv.Itoa(3*floweryMemoMax)).Stage() != Delivered {
		t.Error("a text past the memo's bound is still matched")
	}
}
