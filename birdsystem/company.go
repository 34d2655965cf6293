package birdsystem

import (
	"context"
	"net/http"

	"github.com/ordertrack/ordertrack/internal/transport"
	"github.com/ordertrack/ordertrack/status"
)

// companyListPath lists the companies (warehouses) of a BirdSystem host.
const companyListPath = "/client/public/company-list"

// Company is one company of a BirdSystem host: what Config.CompanyID names.
type Company struct {
	// ID is id, the company's id.
	ID Int64 `json:"id"`
	// SiteName is site_name.
	SiteName NullString `json:"site_name"`
}

// ListCompanies returns the companies of the host (GET
// /client/public/company-list), for finding a company_id.
func (c *Client) ListCompanies(ctx context.Context) (_ []Company, err error) {
	ctx, end := c.t.Start(ctx, "ListCompanies", 0)
	defer func() { end(err) }()
	res, err := c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: companyListPath, Header: c.auth.header})
	if err != nil {
		return nil, err
	}
	var env envelope[*[]Company]
	if err := c.t.DecodeJSON(res, &env, "data"); err != nil {
		return nil, err
	}
	switch {
	case loginRequired(&env) || env.Success != nil && !*env.Success:
		return nil, c.refused(res, env.Message)
	case env.Data == nil:
		return nil, c.t.Error(res, "", "malformed response: no data list", status.ErrMalformedResponse)
	}
	return *env.Data, nil
}
