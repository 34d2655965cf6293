package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInt64(t *testing.T) {
	cases := []struct {
		in   string
		want Int64
		str  string
	}{
		{`2010290360000089`, Int64{Int64: 2010290360000089, Valid: true}, "2010290360000089"},
		{`"2006143004830001"`, Int64{Int64: 2006143004830001, Valid: true, Quoted: true}, "2006143004830001"},
		{`9223372036854775807`, Int64{Int64: math.MaxInt64, Valid: true}, "9223372036854775807"},
		{`"-12"`, Int64{Int64: -12, Valid: true, Quoted: true}, "-12"},
		{`0`, Int64{Valid: true}, "0"},
		{`null`, Int64{null: true}, ""},
		{`""`, Int64{Quoted: true}, ""},
		{`"\u0031"`, Int64{Int64: 1, Valid: true, Quoted: true}, "1"},
	}
	for _, c := range cases {
		var n Int64
		require.NoError(t, json.Unmarshal([]byte(c.in), &n), c.in)
		assert.Equal(t, c.want, n, c.in)
		assert.Equal(t, c.str, n.String())
		out, err := json.Marshal(n)
		require.NoError(t, err)
		if c.in == `"\u0031"` {
			assert.Equal(t, `"1"`, string(out))
			continue
		}
		assert.Equal(t, c.in, string(out))
	}
	// 2^53 + 1 is where float64 would lose it.
	var big Int64
	require.NoError(t, json.Unmarshal([]byte(`9007199254740993`), &big))
	assert.Equal(t, int64(9007199254740993), big.Int64)

	for _, bad := range []string{`1.5`, `"1.0"`, `"abc"`, `true`, `{}`, `[]`, `9223372036854775808`, `"1 "`, `1e3`} {
		var n Int64
		assert.Error(t, json.Unmarshal([]byte(bad), &n), bad)
	}
	var s struct {
		N Int64 `json:"n"`
	}
	err := json.Unmarshal([]byte(`{"n":"x"}`), &s)
	assert.ErrorContains(t, err, `"x" is not a 64-bit integer`)
	assert.Equal(t, `42`, mustMarshal(t, NewInt64(42)))
}

func TestDecimal(t *testing.T) {
	for _, in := range []string{`"0.00"`, `"8000.00"`, `1`, `0.000`, `-2.50`, `1e3`, `"N/A"`, `""`, `null`, `100000000000000000000.0001`} {
		var d Decimal
		require.NoError(t, json.Unmarshal([]byte(in), &d), in)
		assert.Equal(t, in, mustMarshal(t, d), "round trip")
	}
	var d Decimal
	require.NoError(t, json.Unmarshal([]byte(`"0.10"`), &d))
	assert.Equal(t, "0.10", d.String())
	f, err := d.Float64()
	require.NoError(t, err)
	assert.InDelta(t, 0.1, f, 1e-12)
	for _, bad := range []string{`true`, `{}`, `[1]`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &d), bad)
	}
	_, err = Decimal{Text: "N/A", Valid: true, Quoted: true}.Float64()
	assert.Error(t, err)
	_, err = json.Marshal(Decimal{Text: "N/A", Valid: true})
	assert.Error(t, err, "an unquoted decimal must be a JSON number")
	assert.Equal(t, `"12.30"`, mustMarshal(t, NewDecimal("12.30")))
}

func TestTime(t *testing.T) {
	type doc struct {
		UTC Time[UTC]      `json:"utc"`
		SH  Time[Shanghai] `json:"sh"`
		JK  Time[Jakarta]  `json:"jk"`
		LD  Time[London]   `json:"ld"`
	}
	in := `{"utc":"2020-01-03 00:00:00","sh":"2023-07-13 07:56:39","jk":"2019-6-25 18:56:03","ld":"2020-10-29 14:05:50"}`
	var d doc
	require.NoError(t, json.Unmarshal([]byte(in), &d))
	assert.Equal(t, in, mustMarshal(t, d))
	assert.Equal(t, time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC), d.UTC.Time)
	assert.Equal(t, "2023-07-12T23:56:39Z", d.SH.Time.UTC().Format(time.RFC3339))
	assert.Equal(t, "2019-06-25T11:56:03Z", d.JK.Time.UTC().Format(time.RFC3339))
	assert.Equal(t, "2020-10-29T14:05:50Z", d.LD.Time.UTC().Format(time.RFC3339), "GMT in late October")
	assert.Equal(t, "2019-6-25 18:56:03", d.JK.String())
	assert.Equal(t, "2019-06-25T18:56:03Z", d.JK.In(time.UTC).Format(time.RFC3339))

	for _, in := range []string{`null`, `""`, `"yesterday"`, `"2019-13-45 99:99:99"`} {
		var tm Time[UTC]
		require.NoError(t, json.Unmarshal([]byte(in), &tm), in)
		assert.True(t, tm.IsZero(), in)
		assert.Equal(t, in, mustMarshal(t, tm), "raw kept")
	}
	var tm Time[UTC]
	assert.Error(t, json.Unmarshal([]byte(`{"t":1}`), &tm), "an object is not a time")
	n := NewTime[Shanghai](time.Date(2023, 7, 12, 23, 56, 39, 5, time.UTC))
	assert.Equal(t, "2023-07-13 07:56:39", n.Raw)
}

