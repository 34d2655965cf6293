package reseller

import (
	"fmt"

	"github.com/ordertrack/ordertrack/internal/env"
)

// ConfigFromEnv returns the Config that environment variables give, each
// named prefix, an underscore and the field ("RESELLER" when prefix is
// ""; "ACME_RESELLER" for another account): RESELLER_BASE_URL,
// RESELLER_ID (an integer) and RESELLER_SECRET (a secret). An unset
// variable leaves its field zero: New says which are required; one that
// does not parse is an error naming it. The other fields are set in code.
func ConfigFromEnv(prefix string) (Config, error) {
	v := env.New(prefix, "RESELLER")
	id, err := v.Int("ID")
	if err != nil {
		return Config{}, fmt.Errorf("reseller: %w", err)
	}
	return Config{BaseURL: v.Get("BASE_URL"), ResellerID: id, Secret: NewSecret(v.Get("SECRET"))}, nil
}
