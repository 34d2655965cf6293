package reseller

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/status"
)

// A logistics notification ("物流通知") is what the platform posts to a URL
// the reseller registers, once an order ships and as its express moves.
// The fields and the signature rule come from public integration code,
// not from the platform's published docs (see ../PROVIDERS.md): the rule
// is pluggable (NoticeVerifier.Sign).

// DefaultNoticeTolerance is how far a notification's timestamp may be from
// now when NoticeVerifier.Tolerance is 0.
const DefaultNoticeTolerance = 5 * time.Minute

// MaxNoticeBytes is the largest notification body a NoticeVerifier reads.
const MaxNoticeBytes = 1 << 20

// Notice is one logistics notification, verified.
type Notice struct {
	// OutTradeNo is the reseller's order number (a query's thirdOrderNo,
	// and a Track ref).
	OutTradeNo string
	// CustomizeNos are customizeNo, split on ",".
	CustomizeNos []string
	// CompanyCode and ExpressNo are the express company's code and the
	// waybill number.
	CompanyCode, ExpressNo string
	// Traces are expressTrace, decoded (newest first, as sent); nil when
	// the account does not send them.
	Traces []Trace
	// Redo says redoOrder is "1": a re-made order.
	Redo bool
	// Timestamp is when the platform signed it.
	Timestamp time.Time
	// Fields are every field as received, verbatim (expressTrace as its
	// JSON text, sign included): nothing of the notification is lost.
	Fields map[string]string
}

// Snapshot is the notice in canonical terms, as Track gives an order: the
// reseller's order number as the Ref, the waybill as TrackingNo, the
// company code as Carrier, the traces as Events (oldest first), and Stage
// Shipped (the platform notifies orders whose express is under way), with
// the raw code notice=logistics.
func (n *Notice) Snapshot() status.Snapshot {
	e := &OrderExpress{ExpressNumber: n.ExpressNo, ExpressCompany: n.CompanyCode, Traces: n.Traces}
	return status.Snapshot{Provider: status.Reseller, Ref: n.OutTradeNo, Stage: status.Shipped,
		Codes:      []status.Code{{Provider: status.Reseller, Field: "notice", Value: "logistics"}},
		TrackingNo: n.ExpressNo, Carrier: n.CompanyCode, UpdatedAt: e.LatestTrace().UTC(), Events: e.Events()}
}

