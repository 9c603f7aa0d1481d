// Package openloyalty is the face of the Open Loyalty security API: admin,
// customer and seller logins with RS256 JWTs and refresh tokens, password
// change and reset, logout — HTTP to domain and back, in Open Loyalty's
// error dialect.
package openloyalty

import (
	"crypto/rsa"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// API is the face's name in the store, the mailbox and the admin API.
const API = "openloyalty"

// Tenants of the users outside any store, in the store and the mailbox: no
// store code can take them, as store codes start with a letter or a digit.
const (
	AdminTenant  = "_admin"  // the (global) admins
	SellerTenant = "_seller" // the (global) sellers, the staff of points of sale
)

// DefaultStore is the store of the customer paths without a store code
// (Open Loyalty 3.x's).
const DefaultStore = "DEFAULT"

// Lifetimes as the real service has them.
const (
	TokenTTL    = 24 * time.Hour      // JWT
	RefreshTTL  = 30 * 24 * time.Hour // refresh token, from its last use
	ResetWindow = 24 * time.Hour      // between two reset requests; also the reset token's life
)

// Roles in the JWT, and the account roles in the store.
const (
	RoleAdmin    = "ROLE_ADMIN"
	RoleCustomer = "ROLE_PARTICIPANT"
	RoleSeller   = "ROLE_SELLER"
)

// MailPasswordReset is the mailbox kind of reset tokens.
const MailPasswordReset = "password_reset"

var storePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// kind is a kind of user; each has its user provider, its login and its
// firewall in the service.
type kind int

const (
	customerKind kind = iota // of a store; logs in by e-mail, phone or id
	adminKind                // global; logs in by username or e-mail
	sellerKind               // global; logs in by e-mail or id
)

func kindOf(u *store.Customer) kind {
	switch u.Tenant {
	case AdminTenant:
		return adminKind
	case SellerTenant:
		return sellerKind
	}
	return customerKind
}

func (k kind) role() string {
	return [...]string{customerKind: RoleCustomer, adminKind: RoleAdmin, sellerKind: RoleSeller}[k]
}

// tenant is the tenant of the users of kind k a request addresses.
func (k kind) tenant(r *http.Request) string {
	switch k {
	case adminKind:
		return AdminTenant
	case sellerKind:
		return SellerTenant
	}
	if code := r.PathValue("storeCode"); code != "" {
		return code
	}
	return DefaultStore
}

// Face serves the Open Loyalty endpoints.
type Face struct {
	id  *identity.Service
	key func() *rsa.PrivateKey // signs the JWTs
}

// New returns the face over a domain service. opts.Key signs the JWTs; when
// nil a key is generated on first use.
func New(id *identity.Service, opts Options) *Face {
	return &Face{id: id, key: signingKey(opts.Key)}
}

// Name implements face.Face.
func (*Face) Name() string { return API }

// Prefixes implements face.Face.
func (*Face) Prefixes() []string { return []string{"/api/"} }

// Tenant implements face.Face: the store code of the path (DefaultStore on
// the customer paths without one), AdminTenant or SellerTenant on the admin
// and seller paths, else "" (the user is known only from the token).
func (*Face) Tenant(r *http.Request) string {
	if code := r.PathValue("storeCode"); code != "" {
		return code
	}
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/api/admin/"):
		return AdminTenant
	case strings.HasPrefix(p, "/api/seller/"):
		return SellerTenant
	case strings.HasPrefix(p, "/api/customer/"):
		return DefaultStore
	}
	return ""
}

// Routes implements face.Face. The paths without a store code are Open
// Loyalty 3.x's, which its cockpits call; the customer ones address
// DefaultStore. /api/token/revoke is behind the admin firewall; customer
// registration takes an admin's or a seller's JWT, the seller API (3.x's
// SellerController: registration, activation) an admin's.
func (f *Face) Routes() []face.Route {
	admins, customers, sellers := f.auth(adminKind), f.auth(customerKind), f.auth(sellerKind)
	registrars, sellerAdmins := f.granting(adminKind, sellerKind), f.granting(adminKind)
	return []face.Route{
		{Method: "POST", Path: "/api/admin/login_check", Handle: f.loginOf(adminKind)},
		{Method: "POST", Path: "/api/customer/login_check", Handle: f.loginOf(customerKind)},
		{Method: "POST", Path: "/api/seller/login_check", Handle: f.loginOf(sellerKind)},
		{Method: "POST", Path: "/api/{storeCode}/customer/login_check", Handle: f.loginOf(customerKind)},
		{Method: "POST", Path: "/api/token/refresh", Handle: f.refresh},
		{Method: "GET", Path: "/api/token/revoke", Auth: admins, Handle: f.revoke},
		{Method: "POST", Path: "/api/customer/password/reset/request", Handle: f.customerResetRequest},
		{Method: "POST", Path: "/api/{storeCode}/customer/password/reset/request", Handle: f.customerResetRequest},
		{Method: "POST", Path: "/api/password/reset/request", Handle: f.anyResetRequest},
		{Method: "POST", Path: "/api/password/reset", Handle: f.reset},
		{Method: "POST", Path: "/api/customer/password/change", Auth: customers, Handle: f.change},
		{Method: "POST", Path: "/api/{storeCode}/customer/password/change", Auth: customers, Handle: f.change},
		{Method: "POST", Path: "/api/admin/password/change", Auth: admins, Handle: f.change},
		{Method: "POST", Path: "/api/{storeCode}/admin/password/change", Auth: admins, Handle: f.change},
		{Method: "POST", Path: "/api/seller/password/change", Auth: sellers, Handle: f.change},
		{Method: "POST", Path: "/api/customer/register", Auth: registrars, Handle: f.register},
		{Method: "POST", Path: "/api/{storeCode}/customer/register", Auth: registrars, Handle: f.register},
		{Method: "POST", Path: "/api/seller/register", Auth: sellerAdmins, Handle: f.registerSeller},
		{Method: "POST", Path: "/api/seller/{seller}/activate", Auth: sellerAdmins, Handle: f.activateSeller(true)},
		{Method: "POST", Path: "/api/seller/{seller}/deactivate", Auth: sellerAdmins, Handle: f.activateSeller(false)},
	}
}
