// Command fakes serves the four fake providers in a process of their own,
// on loopback ports, with a small control API, so that a service in
// another process (or a test in another language) can be tested against
// them, and restarted while they keep their state:
//
//	go run ./examples/fakes
//	go run ./examples/fakes -seed    # with the demo orders of examples/track
//
// Each address may name port 0 (any free port): the addresses bound are
// printed, and -addrs FILE writes them, with each fake's credentials and
// time zone, as JSON (GET /config gives the same):
//
//	go build -o fakes ./examples/fakes
//	./fakes -control 127.0.0.1:0 -bailun 127.0.0.1:0 -reseller 127.0.0.1:0 \
//		-birdsystem 127.0.0.1:0 -flowery 127.0.0.1:0 -addrs fakes.json &
//
// Build it first, as above, when another program starts and stops it: go
// run starts the built binary as a child of its own, and killing go run
// leaves that child holding the ports (kill the process group, or the
// binary itself).
//
// The fakes answer as the xxxtest packages do (same credentials:
// bailuntest.AppID and AppKey, ...), each on its port:
//
//	bailun      http://127.0.0.1:18081
//	reseller    http://127.0.0.1:18082
//	birdsystem  http://127.0.0.1:18083
//	flowery     http://127.0.0.1:18084
//
// The control API, on http://127.0.0.1:18080, takes and gives JSON:
//
//	GET    /                        the fakes and their URLs
//	GET    /config                  the control URL, and each fake's URL, credentials and time zone
//	PUT    /{provider}/orders       put orders (a JSON list of the provider's records)
//	POST   /{provider}/advance      {"ref": "CP-1002", "status": 4, "at": "2024-06-03T10:30:00Z"}
//	                                (reseller: "sub" names the sub-order)
//	POST   /{provider}/faults       {"path": "/orders", "status": 503, "times": -1, "delay": "200ms", ...}
//	                                (also "location" for a redirect, "header": {...}, "trickle": "50ms";
//	                                a fault that does nothing, null or {}, is refused)
//	DELETE /{provider}/faults       heal: every fault cleared, the fake up again
//	POST   /{provider}/down         the fake answers 503 to everything until healed
//	GET    /{provider}/requests     the request log (time, method, path, query, body, remote_addr,
//	                                user_agent, faulted), oldest first, the newest 10,000
//	POST   /reseller/notify         the platform's push: {"url": "http://127.0.0.1:8090/hooks/reseller",
//	                                "ref": "R-1", "company_code": "yd", "express_no": "4333",
//	                                "traces": [{"time": "2024-06-03 10:30:00", "context": "..."}]}
//	                                signs a logistics notification and posts it to url, as the
//	                                platform does; answers the status that url gave
//
// With -env FILE, it also writes the environment variables each
// provider's ConfigFromEnv reads (BAILUN_BASE_URL, ...), as lines a shell
// reads with "set -a; . FILE; set +a", for a service configured from its
// environment (examples/service).
//
// A request that names no such provider or order, or sends what does not
// decode, gets a 4xx with {"error": "..."}; the fakes go on. It stops on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ordertrack/ordertrack/bailun"
	"github.com/ordertrack/ordertrack/bailun/bailuntest"
	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/examples/internal/demo"
	"github.com/ordertrack/ordertrack/fault"
	"github.com/ordertrack/ordertrack/flowery"
	"github.com/ordertrack/ordertrack/flowery/flowerytest"
	"github.com/ordertrack/ordertrack/reseller"
	"github.com/ordertrack/ordertrack/reseller/resellertest"
	"github.com/ordertrack/ordertrack/status"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, nil))
}

// fake is what the control API does to one fake.
type fake struct {
	url      string
	injector *fault.Injector
	put      func(body []byte) (int, error)
	advance  func(a advance) (bool, error)
	close    func()
}

// advance is the body of POST /{provider}/advance.
type advance struct {
	Ref    string          `json:"ref"`
	Sub    string          `json:"sub"`
	Status json.RawMessage `json:"status"`
	At     time.Time       `json:"at"`
}