func TestParseTimeLayouts(t *testing.T) {
	cases := map[string]string{
		"2020-01-03 00:00:00":       "2020-01-03T00:00:00Z",
		"2019-6-25 18:56:03":        "2019-06-25T18:56:03Z",
		"2019-6-5 8:5:3":            "2019-06-05T08:05:03Z",
		"05-01-2016 10:41":          "2016-01-05T10:41:00Z",
		"2016-01-05 10:41":          "2016-01-05T10:41:00Z",
		"2016-01-05":                "2016-01-05T00:00:00Z",
		"2016-01-05T10:41:00+07:00": "2016-01-05T03:41:00Z",
	}
	for in, want := range cases {
		got, ok := ParseTime(in, time.UTC)
		require.True(t, ok, in)
		assert.Equal(t, want, got.UTC().Format(time.RFC3339), in)
	}
	_, ok := ParseTime("", time.UTC)
	assert.False(t, ok)
}

// FuzzParseDateTime: the hand-read first layout gives exactly what
// time.ParseInLocation gives with it, in a zone with summer time too, and
// never reads what the layout would not.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2020-01-03 00:00:00", "2019-6-5 8:5:3", "2024-02-29 23:59:59", "2023-02-29 10:00:00",
		"2024-13-01 00:00:00", "2024-01-01 24:00:00", "2024-01-01 00:60:00", "2024-01-01 00:00:60", "2024-01-01 00:00:00.5",
		"2024-1-1 1:1:1 ", "0000-01-01 00:00:00", "2024-03-31 01:30:00", "2024-10-27 01:30:00", "2024-001-01 00:00:00", "２024-01-01 00:00:00"} {
		f.Add(s)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.FixedZone("Europe/London", 0)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{time.UTC, london} {
			got, ok := parseDateTime(s, loc)
			want, err := time.ParseInLocation(dateTime, s, loc)
			if !ok {
				continue // ParseTime asks time.ParseInLocation then
			}
			if err != nil {
				t.Fatalf("%q: read as %v, where the layout fails: %v", s, got, err)
			}
			if !got.Equal(want) || got.Location() != want.Location() || got.String() != want.String() {
				t.Fatalf("%q in %v: %v, the layout gives %v", s, loc, got, want)
			}
		}
	})
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func FuzzInt64(f *testing.F) {
	for _, s := range []string{`1`, `"1"`, `""`, `null`, `"-0"`, `9223372036854775807`, `"x"`, `1.5`, `"\u0031"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var n Int64
		if err := n.UnmarshalJSON([]byte(in)); err != nil {
			return
		}
		out, err := n.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back Int64
		if err := back.UnmarshalJSON(out); err != nil || back != n {
			t.Fatalf("%s -> %s -> %+v (%v)", in, out, back, err)
		}
		if n.Valid && n.String() != strconv.FormatInt(n.Int64, 10) {
			t.Fatal("String")
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{`"0.00"`, `1`, `-1.5e3`, `null`, `""`, `"abc"`, `true`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var d Decimal
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Decimal
		if err := json.Unmarshal(out, &back); err != nil || back != d {
			t.Fatalf("%s -> %s -> %+v (%v)", in, out, back, err)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2020-01-03 00:00:00", "2019-6-25 18:56:03", "05-01-2016 10:41", "", "x", "2019-02-30 10:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !utf8.ValidString(raw) {
			return // json.Marshal would write U+FFFD for it: not a raw text a provider sends
		}
		b, err := json.Marshal(raw)
		if err != nil {
			return
		}
		var tm Time[Jakarta]
		if err := json.Unmarshal(b, &tm); err != nil {
			t.Fatal(err)
		}
		var want string
		_ = json.Unmarshal(b, &want)
		if tm.Raw != want {
			t.Fatalf("raw %q became %q", want, tm.Raw)
		}
		out, err := json.Marshal(tm)
		if err != nil || string(out) != string(b) {
			t.Fatalf("%s -> %s (%v)", b, out, err)
		}
		if !tm.Time.IsZero() && tm.Time.Location() != jakarta {
			t.Fatal("wrong zone")
		}
	})
}

// Invalid UTF-8 is read as encoding/json reads it, so a re-encoded value
// decodes to itself.
func TestInvalidUTF8(t *testing.T) {
	var tm Time[UTC]
	require.NoError(t, json.Unmarshal([]byte("\"a\xffb\""), &tm))
	assert.Equal(t, "a\uFFFDb", tm.Raw)
	var d Decimal
	require.NoError(t, json.Unmarshal([]byte("\"1\xff\""), &d))
	assert.Equal(t, "1\uFFFD", d.Text)
}

func TestString(t *testing.T) {
	for _, in := range []string{`"Heather Howe"`, `""`, `null`, `12`, `-1.5`, `true`, `"\u003c"`} {
		var s String
		require.NoError(t, json.Unmarshal([]byte(in), &s), in)
		assert.Equal(t, in, mustMarshal(t, s), in)
	}
	var s String
	require.NoError(t, json.Unmarshal([]byte(`"tf13hx"`), &s))
	assert.Equal(t, NewString("tf13hx"), s)
	require.NoError(t, json.Unmarshal([]byte(`36`), &s))
	assert.Equal(t, "36", s.String)
	assert.Error(t, json.Unmarshal([]byte(`{}`), &s))
	assert.Error(t, json.Unmarshal([]byte(`[]`), &s))
	assert.Equal(t, "null", String{}.GoString())
	assert.Equal(t, `"a"`, NewString("a").GoString())
}

func FuzzString(f *testing.F) {
	for _, s := range []string{`"a"`, `null`, `1`, `true`, `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var s String
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back String
		if err := json.Unmarshal(out, &back); err != nil || back != s {
			t.Fatalf("%s -> %s -> %#v", in, out, back)
		}
	})
}