// SignNotice returns the sign of a notification's fields as the platform
// makes it: every field but sign, plus secret=<secret>, sorted by key,
// joined k=v with & (each value exactly as sent: expressTrace as its JSON
// text), MD5 of the UTF-8 bytes, in lower-case hex. For tests that post
// notifications as the platform would.
func SignNotice(fields map[string]string, secret Secret) string {
	keys := make([]string, 0, len(fields)+1)
	for k := range fields {
		if k != "sign" && k != "secret" {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "secret")
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v := fields[k]
		if k == "secret" {
			v = secret.Value()
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// NoticeVerifier reads and verifies logistics notifications.
type NoticeVerifier struct {
	// Secret is the reseller's signing secret.
	Secret Secret
	// ResellerFlag, when set, is the resellerFlag a notification must
	// carry.
	ResellerFlag string
	// Tolerance is how far a timestamp may be from now; 0 gives
	// DefaultNoticeTolerance.
	Tolerance time.Duration
	// Sign computes a notification's sign; nil gives SignNotice.
	Sign func(fields map[string]string, secret Secret) string
	// Now is the clock; nil gives time.Now.
	Now func() time.Time
}

// now is the verifier's time.
func (v *NoticeVerifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// ErrNoticeSignature is matched (with status.ErrUnauthorized) by a
// notification whose sign does not match; ErrNoticeStale by one whose
// timestamp is outside the tolerance.
var (
	ErrNoticeSignature = errors.New("reseller: notification sign does not match")
	ErrNoticeStale     = errors.New("reseller: notification timestamp outside the tolerance")
)

type noticeError struct {
	msg      string
	sentinel error
	cause    error
}

func (e *noticeError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}
func (e *noticeError) Unwrap() []error { return []error{e.sentinel, e.cause} }

// Read reads a notification from r (an urlencoded form, or a
// JSON object of strings), under MaxNoticeBytes, and verifies it before
// anything of it is used: the sign over the raw values compared in
// constant time, signType 2, the timestamp within the tolerance, the
// reseller flag. A bad sign matches status.ErrUnauthorized and
// ErrNoticeSignature; a stale one ErrNoticeStale (and ErrUnauthorized); a
// body that is not a notification status.ErrInvalidRequest. The secret is
// in no error.
func (v *NoticeVerifier) Read(r *http.Request) (*Notice, error) {
	fields, err := readNoticeFields(r)
	if err != nil {
		return nil, &noticeError{msg: "reseller: notification", sentinel: status.ErrInvalidRequest, cause: err}
	}
	return v.Verify(fields)
}

// Verify verifies a notification's fields (as received) and returns the
// notice; see Read.
func (v *NoticeVerifier) Verify(fields map[string]string) (*Notice, error) {
	bad := func(format string, args ...any) error {
		return &noticeError{msg: "reseller: notification: " + fmt.Sprintf(format, args...), sentinel: status.ErrInvalidRequest}
	}
	if v.Secret.IsZero() {
		return nil, &noticeError{msg: "reseller: NoticeVerifier.Secret is required", sentinel: status.ErrInvalidConfig}
	}
	given := fields["sign"]
	if given == "" {
		return nil, &noticeError{msg: "reseller: notification has no sign", sentinel: status.ErrUnauthorized, cause: ErrNoticeSignature}
	}
	if st := fields["signType"]; st != "2" {
		return nil, bad("signType %q, not 2", st)
	}
	sign := v.Sign
	if sign == nil {
		sign = SignNotice
	}
	want := sign(fields, v.Secret)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(given)), []byte(strings.ToLower(want))) != 1 {
		return nil, &noticeError{msg: "reseller: notification", sentinel: status.ErrUnauthorized, cause: ErrNoticeSignature}
	}
	ts, err := strconv.ParseInt(fields["timestamp"], 10, 64)
	if err != nil {
		return nil, bad("timestamp %q is not Unix seconds", fields["timestamp"])
	}
	now := v.now
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultNoticeTolerance
	}
	at := time.Unix(ts, 0).UTC()
	if d := now().Sub(at); d > tol || d < -tol {
		return nil, &noticeError{msg: fmt.Sprintf("reseller: notification timestamp %s is %v from now", at.Format(time.RFC3339), d.Round(time.Second)),
			sentinel: status.ErrUnauthorized, cause: ErrNoticeStale}
	}
	if v.ResellerFlag != "" && fields["resellerFlag"] != v.ResellerFlag {
		return nil, &noticeError{msg: fmt.Sprintf("reseller: notification for resellerFlag %q", fields["resellerFlag"]), sentinel: status.ErrUnauthorized}
	}
	n := &Notice{OutTradeNo: fields["outTradeNo"], CompanyCode: fields["companyCode"], ExpressNo: fields["expressNo"],
		Redo: fields["redoOrder"] == "1", Timestamp: at, Fields: fields}
	if n.OutTradeNo == "" {
		return nil, bad("no outTradeNo")
	}
	if c := fields["customizeNo"]; c != "" {
		n.CustomizeNos = strings.Split(c, ",")
	}
	if t := fields["expressTrace"]; t != "" {
		if err := json.Unmarshal([]byte(t), &n.Traces); err != nil {
			return nil, bad("expressTrace is not a list of traces: %v", err)
		}
	}
	return n, nil
}

// readNoticeFields reads a notification's fields, as sent.
func readNoticeFields(r *http.Request) (map[string]string, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s, not POST", r.Method)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxNoticeBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxNoticeBytes {
		return nil, fmt.Errorf("body over %d bytes", MaxNoticeBytes)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	fields := map[string]string{}
	switch {
	case ct == "application/json" || ct == "" && len(body) > 0 && body[0] == '{':
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, fmt.Errorf("a JSON object: %w", err)
		}
		for k, v := range raw {
			var s string
			if err := json.Unmarshal(v, &s); err == nil {
				fields[k] = s
				continue
			}
			// A value that is not a string (expressTrace as a list, a
			// number): its JSON text, as it was sent.
			fields[k] = string(v)
		}
	case ct == "application/x-www-form-urlencoded" || ct == "":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("a form: %w", err)
		}
		for k, vs := range q {
			if len(vs) != 1 {
				return nil, fmt.Errorf("field %q given %d times", k, len(vs))
			}
			fields[k] = vs[0]
		}
	default:
		return nil, fmt.Errorf("content type %q, not a form or JSON", ct)
	}
	return fields, nil
}

