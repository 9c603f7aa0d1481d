package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/internal/redact"
	"github.com/doppel-dev/doppel/mockserver"
)

// TestEmptyBodyWithAContentTypeIsNoBody: every face answers a request
// without content as one without a body, whatever Content-Type came with it
// (axios sends a null body as an empty form; fetch an empty string as text).
func TestEmptyBodyWithAContentTypeIsNoBody(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	anon := h.anonymous("acme")
	olLogin := decode[map[string]string](t, opsFaces[1].login(h, annPassword))
	accToken := opsFaces[2].token(h)
	tests := []struct {
		face, method, path, contentType string
		header                          []string
		status                          int
	}{
		{"emporix", "POST", "/customer/acme/socialLogin?code=c0de&anonymous_token=" + anon, "application/x-www-form-urlencoded",
			[]string{"Authorization", "Bearer " + anon}, http.StatusOK},
		{"openloyalty", "POST", "/api/token/refresh?refresh_token=" + olLogin["refresh_token"], "text/plain;charset=UTF-8",
			nil, http.StatusOK},
		{"accounts", "DELETE", "/customers/self", "application/x-www-form-urlencoded",
			[]string{"Authorization", "Bearer " + accToken}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.face, func(t *testing.T) {
			w := h.do(tt.method, tt.path, "", append([]string{"Content-Type", tt.contentType}, tt.header...)...)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
		})
	}
}

// TestTrailingSlashIsEmporixOnly: the Emporix face answers a path with one
// trailing slash as the path without it, and journals it so; the other faces
// keep exact paths.
func TestTrailingSlashIsEmporixOnly(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	anon := "Bearer " + h.anonymous("acme")
	w := h.do("POST", "/customer/acme/password/reset/", `{"email":"ann@example.com"}`, "Authorization", anon)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=emporix&kind=password_reset", nil))
	assert.Len(t, mail, 1, "the reset was done")
	got := pick(h.journal("?limit=1").Requests[0], "path", "operation", "status")
	assert.Equal(t, map[string]any{"path": "/customer/acme/password/reset", "operation": "requestPasswordReset", "status": 204.0}, got)

	h.do("GET", "/customer/acme/signup/optin/0pt1nS3cret/", nil, "Authorization", anon)
	assert.Equal(t, "/customer/acme/signup/optin/"+redact.Mask, h.journal("?limit=1").Requests[0]["path"],
		"a secret in a slashed path is redacted as in the canonical one")

	w = h.do("GET", "/customer/acme/password/reset/", nil, "Authorization", anon)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code, w.Body.String())
	assert.Equal(t, "POST", w.Header().Get("Allow"))

	assert.Equal(t, http.StatusNotFound, h.do("POST", "/api/DEFAULT/customer/login_check/",
		`{"_username":"ann@example.com","_password":"`+annPassword+`"}`).Code, "Open Loyalty keeps exact paths")
	assert.Equal(t, http.StatusNotFound, h.do("POST", "/customers/login/",
		`{"email":"ann@example.com","password":"`+annPassword+`"}`).Code, "Customer Accounts keeps exact paths")
}

// TestDeprecatedAnonymousRefresh: anonymous_token is the session's access
// token, expired too; the answer is an access token alone; refresh_token,
// when also given, decides.
func TestDeprecatedAnonymousRefresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	const base = "/customerlogin/auth/anonymous/refresh?client_id=x&hybris-tenant=acme"
	first := decode[map[string]any](t, h.do("GET", "/customerlogin/auth/anonymous/login?client_id=x&tenant=acme", nil))
	access, refresh, session := first["access_token"].(string), first["refresh_token"].(string), first["sessionId"]

	h.clock(`{"advance":"2h"}`) // the access token has expired; that is when it is refreshed
	w := h.do("GET", base+"&anonymous_token="+access, nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	out := decode[map[string]any](t, w)
	assert.Equal(t, session, out["sessionId"])
	assert.NotContains(t, out, "refresh_token")
	assert.NotContains(t, out, "refresh_token_expires_in")
	assert.Equal(t, http.StatusOK, h.do("GET", "/customer/acme/me", nil, "Authorization", "Bearer "+out["access_token"].(string)).Code)

	w = h.do("GET", base+"&anonymous_token=not-looked-at&refresh_token="+refresh, nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	out = decode[map[string]any](t, w)
	assert.Equal(t, session, out["sessionId"])
	assert.Contains(t, out, "refresh_token", "refresh_token decides: a rotated pair")
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", base+"&refresh_token="+refresh, nil).Code, "rotated")

	other := decode[map[string]any](t, h.do("GET", "/customerlogin/auth/anonymous/login?client_id=x&tenant=other", nil))
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", base+"&anonymous_token="+other["access_token"].(string), nil).Code,
		"another tenant's token")
}

