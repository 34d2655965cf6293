package pgstore

import (
	"strconv"
	"strings"
)

// arrayText builds the text of a Postgres array ({"a","b",NULL}, {1,2},
// {t,f}), which the statements cast from text: an array that any
// database/sql driver sends as the string it is, with no driver's own
// array type, and that Postgres reads without parsing JSON.
type arrayText struct {
	b strings.Builder
	n int
	// expect is how many elements are coming, if known: the text grows
	// once, for as many as the first, rather than doubling as it goes.
	expect int
}

func (a *arrayText) sep() {
	switch {
	case a.n == 0:
		a.b.WriteByte('{')
	case a.n == 1 && a.expect > 1:
		a.b.Grow((a.b.Len() + 1) * (a.expect - 1) * 5 / 4)
		fallthrough
	default:
		a.b.WriteByte(',')
	}
	a.n++
}

// text adds s, quoted: a backslash and a double quote are escaped.
func (a *arrayText) text(s string) {
	a.sep()
	a.b.WriteByte('"')
	for {
		i := strings.IndexAny(s, `"\`)
		if i < 0 {
			break
		}
		a.b.WriteString(s[:i])
		a.b.WriteByte('\\')
		a.b.WriteByte(s[i])
		s = s[i+1:]
	}
	a.b.WriteString(s)
	a.b.WriteByte('"')
}

// textBytes adds b as text.
func (a *arrayText) textBytes(b []byte) {
	a.sep()
	a.b.WriteByte('"')
	for len(b) > 0 {
		i := indexQuoteOrBackslash(b)
		if i < 0 {
			a.b.Write(b)
			break
		}
		a.b.Write(b[:i])
		a.b.WriteByte('\\')
		a.b.WriteByte(b[i])
		b = b[i+1:]
	}
	a.b.WriteByte('"')
}

func indexQuoteOrBackslash(b []byte) int {
	for i, c := range b {
		if c == '"' || c == '\\' {
			return i
		}
	}
	return -1
}

// null adds NULL.
func (a *arrayText) null() {
	a.sep()
	a.b.WriteString("NULL")
}

// int adds n.
func (a *arrayText) int(n int64) {
	a.sep()
	var buf [20]byte
	a.b.Write(strconv.AppendInt(buf[:0], n, 10))
}

// bool adds v.
func (a *arrayText) bool(v bool) {
	a.sep()
	if v {
		a.b.WriteByte('t')
	} else {
		a.b.WriteByte('f')
	}
}

// end returns the array's text ({} when empty).
func (a *arrayText) end() string {
	if a.n == 0 {
		return "{}"
	}
	a.b.WriteByte('}')
	return a.b.String()
}
