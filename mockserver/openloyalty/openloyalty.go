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

	"github.com/doppel-dev/doppel/contracts"
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

// ---- the dialect ----

// Problem types, one per body shape of the dialect; any other type is
// rendered as a framework HTTP error.
const (
	typeCredentials = "bad_credentials" // {"message"}
	typeJWT         = "jwt"             // {"code","message"} with WWW-Authenticate
	typeCode        = "code_message"    // {"code","message"}
	typeError       = "error"           // {"error":"…"}
	typeForm        = "form"            // Symfony form errors, from Violations
)

var (
	errBadCredentials = face.Errorf(http.StatusUnauthorized, typeCredentials, "Bad credentials.")
	errLocked         = face.Errorf(http.StatusUnauthorized, typeCredentials, "Account is locked.") // Symfony's LockedException
	errSellerInactive = face.Errorf(http.StatusBadRequest, typeCredentials, "Your account is not active")
	errBadRefresh     = face.Errorf(http.StatusUnauthorized, typeCode, "Bad credentials")
	errNotFound       = &face.Problem{Status: http.StatusNotFound} // exactly {"error":{"code":404,"message":"Not Found"}}
	errRequested      = face.Errorf(http.StatusBadRequest, typeError, "resetting password already requested")
)

func emptyField(name string) *face.Problem {
	return face.Errorf(http.StatusBadRequest, typeError, "field %q should not be empty", name)
}

// formError is a Symfony form's answer listing every field of the form, with
// the messages of those that failed; nil when none failed. Fields of a
// compound field are "address.street"; the messages of "" are the form's own.
func formError(fields []string, failed map[string][]string) error {
	if len(failed) == 0 {
		return nil
	}
	return formProblem(fields, failed)
}

// formProblem is formError's answer, also when nothing failed (a form that
// was not submitted).
func formProblem(fields []string, failed map[string][]string) *face.Problem {
	p := &face.Problem{Status: http.StatusBadRequest, Type: typeForm, Message: "Validation Failed"}
	for _, m := range failed[""] {
		p.Violations = append(p.Violations, contracts.Violation{In: "form", Message: m})
	}
	for _, field := range fields {
		p.Violations = append(p.Violations, contracts.Violation{In: "form", Field: field}) // present even when valid
		for _, m := range failed[field] {
			p.Violations = append(p.Violations, contracts.Violation{In: "form", Field: field, Message: m})
		}
	}
	return p
}

// reason is Symfony's reason phrase of a status.
func reason(status int) string {
	if status == http.StatusRequestEntityTooLarge {
		return "Payload Too Large" // Go still says "Request Entity Too Large"
	}
	return http.StatusText(status)
}

type codeMessage struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type httpError struct {
	Error struct {
		Code      int         `json:"code"`
		Message   string      `json:"message"`
		Exception []exception `json:"exception,omitempty"`
	} `json:"error"`
}

type exception struct {
	Message string `json:"message"`
}

// formNode is a form, or one of its fields, in Symfony's (JMS serializer's)
// form errors: its messages and, for a compound one, its children.
type formNode struct {
	Errors   []string             `json:"errors,omitempty"`
	Children map[string]*formNode `json:"children,omitempty"`
}

// formErrors is the answer of a form that failed: the form's tree, and the
// form's own messages again at the top.
type formErrors struct {
	Form   formNode `json:"form"`
	Errors []string `json:"errors"`
}

// Render implements face.Face. Framework errors (contract violations, 404,
// 405, 413, 415) carry the reason phrase and, as Symfony's debug mode does,
// the cause under "exception".
func (*Face) Render(w http.ResponseWriter, p *face.Problem) {
	switch p.Type {
	case typeCredentials:
		face.WriteJSON(w, p.Status, map[string]string{"message": p.Message})
	case typeJWT:
		w.Header().Set("WWW-Authenticate", "Bearer")
		fallthrough
	case typeCode:
		face.WriteJSON(w, p.Status, codeMessage{Code: p.Status, Message: p.Message})
	case typeError:
		face.WriteJSON(w, p.Status, map[string]string{"error": p.Message})
	case typeForm:
		body := formErrors{Errors: []string{}}
		for _, v := range p.Violations {
			n := &body.Form
			if v.Field != "" {
				for part := range strings.SplitSeq(v.Field, ".") {
					if n.Children == nil {
						n.Children = map[string]*formNode{}
					}
					if n.Children[part] == nil {
						n.Children[part] = &formNode{}
					}
					n = n.Children[part]
				}
			}
			if v.Message != "" {
				n.Errors = append(n.Errors, v.Message)
				if n == &body.Form {
					body.Errors = append(body.Errors, v.Message)
				}
			}
		}
		face.WriteJSON(w, p.Status, body)
	default:
		if p.Allow != "" {
			w.Header().Set("Allow", p.Allow)
		}
		var body httpError
		body.Error.Code, body.Error.Message = p.Status, reason(p.Status)
		for _, v := range p.Violations {
			body.Error.Exception = append(body.Error.Exception, exception{v.String()})
		}
		if len(p.Violations) == 0 && p.Message != "" {
			body.Error.Exception = []exception{{p.Message}}
		}
		face.WriteJSON(w, p.Status, body)
	}
}