// run serves the fakes until a signal (or ready's context, in tests,
// ends); ready, when set, hears the control API's address once up.
func run(args []string, stdout, stderr io.Writer, ready func(control string) context.Context) int {
	fs := flag.NewFlagSet("fakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	control := fs.String("control", "127.0.0.1:18080", "the control API's address")
	addrs := map[status.Provider]*string{
		status.Bailun:     fs.String("bailun", "127.0.0.1:18081", "the Bailun fake's address"),
		status.Reseller:   fs.String("reseller", "127.0.0.1:18082", "the reseller fake's address"),
		status.BirdSystem: fs.String("birdsystem", "127.0.0.1:18083", "the BirdSystem fake's address"),
		status.Flowery:    fs.String("flowery", "127.0.0.1:18084", "the Flowery fake's address"),
	}
	seed := fs.Bool("seed", false, "put the demo orders of examples/track in the fakes")
	addrsFile := fs.String("addrs", "", "write the addresses bound, and each fake's credentials, to this file as JSON (as GET /config gives them)")
	envFile := fs.String("env", "", "write the environment variables each provider's ConfigFromEnv reads to this file, as shell lines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, f := range []string{*addrsFile, *envFile} {
		if f != "" {
			// A launcher waits for the file: never the last run's.
			_ = os.Remove(f)
			defer os.Remove(f)
		}
	}
	fakes, servers, err := start(addrs)
	if err != nil {
		fmt.Fprintln(stderr, "fakes:", err)
		return 1
	}
	defer func() {
		for _, f := range fakes {
			f.close()
		}
	}()
	if *seed {
		servers.Seed()
	}
	l, err := net.Listen("tcp", *control)
	if err != nil {
		fmt.Fprintln(stderr, "fakes:", err)
		return 1
	}
	srv := &http.Server{Handler: handler(fakes), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	if *addrsFile != "" {
		b, _ := json.MarshalIndent(connection(fakes, "http://"+l.Addr().String()), "", "  ")
		// Written whole, then renamed: a reader never sees half of it.
		tmp := *addrsFile + ".tmp"
		if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "fakes:", err)
			return 1
		}
		if err := os.Rename(tmp, *addrsFile); err != nil {
			fmt.Fprintln(stderr, "fakes:", err)
			return 1
		}
	}
	if *envFile != "" {
		tmp := *envFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(environment(fakes)), 0o600); err != nil {
			fmt.Fprintln(stderr, "fakes:", err)
			return 1
		}
		if err := os.Rename(tmp, *envFile); err != nil {
			fmt.Fprintln(stderr, "fakes:", err)
			return 1
		}
	}
	for _, p := range status.Providers() {
		fmt.Fprintf(stdout, "%-11s %s\n", p, fakes[p].url)
	}
	fmt.Fprintf(stdout, "%-11s http://%s\n", "control", l.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if ready != nil {
		tctx := ready("http://" + l.Addr().String())
		select {
		case <-ctx.Done():
		case <-tctx.Done():
		}
		return 0
	}
	<-ctx.Done()
	return 0
}

