package birdsystem

import (
	"encoding/json"

	"github.com/ordertrack/ordertrack/internal/record"
	"github.com/ordertrack/ordertrack/status"
)

// Consignment is a BirdSystem consignment (an outbound order at the
// warehouse), with every field of the documented record in the document's
// order. Find a field by its JSON name.
//
// Ids and integer amounts are Int64 values that accept numbers or numeric
// strings and stay exact beyond 2^53; money, weights and dimensions are
// Decimal values kept exactly as written ("0.00"); text that can be null is
// a NullString; times keep their raw text beside the parsed time. Encoding a
// decoded Consignment gives BirdSystem's JSON back.
type Consignment struct {
	// CommodityCode is commodity_code: commodity code.
	CommodityCode NullString `json:"commodity_code"`
	// TotalPriceCustomsExport is total_price_customs_export: total price customs export, kept as written.
	TotalPriceCustomsExport Decimal `json:"total_price_customs_export"`
	// NameCustoms is name_customs: name customs.
	NameCustoms NullString `json:"name_customs"`
	// TotalQuantity is total_quantity: total quantity.
	TotalQuantity Int64 `json:"total_quantity"`
	// Weight is weight: weight, kept as written.
	Weight Decimal `json:"weight"`
	// Price is price: price, kept as written.
	Price Decimal `json:"price"`
	// PriceCustomsExport is price_customs_export: price customs export, kept as written.
	PriceCustomsExport Decimal `json:"price_customs_export"`
	// Period is period: period.
	Period NullString `json:"period"`
	// Type is type: 订单类型 (consignment type), ENUM('LOCAL','DIRECT','RETURN','AGENT_DIRECT').
	Type status.BirdSystemType `json:"type"`
	// Total is total: total, kept as written.
	Total Decimal `json:"total"`
	// ExternalCode is external_code: external code.
	ExternalCode NullString `json:"external_code"`
	// ExternalCode1 is external_code1: external code1.
	ExternalCode1 NullString `json:"external_code1"`
	// ExternalCode2 is external_code2: external code2.
	ExternalCode2 NullString `json:"external_code2"`
	// MaxLength is max_length: max length, kept as written.
	MaxLength Decimal `json:"max_length"`
	// MaxWidth is max_width: max width, kept as written.
	MaxWidth Decimal `json:"max_width"`
	// MaxDepth is max_depth: max depth, kept as written.
	MaxDepth Decimal `json:"max_depth"`
	// HandlingFeeFirstItem is handling_fee_first_item: handling fee first item, kept as written.
	HandlingFeeFirstItem Decimal `json:"handling_fee_first_item"`
	// HandlingFeeOtherItem is handling_fee_other_item: handling fee other item, kept as written.
	HandlingFeeOtherItem Decimal `json:"handling_fee_other_item"`
	// HandlingFeeFirstProduct is handling_fee_first_product: handling fee first product, kept as written.
	HandlingFeeFirstProduct Decimal `json:"handling_fee_first_product"`
	// HandlingFeeOtherProduct is handling_fee_other_product: handling fee other product, kept as written.
	HandlingFeeOtherProduct Decimal `json:"handling_fee_other_product"`
	// HandlingFee is handling_fee: handling fee, kept as written.
	HandlingFee Decimal `json:"handling_fee"`
	// HandlingFeeUrgentConsignment is handling_fee_urgent_consignment: handling fee urgent consignment, kept as written.
	HandlingFeeUrgentConsignment Decimal `json:"handling_fee_urgent_consignment"`
	// HandlingFeeLimit is handling_fee_limit: handling fee limit, kept as written.
	HandlingFeeLimit Decimal `json:"handling_fee_limit"`
	// DeliveryFee is delivery_fee: delivery fee, kept as written.
	DeliveryFee Decimal `json:"delivery_fee"`
	// DeliveryFeeType is delivery_fee_type: delivery fee type.
	DeliveryFeeType NullString `json:"delivery_fee_type"`
	// ReturnConsignmentID is return_consignment_id: return consignment id.
	ReturnConsignmentID Int64 `json:"return_consignment_id"`
	// ReturnConsignmentActionType is return_consignment_action_type: return consignment action type.
	ReturnConsignmentActionType NullString `json:"return_consignment_action_type"`
	// ReturnConsignmentActionName is return_consignment_action_name: return consignment action name.
	ReturnConsignmentActionName NullString `json:"return_consignment_action_name"`
	// Quantity is quantity: quantity.
	Quantity Int64 `json:"quantity"`
	// BatteryTypeNameList is battery_type_name_list: battery type name list, kept as sent (its shape is not documented).
	BatteryTypeNameList json.RawMessage `json:"battery_type_name_list"`
	// BatteryTypeIDList is battery_type_id_list: battery type id list, kept as sent (its shape is not documented).
	BatteryTypeIDList json.RawMessage `json:"battery_type_id_list"`
	// DeliveryServiceName is delivery_service_name: 邮递服务名称 (delivery service name), VARCHAR.
	DeliveryServiceName NullString `json:"delivery_service_name"`
	// SKUCount is sku_count: sku count.
	SKUCount Int64 `json:"sku_count"`
	// ProductCompanyRef is product_company_ref: product company ref.
	ProductCompanyRef NullString `json:"product_company_ref"`
	// ID is id: the consignment id.
	ID Int64 `json:"id"`
	// CompanyID is company_id: company id.
	CompanyID Int64 `json:"company_id"`
	// ClientID is client_id: client id.
	ClientID Int64 `json:"client_id"`
	// WarehouseID is warehouse_id: warehouse id.
	WarehouseID Int64 `json:"warehouse_id"`
	// ConsignmentProductQuantity is consignment_product_quantity: consignment product quantity.
	ConsignmentProductQuantity Int64 `json:"consignment_product_quantity"`
	// ConsignmentProductReference is consignment_product_reference: consignment product reference.
	ConsignmentProductReference NullString `json:"consignment_product_reference"`
	// DeliveryServiceID is delivery_service_id: delivery service id.
	DeliveryServiceID Int64 `json:"delivery_service_id"`
	// DeliveryServiceIDInternal is delivery_service_id_internal: delivery service id internal.
	DeliveryServiceIDInternal Int64 `json:"delivery_service_id_internal"`
	// DeliveryPackageSizeID is delivery_package_size_id: delivery package size id.
	DeliveryPackageSizeID Int64 `json:"delivery_package_size_id"`
	// TotalPrice is total_price: total price, kept as written.
	TotalPrice Decimal `json:"total_price"`
	// TotalDeliveryFee is total_delivery_fee: total delivery fee, kept as written.
	TotalDeliveryFee Decimal `json:"total_delivery_fee"`
	// TotalHandlingFee is total_handling_fee: total handling fee, kept as written.
	TotalHandlingFee Decimal `json:"total_handling_fee"`
	// Length is length: length, kept as written.
	Length Decimal `json:"length"`
	// Width is width: width, kept as written.
	Width Decimal `json:"width"`
	// Depth is depth: depth, kept as written.
	Depth Decimal `json:"depth"`
	// TotalWeight is total_weight: total weight, kept as written.
	TotalWeight Decimal `json:"total_weight"`
	// TotalVolume is total_volume: total volume, kept as written.
	TotalVolume Decimal `json:"total_volume"`
	// TotalVolumeWeight is total_volume_weight: total volume weight, kept as written.
	TotalVolumeWeight Decimal `json:"total_volume_weight"`
	// TotalFeeWeight is total_fee_weight: total fee weight, kept as written.
	TotalFeeWeight Decimal `json:"total_fee_weight"`
	// GuaranteePercentage is guarantee_percentage: guarantee percentage, kept as written.
	GuaranteePercentage Decimal `json:"guarantee_percentage"`
	// Contact is contact: the recipient (contact name).
	Contact NullString `json:"contact"`
	// BusinessName is business_name: business name.
	BusinessName NullString `json:"business_name"`
	// AddressLine1 is address_line1: 地址行1 (address line 1), VARCHAR(100).
	AddressLine1 NullString `json:"address_line1"`
	// AddressLine2 is address_line2: 地址行2 (address line 2), VARCHAR(100).
	AddressLine2 NullString `json:"address_line2"`
	// AddressLine3 is address_line3: 地址行3 (address line 3), VARCHAR(100).
	AddressLine3 NullString `json:"address_line3"`
	// City is city: 城市 (city), VARCHAR(50).
	City NullString `json:"city"`
	// County is county: 省/郡 (province or county), VARCHAR(50).
	County NullString `json:"county"`
	// PostCode is post_code: 邮编 (post code), VARCHAR(10).
	PostCode NullString `json:"post_code"`
	// CountryISO is country_iso: 国家 (country), CHAR(2) ISO code.
	CountryISO NullString `json:"country_iso"`
	// Telephone is telephone: 电话 (telephone), VARCHAR(50).
	Telephone NullString `json:"telephone"`
	// Email is email: 电子邮件 (email), VARCHAR(255).
	Email NullString `json:"email"`
	// SenderContact is sender_contact: sender contact.
	SenderContact NullString `json:"sender_contact"`
	// SenderBusinessName is sender_business_name: sender business name.
	SenderBusinessName NullString `json:"sender_business_name"`
	// SenderAddressLine1 is sender_address_line1: sender address line1.
	SenderAddressLine1 NullString `json:"sender_address_line1"`
	// SenderAddressLine2 is sender_address_line2: sender address line2.
	SenderAddressLine2 NullString `json:"sender_address_line2"`
	// SenderAddressLine3 is sender_address_line3: sender address line3.
	SenderAddressLine3 NullString `json:"sender_address_line3"`
	// SenderCity is sender_city: sender city.
	SenderCity NullString `json:"sender_city"`
	// SenderCounty is sender_county: sender county.
	SenderCounty NullString `json:"sender_county"`
	// SenderPostCode is sender_post_code: sender post code.
	SenderPostCode NullString `json:"sender_post_code"`
	// SenderCountryISO is sender_country_iso: sender country iso.
	SenderCountryISO NullString `json:"sender_country_iso"`
	// SenderEmail is sender_email: sender email.
	SenderEmail NullString `json:"sender_email"`
	// SenderTelephone is sender_telephone: sender telephone.
	SenderTelephone NullString `json:"sender_telephone"`
	// SalesReference is sales_reference: 销售跟踪号 (sales reference).
	SalesReference NullString `json:"sales_reference"`
	// SalesPrice is sales_price: sales price, kept as written.
	SalesPrice Decimal `json:"sales_price"`
	// CustomsPrice is customs_price: customs price, kept as written.
	CustomsPrice Decimal `json:"customs_price"`
	// SalesOrderID is sales_order_id: the marketplace's order id, text of
	// up to 50 characters (an eBay or Amazon order id such as
	// "112-5539603-3130663"); a number sent here is kept as its text.
	SalesOrderID NullString `json:"sales_order_id"`
	// CustomIdentityReference is custom_identity_reference: custom identity reference.
	CustomIdentityReference NullString `json:"custom_identity_reference"`
	// PaymentReference is payment_reference: payment reference.
	PaymentReference NullString `json:"payment_reference"`
	// DeliveryReference is delivery_reference: the carrier reference (tracking number) given by the delivery service.
	DeliveryReference NullString `json:"delivery_reference"`
	// TrackingReference is tracking_reference: the tracking reference.
	TrackingReference NullString `json:"tracking_reference"`
	// SpecialInstruction is special_instruction: special instruction.
	SpecialInstruction NullString `json:"special_instruction"`
	// NeighbourInstruction is neighbour_instruction: neighbour instruction.
	NeighbourInstruction NullString `json:"neighbour_instruction"`
	// TempConsignmentInfoID is temp_consignment_info_id: temp consignment info id.
	TempConsignmentInfoID Int64 `json:"temp_consignment_info_id"`
	// IsUrgent is is_urgent: is urgent ("1" yes, "0" no).
	IsUrgent Int64 `json:"is_urgent"`
	// IsForcedDeliveryService is is_forced_delivery_service: is forced delivery service ("1" yes, "0" no).
	IsForcedDeliveryService Int64 `json:"is_forced_delivery_service"`
	// CreateTime is create_time: 创建订单的时间 (when the consignment was created), TIMESTAMP.
	CreateTime Time `json:"create_time"`
	// FinishTime is finish_time: when the consignment was finished (dispatched).
	FinishTime Time `json:"finish_time"`
	// ArriveTime is arrive_time: when the consignment arrived.
	ArriveTime Time `json:"arrive_time"`
	// UpdateTime is update_time: 订单最后更新时间 (when the consignment last changed), TIMESTAMP.
	UpdateTime Time `json:"update_time"`
	// Status is status: the consignment status.
	Status status.BirdSystemStatus `json:"status"`
	// StockStatus is stock_status: stock status, such as ORI_AND_DES_STOCK_ENOUGH.
	StockStatus NullString `json:"stock_status"`
	// PrimaryKeys is primary_keys: the record's primary key names.
	PrimaryKeys []string `json:"primary_keys"`
	// DeliveryServiceSpecialType is delivery_service_special_type: delivery service special type.
	DeliveryServiceSpecialType NullString `json:"delivery_service_special_type"`
	// DeliveryServiceIsUseDeliveryAgentAccountAddress is delivery_service_is_use_delivery_agent_account_address: delivery service is use delivery agent account address ("1" yes, "0" no).
	DeliveryServiceIsUseDeliveryAgentAccountAddress Int64 `json:"delivery_service_is_use_delivery_agent_account_address"`
	// DeliveryServiceIsAllowUrgentConsignment is delivery_service_is_allow_urgent_consignment: delivery service is allow urgent consignment ("1" yes, "0" no).
	DeliveryServiceIsAllowUrgentConsignment Int64 `json:"delivery_service_is_allow_urgent_consignment"`
	// DeliveryServiceIsHideDeliveryReferenceToConsignment is delivery_service_is_hide_delivery_reference_to_consignment: delivery service is hide delivery reference to consignment ("1" yes, "0" no).
	DeliveryServiceIsHideDeliveryReferenceToConsignment Int64 `json:"delivery_service_is_hide_delivery_reference_to_consignment"`
	// DeliveryServiceInternalSpecialType is delivery_service_internal_special_type: delivery service internal special type.
	DeliveryServiceInternalSpecialType NullString `json:"delivery_service_internal_special_type"`
	// ConsignmentDeliveryAgentNet17TrackCode is consignment_delivery_agent-net17track_code: consignment delivery agent net17track code.
	ConsignmentDeliveryAgentNet17TrackCode NullString `json:"consignment_delivery_agent-net17track_code"`
	// CountryName is country_name: country name.
	CountryName NullString `json:"country_name"`
	// CurrencyCode is currency_code: currency code.
	CurrencyCode NullString `json:"currency_code"`
	// ConsignmentFeedbackStatus is consignment_feedback-status: consignment feedback status.
	ConsignmentFeedbackStatus NullString `json:"consignment_feedback-status"`
	// ConsignmentFeedbackNote is consignment_feedback-note: consignment feedback note.
	ConsignmentFeedbackNote NullString `json:"consignment_feedback-note"`

	// Unfit holds, verbatim, every field whose value did not fit its Go
	// type; that field is left zero. See the package doc.
	Unfit Unfit `json:"-"`
}

// UnmarshalJSON decodes the record. A field whose value does not fit its
// Go type never fails it: it is kept in Unfit.
func (r *Consignment) UnmarshalJSON(b []byte) error {
	type plain Consignment
	return record.Decode(b, (*plain)(r), &r.Unfit)
}

// MarshalJSON encodes the record, writing Unfit values back as they came.
func (r Consignment) MarshalJSON() ([]byte, error) {
	type plain Consignment
	return record.Encode(plain(r), r.Unfit)
}
