package accounts

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// The face's error codes, an errorResponse's "error"; the pipeline's
// (face.Code…) appear there as they are.
const (
	codeUnauthorized = "unauthorized"
	codeBadLogin     = "invalid_credentials"
	codeEmailTaken   = "email_taken"
	codeBadKey       = "invalid_key"
	codeBadCode      = "invalid_code"
	codeBadSecret    = "invalid_secret"
	codeMismatch     = "password_mismatch"
	codeActive       = "already_active"
	codeBadResetURI  = "invalid_reset_uri"
	codeOrigin       = "invalid_origin"
)

// domainErrors is the face's answer to each domain error.
var domainErrors = face.ErrorMap{
	identity.ErrBadCredentials: errBadLogin,
	identity.ErrInactive:       errBadLogin, // a pending account has no password yet: it is refused like an unknown one
	identity.ErrLocked:         errLocked,
	identity.ErrDuplicate:      errEmailTaken,
	identity.ErrInvalidToken:   errBadToken,
	identity.ErrExpiredToken:   errBadToken,
	identity.ErrNotFound:       errBadToken, // the caller, deleted meanwhile
}

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
	body := errorResponse{Result: "error", Error: p.Code, Message: p.Message}
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
	return &face.Problem{Status: status, Code: code, Message: message}
}

var (
	errNoToken     = problem(http.StatusUnauthorized, codeUnauthorized, "Authorization required: send the login token as Authorization: Bearer (or Token).")
	errBadToken    = problem(http.StatusUnauthorized, codeUnauthorized, "The token is unknown, expired or revoked.")
	errBadLogin    = problem(http.StatusUnauthorized, codeBadLogin, "The e-mail or password is not valid.")
	errLocked      = problem(http.StatusUnauthorized, codeBadLogin, "The account is locked.") // the contract's codes have none for it
	errEmailTaken  = problem(http.StatusConflict, codeEmailTaken, "The e-mail address is already in use.")
	errBadKey      = problem(http.StatusBadRequest, codeBadKey, "The identifier and key do not match a pending e-mail change, or the key is used or expired.")
	errBadCode     = problem(http.StatusBadRequest, codeBadCode, "The e-mail and code do not match a password reset, or the code is used or expired.")
	errBadSecret   = problem(http.StatusBadRequest, codeBadSecret, "The identifier and secret do not match a pending activation, or the secret is used or expired.")
	errMismatch    = problem(http.StatusBadRequest, codeMismatch, "password and password_check differ.")
	errActive      = problem(http.StatusConflict, codeActive, "The account is already active.")
	errBadResetURI = problem(http.StatusBadRequest, codeBadResetURI,
		"reset_uri must be a page of the retailer's own client application: a path, or an http(s) URL on one of its origins.")
)

// errOrigin refuses a request whose Origin is no retailer's.
func errOrigin(origin string) *face.Problem {
	return problem(http.StatusForbidden, codeOrigin, fmt.Sprintf("The origin %q is not the shop domain of a retailer.", origin))
}