// start starts the four fakes at addrs, and returns the control API's
// view of each, and the servers (for demo.Fakes.Seed).
func start(addrs map[status.Provider]*string) (map[status.Provider]*fake, *demo.Fakes, error) {
	out := map[status.Provider]*fake{}
	fail := func(err error) (map[status.Provider]*fake, *demo.Fakes, error) {
		for _, f := range out {
			f.close()
		}
		return nil, nil, err
	}
	bl, err := bailuntest.NewServerAt(*addrs[status.Bailun])
	if err != nil {
		return fail(err)
	}
	out[status.Bailun] = &fake{url: bl.URL, injector: &bl.Injector, close: bl.Close,
		put: putter("originOrderNo", func(o bailun.OrderStatusOutput) string { return o.OriginOrderNo }, func(o []bailun.OrderStatusOutput) { bl.Put(o...) }),
		advance: func(a advance) (bool, error) {
			var st status.BailunOrderStatus
			if err := json.Unmarshal(a.Status, &st); err != nil {
				return false, fmt.Errorf("status: a Bailun orderStatus number: %w", err)
			}
			return bl.Advance(a.Ref, st, a.At), nil
		}}
	rs, err := resellertest.NewServerAt(*addrs[status.Reseller])
	if err != nil {
		return fail(err)
	}
	out[status.Reseller] = &fake{url: rs.URL, injector: &rs.Injector, close: rs.Close,
		put: putter("thirdOrderNo", func(o reseller.Order) string { return o.ThirdOrderNo }, func(o []reseller.Order) { rs.Put(o...) }),
		advance: func(a advance) (bool, error) {
			var st status.ResellerOrderStatus
			if err := json.Unmarshal(a.Status, &st); err != nil {
				return false, fmt.Errorf("status: a reseller orderStatus number: %w", err)
			}
			if a.Sub == "" {
				return false, errors.New(`sub: the sub-order (orderNo) to advance is required`)
			}
			return rs.Advance(a.Ref, a.Sub, st, a.At), nil
		}}
	bs, err := birdsystemtest.NewServerAt(*addrs[status.BirdSystem])
	if err != nil {
		return fail(err)
	}
	out[status.BirdSystem] = &fake{url: bs.URL, injector: &bs.Injector, close: bs.Close,
		put: putter("id", func(o birdsystem.Consignment) string {
			if o.ID.Int64 <= 0 {
				return ""
			}
			return o.Ref()
		}, func(o []birdsystem.Consignment) { bs.Put(o...) }),
		advance: func(a advance) (bool, error) {
			var st status.BirdSystemStatus
			if err := json.Unmarshal(a.Status, &st); err != nil {
				return false, fmt.Errorf("status: a BirdSystem status text: %w", err)
			}
			id, err := birdsystem.ParseRef(a.Ref)
			if err != nil {
				return false, err
			}
			return bs.Advance(id, st, a.At), nil
		}}
	fl, err := flowerytest.NewServerAt(*addrs[status.Flowery])
	if err != nil {
		return fail(err)
	}
	out[status.Flowery] = &fake{url: fl.URL, injector: &fl.Injector, close: fl.Close,
		put: putter("order_no", func(o flowery.OrderDetail) string { return o.OrderNo }, func(o []flowery.OrderDetail) { fl.Put(o...) }),
		advance: func(a advance) (bool, error) {
			var st status.FloweryStatus
			if err := json.Unmarshal(a.Status, &st); err != nil {
				return false, fmt.Errorf("status: a Flowery order_status text: %w", err)
			}
			return fl.Advance(a.Ref, st, a.At), nil
		}}
	return out, &demo.Fakes{Bailun: bl, Reseller: rs, BirdSystem: bs, Flowery: fl}, nil
}

// putter decodes a JSON list of records, each with its key (field), and
// puts them.
func putter[T any](field string, key func(T) string, put func([]T)) func([]byte) (int, error) {
	return func(body []byte) (int, error) {
		var records []T
		if err := strictJSON(body, &records); err != nil {
			return 0, fmt.Errorf("a JSON list of orders: %w", err)
		}
		if records == nil {
			return 0, errors.New("a JSON list of orders, not null")
		}
		for i, r := range records {
			if key(r) == "" {
				return 0, fmt.Errorf("order %d has no %s", i, field)
			}
		}
		put(records)
		return len(records), nil
	}
}

// strictJSON decodes one JSON value into v, refusing fields v does not
// have (where v's type does not keep them itself) and anything after it.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more after the JSON value")
	}
	return nil
}

// faultJSON is a fault.Fault with durations as text ("200ms").
type faultJSON struct {
	Path           string            `json:"path"`
	Method         string            `json:"method"`
	Ref            string            `json:"ref"`
	Times          int               `json:"times"`
	For            string            `json:"for"`
	Status         int               `json:"status"`
	Body           string            `json:"body"`
	ContentType    string            `json:"content_type"`
	RetryAfter     string            `json:"retry_after"`
	Delay          string            `json:"delay"`
	Truncate       bool              `json:"truncate"`
	Drop           bool              `json:"drop"`
	DropAfterServe bool              `json:"drop_after_serve"`
	Location       string            `json:"location"`
	Header         map[string]string `json:"header"`
	Trickle        string            `json:"trickle"`
}

func (f faultJSON) fault() (fault.Fault, error) {
	out := fault.Fault{Path: f.Path, Method: strings.ToUpper(f.Method), Ref: f.Ref, Times: f.Times, Status: f.Status, Body: f.Body,
		ContentType: f.ContentType, RetryAfter: f.RetryAfter, Truncate: f.Truncate, Drop: f.Drop, DropAfterServe: f.DropAfterServe,
		Location: f.Location}
	if len(f.Header) > 0 {
		out.Header = http.Header{}
		for k, v := range f.Header {
			out.Header.Set(k, v)
		}
	}
	for _, d := range []struct {
		name, text string
		into       *time.Duration
	}{{"for", f.For, &out.For}, {"delay", f.Delay, &out.Delay}, {"trickle", f.Trickle, &out.Trickle}} {
		if d.text == "" {
			continue
		}
		v, err := time.ParseDuration(d.text)
		if err != nil || v < 0 {
			return fault.Fault{}, fmt.Errorf("%s: a duration such as \"200ms\", not %q", d.name, d.text)
		}
		*d.into = v
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fault.Fault{}, fmt.Errorf("status: an HTTP status, not %d", f.Status)
	}
	if f.Times < fault.Forever {
		return fault.Fault{}, fmt.Errorf("times: a count, or %d for until healed", fault.Forever)
	}
	if out.Empty() {
		return fault.Fault{}, errors.New("it does nothing: give a status, body, delay, location, header, trickle, truncate or drop")
	}
	return out, nil
}

