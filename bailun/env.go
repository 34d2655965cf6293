package bailun

import "github.com/ordertrack/ordertrack/internal/env"

// ConfigFromEnv returns the Config that environment variables give, each
// named prefix, an underscore and the field ("BAILUN" when prefix is "";
// "ACME_BAILUN" for another account): BAILUN_BASE_URL, BAILUN_APP_ID,
// BAILUN_APP_KEY (a secret), BAILUN_TOKEN_URL and BAILUN_ACCESS_TOKEN (a
// secret, in place of the app's credentials). An unset variable leaves
// its field zero: New says which are required. The other fields (retries,
// rate limit, logger) are set in code.
func ConfigFromEnv(prefix string) (Config, error) {
	v := env.New(prefix, "BAILUN")
	return Config{BaseURL: v.Get("BASE_URL"), AppID: v.Get("APP_ID"), AppKey: NewSecret(v.Get("APP_KEY")),
		TokenURL: v.Get("TOKEN_URL"), AccessToken: NewSecret(v.Get("ACCESS_TOKEN"))}, nil
}
