package status

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Provider names one of the providers ordertrack speaks to.
type Provider string

// The providers.
const (
	// Bailun is Bailun OMS.
	Bailun Provider = "bailun"
	// Reseller is the print-on-demand reseller open platform.
	Reseller Provider = "reseller"
	// BirdSystem is BirdSystem 3PL warehouse.
	BirdSystem Provider = "birdsystem"
	// Flowery is Flowery Island last-mile carrier.
	Flowery Provider = "flowery"
)

// Providers returns every provider ordertrack speaks to, in a fixed order.
func Providers() []Provider { return []Provider{Bailun, Reseller, BirdSystem, Flowery} }

// ParseProvider returns the provider named s ("bailun", "flowery", ...),
// ignoring case and surrounding space. It fails for a name ordertrack does
// not know, with an error matching ErrInvalidRequest.
func ParseProvider(s string) (Provider, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, p := range Providers() {
		if string(p) == name {
			return p, nil
		}
	}
	return "", fmt.Errorf("status: unknown provider %q: %w", s, ErrInvalidRequest)
}

// String returns the provider's name.
func (p Provider) String() string { return string(p) }

// Code is one value exactly as a provider sent it: which provider, which
// field (the provider's JSON name) and the value's text, verbatim ("4",
// "FINISHED", "退件").
type Code struct {
	Provider Provider `json:"provider"`
	Field    string   `json:"field"`
	Value    string   `json:"value"`
}

// String returns "provider field=value".
func (c Code) String() string {
	if c == (Code{}) {
		return ""
	}
	return string(c.Provider) + " " + c.Field + "=" + c.Value
}

// Mapping is one documented provider value and its canonical meaning.
type Mapping struct {
	// Code is the documented value. For Flowery's free-text statuses Field is
	// "status" and Value is the phrase the rule looks for.
	Code Code `json:"code"`
	// Name is the documented English name ("Shipped", "FINISHED"); where the
	// provider documents none, an English name ordertrack gives it.
	Name string `json:"name"`
	// Description is the provider's own words ("已发货").
	Description string `json:"description"`
	// Stage is the canonical stage, for fields that carry one.
	Stage Stage `json:"stage"`
	// Reason is the canonical reason, for fields that carry one.
	Reason Reason `json:"reason"`
	// Err is the sentinel error a result code matches, for result-code
	// fields; nil for success and for other fields.
	Err error `json:"-"`
}

// row is one documented value in a table.
type row[K comparable] struct {
	value  K
	name   string
	desc   string
	stage  Stage
	reason Reason
	err    error
}

// table holds every documented value of one provider field. It is written
// once and read by every method of the field's type.
type table[K comparable] struct {
	provider Provider
	field    string
	rows     []row[K]
	index    map[K]int
	format   func(K) string
}

// registry lists every table, for Mappings and Lookup.
var registry []mappingSource

type mappingSource interface {
	mappings() []Mapping
}

func newTable[K comparable](p Provider, field string, format func(K) string, rows ...row[K]) *table[K] {
	t := &table[K]{provider: p, field: field, rows: rows, index: make(map[K]int, len(rows)), format: format}
	for i, r := range rows {
		if _, dup := t.index[r.value]; dup {
			panic(fmt.Sprintf("status: %s %s: duplicate value %v", p, field, r.value))
		}
		t.index[r.value] = i
	}
	registry = append(registry, t)
	return t
}

func (t *table[K]) lookup(v K) (*row[K], bool) {
	i, ok := t.index[v]
	if !ok {
		return nil, false
	}
	return &t.rows[i], true
}

func (t *table[K]) known(v K) bool {
	_, ok := t.index[v]
	return ok
}

func (t *table[K]) name(v K) string {
	if r, ok := t.lookup(v); ok {
		return r.name
	}
	return t.format(v)
}

func (t *table[K]) desc(v K) string {
	if r, ok := t.lookup(v); ok {
		return r.desc
	}
	return ""
}

func (t *table[K]) stage(v K) Stage {
	if r, ok := t.lookup(v); ok {
		return r.stage
	}
	return Unknown
}

func (t *table[K]) reason(v K) Reason {
	if r, ok := t.lookup(v); ok {
		return r.reason
	}
	return ReasonUnknown
}

func (t *table[K]) code(v K) Code {
	return Code{Provider: t.provider, Field: t.field, Value: t.format(v)}
}

func (t *table[K]) mappings() []Mapping {
	m := make([]Mapping, len(t.rows))
	for i, r := range t.rows {
		m[i] = Mapping{Code: t.code(r.value), Name: r.name, Description: r.desc, Stage: r.stage, Reason: r.reason, Err: r.err}
	}
	return m
}

func formatInt[K ~int](v K) string { return strconv.Itoa(int(v)) }

func formatString[K ~string](v K) string { return string(v) }

// Mappings returns every documented value of every provider with its
// canonical meaning, grouped by provider and field in documentation order.
// The README's stage table is rendered from it.
func Mappings() []Mapping {
	var all []Mapping
	for _, t := range registry {
		all = append(all, t.mappings()...)
	}
	return all
}

// Lookup finds the documented meaning of a raw code. It reports false for a
// value the provider has not documented. Flowery's free-text statuses are
// matched by their phrase rules (see [FloweryStatus]).
func Lookup(c Code) (Mapping, bool) {
	if c.Provider == Flowery && slices.Contains(floweryStatusFields, c.Field) {
		s := FloweryStatus(c.Value)
		r, ok := s.rule()
		if !ok {
			return Mapping{}, false
		}
		return Mapping{Code: c, Name: r.name, Description: c.Value, Stage: r.stage, Reason: r.reason}, true
	}
	for _, t := range registry {
		for _, m := range t.mappings() {
			if m.Code == c {
				return m, true
			}
		}
	}
	return Mapping{}, false
}

// Ptr returns a pointer to v, for an optional field set from a constant:
//
//	bailun.OrderStatusOutput{ShipFailedType: status.Ptr(status.BailunShipStockEx)}
func Ptr[T any](v T) *T { return &v }