// TestTokenExchange: the subject token's email names the customer, found or
// signed up; the tokens are in the caller's session; an expired subject
// token and a customer pending opt-in are refused.
func TestTokenExchange(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	exchange := func(anon, payload string, config ...string) *httptest.ResponseRecorder {
		path := "/customer/acme/exchangeauthtoken?subjectAccessToken=" + subjectToken(payload)
		if len(config) > 0 {
			path += "&config=" + config[0]
		}
		return h.do("POST", path, nil, "Authorization", "Bearer "+anon)
	}
	me := func(w *httptest.ResponseRecorder) map[string]any {
		t.Helper()
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		tok := decode[map[string]any](t, w)["access_token"].(string)
		return decode[map[string]any](t, h.do("GET", "/customer/acme/me", nil, "Authorization", "Bearer "+tok))
	}

	h.customer("acme", "ann@example.org", "annPassword")
	ann := me(exchange(h.anonymous("acme"), `{"email":"ann@example.org","name":"Ann Other"}`))
	assert.Equal(t, "ann@example.org", ann["contactEmail"], "the signed-up customer")
	assert.NotContains(t, ann, "lastName", "an existing profile is not changed")

	first := me(exchange(h.anonymous("acme"), `{"email":"eve@example.org","name":"Eve Example"}`, "default"))
	assert.Equal(t, []any{map[string]any{"id": "eve@example.org"}}, first["accounts"], "signed up on first sight")
	assert.Equal(t, "Eve", first["firstName"])
	again := me(exchange(h.anonymous("acme"), `{"email":"EVE@example.org","exp":4102444800}`))
	assert.Equal(t, first["id"], again["id"])

	anon := h.anonymous("acme")
	session := decode[map[string]any](t, h.do("GET", "/customer/acme/validateauthtoken", nil, "Authorization", "Bearer "+anon))["sessionId"]
	w := exchange(anon, `{"email":"eve@example.org"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, session, decode[map[string]any](t, w)["session_id"])

	h.clock(`{"set":"2100-01-01T00:00:01Z"}`)
	assert.Equal(t, http.StatusUnauthorized, exchange(h.anonymous("acme"), `{"email":"eve@example.org","exp":4102444800}`).Code, "expired")
	h.clock(`{"reset":true}`)

	h.do("PATCH", "/__doppel/tenants/emporix/acme", `{"doubleOptIn":true}`)
	anon = h.anonymous("acme")
	require.Equal(t, http.StatusCreated, h.do("POST", "/customer/acme/signup", `{"email":"pat@example.org","password":"p"}`,
		"Authorization", "Bearer "+anon).Code)
	assert.Equal(t, http.StatusUnauthorized, exchange(anon, `{"email":"pat@example.org"}`).Code, "not opted in yet")
}

// TestHybrisSessionIDContinuesTheSession: a customer token made with the
// resumed anonymous token carries the named session.
func TestHybrisSessionIDContinuesTheSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	const session = "0c8f4a52-7d1e-4b3a-9e6f-2a5b8c1d4e7f"
	w := h.do("GET", "/customerlogin/auth/anonymous/login?client_id=x&hybris-tenant=acme&hybris-session-id="+session, nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	out := decode[map[string]any](t, w)
	assert.Equal(t, session, out["sessionId"])
	assert.Equal(t, "tenant=acme", out["scope"])
	assert.Equal(t, "acme", h.journal("?limit=1").Requests[0]["tenant"], "the journal reads hybris-tenant")
	got := decode[map[string]any](t, h.do("GET", "/customer/acme/validateauthtoken", nil, "Authorization", "Bearer "+out["access_token"].(string)))
	assert.Equal(t, session, got["sessionId"])
}
