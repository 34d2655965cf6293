package record

import (
	"errors"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Semantics are encoding/json's rules (names matched without regard to
// case, invalid UTF-8 accepted as encoding/json does, methods called as it
// calls them) on the json/v2 engine, less two, each of which only makes a
// one-pass decode fail where encoding/json's rules would succeed, and the
// careful path (encoding/json itself) then decodes the body:
//
//   - Errors are reported the v2 way. With encoding/json's way, the engine
//     checks the whole of each value before decoding it, at every level a
//     record's unmarshaler starts again, so a nested record is scanned once
//     per level above it.
//   - A name given twice in one object (or twice without regard to case)
//     fails. encoding/json's rules merge a repeated object or array into
//     the first, and let a later null leave an earlier value standing,
//     where a record's own UnmarshalJSON starts afresh and keeps the null.
var v1Semantics = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false),
	jsontext.AllowDuplicateNames(false))

// UnmarshalFast decodes b into v in one pass with the json/v2 engine
// (github.com/go-json-experiment/json, the mirror of encoding/json/v2)
// under encoding/json's semantics: the same result as encoding/json's
// Unmarshal, without its separate validating scan of the whole body. The
// transport's decodes of answers that have no one-pass read of their own
// (a Reader, a Plan) try it first.
func UnmarshalFast(b []byte, v any) error {
	return jsonv2.Unmarshal(b, v, v1Semantics)
}

// errCareful fails a one-pass decode whose result needs the careful path.
var errCareful = errors.New("record: the one-pass decode needs the careful path")
