// Package emporix is the face of the Emporix customer service
// (customer-managed) and its customerlogin anonymous tokens: HTTP to domain
// and back, in Emporix's JSON shapes and error dialect.
package emporix

import (
	"cmp"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/contracts"
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

// ---- the dialect ----

// errorMessage is Emporix's ErrorMessage body.
type errorMessage struct {
	Status  int      `json:"status"`
	Type    string   `json:"type"`
	Message string   `json:"message"`
	Details []detail `json:"details,omitempty"`
}

type detail struct {
	Field   string `json:"field,omitempty"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// fault is the API gateway's 401 body.
type fault struct {
	Fault struct {
		FaultString string `json:"faultstring"`
		Detail      struct {
			ErrorCode string `json:"errorcode"`
		} `json:"detail"`
	} `json:"fault"`
}

const badTenant = "The tenant information provided with the request is not valid."

// Render implements face.Face: 401s in the gateway's fault shape, every
// other failure as an ErrorMessage.
func (*Face) Render(w http.ResponseWriter, p *face.Problem) {
	if p.Status == http.StatusUnauthorized {
		var body fault
		body.Fault.FaultString, body.Fault.Detail.ErrorCode = p.Message, p.Type
		w.Header().Set("WWW-Authenticate", `Bearer realm="emporix"`)
		face.WriteJSON(w, p.Status, body)
		return
	}
	if p.Allow != "" {
		w.Header().Set("Allow", p.Allow)
	}
	body := errorMessage{Status: p.Status, Type: p.Type, Message: p.Message}
	for _, v := range p.Violations {
		if v.Field == "tenant" || v.Field == "hybris-tenant" {
			body.Message = badTenant
		}
		body.Details = append(body.Details, detail{Field: v.Field, Type: "invalid_" + v.In, Message: v.Message})
	}
	face.WriteJSON(w, p.Status, body)
}

func unauthorized(message, code string) *face.Problem {
	return face.Errorf(http.StatusUnauthorized, code, "%s", message)
}

var (
	errInvalidToken = unauthorized("Invalid access token", "oauth.v2.InvalidAccessToken")
	errExpiredToken = unauthorized("Access Token expired", "keymanagement.service.access_token_expired")
	errBadLogin     = unauthorized("Invalid credentials", "customer.invalid_credentials")
	errInactive     = unauthorized("Customer account is not active", "customer.inactive_account")
	errLocked       = unauthorized("Customer account is locked", "customer.account_locked")
	errBadRefresh   = unauthorized("Invalid refresh token", "oauth.v2.InvalidRefreshToken")
	errBadSubject   = unauthorized("Invalid subject access token", "customer.invalid_subject_token")
	errOldSubject   = unauthorized("Subject access token expired", "customer.subject_token_expired")
)

func badRequest(format string, args ...any) *face.Problem {
	return face.Errorf(http.StatusBadRequest, "bad_request", format, args...)
}

// invalid is a 400 naming one field, with the field in details as contract
// violations are.
func invalid(in, field, message string) *face.Problem {
	return &face.Problem{Status: http.StatusBadRequest, Type: "bad_request", Message: message,
		Violations: []contracts.Violation{{In: in, Field: field, Message: message}}}
}

func conflict(format string, args ...any) *face.Problem {
	return face.Errorf(http.StatusConflict, "conflict_resource", format, args...)
}

func duplicate(email, tenant string) *face.Problem {
	return conflict("Duplicate account '%s' for tenant '%s'.", email, tenant)
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
		switch {
		case errors.Is(err, identity.ErrExpiredToken):
			return nil, errExpiredToken
		case err != nil:
			return nil, errInvalidToken
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
