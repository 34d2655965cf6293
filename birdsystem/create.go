package birdsystem

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-querystring/query"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// consignmentProductPath attaches products to a consignment.
const consignmentProductPath = "/client/consignment-product"

// NewConsignment is a consignment to create (POST /client/consignment),
// sent form-encoded. DeliveryServiceID, Contact, AddressLine1, City and
// CountryISO are required; the delivery service must be one the warehouse
// offers for the recipient's country, or BirdSystem refuses it.
type NewConsignment struct {
	// Type is the consignment's type: LOCAL (the document's example) or
	// RETURN usually; any documented type is sent. Empty sends none and
	// leaves it to BirdSystem.
	Type status.BirdSystemType `url:"type,omitempty"`
	// DeliveryServiceID is the delivery service (邮递服务) to ship with.
	DeliveryServiceID int64 `url:"delivery_service_id"`
	// Contact is the recipient's name.
	Contact string `url:"contact"`
	// BusinessName is the recipient's company.
	BusinessName string `url:"business_name,omitempty"`
	// AddressLine1..3 are 地址行1..3, at most 100 characters each.
	AddressLine1 string `url:"address_line1"`
	AddressLine2 string `url:"address_line2,omitempty"`
	AddressLine3 string `url:"address_line3,omitempty"`
	// City is 城市, at most 50 characters.
	City string `url:"city"`
	// County is 省/郡, the province or county.
	County string `url:"county,omitempty"`
	// PostCode is 邮编, at most 10 characters.
	PostCode string `url:"post_code,omitempty"`
	// CountryISO is 国家, the two-letter ISO code ("GB").
	CountryISO string `url:"country_iso"`
	// Telephone is 电话.
	Telephone string `url:"telephone,omitempty"`
	// Email is 电子邮件.
	Email string `url:"email,omitempty"`
	// SalesReference is 销售跟踪号, your own reference for the sale.
	SalesReference string `url:"sales_reference,omitempty"`
	// CustomIdentityReference is the recipient's customs identity reference.
	CustomIdentityReference string `url:"custom_identity_reference,omitempty"`
	// SpecialInstruction is passed to the warehouse.
	SpecialInstruction string `url:"special_instruction,omitempty"`
	// NeighbourInstruction is passed to the carrier.
	NeighbourInstruction string `url:"neighbour_instruction,omitempty"`
	// IsUrgent asks for urgent handling (sent as is_urgent=1).
	IsUrgent bool `url:"is_urgent,omitempty,int"`
	// SalesPrice is sales_price, the sale's price, as written ("12.50").
	SalesPrice string `url:"sales_price,omitempty"`
	// SalesOrderID is sales_order_id, the marketplace's order id (text up
	// to 50 characters: "112-5539603-3130663").
	SalesOrderID string `url:"sales_order_id,omitempty"`
	// DeliveryReference is delivery_reference, the carrier's reference.
	DeliveryReference string `url:"delivery_reference,omitempty"`
	// PaymentReference is payment_reference, the payment's reference.
	PaymentReference string `url:"payment_reference,omitempty"`
	// ReturnConsignmentActionID is return_consignment_action-id (sic: a
	// hyphen), the action for a RETURN consignment.
	ReturnConsignmentActionID int64 `url:"return_consignment_action-id,omitempty"`
}

// validate refuses a consignment BirdSystem would refuse, before sending.
func (n *NewConsignment) validate() error {
	var missing []string
	if n.DeliveryServiceID <= 0 {
		missing = append(missing, "delivery_service_id")
	}
	for _, f := range []struct{ name, v string }{
		{"contact", n.Contact}, {"address_line1", n.AddressLine1}, {"city", n.City}, {"country_iso", n.CountryISO},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("birdsystem: new consignment lacks %s: %w", strings.Join(missing, ", "), status.ErrInvalidRequest)
	}
	if len(n.CountryISO) != 2 {
		return fmt.Errorf("birdsystem: country_iso %q is not a two-letter ISO code: %w", n.CountryISO, status.ErrInvalidRequest)
	}
	if n.Type != "" && !n.Type.Known() {
		return fmt.Errorf("birdsystem: consignment type %q is not one BirdSystem documents: %w", string(n.Type), status.ErrInvalidRequest)
	}
	return nil
}

