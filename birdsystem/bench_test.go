package birdsystem_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/ordertrack/ordertrack/birdsystem"
	"github.com/ordertrack/ordertrack/birdsystem/birdsystemtest"
	"github.com/ordertrack/ordertrack/internal/benchtest"
	"github.com/ordertrack/ordertrack/status"
)

// handConsignment is the careful hand-written decode of a consignment:
// every field the answer has, text that may be null as *string, and the
// values BirdSystem sends as numbers or as strings kept raw (a plain int
// or string field would fail on one or the other).
type handConsignment struct {
	CommodityCode                                       *string         `json:"commodity_code"`
	TotalPriceCustomsExport                             json.RawMessage `json:"total_price_customs_export"`
	NameCustoms                                         *string         `json:"name_customs"`
	TotalQuantity                                       json.RawMessage `json:"total_quantity"`
	Weight                                              json.RawMessage `json:"weight"`
	Price                                               json.RawMessage `json:"price"`
	PriceCustomsExport                                  json.RawMessage `json:"price_customs_export"`
	Period                                              *string         `json:"period"`
	Type                                                string          `json:"type"`
	Total                                               json.RawMessage `json:"total"`
	ExternalCode                                        *string         `json:"external_code"`
	ExternalCode1                                       *string         `json:"external_code1"`
	ExternalCode2                                       *string         `json:"external_code2"`
	MaxLength                                           json.RawMessage `json:"max_length"`
	MaxWidth                                            json.RawMessage `json:"max_width"`
	MaxDepth                                            json.RawMessage `json:"max_depth"`
	HandlingFeeFirstItem                                json.RawMessage `json:"handling_fee_first_item"`
	HandlingFeeOtherItem                                json.RawMessage `json:"handling_fee_other_item"`
	HandlingFeeFirstProduct                             json.RawMessage `json:"handling_fee_first_product"`
	HandlingFeeOtherProduct                             json.RawMessage `json:"handling_fee_other_product"`
	HandlingFee                                         json.RawMessage `json:"handling_fee"`
	HandlingFeeUrgentConsignment                        json.RawMessage `json:"handling_fee_urgent_consignment"`
	HandlingFeeLimit                                    json.RawMessage `json:"handling_fee_limit"`
	DeliveryFee                                         json.RawMessage `json:"delivery_fee"`
	DeliveryFeeType                                     *string         `json:"delivery_fee_type"`
	ReturnConsignmentID                                 json.RawMessage `json:"return_consignment_id"`
	ReturnConsignmentActionType                         *string         `json:"return_consignment_action_type"`
	ReturnConsignmentActionName                         *string         `json:"return_consignment_action_name"`
	Quantity                                            json.RawMessage `json:"quantity"`
	BatteryTypeNameList                                 json.RawMessage `json:"battery_type_name_list"`
	BatteryTypeIDList                                   json.RawMessage `json:"battery_type_id_list"`
	DeliveryServiceName                                 *string         `json:"delivery_service_name"`
	SKUCount                                            json.RawMessage `json:"sku_count"`
	ProductCompanyRef                                   *string         `json:"product_company_ref"`
	ID                                                  json.RawMessage `json:"id"`
	CompanyID                                           json.RawMessage `json:"company_id"`
	ClientID                                            json.RawMessage `json:"client_id"`
	WarehouseID                                         json.RawMessage `json:"warehouse_id"`
	ConsignmentProductQuantity                          json.RawMessage `json:"consignment_product_quantity"`
	ConsignmentProductReference                         *string         `json:"consignment_product_reference"`
	DeliveryServiceID                                   json.RawMessage `json:"delivery_service_id"`
	DeliveryServiceIDInternal                           json.RawMessage `json:"delivery_service_id_internal"`
	DeliveryPackageSizeID                               json.RawMessage `json:"delivery_package_size_id"`
	TotalPrice                                          json.RawMessage `json:"total_price"`
	TotalDeliveryFee                                    json.RawMessage `json:"total_delivery_fee"`
	TotalHandlingFee                                    json.RawMessage `json:"total_handling_fee"`
	Length                                              json.RawMessage `json:"length"`
	Width                                               json.RawMessage `json:"width"`
	Depth                                               json.RawMessage `json:"depth"`
	TotalWeight                                         json.RawMessage `json:"total_weight"`
	TotalVolume                                         json.RawMessage `json:"total_volume"`
	TotalVolumeWeight                                   json.RawMessage `json:"total_volume_weight"`
	TotalFeeWeight                                      json.RawMessage `json:"total_fee_weight"`
	GuaranteePercentage                                 json.RawMessage `json:"guarantee_percentage"`
	Contact                                             *string         `json:"contact"`
	BusinessName                                        *string         `json:"business_name"`
	AddressLine1                                        *string         `json:"address_line1"`
	AddressLine2                                        *string         `json:"address_line2"`
	AddressLine3                                        *string         `json:"address_line3"`
	City                                                *string         `json:"city"`
	County                                              *string         `json:"county"`
	PostCode                                            *string         `json:"post_code"`
	CountryISO                                          *string         `json:"country_iso"`
	Telephone                                           *string         `json:"telephone"`
	Email                                               *string         `json:"email"`
	SenderContact                                       *string         `json:"sender_contact"`
	SenderBusinessName                                  *string         `json:"sender_business_name"`
	SenderAddressLine1                                  *string         `json:"sender_address_line1"`
	SenderAddressLine2                                  *string         `json:"sender_address_line2"`
	SenderAddressLine3                                  *string         `json:"sender_address_line3"`
	SenderCity                                          *string         `json:"sender_city"`
	SenderCounty                                        *string         `json:"sender_county"`
	SenderPostCode                                      *string         `json:"sender_post_code"`
	SenderCountryISO                                    *string         `json:"sender_country_iso"`
	SenderEmail                                         *string         `json:"sender_email"`
	SenderTelephone                                     *string         `json:"sender_telephone"`
	SalesReference                                      *string         `json:"sales_reference"`
	SalesPrice                                          json.RawMessage `json:"sales_price"`
	CustomsPrice                                        json.RawMessage `json:"customs_price"`
	SalesOrderID                                        *string         `json:"sales_order_id"`
	CustomIdentityReference                             *string         `json:"custom_identity_reference"`
	PaymentReference                                    *string         `json:"payment_reference"`
	DeliveryReference                                   *string         `json:"delivery_reference"`
	TrackingReference                                   *string         `json:"tracking_reference"`
	SpecialInstruction                                  *string         `json:"special_instruction"`
	NeighbourInstruction                                *string         `json:"neighbour_instruction"`
	TempConsignmentInfoID                               json.RawMessage `json:"temp_consignment_info_id"`
	IsUrgent                                            json.RawMessage `json:"is_urgent"`
	IsForcedDeliveryService                             json.RawMessage `json:"is_forced_delivery_service"`
	CreateTime                                          *string         `json:"create_time"`
	FinishTime                                          *string         `json:"finish_time"`
	ArriveTime                                          *string         `json:"arrive_time"`
	UpdateTime                                          *string         `json:"update_time"`
	Status                                              string          `json:"status"`
	StockStatus                                         *string         `json:"stock_status"`
	PrimaryKeys                                         []string        `json:"primary_keys"`
	DeliveryServiceSpecialType                          *string         `json:"delivery_service_special_type"`
	DeliveryServiceIsUseDeliveryAgentAccountAddress     json.RawMessage `json:"delivery_service_is_use_delivery_agent_account_address"`
	DeliveryServiceIsAllowUrgentConsignment             json.RawMessage `json:"delivery_service_is_allow_urgent_consignment"`
	DeliveryServiceIsHideDeliveryReferenceToConsignment json.RawMessage `json:"delivery_service_is_hide_delivery_reference_to_consignment"`
	DeliveryServiceInternalSpecialType                  *string         `json:"delivery_service_internal_special_type"`
	ConsignmentDeliveryAgentNet17TrackCode              *string         `json:"consignment_delivery_agent-net17track_code"`
	CountryName                                         *string         `json:"country_name"`
	CurrencyCode                                        *string         `json:"currency_code"`
	ConsignmentFeedbackStatus                           *string         `json:"consignment_feedback-status"`
	ConsignmentFeedbackNote                             *string         `json:"consignment_feedback-note"`
}

