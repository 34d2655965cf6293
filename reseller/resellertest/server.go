// Package resellertest is an in-process fake of the reseller open platform
// for tests and examples: a real HTTP server that checks every envelope and
// its signature with the same Signer as the client, serves an in-memory
// store of orders, and injects faults.
//
//	srv := resellertest.NewServer()
//	defer srv.Close()
//	srv.Put(reseller.Order{ThirdOrderNo: "T-1", SubOrderList: ...})
//	c, _ := reseller.New(srv.Config())
package resellertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/fault"
	"github.com/ordertrack/ordertrack/internal/fakegen"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/status"
)

// The credentials the fake accepts.
const (
	ResellerID = 10000
	Secret     = "resellertest-secret"
)

// OrderQueryPath is the path the fake serves.
const OrderQueryPath = "/open/order/query"

// Fault is one injected failure (a [fault.Fault]). The next request to
// its Method and Path, naming its Ref (each "" for any; a Path of "" never
// matches a token endpoint), gets, instead of the fake's answer: Status with Body
// (ContentType, RetryAfter as set); or a wait of Delay first; or a body cut
// short (Truncate); or no answer at all (Drop); or the fake's own handling,
// a create stored, and then no answer (DropAfterServe). Queue it with
// Server.Inject.
type Fault = fault.Fault

// Forever is Fault.Times for a fault that lasts until Heal.
const Forever = fault.Forever

// Server is a fake reseller platform. Its exported fields may be set before
// the first request.
type Server struct {
	*httptest.Server
	fault.Injector

	// Signer checks signatures, the way the platform does (without regard
	// to case); nil gives reseller.YingeSigner, the client's default.
	Signer reseller.Signer
	// MaxSkew is how far an envelope's timestamp may be from the fake's
	// clock; 0 gives 10 minutes.
	MaxSkew time.Duration

	// Generate, when set, answers a third-party order number the fake was
	// not given (Put), without storing it: the order it returns, or not
	// found for false. Generated is one that answers any number, the same
	// way each time, for load tests over many orders.
	// Set it before the fake takes its first request, or while it serves
	// with SetGenerate.
	Generate func(thirdOrderNo string) (reseller.Order, bool)

	mu     sync.Mutex
	orders map[string]reseller.Order
	last   []byte
}

// Inject queues faults, in order: the first that matches a request (its
// Method, Path and Ref) answers it, once, Times times, For a while, or
// until Heal.
func (s *Server) Inject(faults ...Fault) { s.Injector.Inject(faults...) }

// Hits returns how many requests reached path ("" for every path), faults
// included.
func (s *Server) Hits(path string) int { return s.Injector.Hits(path) }

// ResetHits sets every count back to zero, empties the request log
// (Requests) and drops the queued faults.
func (s *Server) ResetHits() { s.Injector.ResetHits() }

// SetGenerate sets Generate while the fake serves (no data race with its
// requests).
func (s *Server) SetGenerate(f func(thirdOrderNo string) (reseller.Order, bool)) {
	s.mu.Lock()
	s.Generate = f
	s.mu.Unlock()
}

// Generated is a Server.Generate that answers every third-party order
// number with an order made from it: one or two sub-orders in documented
// statuses, shipped ones with a trace, the same each time.
func Generated(thirdOrderNo string) (reseller.Order, bool) {
	o := reseller.Order{ThirdOrderNo: thirdOrderNo, UnionOrderNo: "U" + thirdOrderNo}
	for i := range fakegen.Pick(thirdOrderNo, "subs", 1, 1, 2) {
		no := fmt.Sprintf("%s-%d", thirdOrderNo, i+1)
		st := fakegen.Pick(no, "status", status.ResellerAwaitingShipment, status.ResellerInProduction,
			status.ResellerAwaitingReceipt, status.ResellerCompleted, status.ResellerCancelled)
		sub := reseller.SubOrder{OrderNo: no, OrderStatus: st}
		if st == status.ResellerAwaitingReceipt || st == status.ResellerCompleted {
			sub.OrderExpress = &reseller.OrderExpress{ExpressNumber: "SF" + no, ExpressCompanyName: "顺丰速运", ExpressCompany: "sf",
				Traces: []reseller.Trace{{Time: reseller.NewTime(fakegen.Updated(no)), Context: "快件已发车"}}}
		}
		o.SubOrderList = append(o.SubOrderList, sub)
	}
	return o, true
}

