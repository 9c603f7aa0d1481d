package mockserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAccountsErrorDialect pins every kind of bad input to its exact answer:
// a 4xx with the face's error body, valid against the contract, never a 5xx,
// and nothing changed. Run with -update to accept changes.
func TestAccountsErrorDialect(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	require.Equal(t, http.StatusNoContent, h.do("POST", "/__doppel/seed",
		`{"accounts":{"retailers":[{"name":"shop","origins":["https://shop.example"]}]}}`).Code)
	token := h.accountsLogin("ann@example.com", "secret")
	auth := []string{"Authorization", "Bearer " + token}
	activation := h.lastMail("activation", "pat@example.com")
	annID := decode[map[string]any](t, h.call("GET", "/customers/self", nil, token))["id"].(string)
	before := h.do("GET", "/customers/self", nil, auth...).Body.String()
	mailBefore := h.do("GET", "/__doppel/mailbox", nil).Body.String()

	activate := func(identifier, secret, password, check string) string {
		raw, _ := json.Marshal(map[string]string{"identifier": identifier, "secret": secret, "password": password, "password_check": check})
		return string(raw)
	}
	big := `{"email":"` + strings.Repeat("x", 1<<20) + `","password":"p"}`
	cases := []struct {
		name, method, path string
		body               any
		header             []string
	}{
		{"malformed JSON", "POST", "/customers/login", `{"email":`, nil},
		{"missing field", "POST", "/customers/login", `{"email":"ann@example.com"}`, nil},
		{"missing fields", "POST", "/customers/activate", `{"secret":"MBMRDTVTD5"}`, nil},
		{"wrong type", "POST", "/customers/login", `{"email":1,"password":"p"}`, nil},
		{"empty password", "POST", "/customers/login", `{"email":"ann@example.com","password":""}`, nil},
		{"body not an object", "POST", "/customers/login", `[]`, nil},
		{"wrong content type", "POST", "/customers/login", `{}`, []string{"Content-Type", "text/plain"}},
		{"missing content type", "POST", "/customers/login", `{}`, []string{"Content-Type", ""}},
		{"oversized body", "POST", "/customers/login", big, nil},
		{"unknown route", "GET", "/customers/nothing", nil, nil},
		{"bare base path", "GET", "/customers", nil, nil},
		{"wrong method", "PUT", "/customers/self", nil, nil},
		{"wrong method on login", "GET", "/customers/login", nil, nil},
		{"no token", "GET", "/customers/self", nil, nil},
		{"unknown token", "GET", "/customers/self", nil, []string{"Authorization", "Bearer nope"}},
		{"other scheme", "GET", "/customers/self", nil, []string{"Authorization", "Basic " + token}},
		{"bad credentials", "POST", "/customers/login", `{"email":"ann@example.com","password":"nope"}`, nil},
		{"unknown e-mail", "POST", "/customers/login", `{"email":"nobody@example.com","password":"secret"}`, nil},
		{"pending account", "POST", "/customers/login", `{"email":"pat@example.com","password":"x"}`, nil},
		{"PATCH id", "PATCH", "/customers/self", `{"id":"12345678901234"}`, auth},
		{"PATCH subscriptions and name", "PATCH", "/customers/self", `{"name":"X","subscriptions":[]}`, auth},
		{"PATCH bad email", "PATCH", "/customers/self", `{"email":"nope"}`, auth},
		{"PATCH null email", "PATCH", "/customers/self", `{"email":null}`, auth},
		{"PATCH taken email", "PATCH", "/customers/self", `{"email":"PAT@example.com","name":"X"}`, auth},
		{"PATCH without token and bad body", "PATCH", "/customers/self", `{"id":"1"}`, nil},
		{"unknown e-mail change key", "POST", "/customers/newemail_confirm", `{"identifier":"` + annID + `","key":"J32NA974R4F7N1HB"}`, nil},
		{"reset URI not http", "POST", "/customers/password_reset", `{"email":"ann@example.com","reset_uri":"javascript:alert(1)"}`, nil},
		{"reset URI of another origin", "POST", "/customers/password_reset", `{"email":"ann@example.com","reset_uri":"https://shop.example/reset"}`, nil},
		{"unknown origin", "POST", "/customers/login", `{"email":"ann@example.com","password":"secret"}`, []string{"Origin", "https://unknown.example"}},
		{"opaque origin", "GET", "/customers/self", nil, []string{"Origin", "null"}},
		{"unknown origin before token and body", "PATCH", "/customers/self", `{"id":`, []string{"Origin", "https://unknown.example"}},
		{"token of another retailer", "GET", "/customers/self", nil, []string{"Origin", "https://shop.example", "Authorization", "Bearer " + token}},
		{"reset without URI", "POST", "/customers/password_reset", `{"email":"ann@example.com"}`, nil},
		{"reset e-mail not an address", "POST", "/customers/password_reset", `{"email":"ann","reset_uri":"/r"}`, nil},
		{"unknown reset code", "POST", "/customers/do_reset", `{"email":"ann@example.com","code":"8KY0CX0LAR"}`, nil},
		{"passwords differ", "POST", "/customers/activate", activate(activation["identifier"].(string), activation["token"].(string), "a", "b"), nil},
		{"wrong secret", "POST", "/customers/activate", activate(activation["identifier"].(string), "MBMRDTVTD5", "a", "a"), nil},
		{"unknown identifier", "POST", "/customers/activate", activate("test-user-4", activation["token"].(string), "a", "a"), nil},
		{"already active", "POST", "/customers/activate", activate(annID, activation["token"].(string), "a", "a"), nil},
	}
	got := map[string]any{}
	for _, c := range cases {
		w := h.send(c.method, c.path, c.body, c.header...)
		assert.True(t, w.Code >= 400 && w.Code < 500, "%s: status %d", c.name, w.Code)
		var body map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), "%s: %s", c.name, w.Body.String())
		assert.Equal(t, "error", body["result"], c.name)
		got[c.name] = map[string]any{"status": w.Code, "body": body}
	}

	assert.Equal(t, before, h.do("GET", "/customers/self", nil, auth...).Body.String(), "the profile is unchanged")
	assert.Equal(t, mailBefore, h.do("GET", "/__doppel/mailbox", nil).Body.String(), "nothing was mailed")
	want(t, h.call("POST", "/customers/activate", activate(activation["identifier"].(string),
		activation["token"].(string), "a", "a"), ""), http.StatusOK, "activated")
	h.accountsLogin("ann@example.com", "secret")

	assertGolden(t, "accounts-errors.golden.json", got)
}
