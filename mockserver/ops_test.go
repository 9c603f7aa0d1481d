package mockserver_test

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/seed"
)

// The operations tests (journal, faults, clock) run on a mock whose every
// face has a customer ann@example.com with password annPassword: Emporix
// tenant acme, Open Loyalty store DEFAULT, Customer Accounts.
const (
	annPassword = "Secret123!"
	opsSeed     = `{"emporix":{"tenants":{"acme":{"customers":[{"email":"ann@example.com","password":"Secret123!"}]}}},
		"openloyalty":{"stores":{"DEFAULT":{"customers":[{"email":"ann@example.com","password":"Secret123!"}]}}},
		"accounts":{"customers":[{"email":"ann@example.com","password":"Secret123!","name":"Ann","status":"active"}]}}`
)

// newOpsHarness is a mock seeded with opsSeed, with stable ids and tokens.
func newOpsHarness(t testing.TB, opts mockserver.Options) *harness {
	t.Helper()
	doc, err := seed.Parse([]byte(opsSeed))
	require.NoError(t, err)
	opts.Seed, opts.JWTKey, opts.Random = doc, testJWTKey(), rand.NewChaCha8([32]byte{})
	return newHarness(t, opts)
}

// opsFace is what the operations tests need to know of a face.
type opsFace struct {
	api, tenant string
	loginPath   string
	loginBody   func(password string) any
	loginHeader func(h *harness) []string // the headers a login needs, if any
	tokenField  string
	// authed is a call that needs the customer's token and changes nothing that matters.
	authed func(h *harness, token string) *httptest.ResponseRecorder
	ttl    string // for POST /__doppel/clock: past the customer token's lifetime
	// The face's answers, as JSON: bad credentials, a locked login, a
	// refused (expired) token, and a forced 503 from "X-Doppel-Fault: status=503".
	badLogin, locked, expired, unavailable string
}

var opsFaces = []opsFace{
	{
		api: "emporix", tenant: "acme", loginPath: "/customer/acme/login",
		loginBody:   func(pw string) any { return map[string]string{"email": "ann@example.com", "password": pw} },
		loginHeader: func(h *harness) []string { return []string{"Authorization", "Bearer " + h.anonymous("acme")} },
		tokenField:  "access_token",
		authed: func(h *harness, tok string) *httptest.ResponseRecorder {
			return h.do("GET", "/customer/acme/me", nil, "Authorization", "Bearer "+tok)
		},
		ttl:         "30d",
		badLogin:    `{"fault":{"faultstring":"Invalid credentials","detail":{"errorcode":"customer.invalid_credentials"}}}`,
		locked:      `{"fault":{"faultstring":"Customer account is locked","detail":{"errorcode":"customer.account_locked"}}}`,
		expired:     `{"fault":{"faultstring":"Access Token expired","detail":{"errorcode":"keymanagement.service.access_token_expired"}}}`,
		unavailable: `{"status":503,"type":"service_unavailable","message":"Fault injected by doppel (header: status=503)."}`,
	},
	{
		api: "openloyalty", tenant: "DEFAULT", loginPath: "/api/DEFAULT/customer/login_check",
		loginBody:  func(pw string) any { return map[string]string{"_username": "ann@example.com", "_password": pw} },
		tokenField: "token",
		authed: func(h *harness, tok string) *httptest.ResponseRecorder { // the password, changed to itself
			return h.do("POST", "/api/DEFAULT/customer/password/change",
				map[string]string{"currentPassword": annPassword, "plainPassword": annPassword}, "Authorization", "Bearer "+tok)
		},
		ttl:         "25h",
		badLogin:    `{"message":"Bad credentials."}`,
		locked:      `{"message":"Account is locked."}`,
		expired:     `{"code":401,"message":"Invalid JWT Token"}`,
		unavailable: `{"error":{"code":503,"message":"Service Unavailable","exception":[{"message":"Fault injected by doppel (header: status=503)."}]}}`,
	},
	{
		api: "accounts", tenant: "default", loginPath: "/customers/login",
		loginBody:  func(pw string) any { return map[string]string{"email": "ann@example.com", "password": pw} },
		tokenField: "token",
		authed: func(h *harness, tok string) *httptest.ResponseRecorder {
			return h.do("GET", "/customers/self", nil, "Authorization", "Bearer "+tok)
		},
		ttl:         "25h",
		badLogin:    `{"result":"error","error":"invalid_credentials","message":"The e-mail or password is not valid."}`,
		locked:      `{"result":"error","error":"invalid_credentials","message":"The account is locked."}`,
		expired:     `{"result":"error","error":"unauthorized","message":"The token is unknown, expired or revoked."}`,
		unavailable: `{"result":"error","error":"service_unavailable","message":"Fault injected by doppel (header: status=503)."}`,
	},
}

// login tries ann's login with a password.
func (f opsFace) login(h *harness, password string, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	if f.loginHeader != nil {
		header = append(f.loginHeader(h), header...)
	}
	return h.do("POST", f.loginPath, f.loginBody(password), header...)
}

// assertLogin checks a login's answer: its status, its exact body, and
// that it keeps to the face's contract.
func (f opsFace) assertLogin(t *testing.T, w *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	assert.Equal(t, status, w.Code, w.Body.String())
	if body != "" {
		assert.JSONEq(t, body, w.Body.String())
	}
	v := contracts.MustLoad(f.api).ValidateResponse(httptest.NewRequest("POST", f.loginPath, nil), w.Result())
	assert.Empty(t, v, "%s login → %d %s", f.api, w.Code, w.Body.String())
}

// token logs ann in and returns her customer token.
func (f opsFace) token(h *harness) string {
	h.t.Helper()
	w := f.login(h, annPassword)
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[map[string]any](h.t, w)[f.tokenField].(string)
}

// assertAnswer checks a status and an exact JSON body.
func assertAnswer(t *testing.T, w *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	assert.Equal(t, status, w.Code, w.Body.String())
	assert.JSONEq(t, body, w.Body.String())
}
