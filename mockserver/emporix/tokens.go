package emporix

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// customerScope is what the real service grants a logged-in customer.
const customerScope = "approval.approval_read_own customermanagement.legalentity_read_own customer.customer_read_own " +
	"quote.quote_read_own returns.returns_read_own iam.scope_read_own iam.user_read_own customersegment.segment_read_own " +
	"iam.group_read_own order.order_readascustomer coupon.coupon_redeem customer.customerprofile_edit quote.quote_manage_own " +
	"returns.returns_manage_own customer.customer_manage_own approval.approval_manage_own order.order_updateascustomer " +
	"iam.assignment_delete_own customer.consent_view customer.customerprofile_view order.history_view " +
	"iam.assignment_create_own customer.consent_manage"

var tenantPattern = regexp.MustCompile(`^[a-z][a-z0-9]{2,15}$`)

// anonymousTokens is the customerlogin answer; a refresh by the deprecated
// anonymous_token has no refresh token.
type anonymousTokens struct {
	TokenType             string `json:"token_type"`
	AccessToken           string `json:"access_token"`
	ExpiresIn             int    `json:"expires_in"`
	RefreshToken          string `json:"refresh_token,omitempty"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in,omitempty"`
	SessionID             string `json:"sessionId"`
	Scope                 string `json:"scope"`
}

// customerTokens is the answer of login, refreshauthtoken and opt-in: the
// snake_case fields of today's API with the deprecated camelCase twins.
type customerTokens struct {
	AccessToken           string `json:"access_token"`
	SaasToken             string `json:"saas_token"`
	ExpiresIn             int    `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in"`
	TokenType             string `json:"token_type"`
	SessionID             string `json:"session_id"`
	InitialPassword       *bool  `json:"initialPassword,omitempty"`

	AccessTokenCamel           string `json:"accessToken"`
	SaasTokenCamel             string `json:"saasToken"`
	ExpiresInCamel             int    `json:"expiresIn"`
	RefreshTokenCamel          string `json:"refreshToken"`
	RefreshTokenExpiresInCamel int    `json:"refreshTokenExpiresIn"`
}

