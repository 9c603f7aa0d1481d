// Package accounts is the face of the Customer Accounts API (seed 000):
// Greedbag's customers API (api.greedbag.com/docs/customers), the customer
// area of a Greedbag retailer's shop under /customers/, with its
// {"result":…} envelopes and its own error body. Every call addresses the
// retailer its Origin header names (see retailers.go).
package accounts

import (
	"net/http"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// API is the face's name in the store, the mailbox and the admin API.
const API = "accounts"

// Lifetimes the seed leaves open.
const (
	TokenTTL       = 24 * time.Hour
	ResetTTL       = time.Hour
	EmailChangeTTL = 24 * time.Hour
	// ActivationTTL is in effect forever: only seeding makes pending
	// customers, seeding dates their secrets at seed.Epoch, and a seed
	// must work whenever it is loaded.
	ActivationTTL = 100 * 365 * 24 * time.Hour
)

// Mailbox kinds of this face; each is also the kind of its one-time code.
const (
	MailActivation    = "activation"
	MailEmailChange   = "email_change"
	MailPasswordReset = "password_reset"
)

// Face serves the Customer Accounts endpoints.
type Face struct{ id *identity.Service }

// New returns the face over a domain service.
func New(id *identity.Service) *Face { return &Face{id: id} }

// Name implements face.Face.
func (*Face) Name() string { return API }

// Prefixes implements face.Face; the bare /customers is claimed too, so
// that it gets a 404 in this dialect instead of the mux's redirect.
func (*Face) Prefixes() []string { return []string{"/customers/", "/customers"} }

// Tenant implements face.Face: the retailer the request's Origin names, ""
// for an origin of no retailer.
func (f *Face) Tenant(r *http.Request) string {
	s, err := f.resolve(r)
	if err != nil {
		return ""
	}
	return s.name
}

// Routes implements face.Face. Every route resolves its retailer before the
// body is looked at (public), and those that require it the token (auth).
func (f *Face) Routes() []face.Route {
	return []face.Route{
		{Method: "POST", Path: "/customers/login", Auth: f.public, Handle: f.login},
		{Method: "GET", Path: "/customers/self", Auth: f.auth, Handle: f.getSelf},
		{Method: "PATCH", Path: "/customers/self", Auth: f.auth, Handle: f.patchSelf},
		{Method: "DELETE", Path: "/customers/self", Auth: f.auth, Handle: f.deleteSelf},
		{Method: "POST", Path: "/customers/newemail_confirm", Auth: f.public, Handle: f.confirmNewEmail},
		{Method: "POST", Path: "/customers/password_reset", Auth: f.public, Handle: f.passwordReset},
		{Method: "POST", Path: "/customers/do_reset", Auth: f.public, Handle: f.doReset},
		{Method: "POST", Path: "/customers/activate", Auth: f.public, Handle: f.activate},
	}
}

// ---- authentication ----

// public resolves the retailer of a request (its scope).
func (f *Face) public(r *http.Request) (any, error) { return f.resolve(r) }

// auth resolves the retailer, then accepts "Authorization: Bearer <token>"
// or "Token <token>" with a live token of that retailer.
func (f *Face) auth(r *http.Request) (any, error) {
	var s *scope
	err := f.id.Read(func(tx *identity.Tx) (err error) {
		if s, err = resolveIn(tx, r.Header.Get("Origin")); err != nil {
			return err
		}
		value := face.BearerToken(r, "Bearer", "Token")
		if value == "" {
			return errNoToken
		}
		tok, err := tx.Bearer(API, s.name, value, store.TokenAccess)
		if err != nil {
			return domainErrors.Answer(err)
		}
		s.token = tok
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// caller is the scope a route's Auth resolved.
func caller(c *face.Call) *scope { return c.Auth.(*scope) }

// Identifier returns the customer id of a retailer's login, the identifier
// its activation and e-mail change mails carry.
func (f *Face) Identifier(retailer, email string) (string, error) {
	var id string
	err := f.id.Read(func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, retailer, email)
		if err != nil {
			return err
		}
		cust, err := tx.Customer(acct.CustomerID)
		if err == nil {
			id = cust.Number
		}
		return err
	})
	return id, err
}
