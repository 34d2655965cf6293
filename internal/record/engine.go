package record

import (
	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Semantics are encoding/json's rules (names matched without regard to
// case, duplicate names and invalid UTF-8 accepted as encoding/json does,
// methods called as it calls them) on the json/v2 engine.
var v1Semantics = jsonv1.DefaultOptionsV1()

// UnmarshalFast decodes b into v in one pass with the json/v2 engine
// (github.com/go-json-experiment/json, the mirror of encoding/json/v2)
// under encoding/json's semantics: the same result as encoding/json's
// Unmarshal, without its separate validating scan of the whole body. The
// providers' one-pass decodes of pages and batches use it.
func UnmarshalFast(b []byte, v any) error {
	return jsonv2.Unmarshal(b, v, v1Semantics)
}
