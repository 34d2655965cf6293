package status

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// AppendSnapshotsJSON gives json.Marshal's bytes, HTML escapes, NULs,
// zones, errors and all.
func TestAppendSnapshotsJSON(t *testing.T) {
	at := time.Date(2024, 6, 3, 10, 30, 0, 5, time.FixedZone("CST", 8*3600))
	for _, snaps := range [][]Snapshot{
		nil,
		{},
		{{Provider: Flowery, Ref: "1000025", Stage: Shipped}},
		{{Provider: Reseller, Ref: "R-<1>&", OrderNo: "a\"b\\c\x00\u2028", Stage: Exception, TrackingNo: "YT<b>", Carrier: "é&",
			UpdatedAt: at, Codes: []Code{{Provider: Reseller, Field: "orderStatus", Value: "<70>"}},
			Problems: []Problem{{Reason: ReasonAddress, Code: Code{Field: "shipFaildType", Value: "4"}}},
			Events:   []Event{{Time: at, RawTime: "2024-06-03 18:30:00", Description: "到达 <arrived> & \"ok\"", Stage: Shipped}}},
			{Provider: Reseller, Ref: "R-1", Stage: Stage(200), Err: errors.New("lookup <failed> & \"why\"")}},
	} {
		want, err := json.Marshal(snaps)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendSnapshotsJSON(nil, snaps)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("AppendSnapshotsJSON = %s\njson.Marshal        = %s", got, want)
		}
	}
}

func FuzzAppendSnapshotsJSON(f *testing.F) {
	f.Add("R-1", "<b>&", "ok", uint8(3))
	f.Fuzz(func(t *testing.T, ref, text, code string, stage uint8) {
		snaps := []Snapshot{{Provider: Flowery, Ref: ref, OrderNo: text, Stage: Stage(stage), Carrier: code,
			Codes: []Code{{Field: "order_status", Value: code}}, Events: []Event{{Description: text}}}}
		want, err := json.Marshal(snaps)
		got, err2 := AppendSnapshotsJSON(nil, snaps)
		if (err == nil) != (err2 == nil) || string(got) != string(want) {
			t.Fatalf("AppendSnapshotsJSON = %s, %v\njson.Marshal = %s, %v", got, err2, want, err)
		}
	})
}
