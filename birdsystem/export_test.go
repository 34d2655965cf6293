package birdsystem

import "github.com/ordertrack/ordertrack/internal/transport"

// DecodePageBody decodes a page already read, as ListConsignments does, for
// the in-memory benchmark of the external test package.
func (c *Client) DecodePageBody(body []byte, limit int) (*ConsignmentPage, error) {
	return c.decodePage(&transport.Response{StatusCode: 200, Body: body, Method: "GET", Endpoint: consignmentPath}, limit)
}
