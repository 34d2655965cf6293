package reseller

import "github.com/ordertrack/ordertrack/internal/transport"

// DecodeOrderBody decodes an answer already read, as QueryOrder does, for
// the in-memory benchmark of the external test package.
func (c *Client) DecodeOrderBody(body []byte) (*Order, error) {
	return c.decodeOrder(&transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: orderQueryPath})
}