// Created is BirdSystem's answer to a create.
type Created struct {
	// ID is the new consignment's id (sent as a string: "2006143004830001").
	ID int64
	// Data is the new consignment's row as sent (the answer's data object,
	// or the first row when data is an array), for fields beyond the id.
	Data json.RawMessage
	// Found reports that the create's answer was lost and the consignment
	// was found by its SalesReference instead (CreateOrFindConsignment);
	// Data is then its row as the list endpoint gave it.
	Found bool
}

// CreateOrFindConsignment creates a consignment as CreateConsignment does,
// sent once, and when its outcome is unknown (the answer was lost), looks
// it up by its SalesReference, the field that makes a create findable: n
// must have one, unique to this consignment, or the call is refused
// before anything is sent.
//
// Found, it returns the consignment with Found set. Not found, its error
// matches status.ErrOutcomeUnknown and status.ErrNotFound: BirdSystem lists
// no consignment of that reference now, and nothing was sent again (create
// it again only once you know it was not made). A lookup that fails, or
// finds more than one, leaves the error matching status.ErrOutcomeUnknown.
func (c *Client) CreateOrFindConsignment(ctx context.Context, n *NewConsignment) (_ *Created, err error) {
	ctx, end := c.t.Start(ctx, "CreateOrFindConsignment", 0)
	defer func() { end(err) }()
	if n != nil && strings.TrimSpace(n.SalesReference) == "" {
		return nil, fmt.Errorf("birdsystem: a findable create needs a SalesReference: %w", status.ErrInvalidRequest)
	}
	created, err := c.CreateConsignment(ctx, n)
	if err == nil || !errors.Is(err, status.ErrOutcomeUnknown) {
		return created, err
	}
	p, lerr := c.ListConsignments(ctx, &ListOptions{SalesReference: n.SalesReference, Limit: 2})
	switch {
	case lerr != nil:
		return nil, fmt.Errorf("%w; and looking it up by sales_reference %q failed: %w", err, n.SalesReference, lerr)
	case len(p.Consignments) == 0:
		return nil, fmt.Errorf("%w; and no consignment has sales_reference %q: %w", err, n.SalesReference, status.ErrNotFound)
	case len(p.Consignments) > 1 || p.Total > 1:
		return nil, fmt.Errorf("%w; and sales_reference %q names more than one consignment", err, n.SalesReference)
	}
	k := &p.Consignments[0]
	row, merr := json.Marshal(k)
	if merr != nil {
		return nil, merr
	}
	return &Created{ID: k.ID.Int64, Data: row, Found: true}, nil
}

// createdData is the part of a create's answer ordertrack relies on.
type createdData struct {
	ID Int64 `json:"id"`
}

// CreateConsignment creates a consignment (POST /client/consignment). It is
// refused before sending when a required field is missing.
//
// A create is never sent twice: it is retried only when no connection could
// be made. When it may have reached BirdSystem without an answer coming
// back, the error matches status.ErrOutcomeUnknown: look the consignment up
// (by SalesReference, say) before creating it again, or create through
// CreateOrFindConsignment, which does.
func (c *Client) CreateConsignment(ctx context.Context, n *NewConsignment) (_ *Created, err error) {
	ctx, end := c.t.Start(ctx, "CreateConsignment", 0)
	defer func() { end(err) }()
	if n == nil {
		return nil, fmt.Errorf("birdsystem: nil consignment: %w", status.ErrInvalidRequest)
	}
	if err := n.validate(); err != nil {
		return nil, err
	}
	form, err := query.Values(n)
	if err != nil {
		return nil, err
	}
	res, err := c.create(ctx, consignmentPath, form.Encode())
	if err != nil {
		return nil, err
	}
	var env envelope[json.RawMessage]
	if err := c.t.DecodeJSON(res, &env); err != nil {
		return nil, transport.OutcomeUnknown(err)
	}
	if loginRequired(&env) || env.Success != nil && !*env.Success {
		return nil, c.refused(res, env.Message)
	}
	row, id, ok := createdRow(env.Data)
	if !ok {
		return nil, transport.OutcomeUnknown(c.t.Error(res, "", "malformed response: no consignment id in the answer", status.ErrMalformedResponse))
	}
	return &Created{ID: id, Data: row}, nil
}