// connection is what another process needs to reach the fakes: the
// control API's URL, and each fake's URL, credentials (the xxxtest
// packages' constants) and time zone.
func connection(fakes map[status.Provider]*fake, control string) map[string]any {
	return map[string]any{
		"control":  control,
		"bailun":   map[string]any{"url": fakes[status.Bailun].url, "app_id": bailuntest.AppID, "app_key": bailuntest.AppKey, "time_zone": "Asia/Shanghai"},
		"reseller": map[string]any{"url": fakes[status.Reseller].url, "reseller_id": resellertest.ResellerID, "secret": resellertest.Secret, "time_zone": "Asia/Shanghai"},
		"birdsystem": map[string]any{"url": fakes[status.BirdSystem].url, "api_key": birdsystemtest.APIKey, "company_id": birdsystemtest.CompanyID,
			"time_zone": "Europe/London"},
		"flowery": map[string]any{"url": fakes[status.Flowery].url, "account_id": flowerytest.AccountID, "logistics": flowerytest.Logistics,
			"secret_key": flowerytest.SecretKey, "time_zone": "Asia/Jakarta"},
	}
}

// environment is the fakes' connection as the variables each provider's
// ConfigFromEnv reads, one shell line each.
func environment(fakes map[status.Provider]*fake) string {
	var b strings.Builder
	line := func(name, value string) { fmt.Fprintf(&b, "%s='%s'\n", name, value) }
	line("BAILUN_BASE_URL", fakes[status.Bailun].url)
	line("BAILUN_APP_ID", bailuntest.AppID)
	line("BAILUN_APP_KEY", bailuntest.AppKey)
	line("RESELLER_BASE_URL", fakes[status.Reseller].url)
	line("RESELLER_ID", strconv.FormatInt(resellertest.ResellerID, 10))
	line("RESELLER_SECRET", resellertest.Secret)
	line("BIRDSYSTEM_BASE_URL", fakes[status.BirdSystem].url)
	line("BIRDSYSTEM_API_KEY", birdsystemtest.APIKey)
	line("BIRDSYSTEM_COMPANY_ID", birdsystemtest.CompanyID)
	line("FLOWERY_BASE_URL", fakes[status.Flowery].url)
	line("FLOWERY_ACCOUNT_ID", flowerytest.AccountID)
	line("FLOWERY_LOGISTICS", flowerytest.Logistics)
	line("FLOWERY_SECRET_KEY", flowerytest.SecretKey)
	return b.String()
}

// notify is a push the reseller fake sends (POST /reseller/notify).
type notify struct {
	URL         string           `json:"url"`
	Ref         string           `json:"ref"`
	CompanyCode string           `json:"company_code"`
	ExpressNo   string           `json:"express_no"`
	Traces      []reseller.Trace `json:"traces"`
}

