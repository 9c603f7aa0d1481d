package openloyalty

import (
	"net/http"
	"strings"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// The face's error codes. The dialect prints none: each picks a body shape
// (shapes); the pipeline's codes (face.Code…), a forced status's and any
// other are rendered as a framework HTTP error.
const (
	codeBadCredentials = "bad_credentials"
	codeLocked         = "account_locked"
	codeSellerInactive = "seller_inactive"
	codeBadRefresh     = "bad_refresh_token"
	codeNoToken        = "jwt_not_found"
	codeInvalidJWT     = "jwt_invalid"
	codeUnknownUser    = "jwt_user_not_found"
	codeForbidden      = "access_denied"
	codeRequested      = "reset_already_requested"
	codeEmptyField     = "empty_field"
	codeForm           = "form_invalid"
)

// shape is a body shape of the dialect.
type shape int

const (
	shapeFramework   shape = iota // {"error":{"code","message","exception"}}
	shapeCredentials              // {"message"}
	shapeJWT                      // {"code","message"} with WWW-Authenticate
	shapeCode                     // {"code","message"}
	shapeError                    // {"error":"…"}
	shapeForm                     // Symfony form errors, from Violations
)

// shapes is the body shape of each of the face's codes.
var shapes = map[string]shape{
	codeBadCredentials: shapeCredentials,
	codeLocked:         shapeCredentials,
	codeSellerInactive: shapeCredentials,
	codeBadRefresh:     shapeCode,
	codeNoToken:        shapeJWT,
	codeInvalidJWT:     shapeJWT,
	codeUnknownUser:    shapeJWT,
	codeRequested:      shapeError,
	codeEmptyField:     shapeError,
	codeForm:           shapeForm,
}

var (
	errBadCredentials = face.Errorf(http.StatusUnauthorized, codeBadCredentials, "Bad credentials.")
	errLocked         = face.Errorf(http.StatusUnauthorized, codeLocked, "Account is locked.") // Symfony's LockedException
	errSellerInactive = face.Errorf(http.StatusBadRequest, codeSellerInactive, "Your account is not active")
	errBadRefresh     = face.Errorf(http.StatusUnauthorized, codeBadRefresh, "Bad credentials")
	errNotFound       = &face.Problem{Status: http.StatusNotFound, Code: face.CodeNotFound} // exactly {"error":{"code":404,"message":"Not Found"}}
	errRequested      = face.Errorf(http.StatusBadRequest, codeRequested, "resetting password already requested")
)

// domainErrors is the face's answer to each domain error of a login.
var domainErrors = face.ErrorMap{
	identity.ErrBadCredentials: errBadCredentials,
	identity.ErrInactive:       errBadCredentials,
	identity.ErrLocked:         errLocked,
}

// sellerErrors are the seller user provider's answers, before domainErrors:
// its SellerIsNotActiveException for a locked or inactive seller.
var sellerErrors = face.ErrorMap{
	identity.ErrInactive: errSellerInactive,
	identity.ErrLocked:   errSellerInactive,
}

func emptyField(name string) *face.Problem {
	return face.Errorf(http.StatusBadRequest, codeEmptyField, "field %q should not be empty", name)
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
	p := &face.Problem{Status: http.StatusBadRequest, Code: codeForm, Message: "Validation Failed"}
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
	switch shapes[p.Code] {
	case shapeCredentials:
		face.WriteJSON(w, p.Status, map[string]string{"message": p.Message})
	case shapeJWT:
		w.Header().Set("WWW-Authenticate", "Bearer")
		fallthrough
	case shapeCode:
		face.WriteJSON(w, p.Status, codeMessage{Code: p.Status, Message: p.Message})
	case shapeError:
		face.WriteJSON(w, p.Status, map[string]string{"error": p.Message})
	case shapeForm:
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