func TestInt64KeepsQuotedText(t *testing.T) {
	for _, in := range []string{`"007"`, `"+5"`, `"-0"`} {
		var n Int64
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		assert.Equal(t, in, mustMarshal(t, n))
	}
	var n Int64
	require.NoError(t, json.Unmarshal([]byte(`"007"`), &n))
	assert.Equal(t, int64(7), n.Int64)
	n.Int64 = 8
	assert.Equal(t, `"8"`, mustMarshal(t, n), "a changed value is written in its own form")
}

func TestTimeAsNumber(t *testing.T) {
	for in, want := range map[string]string{`1577836800`: "2020-01-01T00:00:00Z", `1577836800000`: "2020-01-01T00:00:00Z", `1.5`: ""} {
		var tm Time[UTC]
		require.NoError(t, json.Unmarshal([]byte(in), &tm), in)
		assert.Equal(t, in, tm.Raw)
		assert.Equal(t, in, mustMarshal(t, tm), "written back as a number")
		if want != "" {
			assert.Equal(t, want, tm.Time.UTC().Format(time.RFC3339))
		} else {
			assert.True(t, tm.IsZero())
		}
	}
	got, ok := ParseTime("2020-01-03T00:00:00", time.UTC)
	require.True(t, ok)
	assert.Equal(t, "2020-01-03T00:00:00Z", got.Format(time.RFC3339))
}

