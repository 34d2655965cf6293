package birdsystem

import "github.com/ordertrack/ordertrack/internal/env"

// ConfigFromEnv returns the Config that environment variables give, each
// named prefix, an underscore and the field ("BIRDSYSTEM" when prefix is
// ""; "ACME_BIRDSYSTEM" for another account): BIRDSYSTEM_BASE_URL,
// BIRDSYSTEM_API_KEY (a secret), BIRDSYSTEM_COMPANY_ID and
// BIRDSYSTEM_TRACKING_URL. An unset variable leaves its field zero: New
// says which are required. The other fields are set in code.
func ConfigFromEnv(prefix string) (Config, error) {
	v := env.New(prefix, "BIRDSYSTEM")
	return Config{BaseURL: v.Get("BASE_URL"), APIKey: NewSecret(v.Get("API_KEY")), CompanyID: v.Get("COMPANY_ID"),
		TrackingURL: v.Get("TRACKING_URL")}, nil
}
