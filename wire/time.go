package wire

import (
	"encoding/json"
	"strconv"
	"time"
)

// Zone names the location a provider's zone-less times are in.
type Zone interface {
	Location() *time.Location
}

// UTC is for providers that document their times as UTC (Bailun).
type UTC struct{}

// Location returns time.UTC.
func (UTC) Location() *time.Location { return time.UTC }

// Shanghai is China Standard Time, UTC+8 (the reseller platform).
type Shanghai struct{}

// Location returns Asia/Shanghai.
func (Shanghai) Location() *time.Location { return shanghai }

// Jakarta is Western Indonesia Time, UTC+7 (Flowery Island).
type Jakarta struct{}

// Location returns Asia/Jakarta.
func (Jakarta) Location() *time.Location { return jakarta }

// London is the United Kingdom's time, with summer time (BirdSystem).
type London struct{}

// Location returns Europe/London.
func (London) Location() *time.Location { return london }

var (
	// China and western Indonesia have kept one offset without summer time
	// for decades, so a fixed zone is exact when the system has no tzdata.
	shanghai = loadLocation("Asia/Shanghai", 8*3600)
	jakarta  = loadLocation("Asia/Jakarta", 7*3600)
	// The UK has summer time; without tzdata, UTC is the nearest fixed zone.
	london = loadLocation("Europe/London", 0)
)

func loadLocation(name string, offset int) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone(name, offset)
}

// Layouts are the providers' time layouts, tried in order. "2006-1-2 15:4:5"
// also reads zero-padded text ("2020-01-03 00:00:00") and Flowery's unpadded
// "2019-6-25 18:56:03"; "2-1-2006 15:4" reads Flowery's scan times
// ("05-01-2016 10:41", day first).
var Layouts = []string{
	"2006-1-2 15:4:5",
	"2006-1-2 15:4",
	"2006-1-2",
	"2-1-2006 15:4:5",
	"2-1-2006 15:4",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
}

// ParseTime parses text in loc with the first of Layouts that fits. It
// reports false for "" and for text in no known layout.
func ParseTime(text string, loc *time.Location) (time.Time, bool) {
	if text == "" {
		return time.Time{}, false
	}
	if len(Layouts) > 0 && Layouts[0] == dateTime {
		if t, ok := parseDateTime(text, loc); ok {
			return t, true
		}
	}
	for _, layout := range Layouts {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateTime is the first of Layouts, the one nearly every provider time
// is in.
const dateTime = "2006-1-2 15:4:5"

// parseDateTime is time.ParseInLocation(dateTime, text, loc) for text of
// the shape "YYYY-M-D h:m:s" (months, days, hours, minutes and seconds of
// one or two digits) and nothing else, without the layout's
// interpretation. It reports false for any other text, which ParseTime
// then reads with time.ParseInLocation (a fraction of a second, a value
// out of range: the same answer either way).
func parseDateTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) < len("2006-1-2 1:1:1") || len(s) > len("2006-01-02 15:04:05") {
		return time.Time{}, false
	}
	year := 0
	for i := range 4 {
		c := s[i]
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		year = year*10 + int(c-'0')
	}
	i := 4
	// num reads one or two digits after sep, as the layout's 1, 2, 15, 4
	// and 5 read them.
	num := func(sep byte) (int, bool) {
		if i >= len(s) || s[i] != sep {
			return 0, false
		}
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n := int(s[i] - '0')
		i++
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
		}
		return n, true
	}
	month, ok1 := num('-')
	day, ok2 := num('-')
	hour, ok3 := num(' ')
	minute, ok4 := num(':')
	sec, ok5 := num(':')
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || i != len(s) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc), true
}

// daysIn is the number of days in month m of year.
func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Time is a provider's time: the raw text exactly as sent, and the parsed
// time in the provider's zone Z (one of the struct types above).
type Time[Z Zone] struct {
	// Raw is the text as sent; "" when the value was null, absent or "".
	Raw string
	// Time is Raw parsed in Z's location; the zero time when Raw is empty
	// or in no known layout (Raw is kept either way).
	Time time.Time
	// Valid is false when the value was null or absent.
	Valid bool
	// number reports that the time arrived as a JSON number.
	number bool
}

// NewTime returns a Time whose Raw is t formatted as "2006-01-02 15:04:05"
// in Z's location.
func NewTime[Z Zone](t time.Time) Time[Z] {
	var z Z
	t = t.In(z.Location()).Truncate(time.Second)
	return Time[Z]{Raw: t.Format("2006-01-02 15:04:05"), Time: t, Valid: true}
}

// String returns the raw text.
func (t Time[Z]) String() string { return t.Raw }

// GoString shows the raw value as it travels, for %#v: "2020-01-03
// 00:00:00", 1711092618 or null.
func (t Time[Z]) GoString() string {
	b, _ := t.MarshalJSON()
	return string(b)
}

// IsZero reports whether no time could be parsed.
func (t Time[Z]) IsZero() bool { return t.Time.IsZero() }

// In parses Raw again in loc, for callers who know the provider's zone
// better than ordertrack does.
func (t Time[Z]) In(loc *time.Location) time.Time {
	v, _ := ParseTime(t.Raw, loc)
	return v
}

// UnmarshalJSON accepts a string, a number or null. Text in no known
// layout is kept in Raw with a zero Time; it is not an error. A whole
// number is read as Unix seconds (milliseconds from 13 digits on) and kept
// as its digits in Raw.
func (t *Time[Z]) UnmarshalJSON(b []byte) error {
	*t = Time[Z]{}
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		t.Raw, t.Valid, t.number = string(b), true, true
		if n, err := strconv.ParseInt(t.Raw, 10, 64); err == nil {
			var z Z
			if len(t.Raw) >= 13 {
				t.Time = time.UnixMilli(n).In(z.Location())
			} else {
				t.Time = time.Unix(n, 0).In(z.Location())
			}
		}
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	var z Z
	t.Raw, t.Valid = s, true
	t.Time, _ = ParseTime(s, z.Location())
	return nil
}

// MarshalJSON writes Raw back as sent (a string, or a number), or null.
func (t Time[Z]) MarshalJSON() ([]byte, error) {
	switch {
	case !t.Valid:
		return []byte("null"), nil
	case t.number && json.Valid([]byte(t.Raw)):
		return []byte(t.Raw), nil
	}
	return json.Marshal(t.Raw)
}
