package birdsystem

import (
	"encoding/json"
	"net/url"
	"time"
)

// Direction is a sort direction.
type Direction string

// The sort directions.
const (
	Ascending  Direction = "ASC"
	Descending Direction = "DESC"
)

// Sort orders a listing by one property, as BirdSystem's sort parameter
// takes it: {"property": "update_time", "direction": "DESC"}.
type Sort struct {
	Property  string    `json:"property"`
	Direction Direction `json:"direction"`
}

// Sorts is a listing's sort, sent as BirdSystem's JSON sort parameter.
type Sorts []Sort

// EncodeValues writes the sorts as one JSON parameter, for go-querystring.
func (s Sorts) EncodeValues(key string, v *url.Values) error {
	return encodeJSONParam(key, []Sort(s), v)
}

// Comparison is how a numeric or date filter compares.
type Comparison string

// The comparisons BirdSystem documents.
const (
	GreaterThan Comparison = "gt"
	LessThan    Comparison = "lt"
)

// Filter is one condition of BirdSystem's filter parameter. Build one with
// NumericFilter, DateFilter or ListFilter.
type Filter struct {
	// Type is "numeric", "date" or "list".
	Type string `json:"type"`
	// Comparison is gt or lt; empty for a list.
	Comparison Comparison `json:"comparison,omitempty"`
	// Value is a number, a date ("2021-05-17") or a list of values.
	Value any `json:"value"`
	// Field is the column compared ("update_time", "status").
	Field string `json:"field"`
}

// NumericFilter keeps records whose field is greater or less than value:
// {"type":"numeric","comparison":"gt","value":5,"field":"total_weight"}.
// value is sent as written ("5", "0.5").
func NumericFilter(field string, cmp Comparison, value string) Filter {
	return Filter{Type: "numeric", Comparison: cmp, Value: json.Number(value), Field: field}
}

// DateFilter keeps records whose date field is after or before day:
// {"type":"date","comparison":"gt","value":"2021-05-17","field":"update_time"}.
func DateFilter(field string, cmp Comparison, day time.Time) Filter {
	return Filter{Type: "date", Comparison: cmp, Value: day.Format(time.DateOnly), Field: field}
}

// ListFilter keeps records whose field is one of values:
// {"type":"list","value":["PENDING","PICKING"],"field":"status"}.
func ListFilter(field string, values ...string) Filter {
	if values == nil {
		values = []string{}
	}
	return Filter{Type: "list", Value: values, Field: field}
}

// Filters is a listing's filter, sent as BirdSystem's JSON filter parameter.
type Filters []Filter

// EncodeValues writes the filters as one JSON parameter, for go-querystring.
func (f Filters) EncodeValues(key string, v *url.Values) error {
	return encodeJSONParam(key, []Filter(f), v)
}

// encodeJSONParam sets key to the JSON of values; none sends nothing.
func encodeJSONParam[T any](key string, values []T, v *url.Values) error {
	if len(values) == 0 {
		return nil
	}
	b, err := json.Marshal(values)
	if err != nil {
		return err
	}
	v.Set(key, string(b))
	return nil
}
