package emporix

import (
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// defaultExchangeConfig is the one token-exchange configuration a tenant
// has; naming no configuration uses it too.
const defaultExchangeConfig = "default"

// exchangedTokens is the answer of exchangeauthtoken.
type exchangedTokens struct {
	SubjectAccessToken    string `json:"subject_access_token"`
	AccessToken           string `json:"access_token"`
	SaasToken             string `json:"saas_token"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in"`
	SessionIdleTime       int    `json:"session_idle_time"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int    `json:"expires_in"`
	Scope                 string `json:"scope"`
	SessionID             string `json:"session_id"`
}

// exchangeAuthToken logs in the customer an external identity provider's
// access token (a JWT) names by its email claim, signing it up on first
// sight, in the caller's session. The mock knows no provider's keys: the
// token's signature is not checked, its expiry is (on the mock's clock).
func (f *Face) exchangeAuthToken(c *face.Call) error {
	q := c.R.URL.Query()
	if cfg := q.Get("config"); cfg != "" && cfg != defaultExchangeConfig {
		return invalid("query", "config", "Token exchange configuration '"+cfg+"' does not exist.")
	}
	subject := q.Get("subjectAccessToken")
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(subject, claims); err != nil {
		return errBadSubject
	}
	email, _ := claims["email"].(string)
	if !isEmail(email) {
		return errBadSubject
	}
	exp, err := claims.GetExpirationTime()
	if err != nil {
		return errBadSubject
	}
	name, _ := claims["name"].(string)
	tenant, session := c.R.PathValue("tenant"), caller(c).SessionID
	var out exchangedTokens
	err = f.id.Write(func(tx *identity.Tx) error {
		if exp != nil && !tx.Now().Before(exp.Time) {
			return errOldSubject
		}
		cust, acct, err := f.socialCustomer(tx, tenant, socialProfile{Email: email, Name: name})
		if err != nil {
			return err
		}
		if !cust.Active {
			return errInactive
		}
		t, err := f.logIn(tx, cust, acct, session)
		out = exchangedTokens{
			SubjectAccessToken: subject, AccessToken: t.AccessToken, SaasToken: t.SaasToken,
			RefreshToken: t.RefreshToken, RefreshTokenExpiresIn: t.RefreshTokenExpiresIn, SessionIdleTime: 3600,
			TokenType: "Bearer", ExpiresIn: t.ExpiresIn, Scope: customerScope + " tenant=" + tenant,
			SessionID: session,
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
