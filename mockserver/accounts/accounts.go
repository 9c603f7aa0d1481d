// Package accounts is the face of the Customer Accounts API (seed 000):
// Greedbag's customers API (api.greedbag.com/docs/customers), the customer
// area of a Greedbag retailer's shop under /customers/, with its
// {"result":…} envelopes and its own error body. Every call addresses the
// retailer its Origin header names (see retailers.go).
package accounts

import (
	"fmt"
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
const API = "accounts"

// Lifetimes the seed leaves open.
const (
	TokenTTL       = 24 * time.Hour
	ResetTTL       = time.Hour
	EmailChangeTTL = 24 * time.Hour
	// ActivationTTL is in effect forever: only seeding makes pending
	// customers, seeding dates their secrets at fixtures.Epoch, and a seed
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

// ---- the dialect ----

// errorResponse is the face's one error body.
type errorResponse struct {
	Result  string       `json:"result"` // always "error"
	Error   string       `json:"error"`
	Message string       `json:"message"`
	Fields  []fieldError `json:"fields,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Render implements face.Face: every failure as an errorResponse.
func (*Face) Render(w http.ResponseWriter, p *face.Problem) {
	switch {
	case p.Status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="customers"`)
	case p.Allow != "":
		w.Header().Set("Allow", p.Allow)
	}
	body := errorResponse{Result: "error", Error: p.Type, Message: p.Message}
	if len(p.Violations) > 0 {
		var parts []string
		for _, v := range p.Violations {
			for _, fe := range fieldErrors(v) {
				body.Fields = append(body.Fields, fe)
				parts = append(parts, fe.Field+": "+fe.Message)
			}
			if v.Field == "" && additional.FindStringSubmatch(v.Message) == nil {
				parts = append(parts, v.Message)
			}
		}
		body.Message = "Invalid request: " + strings.Join(parts, "; ") + "."
	}
	face.WriteJSON(w, p.Status, body)
}

var (
	additional = regexp.MustCompile(`^additional propert(?:y|ies) (.+) not allowed$`)
	missing    = regexp.MustCompile(`^missing propert(?:y|ies) ('.+)$`)
	quoted     = regexp.MustCompile(`'([^']*)'`)
)

// fieldErrors names the fields of a contract violation; an object with
// fields it does not allow, or without fields it requires, names each.
func fieldErrors(v contracts.Violation) []fieldError {
	if m := additional.FindStringSubmatch(v.Message); m != nil {
		var out []fieldError
		for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
			out = append(out, fieldError{Field: strings.TrimPrefix(v.Field+"."+q[1], "."), Message: "field not allowed"})
		}
		return out
	}
	if m := missing.FindStringSubmatch(v.Message); m != nil {
		names := quoted.FindAllStringSubmatch(m[1], -1)
		// the violation's field is the object's path plus the first name
		object := strings.TrimSuffix(strings.TrimSuffix(v.Field, names[0][1]), ".")
		var out []fieldError
		for _, q := range names {
			out = append(out, fieldError{Field: strings.TrimPrefix(object+"."+q[1], "."), Message: "missing property '" + q[1] + "'"})
		}
		return out
	}
	if v.Field == "" {
		return nil
	}
	return []fieldError{{Field: v.Field, Message: v.Message}}
}

func problem(status int, code, message string) *face.Problem {
	return &face.Problem{Status: status, Type: code, Message: message}
}

var (
	errNoToken     = problem(http.StatusUnauthorized, "unauthorized", "Authorization required: send the login token as Authorization: Bearer (or Token).")
	errBadToken    = problem(http.StatusUnauthorized, "unauthorized", "The token is unknown, expired or revoked.")
	errBadLogin    = problem(http.StatusUnauthorized, "invalid_credentials", "The e-mail or password is not valid.")
	errLocked      = problem(http.StatusUnauthorized, "invalid_credentials", "The account is locked.") // the contract's codes have none for it
	errEmailTaken  = problem(http.StatusConflict, "email_taken", "The e-mail address is already in use.")
	errBadKey      = problem(http.StatusBadRequest, "invalid_key", "The identifier and key do not match a pending e-mail change, or the key is used or expired.")
	errBadCode     = problem(http.StatusBadRequest, "invalid_code", "The e-mail and code do not match a password reset, or the code is used or expired.")
	errBadSecret   = problem(http.StatusBadRequest, "invalid_secret", "The identifier and secret do not match a pending activation, or the secret is used or expired.")
	errMismatch    = problem(http.StatusBadRequest, "password_mismatch", "password and password_check differ.")
	errActive      = problem(http.StatusConflict, "already_active", "The account is already active.")
	errBadResetURI = problem(http.StatusBadRequest, "invalid_reset_uri",
		"reset_uri must be a page of the retailer's own client application: a path, or an http(s) URL on one of its origins.")
)

// errOrigin refuses a request whose Origin is no retailer's.
func errOrigin(origin string) *face.Problem {
	return problem(http.StatusForbidden, "invalid_origin", fmt.Sprintf("The origin %q is not the shop domain of a retailer.", origin))
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
			return errBadToken
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
