package bailun

import (
	"net/url"

	"github.com/ordertrack/ordertrack/internal/transport"
)

// DecodeOrderStatusBody decodes an answer already read, as
// QueryOrderStatus does, for the in-memory benchmark of the external test
// package.
func (c *Client) DecodeOrderStatusBody(body []byte) (*OrderStatusOutput, error) {
	return c.decodeOrderStatus(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: queryOrderStatusPath})
}

// QueryValues is dto's query as the client sends it.
func QueryValues(dto QueryOrderStatusDTO) url.Values {
	v, err := url.ParseQuery(dto.encode())
	if err != nil {
		panic(err)
	}
	return v
}