// handPage is the careful hand-written decode of a page.
type handPage struct {
	Success *bool             `json:"success"`
	Total   json.RawMessage   `json:"total"`
	Data    []handConsignment `json:"data"`
}

// handRequest asks base for a page of limit finished consignments.
func handRequest(base string, limit int) (*http.Request, error) {
	req, err := http.NewRequestWithContext(context.Background(), "GET", fmt.Sprintf("%s/client/consignment?status=FINISHED&limit=%d", base, limit), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("api_key", string(birdsystemtest.APIKey))
	req.Header.Set("company_id", birdsystemtest.CompanyID)
	return req, nil
}

func (p *handPage) check(limit int) error {
	if len(p.Data) != limit {
		return fmt.Errorf("%d consignments", len(p.Data))
	}
	return nil
}

func handList(base string, limit int) func(benchtest.Decode) func() error {
	hc := benchtest.Client()
	return func(decode benchtest.Decode) func() error {
		return func() error {
			req, err := handRequest(base, limit)
			if err != nil {
				return err
			}
			var page handPage
			if err := benchtest.Do(hc, req, &page, decode); err != nil {
				return err
			}
			return page.check(limit)
		}
	}
}

// seededBirdSystem is a fake holding n finished consignments.
func seededBirdSystem(b *testing.B, n int) *birdsystemtest.Server {
	srv := birdsystemtest.NewServer()
	b.Cleanup(srv.Close)
	for i := int64(0); i < int64(n); i++ {
		k := birdsystemtest.Consignment(2010290360000001+i, status.BirdSystemFinished)
		k.NeighbourInstruction = birdsystem.NewString("copy from consignment 2007100360000006\ncopy from consignment 2007120360000002")
		srv.Put(k)
	}
	return srv
}

// BenchmarkListConsignments fetches one page of 50, and of 500,
// consignments: the SDK call against the careful hand-written call on the
// same loopback server, serially and at 8 goroutines per core. Compare
// with:
//
//	go test -run '^$' -bench ListConsignments -count 10 ./birdsystem > bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkListConsignments(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			srv := seededBirdSystem(b, n)
			cfg := srv.Config()
			cfg.BaseURL = benchtest.Replay(b, srv.URL)
			c, err := birdsystem.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			opts := &birdsystem.ListOptions{Status: status.BirdSystemFinished, Limit: n}
			benchtest.Pair(b, func() error {
				p, err := c.ListConsignments(context.Background(), opts)
				if err == nil && len(p.Consignments) != n {
					err = fmt.Errorf("%d consignments", len(p.Consignments))
				}
				return err
			}, handList(cfg.BaseURL, n))
		})
	}
}

// BenchmarkDecodePage: a page of 500 consignments already read, the SDK's
// decode against encoding/json into the careful call's plain structs:
// client CPU alone.
func BenchmarkDecodePage(b *testing.B) {
	srv := seededBirdSystem(b, 500)
	req, err := handRequest(srv.URL, 500)
	if err != nil {
		b.Fatal(err)
	}
	var body json.RawMessage
	if err := benchtest.Do(benchtest.Client(), req, &body, json.Unmarshal); err != nil {
		b.Fatal(err)
	}
	c, err := birdsystem.New(srv.Config())
	if err != nil {
		b.Fatal(err)
	}
	benchtest.Memory(b, func() error {
		p, err := c.DecodePageBody(body, 500)
		if err == nil && len(p.Consignments) != 500 {
			err = fmt.Errorf("%d consignments", len(p.Consignments))
		}
		return err
	}, func(decode benchtest.Decode) func() error {
		return func() error {
			var page handPage
			if err := decode(body, &page); err != nil {
				return err
			}
			return page.check(500)
		}
	})
}
