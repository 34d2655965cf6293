// Package wire holds ordertrack's lossless value types: the values of the
// providers' records exactly as they came over the wire. Each provider
// package names them under its own names (birdsystem.Int64,
// bailun.NullString, flowery.Time, ...); this package documents them once.
//
//   - [Int64] is an integer sent as a number or a numeric string ("1",
//     "2006143004830001"): read x.Int64; x.Valid is false for null, absent
//     or "". Ids stay exact beyond 2^53: never a float64.
//   - [Decimal] is an amount, weight or size kept exactly as written
//     ("0.00", 1.5): read x.Text, or x.Float64() for a number.
//   - [String] is text that may be null (like sql.NullString): read
//     x.String; x.Valid is false for null or absent. A bare number or
//     boolean sent where text was expected is kept as its text.
//   - [Time] is a provider's time: x.Raw is the text exactly as sent, x.Time
//     the instant it names, read in the provider's zone (one of [UTC],
//     [Shanghai], [Jakarta], [London]); x.Time is zero when the text is in no
//     known layout, and x.Raw is kept either way.
//   - [Unfit] holds, on every record, the fields whose values did not fit
//     their Go types, verbatim, by the provider's JSON name.
//
// # The rule for optional and odd values
//
// A field the provider documents as always there is a plain Go type
// (string, a status code type). A field that may be null or absent is one of
// the types above, with Valid false then; an optional code or nested object
// is a pointer, nil when absent or null (status.Ptr makes one for a
// literal). A value that does not fit its field's type (a word where a
// number was expected, an object where text was, a null in a plain field)
// never fails its record: the field is left zero (a list keeps the rows
// that fit: a null row or a row of another kind is left out), the value is
// kept in the record's Unfit, and encoding the record writes it back in its
// place.
//
// Every type prints its text with %v and %s ("" for null) and shows null
// apart from "" with %#v; encoding it to JSON gives back the form it arrived
// in (a number, a quoted number, "", null).
package wire
