// Package accounts is the face of the Customer Accounts API (seed 000): the
// customer area of a subscription service under /customers/, with its
// {"result":…} envelopes and its own error body.
package accounts

import (
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

// Tenant is the face's one namespace (the API has no tenants).
const Tenant = "default"

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

// Tenant implements face.Face: always the one namespace.
func (*Face) Tenant(*http.Request) string { return Tenant }

// Routes implements face.Face.
func (f *Face) Routes() []face.Route {
	return []face.Route{
		{Method: "POST", Path: "/customers/login", Handle: f.login},
		{Method: "GET", Path: "/customers/self", Auth: f.auth, Handle: f.getSelf},
		{Method: "PATCH", Path: "/customers/self", Auth: f.auth, Handle: f.patchSelf},
		{Method: "DELETE", Path: "/customers/self", Auth: f.auth, Handle: f.deleteSelf},
		{Method: "POST", Path: "/customers/newemail_confirm", Handle: f.confirmNewEmail},
		{Method: "POST", Path: "/customers/password_reset", Handle: f.passwordReset},
		{Method: "POST", Path: "/customers/do_reset", Handle: f.doReset},
		{Method: "POST", Path: "/customers/activate", Handle: f.activate},
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
	errBadResetURI = problem(http.StatusBadRequest, "bad_request", "reset_uri must be a path or an http(s) URL.")
)

// ---- authentication ----

// auth accepts "Authorization: Bearer <token>" or "Token <token>" with a
// live token of this face.
func (f *Face) auth(r *http.Request) (any, error) {
	value := face.BearerToken(r, "Bearer", "Token")
	if value == "" {
		return nil, errNoToken
	}
	var tok *store.Token
	err := f.id.Read(func(tx *identity.Tx) (err error) {
		tok, err = tx.Token(value, store.TokenAccess)
		return err
	})
	if err != nil || tok.API != API {
		return nil, errBadToken
	}
	return tok, nil
}

// caller is the token a route's Auth accepted.
func caller(c *face.Call) *store.Token { return c.Auth.(*store.Token) }

// Identifier returns the customer id of a login, the identifier its
// activation and e-mail change mails carry.
func (f *Face) Identifier(email string) (string, error) {
	var id string
	err := f.id.Read(func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, Tenant, email)
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