// NoticeHandler is the http.Handler of the URL the platform posts
// notifications to: it verifies each (see NoticeVerifier.Read), drops a
// replay of one already taken (the same fields, but for its sign and
// timestamp),
// hands the others to OnNotice, and answers {"code":0,"message":"success"};
// a refused one gets a 4xx with {"code":<status>,"message":...}, and a
// failing OnNotice a 500, so that the platform sends it again.
//
// A notification is taken once OnNotice returned nil, and not before: a
// copy that arrives while OnNotice runs waits for it, and is answered as
// a replay when it took the notification, or is taken itself when it did
// not. A panic in OnNotice reaches net/http, and leaves the notification
// not taken. Replays are remembered for twice the verifier's tolerance: a
// notification older than that is refused as stale anyway, so the memory
// is bounded by time, not by a count that many notifications could flush.
type NoticeHandler struct {
	Verifier NoticeVerifier
	// OnNotice takes each new notification; an error answers 500.
	OnNotice func(r *http.Request, n *Notice) error

	mu    sync.Mutex
	taken map[string]time.Time     // by key: when OnNotice took it
	busy  map[string]chan struct{} // by key: closed when its OnNotice returns
	swept time.Time                // when taken was last swept
}

// key tells a notification apart for replays: every field it was sent
// with but its sign and timestamp, which a retry may carry anew. Two
// notifications that differ in anything else (an express company, a
// customizeNo) are two.
func (n *Notice) key() string {
	names := make([]string, 0, len(n.Fields))
	for k := range n.Fields {
		if k != "sign" && k != "timestamp" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(n.Fields[k])
		b.WriteByte(0)
	}
	return b.String()
}

// remembered is how long a taken notification is remembered.
func (h *NoticeHandler) remembered() time.Duration {
	switch tol := h.Verifier.Tolerance; {
	case tol <= 0:
		return 2 * DefaultNoticeTolerance
	case tol > math.MaxInt64/2:
		return math.MaxInt64 // a tolerance of forever: never forgotten
	default:
		return 2 * tol
	}
}

// begin reports whether k is to be taken now (then its done must be
// called), or was taken already; it waits for a copy of k being taken, and
// fails when ctx ends first.
func (h *NoticeHandler) begin(ctx context.Context, k string) (done func(taken bool), replay bool, err error) {
	for {
		h.mu.Lock()
		now := h.Verifier.now()
		if h.taken == nil {
			h.taken, h.busy = map[string]time.Time{}, map[string]chan struct{}{}
		}
		if keep := h.remembered(); now.Sub(h.swept) > keep/4 {
			for key, at := range h.taken {
				if now.Sub(at) > keep {
					delete(h.taken, key)
				}
			}
			h.swept = now
		}
		if _, ok := h.taken[k]; ok {
			h.mu.Unlock()
			return nil, true, nil
		}
		wait, ok := h.busy[k]
		if !ok {
			ch := make(chan struct{})
			h.busy[k] = ch
			h.mu.Unlock()
			return func(taken bool) {
				h.mu.Lock()
				delete(h.busy, k)
				if taken {
					h.taken[k] = h.Verifier.now()
				}
				h.mu.Unlock()
				close(ch)
			}, false, nil
		}
		h.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// ServeHTTP implements http.Handler.
func (h *NoticeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		b, _ := json.Marshal(map[string]any{"code": map[bool]int{true: 0, false: code}[code == http.StatusOK], "message": msg})
		w.Write(b)
	}
	n, err := h.Verifier.Read(r)
	switch {
	case errors.Is(err, status.ErrUnauthorized):
		reply(http.StatusUnauthorized, err.Error())
		return
	case err != nil:
		reply(http.StatusBadRequest, err.Error())
		return
	}
	done, replay, err := h.begin(r.Context(), n.key())
	switch {
	case err != nil:
		// Gone before its copy was taken: the platform sends it again.
		reply(http.StatusServiceUnavailable, "not taken: "+err.Error())
		return
	case replay:
		reply(http.StatusOK, "success") // taken before: said again, not taken again
		return
	}
	taken := false
	defer func() { done(taken) }() // a panic in OnNotice leaves it not taken
	if h.OnNotice != nil {
		if err := h.OnNotice(r, n); err != nil {
			reply(http.StatusInternalServerError, "not taken: "+err.Error())
			return
		}
	}
	taken = true
	reply(http.StatusOK, "success")
}
