// Package leaktest checks, for each provider's tests, that no secret
// appears on any surface a caller or a log can see, whatever a hostile
// server does.
package leaktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// Scenario is what the hostile server does with every request.
type Scenario string

// The scenarios every provider's secrets are tried under.
const (
	Success     Scenario = "success"      // the provider's own success answer
	ClientError Scenario = "4xx"          // 400 echoing everything it was sent
	ServerError Scenario = "5xx"          // 500 echoing everything it was sent
	Redirect    Scenario = "redirect"     // 307 to another host, secrets in the query
	Drop        Scenario = "dropped"      // hangs up without an answer
	TokenRefuse Scenario = "token-failed" // the token endpoint refuses, echoing
)

// Scenarios lists them all.
var Scenarios = []Scenario{Success, ClientError, ServerError, Redirect, Drop, TokenRefuse}

// Server starts a hostile loopback server. For Success it answers
// success(path); under TokenRefuse only a path for which isToken is true
// is refused (the rest succeed); otherwise every request gets the
// scenario. Each answer that is not a success echoes everything the
// request carried (headers and body) in every escaped form a JSON encoder
// might write.
func Server(t *testing.T, sc Scenario, success func(path string) string, isToken func(path string) bool) *httptest.Server {
	t.Helper()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Errorf("a request reached the other host")
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var seen bytes.Buffer
		for k, v := range r.Header {
			fmt.Fprintf(&seen, "%s=%s;", k, strings.Join(v, ","))
		}
		seen.WriteString(r.URL.RawQuery)
		_, _ = seen.ReadFrom(r.Body)
		echo := echoed(seen.String())
		code := 0
		switch {
		case sc == TokenRefuse && isToken(r.URL.Path):
			code = http.StatusUnauthorized
		case sc == Success || sc == TokenRefuse:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, success(r.URL.Path))
			return
		case sc == ClientError:
			code = http.StatusBadRequest
		case sc == ServerError:
			code = http.StatusInternalServerError
		case sc == Redirect:
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/steal?echo="+url.QueryEscape(seen.String()), http.StatusTemporaryRedirect)
			return
		case sc == Drop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
				}
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"success":false,"code":%d,"status":"failure","statusCode":%d,"message":"echo %s","msg":"%s","errMsg":"%s"}`, code, code, echo, echo, echo)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// echoed writes s in every JSON-escaped form, one after another.
func echoed(s string) string {
	var out []string
	for _, f := range transport.SecretForms(s) {
		b, _ := json.Marshal(f)
		out = append(out, string(b[1:len(b)-1]))
	}
	return strings.Join(out, " | ")
}

// Logs are a text and a JSON slog handler at Debug, writing to buffers.
type Logs struct {
	Text, JSON bytes.Buffer
}

// Logger returns a logger writing to both.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(fanout{slog.NewTextHandler(&l.Text, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(&l.JSON, &slog.HandlerOptions{Level: slog.LevelDebug})})
}

type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool { return f[0].Enabled(ctx, l) }
func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		if err := h.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	return nil
}
func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}
func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

// Surfaces returns everything a caller or a log could show of cfg (a
// provider Config value), client (a pointer to a provider Client) and the
// outcomes of calls: fmt's verbs on each (values, pointers, a containing
// struct), slog text and JSON, encoding/json, error strings, and every
// APIError's Body and Message.
func Surfaces(logs *Logs, cfg, client any, outcomes ...any) map[string]string {
	out := map[string]string{}
	deref := reflect.ValueOf(client).Elem().Interface()
	holder := struct {
		Config any
		Client any
	}{cfg, client}
	// A service often holds its client's Config in an unexported field:
	// fmt then prints it by reflection, calling no method of what it
	// reaches through that field. So does a map or a slice of them.
	type service struct {
		cfg    any
		byName map[string]any
		all    []any
	}
	hidden := service{cfg, map[string]any{"cfg": cfg}, []any{cfg, &cfg}}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%p", "%d", "%T"}
	for name, v := range map[string]any{"cfg": cfg, "&cfg": &cfg, "client": client, "*client": deref, "holder": holder,
		"unexported": hidden, "&unexported": &hidden, "map": map[string]any{"cfg": cfg, "hidden": hidden},
		"slice": []any{cfg, hidden}} {
		for _, verb := range verbs {
			out[name+" "+verb] = fmt.Sprintf(verb, v)
		}
		if b, err := json.Marshal(v); err == nil {
			out[name+" json"] = string(b)
		}
		log := logs.Logger()
		log.Info("value", "v", v)
	}
	// A client held in an unexported field prints as its address with the
	// verbs that print pointers. (%s and %q on it print, by reflection,
	// what the client holds inside: the README's "Secrets and logging"
	// says so.)
	type user struct{ client any }
	for _, verb := range []string{"%v", "%+v", "%#v", "%x", "%p", "%d"} {
		out["unexported client "+verb] = fmt.Sprintf(verb, user{client})
	}
	for i, o := range outcomes {
		if b, err := json.Marshal(o); err == nil {
			out[fmt.Sprintf("outcome %d json", i)] = string(b)
		}
		out[fmt.Sprintf("outcome %d %%+v", i)] = fmt.Sprintf("%+v", o)
		if err, ok := o.(error); ok && err != nil {
			out[fmt.Sprintf("outcome %d error", i)] = err.Error()
			var ae *status.APIError
			if errors.As(err, &ae) {
				out[fmt.Sprintf("outcome %d body", i)] = ae.Body
				out[fmt.Sprintf("outcome %d message", i)] = ae.Message
			}
		}
	}
	out["slog text"] = logs.Text.String()
	out["slog json"] = logs.JSON.String()
	return out
}

// Check fails t for every surface holding any secret in any escaped form.
func Check(t *testing.T, secrets []string, surfaces map[string]string) {
	t.Helper()
	for _, secret := range secrets {
		for _, form := range transport.SecretForms(secret) {
			for name, text := range surfaces {
				if strings.Contains(text, form) {
					t.Errorf("secret %q (as %q) leaks through %s:\n%s", secret, form, name, text)
				}
			}
		}
	}
}
