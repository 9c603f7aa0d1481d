package emporix

import (
	"net/http"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// The face's error codes: an ErrorMessage's "type", or the gateway fault's
// "errorcode" on a 401. Bad input is face.CodeBadRequest.
const (
	codeConflict       = "conflict_resource"
	codeNotFound       = "resource_not_found"
	codeInvalidToken   = "oauth.v2.InvalidAccessToken"
	codeExpiredToken   = "keymanagement.service.access_token_expired"
	codeBadLogin       = "customer.invalid_credentials"
	codeInactive       = "customer.inactive_account"
	codeLocked         = "customer.account_locked"
	codeBadRefresh     = "oauth.v2.InvalidRefreshToken"
	codeBadSubject     = "customer.invalid_subject_token"
	codeExpiredSubject = "customer.subject_token_expired"
)

var (
	errInvalidToken = unauthorized("Invalid access token", codeInvalidToken)
	errExpiredToken = unauthorized("Access Token expired", codeExpiredToken)
	errBadLogin     = unauthorized("Invalid credentials", codeBadLogin)
	errInactive     = unauthorized("Customer account is not active", codeInactive)
	errLocked       = unauthorized("Customer account is locked", codeLocked)
	errBadRefresh   = unauthorized("Invalid refresh token", codeBadRefresh)
	errBadSubject   = unauthorized("Invalid subject access token", codeBadSubject)
	errOldSubject   = unauthorized("Subject access token expired", codeExpiredSubject)
)

// domainErrors is the face's answer to each domain error. A call site gives
// the details of a duplicate (e-mail, tenant) and of a stale version
// (customer number, its version, the version expected).
var domainErrors = face.ErrorMap{
	identity.ErrBadCredentials: errBadLogin,
	identity.ErrInactive:       errInactive,
	identity.ErrLocked:         errLocked,
	identity.ErrInvalidToken:   errInvalidToken,
	identity.ErrExpiredToken:   errExpiredToken,
	identity.ErrNotFound:       errInvalidToken, // the caller's customer, deleted meanwhile
	identity.ErrDuplicate:      {Status: http.StatusConflict, Code: codeConflict, Message: "Duplicate account '%s' for tenant '%s'."},
	identity.ErrStaleVersion:   {Status: http.StatusConflict, Code: codeConflict, Message: "Customer %s has version %d, not %d."},
}

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
		body.Fault.FaultString, body.Fault.Detail.ErrorCode = p.Message, p.Code
		w.Header().Set("WWW-Authenticate", `Bearer realm="emporix"`)
		face.WriteJSON(w, p.Status, body)
		return
	}
	if p.Allow != "" {
		w.Header().Set("Allow", p.Allow)
	}
	body := errorMessage{Status: p.Status, Type: p.Code, Message: p.Message}
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

func badRequest(format string, args ...any) *face.Problem {
	return face.Errorf(http.StatusBadRequest, face.CodeBadRequest, format, args...)
}

// invalid is a 400 naming one field, with the field in details as contract
// violations are.
func invalid(in, field, message string) *face.Problem {
	return &face.Problem{Status: http.StatusBadRequest, Code: face.CodeBadRequest, Message: message,
		Violations: []contracts.Violation{{In: in, Field: field, Message: message}}}
}
