// Package bailuntest is an in-process fake of Bailun OMS for tests and
// examples: a real HTTP server with the token and order-status endpoints, an
// in-memory order store, token expiry on demand and fault injection.
//
//	srv := bailuntest.NewServer()
//	defer srv.Close()
//	srv.Put(bailun.OrderStatusOutput{OriginOrderNo: "A1", OrderStatus: status.BailunOrderShipped})
//	c, _ := bailun.New(srv.Config())
package bailuntest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/fault"
	"github.com/ordertrack/ordertrack/internal/fakegen"
	"github.com/ordertrack/ordertrack/status"
)

// The credentials the fake accepts.
const (
	AppID  = "bailuntest-app"
	AppKey = "bailuntest-app-key"
)

// Paths the fake serves.
const (
	TokenPath       = "/oauth/token/get"
	OrderStatusPath = "/apiV2/bailunOrder/queryOrderStatus"
)

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

// Server is a fake Bailun OMS. Its exported fields may be set before the
// first request.
type Server struct {
	*httptest.Server
	fault.Injector

	// TokenLifetime is the expires_in of issued tokens; 0 gives 3600s.
	TokenLifetime time.Duration
	// CamelCase answers token requests as {"accessToken", "expiresIn"},
	// the spelling of Bailun's own example, instead of snake_case.
	CamelCase bool
	// Generate, when set, answers an order number the fake was not given
	// (Put), without storing it: the order it returns, or not found for
	// false. Generated is one that answers any number, the same way each
	// time, for load tests over many orders.
	// Set it before the fake takes its first request, or while it serves
	// with SetGenerate.
	Generate func(orderNo string) (bailun.OrderStatusOutput, bool)

	mu      sync.Mutex
	orders  map[string]bailun.OrderStatusOutput
	tokens  map[string]time.Time
	fetches int
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
func (s *Server) SetGenerate(f func(orderNo string) (bailun.OrderStatusOutput, bool)) {
	s.mu.Lock()
	s.Generate = f
	s.mu.Unlock()
}

// Generated is a Server.Generate that answers every order number with an
// order made from it: a documented status, a tracking number once packed,
// a time in the 30 days before 2024-06-03, the same each time.
func Generated(orderNo string) (bailun.OrderStatusOutput, bool) {
	st := fakegen.Pick(orderNo, "status", status.BailunOrderUnpackaged, status.BailunOrderPackaged,
		status.BailunOrderGetTrackingNumber, status.BailunOrderShipped, status.BailunOrderShipped, status.BailunOrderError)
	o := bailun.OrderStatusOutput{OriginOrderNo: orderNo, OrderStatus: st, LastUpdateTime: bailun.NewTime(fakegen.Updated(orderNo))}
	if st >= status.BailunOrderGetTrackingNumber {
		o.TrackingNo = bailun.NewString("YT" + orderNo)
	}
	if st == status.BailunOrderError {
		o.ShipFailedType = status.Ptr(status.BailunShipStockEx)
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
	s := &Server{orders: map[string]bailun.OrderStatusOutput{}, tokens: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.HandleFunc("GET "+OrderStatusPath, s.orderStatus)
	s.RefKeys("originOrderNo")
	s.Server = httptest.NewUnstartedServer(s.Wrap(mux, TokenPath))
	return s
}

// Config returns a client Config for the fake: its URL and credentials, and
// millisecond retry waits so that tests of faults run fast.
func (s *Server) Config() bailun.Config {
	return bailun.Config{BaseURL: s.URL, AppID: AppID, AppKey: bailun.NewSecret(AppKey),
		RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond}
}

// Put stores orders, replacing any with the same OriginOrderNo.
func (s *Server) Put(orders ...bailun.OrderStatusOutput) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range orders {
		s.orders[o.OriginOrderNo] = o
	}
}

// Advance moves a stored order to st as of at, as Bailun would once its
// warehouse acts, so that a Watcher sees the change. It reports false when
// no order has that number.
func (s *Server) Advance(orderNo string, st status.BailunOrderStatus, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderNo]
	if ok {
		o.OrderStatus, o.LastUpdateTime = st, bailun.NewTime(at)
		s.orders[orderNo] = o
	}
	return ok
}

// ExpireTokens makes every issued token expired, so the next resource call
// gets 401 and the client must fetch a new one.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Time{}
	}
}

// TokenFetches returns how many tokens the fake has issued.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AppID  string `json:"app_id"`
		AppKey string `json:"app_key"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.AppID == "" {
		reply(w, http.StatusOK, envelope{Code: status.BailunErParameter, Message: "请求参数异常"})
		return
	}
	if req.AppID != AppID || req.AppKey != AppKey {
		reply(w, http.StatusOK, envelope{Code: status.BailunErParameter, Message: "invalid app_id or app_key"})
		return
	}
	life := s.TokenLifetime
	if life <= 0 {
		life = time.Hour
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	tok := "Bearer " + hex.EncodeToString(raw[:])
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(life)
	s.fetches++
	s.mu.Unlock()
	secs := int64(life / time.Second)
	if s.CamelCase {
		reply(w, http.StatusOK, map[string]any{"accessToken": tok, "expiresIn": secs})
		return
	}
	reply(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": secs, "token_type": "Bearer"})
}

// envelope is Bailun's BaseResponse, with result kept as written.
type envelope struct {
	Result  any                     `json:"result"`
	Message string                  `json:"message"`
	Code    status.BailunResultCode `json:"code"`
}

func (s *Server) orderStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	exp, ok := s.tokens[r.Header.Get("Authorization")]
	s.mu.Unlock()
	if !ok || time.Now().After(exp) {
		reply(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "Unauthorized"})
		return
	}
	no := r.URL.Query().Get("originOrderNo")
	if no == "" {
		reply(w, http.StatusOK, envelope{Code: status.BailunErParameter, Message: "请求参数异常"})
		return
	}
	s.mu.Lock()
	o, ok := s.orders[no]
	gen := s.Generate
	s.mu.Unlock()
	if !ok && gen != nil {
		o, ok = gen(no)
	}
	if !ok {
		reply(w, http.StatusOK, envelope{Code: status.BailunSuccess, Message: bailun.NotFoundMessage})
		return
	}
	reply(w, http.StatusOK, envelope{Result: o, Code: status.BailunSuccess, Message: "成功"})
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
