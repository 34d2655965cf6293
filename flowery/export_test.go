package flowery

import "github.com/ordertrack/ordertrack/internal/transport"

// DecodeBatchBody decodes a batch's answer already read, as Track does for
// each batch of size numbers, and returns how many orders it held, for the
// in-memory benchmark of the external test package.
func (c *Client) DecodeBatchBody(body []byte, size int) (int, error) {
	res := &transport.Response{StatusCode: 200, Body: body, Method: "POST", Endpoint: ordersPath}
	var r Response[trackedOrder]
	if err := decode(c.t, res, &r, size); err != nil {
		return 0, err
	}
	return len(r.OrdersDetail), check(c.t, res, &r)
}