// createdRow finds the new consignment in a create's data: an object with
// its id, or (as BirdSystem also answers) an array whose first row is it.
// An answer with the id but without "success" is a success too.
func createdRow(data json.RawMessage) (json.RawMessage, int64, bool) {
	row := data
	if len(data) > 0 && data[0] == '[' {
		var rows []json.RawMessage
		if json.Unmarshal(data, &rows) != nil || len(rows) == 0 {
			return nil, 0, false
		}
		row = rows[0]
	}
	var d createdData
	if json.Unmarshal(row, &d) != nil || !d.ID.Valid || d.ID.Int64 <= 0 {
		return nil, 0, false
	}
	return row, d.ID.Int64, true
}

// ProductType is how a product is attached to a consignment.
type ProductType string

// The product types.
const (
	ProductNormal      ProductType = "NORMAL"
	ProductDirectional ProductType = "DIRECTIONAL"
)

// AddConsignmentProduct attaches quantity of a product to a consignment
// (POST /client/consignment-product); the consignment then moves to
// PENDING. Like a create, it is never sent twice.
func (c *Client) AddConsignmentProduct(ctx context.Context, consignmentID, productID int64, productType ProductType, quantity int) (err error) {
	ctx, end := c.t.Start(ctx, "AddConsignmentProduct", 0)
	defer func() { end(err) }()
	switch {
	case consignmentID <= 0 || productID <= 0:
		return fmt.Errorf("birdsystem: consignment and product ids are required: %w", status.ErrInvalidRequest)
	case productType != ProductNormal && productType != ProductDirectional:
		return fmt.Errorf("birdsystem: product_type %q is not NORMAL or DIRECTIONAL: %w", productType, status.ErrInvalidRequest)
	case quantity <= 0:
		return fmt.Errorf("birdsystem: quantity %d must be positive: %w", quantity, status.ErrInvalidRequest)
	}
	form, err := query.Values(struct {
		ProductID     int64       `url:"product_id"`
		ConsignmentID int64       `url:"consignment_id"`
		ProductType   ProductType `url:"product_type"`
		Quantity      int         `url:"quantity"`
	}{productID, consignmentID, productType, quantity})
	if err != nil {
		return err
	}
	return c.write(ctx, consignmentProductPath, form.Encode())
}

// write posts a form that changes something and checks BirdSystem's
// answer: "success": true, or its refusal. An answer that cannot be read
// leaves the outcome unknown.
func (c *Client) write(ctx context.Context, path, form string) error {
	res, err := c.create(ctx, path, form)
	if err != nil {
		return err
	}
	var env envelope[json.RawMessage]
	if err := c.t.DecodeJSON(res, &env); err != nil {
		return transport.OutcomeUnknown(err)
	}
	switch {
	case loginRequired(&env) || env.Success != nil && !*env.Success:
		return c.refused(res, env.Message)
	case env.Success == nil:
		return transport.OutcomeUnknown(c.t.Error(res, "", `malformed response: no "success"`, status.ErrMalformedResponse))
	}
	return nil
}

// create posts a form that creates something: never sent twice.
func (c *Client) create(ctx context.Context, path, form string) (*transport.Response, error) {
	return c.t.Do(ctx, &transport.Request{Method: http.MethodPost, Path: path, Header: c.auth.header,
		Body: []byte(form), ContentType: "application/x-www-form-urlencoded"})
}