// socialTokens is the answer of the code form of socialLogin; its lifetimes
// are strings, as the real service sends them.
type socialTokens struct {
	SocialAccessToken     string `json:"social_access_token"`
	SocialIDToken         string `json:"social_id_token"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn string `json:"refresh_token_expires_in"`
	SessionIdleTime       int    `json:"session_idle_time"`
	TokenType             string `json:"token_type"`
	AccessToken           string `json:"access_token"`
	SaasToken             string `json:"saas_token"`
	ExpiresIn             string `json:"expires_in"`
	Scope                 string `json:"scope"`
}

func seconds(d time.Duration) int { return int(d / time.Second) }

// ---- customerlogin ----

// queryTenant is the tenant a customerlogin request names in "tenant" or, as
// the official storefront sends it, in "hybris-tenant"; given both, they
// must agree.
func queryTenant(q url.Values) (string, error) {
	tenant, hybris := q.Get("tenant"), q.Get("hybris-tenant")
	if tenant != "" && hybris != "" && tenant != hybris {
		return "", invalid("query", "hybris-tenant", "hybris-tenant '"+hybris+"' is not tenant '"+tenant+"'.") // rendered with badTenant
	}
	tenant = cmp.Or(tenant, hybris)
	if !tenantPattern.MatchString(tenant) {
		return "", badRequest(badTenant)
	}
	return tenant, nil
}

func (f *Face) anonymousLogin(c *face.Call) error {
	q := c.R.URL.Query()
	tenant, err := queryTenant(q)
	if err != nil {
		return err
	}
	var out anonymousTokens
	err = f.id.Write(func(tx *identity.Tx) error {
		// a storefront resuming its session names it (a UUID, as the contract checks)
		session := cmp.Or(q.Get("hybris-session-id"), tx.Random().UUID())
		out = f.issueAnonymous(tx, tenant, q.Get("client_id"), session, true)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// anonymousRefresh renews an anonymous session: by its refresh token, which
// it rotates, or by the deprecated anonymous_token, the session's access
// token (expired or not), which gets a new access token alone. With both,
// refresh_token decides.
func (f *Face) anonymousRefresh(c *face.Call) error {
	q := c.R.URL.Query()
	tenant, err := queryTenant(q)
	if err != nil {
		return err
	}
	refresh, access := q.Get("refresh_token"), q.Get("anonymous_token")
	if refresh == "" && access == "" {
		return invalid("query", "refresh_token", "Query parameter 'refresh_token' (or the deprecated 'anonymous_token') is required.")
	}
	var out anonymousTokens
	err = f.id.Write(func(tx *identity.Tx) error {
		if refresh == "" {
			old, err := tx.Token(access, store.TokenAnonymous)
			if old == nil || (err != nil && !errors.Is(err, identity.ErrExpiredToken)) || old.Tenant != tenant || old.API != API {
				return errInvalidToken
			}
			out = f.issueAnonymous(tx, tenant, q.Get("client_id"), old.SessionID, false)
			return nil
		}
		old, err := tx.Token(refresh, store.TokenAnonymousRefresh)
		if err != nil || old.Tenant != tenant || old.API != API {
			return errBadRefresh
		}
		tx.RevokeToken(old)
		out = f.issueAnonymous(tx, tenant, q.Get("client_id"), old.SessionID, true)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// issueAnonymous issues an anonymous access token in a session, and its
// refresh token when withRefresh.
func (f *Face) issueAnonymous(tx *identity.Tx, tenant, clientID, session string, withRefresh bool) anonymousTokens {
	access := f.newToken(tx, store.TokenAnonymous, tenant, session, 28, AnonymousTTL)
	access.ClientID = clientID
	tx.PutToken(access)
	out := anonymousTokens{TokenType: "Bearer", AccessToken: access.Value, ExpiresIn: seconds(AnonymousTTL),
		SessionID: session, Scope: "tenant=" + tenant}
	if withRefresh {
		refresh := f.newToken(tx, store.TokenAnonymousRefresh, tenant, session, 32, AnonymousRefreshTTL)
		refresh.ClientID = clientID
		tx.PutToken(refresh)
		out.RefreshToken, out.RefreshTokenExpiresIn = refresh.Value, seconds(AnonymousRefreshTTL)
	}
	return out
}

func (f *Face) newToken(tx *identity.Tx, kind, tenant, session string, length int, ttl time.Duration) *store.Token {
	return &store.Token{
		Value: tx.Random().Alnum(length), Kind: kind, API: API, Tenant: tenant, SessionID: session,
		Issued: tx.Now(), Expires: tx.Now().Add(ttl),
	}
}

// ---- customer tokens ----

// logIn records a login of a customer (one without a password: a refresh,
// an opt-in, a social login) and issues its token pair in the caller's
// session.
func (f *Face) logIn(tx *identity.Tx, cust *store.Customer, acct *store.Account, session string) (customerTokens, error) {
	return f.issue(tx, tx.RecordLogin(cust), acct, session)
}

// issue issues a customer's token pair in the caller's session.
func (f *Face) issue(tx *identity.Tx, cust *store.Customer, acct *store.Account, session string) (customerTokens, error) {
	access := f.newToken(tx, store.TokenAccess, cust.Tenant, session, 28, CustomerTTL)
	refresh := f.newToken(tx, store.TokenRefresh, cust.Tenant, session, 32, CustomerRefreshTTL)
	for _, t := range []*store.Token{access, refresh} {
		t.CustomerID, t.AccountID = cust.ID, acct.ID
		tx.PutToken(t)
	}
	saas, err := f.saasToken(cust.Number, tx.Now(), access.Expires)
	if err != nil {
		return customerTokens{}, err
	}
	return customerTokens{
		AccessToken: access.Value, SaasToken: saas, ExpiresIn: seconds(CustomerTTL),
		RefreshToken: refresh.Value, RefreshTokenExpiresIn: seconds(CustomerRefreshTTL),
		TokenType: "Bearer", SessionID: session,
		AccessTokenCamel: access.Value, SaasTokenCamel: saas, ExpiresInCamel: seconds(CustomerTTL),
		RefreshTokenCamel: refresh.Value, RefreshTokenExpiresInCamel: seconds(CustomerRefreshTTL),
	}, nil
}

func (f *Face) saasToken(number string, now, exp time.Time) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": number, "iat": now.Unix(), "exp": exp.Unix(),
	}).SignedString(f.saasKey)
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (f *Face) login(c *face.Call) error {
	var in credentials
	if err := c.Decode(&in); err != nil {
		return err
	}
	tenant, session := c.R.PathValue("tenant"), caller(c).SessionID
	var out customerTokens
	_, err := f.id.Login(API, tenant, in.Email, in.Password, func(tx *identity.Tx, s *identity.Session) (err error) {
		out, err = f.issue(tx, s.Customer, s.Account, session)
		return err
	})
	if err != nil {
		return domainErrors.Answer(err)
	}
	initial := false
	out.InitialPassword = &initial
	return c.JSON(http.StatusOK, out)
}

func (f *Face) logout(c *face.Call) error {
	value := c.R.URL.Query().Get("accessToken")
	me := caller(c)
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		tok, err := tx.Token(value, store.TokenAccess)
		if tok == nil || (err != nil && !errors.Is(err, identity.ErrExpiredToken)) || tok.CustomerID != me.CustomerID {
			return errInvalidToken
		}
		tx.RevokeSession(tok.CustomerID, tok.SessionID)
		return nil
	})
}

func (f *Face) refreshAuthToken(c *face.Call) error {
	value, tenant := c.R.URL.Query().Get("refreshToken"), c.R.PathValue("tenant")
	var out customerTokens
	err := f.id.Write(func(tx *identity.Tx) error {
		old, err := tx.Token(value, store.TokenRefresh)
		if err != nil || old.API != API || old.Tenant != tenant {
			return errBadRefresh
		}
		cust, err := tx.Customer(old.CustomerID)
		if err != nil {
			return errBadRefresh
		}
		acct, err := tx.Account(old.AccountID)
		if err != nil {
			return errBadRefresh
		}
		tx.RevokeToken(old)
		out, err = f.logIn(tx, cust, acct, old.SessionID)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type validation struct {
	TokenType     string `json:"token_type"`
	ExpiresIn     int    `json:"expires_in"`
	Scope         string `json:"scope"`
	SessionID     string `json:"sessionId"`
	Email         string `json:"email,omitempty"`
	LegalEntityID string `json:"legalEntityId,omitempty"`
}

func (f *Face) validateAuthToken(c *face.Call) error {
	tok := caller(c)
	out := validation{TokenType: "Bearer", Scope: "tenant=" + tok.Tenant, SessionID: tok.SessionID}
	err := f.id.Read(func(tx *identity.Tx) error {
		out.ExpiresIn = int(tok.Expires.Sub(tx.Now()) / time.Second)
		if tok.Kind != store.TokenAccess {
			return nil
		}
		out.Scope = customerScope + " " + out.Scope
		cust, err := customerOf(tx, tok)
		if err != nil {
			return err
		}
		if acct, err := tx.Account(tok.AccountID); err == nil {
			out.Email = acct.Email
		}
		out.LegalEntityID = legalEntity(cust.Profile)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// legalEntity is the id of the customer's first B2B legal entity, or "".
func legalEntity(profile map[string]any) string {
	b2b, _ := profile["b2b"].(map[string]any)
	entities, _ := b2b["legalEntities"].([]any)
	if len(entities) == 0 {
		return ""
	}
	first, _ := entities[0].(map[string]any)
	id, _ := first["id"].(string)
	return id
}

// ---- social login ----

type socialProfile struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Picture  string `json:"picture"`
	Provider string `json:"provider"`
}

func (f *Face) socialLogin(c *face.Call) error {
	code := c.R.URL.Query().Get("code")
	if code != "" {
		return f.socialCodeLogin(c, code)
	}
	var in socialProfile
	if err := c.Decode(&in); err != nil {
		return err
	}
	if c.R.Header.Get("session-id") == "" {
		return badRequest("Header 'session-id' is required.")
	}
	if in.Email == "" {
		return badRequest("Either the query parameter 'code' or a body with 'email' is required.")
	}
	var number string
	err := f.id.Write(func(tx *identity.Tx) error {
		cust, _, err := f.socialCustomer(tx, c.R.PathValue("tenant"), in)
		if err == nil {
			number = cust.Number
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"customerNumber": number})
}

func (f *Face) socialCodeLogin(c *face.Call, code string) error {
	sum := sha256.Sum256([]byte(code))
	subject := hex.EncodeToString(sum[:])[:12]
	who := socialProfile{Email: "social-" + subject + "@social.doppel.test", Name: "Social " + subject, Provider: "doppel"}
	session := caller(c).SessionID
	if s := c.R.Header.Get("session-id"); s != "" {
		session = s
	}
	var out socialTokens
	err := f.id.Write(func(tx *identity.Tx) error {
		cust, acct, err := f.socialCustomer(tx, c.R.PathValue("tenant"), who)
		if err != nil {
			return err
		}
		t, err := f.logIn(tx, cust, acct, session)
		if err != nil {
			return err
		}
		claims := jwt.MapClaims{"iss": "https://social.doppel.test/", "sub": "doppel|" + subject,
			"email": who.Email, "iat": tx.Now().Unix(), "exp": tx.Now().Add(time.Hour).Unix()}
		access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(f.saasKey)
		if err != nil {
			return err
		}
		claims["name"] = who.Name
		idToken, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(f.saasKey)
		out = socialTokens{
			SocialAccessToken: access, SocialIDToken: idToken, RefreshToken: t.RefreshToken,
			RefreshTokenExpiresIn: strconv.Itoa(t.RefreshTokenExpiresIn), SessionIdleTime: 3600,
			TokenType: "Bearer", AccessToken: t.AccessToken, SaasToken: t.SaasToken,
			ExpiresIn: strconv.Itoa(t.ExpiresIn), Scope: "tenant=" + cust.Tenant,
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// socialCustomer finds the customer of a social identity, signing it up
// (active, without a password) on first sight.
func (f *Face) socialCustomer(tx *identity.Tx, tenant string, who socialProfile) (*store.Customer, *store.Account, error) {
	if acct, err := tx.AccountByEmail(API, tenant, who.Email); err == nil {
		cust, err := tx.Customer(acct.CustomerID)
		return cust, acct, err
	}
	profile := map[string]any{"contactEmail": who.Email}
	first, last, _ := strings.Cut(strings.TrimSpace(who.Name), " ")
	if first != "" {
		profile["firstName"] = first
	}
	if last != "" {
		profile["lastName"] = last
	}
	return tx.CreateCustomer(identity.NewCustomer{
		API: API, Tenant: tenant, NumberDigits: numberDigits, Email: who.Email, Active: true, Profile: profile,
	})
}

// write runs fn in a write transaction and answers status with no body.
func (f *Face) write(c *face.Call, status int, fn func(tx *identity.Tx) error) error {
	if err := f.id.Write(fn); err != nil {
		return err
	}
	return c.Status(status)
}
