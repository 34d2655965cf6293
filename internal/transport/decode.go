package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/wire"

	"github.com/ordertrack/ordertrack/status"
)

// DecodeJSON unmarshals the answer's body into v. A body that is empty, not
// JSON (an HTML page), truncated or of the wrong shape gives a
// *status.APIError matching status.ErrMalformedResponse, with the start of
// the body kept for diagnosis.
//
// An envelope (v a pointer to a struct) whose field does not fit its Go
// type (a "message" that is an object, a "total" of "n/a") still decodes:
// that field is left zero, and the others are read; unless it is one of
// mustFit, the fields that hold the answer itself ("result", "data"),
// without which the body is not the provider's envelope.
//
// The body is decoded on the json/v2 engine under encoding/json's rules
// (see record.UnmarshalFast); only a body that fails is decoded again with
// encoding/json, whose errors say what is wrong with it.
func (c *Client) DecodeJSON(res *Response, v any, mustFit ...string) error {
	if record.UnmarshalFast(res.Body, v) == nil {
		return nil
	}
	reset(v)
	err := json.Unmarshal(res.Body, v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) && isStructPointer(v) {
		var unfit wire.Unfit
		if record.Decode(res.Body, v, &unfit) == nil {
			for _, name := range mustFit {
				if raw, ok := unfit[name]; ok {
					msg := "malformed response: " + name + " is not what the provider sends"
					if !res.secret {
						// An answer that may hold a secret is never quoted.
						msg += ": " + truncate(raw)
					}
					return c.Error(res, "", msg, status.ErrMalformedResponse)
				}
			}
			return nil
		}
	}
	msg := "malformed response: " + err.Error()
	var syn *json.SyntaxError
	trimmed := bytes.TrimSpace(res.Body)
	switch {
	case len(trimmed) == 0:
		msg = "malformed response: empty body"
	case trimmed[0] != '{' && trimmed[0] != '[':
		msg = "malformed response: not JSON (" + contentType(res) + "): " + err.Error()
	case errors.As(err, &syn) && syn.Offset >= int64(len(res.Body)):
		msg = "malformed response: truncated JSON: " + err.Error()
	}
	return c.Error(res, "", msg, status.ErrMalformedResponse)
}

func contentType(res *Response) string {
	if res.Header != nil {
		if ct := res.Header.Get("Content-Type"); ct != "" {
			return ct
		}
	}
	return "no content type"
}

func isStructPointer(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
}

func truncate(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// reset sets what v points to back to its zero value, before a second
// decode of the same body.
func reset(v any) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
}
