package wire

import (
	"github.com/go-json-experiment/json/jsontext"
)

// The value types decode and encode on the json/v2 engine
// (github.com/go-json-experiment/json, the mirror of encoding/json/v2)
// straight from and to its token stream, so that a record is not scanned
// twice; with encoding/json they use UnmarshalJSON and MarshalJSON, with
// the same results.

// UnmarshalJSONFrom reads the next value of dec as UnmarshalJSON reads b.
func (n *Int64) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return from(dec, n.UnmarshalJSON) }

// MarshalJSONTo writes n as MarshalJSON does.
func (n Int64) MarshalJSONTo(enc *jsontext.Encoder) error { return to(enc, n.MarshalJSON) }

// UnmarshalJSONFrom reads the next value of dec as UnmarshalJSON reads b.
func (d *Decimal) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return from(dec, d.UnmarshalJSON) }

// MarshalJSONTo writes d as MarshalJSON does.
func (d Decimal) MarshalJSONTo(enc *jsontext.Encoder) error { return to(enc, d.MarshalJSON) }

// UnmarshalJSONFrom reads the next value of dec as UnmarshalJSON reads b.
func (s *String) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return from(dec, s.UnmarshalJSON) }

// MarshalJSONTo writes s as MarshalJSON does.
func (s String) MarshalJSONTo(enc *jsontext.Encoder) error { return to(enc, s.MarshalJSON) }

// UnmarshalJSONFrom reads the next value of dec as UnmarshalJSON reads b.
func (t *Time[Z]) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return from(dec, t.UnmarshalJSON) }

// MarshalJSONTo writes t as MarshalJSON does.
func (t Time[Z]) MarshalJSONTo(enc *jsontext.Encoder) error { return to(enc, t.MarshalJSON) }

// MarshalJSONTo writes String, as MarshalJSON does: a Secret never
// reaches JSON on either engine.
func (s Secret) MarshalJSONTo(enc *jsontext.Encoder) error { return to(enc, s.MarshalJSON) }

func from(dec *jsontext.Decoder, unmarshal func([]byte) error) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return unmarshal(v)
}

func to(enc *jsontext.Encoder, marshal func() ([]byte, error)) error {
	b, err := marshal()
	if err != nil {
		return err
	}
	return enc.WriteValue(b)
}
