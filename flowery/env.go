package flowery

import "github.com/ordertrack/ordertrack/internal/env"

// ConfigFromEnv returns the Config that environment variables give, each
// named prefix, an underscore and the field ("FLOWERY" when prefix is "";
// "ACME_FLOWERY" for another account): FLOWERY_BASE_URL,
// FLOWERY_ACCOUNT_ID, FLOWERY_LOGISTICS, FLOWERY_TOKEN (a secret),
// FLOWERY_SECRET_KEY (a secret, to register a token), FLOWERY_TOKEN_URL
// and FLOWERY_DETAIL_URL. An unset variable leaves its field zero: New
// says which are required. The other fields are set in code.
func ConfigFromEnv(prefix string) (Config, error) {
	v := env.New(prefix, "FLOWERY")
	return Config{BaseURL: v.Get("BASE_URL"), AccountID: v.Get("ACCOUNT_ID"), Logistics: v.Get("LOGISTICS"),
		Token: NewSecret(v.Get("TOKEN")), SecretKey: NewSecret(v.Get("SECRET_KEY")), TokenURL: v.Get("TOKEN_URL"),
		DetailURL: v.Get("DETAIL_URL")}, nil
}