// handler is the control API.
func handler(fakes map[status.Provider]*fake) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
	}
	refuse := func(w http.ResponseWriter, code int, format string, args ...any) {
		reply(w, code, map[string]string{"error": fmt.Sprintf(format, args...)})
	}
	// of finds the fake a request names, or refuses it.
	of := func(w http.ResponseWriter, r *http.Request) *fake {
		p, err := status.ParseProvider(r.PathValue("provider"))
		if err != nil || fakes[p] == nil {
			names := make([]string, 0, len(fakes))
			for p := range fakes {
				names = append(names, string(p))
			}
			sort.Strings(names)
			refuse(w, http.StatusNotFound, "no fake %q: the fakes are %s", r.PathValue("provider"), strings.Join(names, ", "))
			return nil
		}
		return fakes[p]
	}
	// withBody serves h with the fake a request names and its body, having
	// refused the request when either is not to be had.
	withBody := func(h func(w http.ResponseWriter, r *http.Request, f *fake, b []byte)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			f := of(w, r)
			if f == nil {
				return
			}
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<20))
			if err != nil {
				refuse(w, http.StatusRequestEntityTooLarge, "the body: %v", err)
				return
			}
			h(w, r, f, b)
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		urls := map[string]string{}
		for p, f := range fakes {
			urls[string(p)] = f.url
		}
		reply(w, http.StatusOK, urls)
	})
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, connection(fakes, "http://"+r.Host))
	})
	mux.HandleFunc("PUT /{provider}/orders", withBody(func(w http.ResponseWriter, r *http.Request, f *fake, b []byte) {
		n, err := f.put(b)
		if err != nil {
			refuse(w, http.StatusBadRequest, "%v", err)
			return
		}
		reply(w, http.StatusOK, map[string]int{"put": n})
	}))
	mux.HandleFunc("POST /{provider}/advance", withBody(func(w http.ResponseWriter, r *http.Request, f *fake, b []byte) {
		var a advance
		if err := strictJSON(b, &a); err != nil {
			refuse(w, http.StatusBadRequest, "an advance: %v", err)
			return
		}
		if a.Ref == "" || len(a.Status) == 0 {
			refuse(w, http.StatusBadRequest, "an advance needs a ref and a status")
			return
		}
		if a.At.IsZero() {
			a.At = time.Now().UTC()
		}
		found, err := f.advance(a)
		switch {
		case err != nil:
			refuse(w, http.StatusBadRequest, "%v", err)
		case !found:
			refuse(w, http.StatusNotFound, "no order %q in the %s fake", a.Ref, r.PathValue("provider"))
		default:
			reply(w, http.StatusOK, map[string]string{"advanced": a.Ref})
		}
	}))
	mux.HandleFunc("POST /{provider}/faults", withBody(func(w http.ResponseWriter, r *http.Request, f *fake, b []byte) {
		var fj faultJSON
		if err := strictJSON(b, &fj); err != nil {
			refuse(w, http.StatusBadRequest, "a fault: %v", err)
			return
		}
		ft, err := fj.fault()
		if err != nil {
			refuse(w, http.StatusBadRequest, "a fault: %v", err)
			return
		}
		f.injector.Inject(ft)
		reply(w, http.StatusOK, map[string]string{"injected": r.PathValue("provider")})
	}))
	mux.HandleFunc("DELETE /{provider}/faults", func(w http.ResponseWriter, r *http.Request) {
		if f := of(w, r); f != nil {
			f.injector.Heal()
			reply(w, http.StatusOK, map[string]string{"healed": r.PathValue("provider")})
		}
	})
	mux.HandleFunc("POST /{provider}/down", func(w http.ResponseWriter, r *http.Request) {
		if f := of(w, r); f != nil {
			f.injector.SetDown(true)
			reply(w, http.StatusOK, map[string]string{"down": r.PathValue("provider")})
		}
	})
	mux.HandleFunc("POST /reseller/notify", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		var n notify
		if err == nil {
			err = strictJSON(b, &n)
		}
		switch {
		case err != nil:
			refuse(w, http.StatusBadRequest, "a notification: %v", err)
			return
		case n.URL == "" || n.Ref == "" || n.ExpressNo == "":
			refuse(w, http.StatusBadRequest, "a notification needs a url, a ref and an express_no")
			return
		}
		code, err := resellertest.PostNotice(r.Context(), n.URL, resellertest.Notification(n.Ref, n.CompanyCode, n.ExpressNo, n.Traces, time.Now()))
		if err != nil {
			refuse(w, http.StatusBadGateway, "posting the notification: %v", err)
			return
		}
		reply(w, http.StatusOK, map[string]int{"status": code})
	})
	mux.HandleFunc("GET /{provider}/requests", func(w http.ResponseWriter, r *http.Request) {
		if f := of(w, r); f != nil {
			reqs := f.injector.Requests()
			if reqs == nil {
				reqs = []fault.Request{}
			}
			reply(w, http.StatusOK, reqs)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		refuse(w, http.StatusNotFound, "no control %s %s: see the command's doc (go doc ./examples/fakes)", r.Method, r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only programs on this machine: a browser's page (an Origin) or a
		// name that is not loopback (DNS rebinding) is refused, so that no
		// web page stages an outage.
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if r.Header.Get("Origin") != "" || !(host == "localhost" || net.ParseIP(host).IsLoopback()) {
			refuse(w, http.StatusForbidden, "the control API takes requests from programs on this machine only")
			return
		}
		mux.ServeHTTP(w, r)
	})
}
