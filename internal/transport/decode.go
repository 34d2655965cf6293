package transport

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/ordertrack/ordertrack/status"
)

// DecodeJSON unmarshals the answer's body into v. A body that is empty, not
// JSON (an HTML page), truncated or of the wrong shape gives a
// *status.APIError matching status.ErrMalformedResponse, with the start of
// the body kept for diagnosis.
func (c *Client) DecodeJSON(res *Response, v any) error {
	err := json.Unmarshal(res.Body, v)
	if err == nil {
		return nil
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
