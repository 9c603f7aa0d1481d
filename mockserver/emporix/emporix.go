// Package emporix is the face of the Emporix customer service
// (customer-managed) and its customerlogin anonymous tokens: HTTP to domain
// and back, in Emporix's JSON shapes and error dialect.
package emporix

import (
	"cmp"
	"net/http"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// API is the face's name in the store, the mailbox and the admin API.
const API = "emporix"

// Lifetimes as the real service reports them.
const (
	AnonymousTTL        = 3599 * time.Second
	AnonymousRefreshTTL = 86399 * time.Second
	CustomerTTL         = 2591999 * time.Second
	CustomerRefreshTTL  = 86399 * time.Second
	resetTTL            = time.Hour
	deletionTTL         = time.Hour
	optInTTL            = 24 * time.Hour
	emailChangeTTL      = 24 * time.Hour
)

// Mailbox kinds of this face.
const (
	MailPasswordReset   = "password_reset"
	MailEmailChange     = "email_change"
	MailSignupOptIn     = "signup_optin"
	MailAccountDeletion = "account_deletion"
)

// Face serves the Emporix endpoints.
type Face struct {
	id      *identity.Service
	saasKey []byte // HS256 key of saas_token and the social tokens
}

// New returns the face over a domain service.
func New(id *identity.Service) *Face {
	return &Face{id: id, saasKey: id.Rand.Bytes(32)}
}

// Name implements face.Face.
func (*Face) Name() string { return API }

// Prefixes implements face.Face.
func (*Face) Prefixes() []string { return []string{"/customer/", "/customerlogin/"} }

// ToleratesTrailingSlash implements face.SlashTolerant: Emporix's API
// gateway answers "/customer/{tenant}/password/reset/" as the path without
// the slash (the official storefront posts its password reset there).
func (*Face) ToleratesTrailingSlash() bool { return true }

// Tenant implements face.Face: the tenant of a /customer/{tenant}/… path
// (a route's or not), or of the query on the customerlogin endpoints.
func (*Face) Tenant(r *http.Request) string {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/customer/"); ok {
		tenant, _, _ := strings.Cut(rest, "/")
		return tenant
	}
	q := r.URL.Query()
	return cmp.Or(q.Get("tenant"), q.Get("hybris-tenant"))
}

// Routes implements face.Face.
func (f *Face) Routes() []face.Route {
	anyToken := f.auth(store.TokenAnonymous, store.TokenAccess)
	customer := f.auth(store.TokenAccess)
	const t = "/customer/{tenant}"
	return []face.Route{
		{Method: "GET", Path: "/customerlogin/auth/anonymous/login", Handle: f.anonymousLogin},
		{Method: "GET", Path: "/customerlogin/auth/anonymous/refresh", Handle: f.anonymousRefresh},
		{Method: "POST", Path: t + "/signup", Auth: anyToken, Handle: f.signup},
		{Method: "POST", Path: t + "/login", Auth: anyToken, Handle: f.login},
		{Method: "GET", Path: t + "/logout", Auth: customer, Handle: f.logout},
		{Method: "GET", Path: t + "/refreshauthtoken", Auth: anyToken, Handle: f.refreshAuthToken},
		{Method: "GET", Path: t + "/validateauthtoken", Auth: anyToken, Handle: f.validateAuthToken},
		{Method: "POST", Path: t + "/exchangeauthtoken", Auth: anyToken, Handle: f.exchangeAuthToken},
		{Method: "POST", Path: t + "/socialLogin", Auth: anyToken, Handle: f.socialLogin},
		{Method: "GET", Path: t + "/signup/optin/{token}", Auth: anyToken, Handle: f.optIn},
		{Method: "POST", Path: t + "/signup/optin/refresh_token", Auth: anyToken, Handle: f.optInResend},
		{Method: "GET", Path: t + "/me", Auth: anyToken, Handle: f.getMe},
		{Method: "PATCH", Path: t + "/me", Auth: customer, Handle: f.patchMe},
		{Method: "DELETE", Path: t + "/me", Auth: customer, Handle: f.deleteMe},
		{Method: "POST", Path: t + "/me/accounts/internal", Auth: customer, Handle: f.addAccount},
		{Method: "POST", Path: t + "/me/accounts/internal/email/change", Auth: customer, Handle: f.emailChange},
		{Method: "POST", Path: t + "/me/accounts/internal/email/change/confirm", Auth: anyToken, Handle: f.emailChangeConfirm},
		{Method: "POST", Path: t + "/me/addresses", Auth: customer, Handle: f.addAddress},
		{Method: "GET", Path: t + "/me/addresses", Auth: customer, Handle: f.listAddresses},
		{Method: "GET", Path: t + "/me/addresses/{addressId}", Auth: customer, Handle: f.getAddress},
		{Method: "PATCH", Path: t + "/me/addresses/{addressId}", Auth: customer, Handle: f.patchAddress},
		{Method: "PUT", Path: t + "/me/addresses/{addressId}", Auth: customer, Handle: f.patchAddress},
		{Method: "DELETE", Path: t + "/me/addresses/{addressId}", Auth: customer, Handle: f.deleteAddress},
		{Method: "POST", Path: t + "/me/addresses/{addressId}/tags", Auth: customer, Handle: f.addTags},
		{Method: "DELETE", Path: t + "/me/addresses/{addressId}/tags", Auth: customer, Handle: f.removeTags},
		{Method: "POST", Path: t + "/password/reset", Auth: anyToken, Handle: f.passwordReset},
		{Method: "POST", Path: t + "/password/reset/update", Auth: anyToken, Handle: f.passwordResetUpdate},
		{Method: "POST", Path: t + "/password/change", Auth: customer, Handle: f.passwordChange},
	}
}

// auth accepts a bearer token of one of kinds, issued for the path's tenant.
func (f *Face) auth(kinds ...string) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		value := face.BearerToken(r, "Bearer")
		if value == "" {
			return nil, errInvalidToken
		}
		var tok *store.Token
		err := f.id.Read(func(tx *identity.Tx) (err error) {
			tok, err = tx.Bearer(API, r.PathValue("tenant"), value, kinds...)
			return err
		})
		if err != nil {
			return nil, domainErrors.Answer(err)
		}
		return tok, nil
	}
}

// caller is the token a route's Auth accepted.
func caller(c *face.Call) *store.Token { return c.Auth.(*store.Token) }

// customerOf loads the calling customer inside a transaction.
func customerOf(tx *identity.Tx, tok *store.Token) (*store.Customer, error) {
	cust, err := tx.Customer(tok.CustomerID)
	if err != nil {
		return nil, errInvalidToken // deleted meanwhile
	}
	return cust, nil
}