// FuzzTimeJSON decodes any JSON value as a Time: it never panics, and what
// it accepts is written back to a value that decodes to the same Time.
func FuzzTimeJSON(f *testing.F) {
	for _, s := range []string{`"2019-6-25 18:56:03"`, `1577836800`, `-1`, `1e99`, `null`, `"x"`, `99999999999999999999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		var tm Time[Shanghai]
		if err := json.Unmarshal([]byte(in), &tm); err != nil {
			return
		}
		out, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		var back Time[Shanghai]
		if err := json.Unmarshal(out, &back); err != nil || back.Raw != tm.Raw || !back.Time.Equal(tm.Time) {
			t.Fatalf("%s -> %s -> %+v (%v)", in, out, back, err)
		}
	})
}

// Every value type prints its text with %v and %s, null apart from "" with
// %#v, and a record holding them reads cleanly with %+v.
func TestPrinting(t *testing.T) {
	var null String
	require.NoError(t, json.Unmarshal([]byte(`null`), &null))
	for _, c := range []struct {
		v               any
		plain, goSyntax string
	}{
		{NewString("YT2406030001"), "YT2406030001", `"YT2406030001"`},
		{String{Valid: true}, "", `""`},
		{null, "", "null"},
		{NewInt64(7), "7", "7"},
		{Int64{Int64: 7, Valid: true, Quoted: true}, "7", `"7"`},
		{Int64{}, "", "null"},
		{NewDecimal("0.00"), "0.00", `"0.00"`},
		{Decimal{}, "", "null"},
		{NewTime[UTC](time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC)), "2020-01-03 00:00:00", `"2020-01-03 00:00:00"`},
		{Time[UTC]{}, "", "null"},
	} {
		assert.Equal(t, c.plain, fmt.Sprintf("%v", c.v))
		assert.Equal(t, c.plain, fmt.Sprintf("%s", c.v))
		assert.Equal(t, c.goSyntax, fmt.Sprintf("%#v", c.v))
	}
	assert.Equal(t, `"YT1"`, fmt.Sprintf("%q", NewString("YT1")))
	rec := struct {
		TrackingNo String
		Weight     Decimal
		ID         Int64
	}{NewString("YT1"), NewDecimal("1.5"), NewInt64(9)}
	assert.Equal(t, "{TrackingNo:YT1 Weight:1.5 ID:9}", fmt.Sprintf("%+v", rec))
}

// Both engines read and write every value type the same way: encoding/json
// through UnmarshalJSON and MarshalJSON, the json/v2 engine through
// UnmarshalJSONFrom and MarshalJSONTo.
func TestBothEngines(t *testing.T) {
	type rec struct {
		I Int64     `json:"i"`
		D Decimal   `json:"d"`
		S String    `json:"s"`
		T Time[UTC] `json:"t"`
		K Secret    `json:"k"`
		N *Int64    `json:"n"`
	}
	for _, in := range []string{
		`{"i":"007","d":1.50,"s":17,"t":"2020-1-3 4:5:6","k":"x","n":null}`,
		`{"i":null,"d":"0.00","s":"é\u00e9","t":1711092618,"k":"","n":5}`,
		`{"i":-3,"d":null,"s":null,"t":null,"k":"y","n":"6"}`,
	} {
		var a, b rec
		require.NoError(t, json.Unmarshal([]byte(in), &a), in)
		require.NoError(t, jsonv2.Unmarshal([]byte(in), &b, jsonv1.DefaultOptionsV1()), in)
		a.K, b.K = NewSecret(""), NewSecret("") // a Secret decodes as its value; it never encodes back
		assert.Equal(t, a, b, in)
		outA, err := json.Marshal(a)
		require.NoError(t, err)
		outB, err := jsonv2.Marshal(b, jsonv1.DefaultOptionsV1())
		require.NoError(t, err)
		assert.JSONEq(t, string(outA), string(outB), in)
	}
	out, err := jsonv2.Marshal(NewSecret("s3cret"))
	require.NoError(t, err)
	assert.Equal(t, `"[redacted]"`, string(out))
}

// A Secret reached where fmt calls no method (an unexported field, a map
// or slice inside one, %p) prints no more than an address.
func TestSecretUnreachableToReflection(t *testing.T) {
	const key = "k3y-\u00fc-0001"
	t.Setenv("ORDERTRACK_TEST_SECRET", key)
	s := SecretFromEnv("ORDERTRACK_TEST_SECRET")
	require.Equal(t, key, s.Value())
	require.Equal(t, NewSecret(key).Value(), s.Value())
	assert.True(t, NewSecret("").IsZero())
	assert.True(t, Secret{}.IsZero())
	type holder struct {
		s  Secret
		ps *Secret
		m  map[string]Secret
		l  []Secret
		a  any
	}
	h := holder{s, &s, map[string]Secret{"k": s}, []Secret{s}, struct{ s Secret }{s}}
	for _, v := range []any{s, &s, h, &h, []any{h}, map[string]any{"h": h}, struct{ h holder }{h}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%p", "%d", "%T"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, key, "%s of %T", verb, v)
			assert.NotContains(t, out, fmt.Sprintf("%x", key), "%s of %T", verb, v)
		}
	}
	var back struct{ K Secret }
	require.NoError(t, json.Unmarshal([]byte(`{"K":"`+key+`"}`), &back))
	assert.Equal(t, key, back.K.Value(), "a Secret decodes as its value")
	b, err := json.Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, `{"K":"[redacted]"}`, string(b))
}