// NewServer starts a fake with an empty store, on a loopback port of its
// own. Close it when done.
func NewServer() *Server {
	s := newServer()
	s.Server.Start()
	return s
}

// NewServerAt starts a fake with an empty store listening on addr
// ("127.0.0.1:18081"): the fixed address a process of its own serves it
// on (examples/fakes). Close it when done.
func NewServerAt(addr string) (*Server, error) {
	s := newServer()
	if err := fault.StartAt(s.Server, addr); err != nil {
		return nil, err
	}
	return s, nil
}

func newServer() *Server {
	s := &Server{orders: map[string]reseller.Order{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+OrderQueryPath, s.query)
	s.RefKeys("thirdOrderNo", "orderNo")
	s.Server = httptest.NewUnstartedServer(s.Wrap(mux))
	return s
}

// Config returns a client Config for the fake: its URL and credentials, and
// millisecond retry waits so that tests of faults run fast.
func (s *Server) Config() reseller.Config {
	return reseller.Config{BaseURL: s.URL, ResellerID: ResellerID, Secret: reseller.NewSecret(Secret), Signer: s.Signer,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
}

// Put stores orders, replacing any with the same ThirdOrderNo.
func (s *Server) Put(orders ...reseller.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range orders {
		s.orders[o.ThirdOrderNo] = o
	}
}

// Advance moves a stored sub-order to st as of at, as the platform would,
// so that a Watcher sees the change; when the sub-order has an express, a
// trace saying so (the status's own words) is added to it. It reports false
// when no such sub-order is stored.
func (s *Server) Advance(thirdOrderNo, subOrderNo string, st status.ResellerOrderStatus, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[thirdOrderNo]
	if !ok {
		return false
	}
	subs := slices.Clone(o.SubOrderList)
	for i := range subs {
		if subs[i].OrderNo != subOrderNo {
			continue
		}
		subs[i].OrderStatus = st
		if e := subs[i].OrderExpress; e != nil {
			moved := *e
			moved.Traces = append([]reseller.Trace{{Time: reseller.NewTime(at), Context: st.Description(), Status: strconv.Itoa(int(st))}}, e.Traces...)
			subs[i].OrderExpress = &moved
		}
		o.SubOrderList = subs
		s.orders[thirdOrderNo] = o
		return true
	}
	return false
}

// LastRequest returns the body of the last order query the fake received.
func (s *Server) LastRequest() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.last...)
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.last = body
	s.mu.Unlock()
	var req reseller.Envelope
	if err := json.Unmarshal(body, &req); err != nil || req.Timestamp == 0 || req.Version == 0 || len(req.BizContent) == 0 {
		fail(w, status.ResellerParamInvalid, "参数校验错误: malformed envelope")
		return
	}
	if req.ResellerID != ResellerID {
		fail(w, status.ResellerParamInvalid, "参数校验错误: unknown resellerId")
		return
	}
	skew := s.MaxSkew
	if skew <= 0 {
		skew = 10 * time.Minute
	}
	if d := time.Since(time.Unix(req.Timestamp, 0)); d > skew || d < -skew {
		fail(w, status.ResellerParamInvalid, "参数校验错误: timestamp out of range")
		return
	}
	signer := s.Signer
	if signer == nil {
		signer = reseller.YingeSigner
	}
	if !req.Verify(signer, reseller.NewSecret(Secret)) {
		fail(w, status.ResellerParamInvalid, "参数校验错误: bad sign")
		return
	}
	var q reseller.OrderQuery
	if err := json.Unmarshal(req.BizContent, &q); err != nil || q.ThirdOrderNo == "" {
		fail(w, status.ResellerParamInvalid, "参数校验错误: thirdOrderNo is required")
		return
	}
	s.mu.Lock()
	o, ok := s.orders[q.ThirdOrderNo]
	gen := s.Generate
	s.mu.Unlock()
	if !ok && gen != nil {
		o, ok = gen(q.ThirdOrderNo)
	}
	if !ok {
		fail(w, status.ResellerOrderQueryFailed, "订单查询失败")
		return
	}
	reply(w, reseller.Response[reseller.Order]{Code: status.ResellerOK, Data: &o, Message: "成功"})
}

func fail(w http.ResponseWriter, code status.ResellerResultCode, message string) {
	reply(w, reseller.Response[reseller.Order]{Code: code, Message: message})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
