package resellertest

import (
	"context"
	"encoding/json"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordertrack/ordertrack/reseller"
)

// ResellerFlag is the resellerFlag the fake's notifications carry.
const ResellerFlag = "resellertest"

// Notification returns the fields of a logistics notification for an
// order, as the platform sends them, signed with Secret: traces (newest
// first, as the platform sends them) become expressTrace's JSON text, at
// the timestamp. Change a field after, to send what the platform would
// not (its sign no longer matching).
func Notification(outTradeNo, companyCode, expressNo string, traces []reseller.Trace, at time.Time) map[string]string {
	f := map[string]string{
		"outTradeNo":   outTradeNo,
		"companyCode":  companyCode,
		"expressNo":    expressNo,
		"timestamp":    strconv.FormatInt(at.Unix(), 10),
		"resellerFlag": ResellerFlag,
		"version":      "1",
		"signType":     "2",
	}
	if len(traces) > 0 {
		b, _ := json.Marshal(traces)
		f["expressTrace"] = string(b)
	}
	f["sign"] = reseller.SignNotice(f, reseller.NewSecret(Secret))
	return f
}

// PostNotice posts a notification's fields to url as a form, as the
// platform does, and returns the answer's HTTP status.
func PostNotice(ctx context.Context, url string, fields map[string]string) (int, error) {
	q := make(neturl.Values, len(fields))
	for k, v := range fields {
		q[k] = []string{v}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(q.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
