package mockserver_test

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// TestEmporixErrorDialect pins every kind of bad input to its exact answer:
// a 4xx in Emporix's dialect, never a 5xx. Run with -update to accept changes.
func TestEmporixErrorDialect(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Random: rand.NewChaCha8([32]byte{})}) // stable numbers
	anon := "Bearer " + h.anonymous("acme")
	cust := "Bearer " + h.customer("acme", "ann@example.com", "secret")
	big := `{"email":"` + strings.Repeat("x", 1<<20) + `","password":"p"}`
	login := "/customerlogin/auth/anonymous/login?client_id=x&tenant=acme"
	refresh := "/customerlogin/auth/anonymous/refresh?client_id=x&tenant=acme"
	exchange := "/customer/acme/exchangeauthtoken?subjectAccessToken="
	anonRefresh := decode[map[string]any](t, h.do("GET", login, nil))["refresh_token"].(string)
	cases := []struct {
		name, method, path string
		body               any
		header             []string
	}{
		{"malformed JSON", "POST", "/customer/acme/signup", `{"email":`, []string{"Authorization", anon}},
		{"missing field", "POST", "/customer/acme/signup", `{"password":"p"}`, []string{"Authorization", anon}},
		{"wrong type", "POST", "/customer/acme/login", `{"email":1,"password":"p"}`, []string{"Authorization", anon}},
		{"wrong content type", "POST", "/customer/acme/signup", `{}`, []string{"Authorization", anon, "Content-Type", "text/plain"}},
		{"oversized body", "POST", "/customer/acme/signup", big, []string{"Authorization", anon}},
		{"unknown route", "GET", "/customer/acme/nothing", nil, nil},
		{"wrong method", "PUT", "/customer/acme/me", nil, nil},
		{"invalid tenant", "GET", "/customerlogin/auth/anonymous/login?tenant=A!&client_id=x", nil, nil},
		{"missing client_id", "GET", "/customerlogin/auth/anonymous/login?tenant=acme", nil, nil},
		{"no token", "GET", "/customer/acme/me", nil, nil},
		{"unknown token", "GET", "/customer/acme/me", nil, []string{"Authorization", "Bearer nope"}},
		{"token of another tenant", "GET", "/customer/other/me", nil, []string{"Authorization", cust}},
		{"anonymous token on a customer endpoint", "GET", "/customer/acme/me/addresses", nil, []string{"Authorization", anon}},
		{"bad credentials", "POST", "/customer/acme/login", `{"email":"ann@example.com","password":"nope"}`, []string{"Authorization", anon}},
		{"duplicate sign-up", "POST", "/customer/acme/signup", `{"email":"ANN@example.com","password":"x"}`, []string{"Authorization", anon}},
		{"unknown reset token", "POST", "/customer/acme/password/reset/update", `{"token":"nope","password":"x"}`, []string{"Authorization", anon}},
		{"stale version", "PATCH", "/customer/acme/me", `{"metadata":{"version":7}}`, []string{"Authorization", cust}},
		{"tags missing", "POST", "/customer/acme/me/addresses/abc/tags", nil, []string{"Authorization", cust}},
		{"tenant and hybris-tenant differ", "GET", login + "&hybris-tenant=other", nil, nil},
		{"invalid hybris-tenant", "GET", "/customerlogin/auth/anonymous/login?client_id=x&hybris-tenant=A!", nil, nil},
		{"hybris-session-id not a UUID", "GET", login + "&hybris-session-id=s1", nil, nil},
		{"refresh without a token", "GET", refresh, nil, nil},
		{"unknown anonymous_token", "GET", refresh + "&anonymous_token=nope", nil, nil},
		{"refresh token as anonymous_token", "GET", refresh + "&anonymous_token=" + anonRefresh, nil, nil},
		{"sign-up e-mail not an address", "POST", "/customer/acme/signup", `{"email":"ann","password":"p"}`, []string{"Authorization", anon}},
		{"sign-up e-mail with a name", "POST", "/customer/acme/signup", `{"email":"Ann <ann@example.org>","password":"p"}`, []string{"Authorization", anon}},
		{"signup e-mail not an address", "POST", "/customer/acme/signup",
			`{"email":"bob@example.org","password":"p","signup":{"email":"bob","password":"secret"}}`, []string{"Authorization", anon}},
		{"signup password too short", "POST", "/customer/acme/signup",
			`{"email":"bob@example.org","password":"p","signup":{"email":"bob@example.org","password":"12345"}}`, []string{"Authorization", anon}},
		{"new login not an address", "POST", "/customer/acme/me/accounts/internal", `{"email":"ann2","password":"p"}`, []string{"Authorization", cust}},
		{"new login without a password", "POST", "/customer/acme/me/accounts/internal", `{"email":"ann2@example.org","password":""}`, []string{"Authorization", cust}},
		{"unknown exchange config", "POST", exchange + subjectToken(`{"email":"eve@example.org"}`) + "&config=site_XX", nil, []string{"Authorization", anon}},
		{"subject token not a JWT", "POST", exchange + "nope", nil, []string{"Authorization", anon}},
		{"subject token without email", "POST", exchange + subjectToken(`{"sub":"eve"}`), nil, []string{"Authorization", anon}},
		{"expired subject token", "POST", exchange + subjectToken(`{"email":"eve@example.org","exp":1}`), nil, []string{"Authorization", anon}},
		{"exchange without a token", "POST", exchange + subjectToken(`{"email":"eve@example.org"}`), nil, nil},
		{"PUT of an unknown address", "PUT", "/customer/acme/me/addresses/abc", `{"street":"x"}`, []string{"Authorization", cust}},
		{"wrong method, trailing slash", "GET", "/customer/acme/password/reset/", nil, []string{"Authorization", anon}},
	}
	got := map[string]any{}
	for _, c := range cases {
		w := h.do(c.method, c.path, c.body, c.header...)
		assert.True(t, w.Code >= 400 && w.Code < 500, "%s: status %d", c.name, w.Code)
		var body any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), "%s: %s", c.name, w.Body.String())
		got[c.name] = map[string]any{"status": w.Code, "body": body}
	}
	assertGolden(t, "emporix-errors.golden.json", got)
}

// subjectToken is an identity provider's access token with a payload, signed
// with a key doppel does not know.
func subjectToken(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "." + enc([]byte("signature"))
}
