package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenLoyaltyErrorDialect pins every kind of bad input to its exact
// answer (status, body, and the Allow and WWW-Authenticate headers): a 4xx in
// Open Loyalty's dialect, never a 5xx. Run with -update to accept changes.
func TestOpenLoyaltyErrorDialect(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	customer := "Bearer " + h.customerToken()
	admin := "Bearer " + h.adminToken()
	otherStore, _ := h.login("/api/OTHER/customer/login_check", olCustomer, olOther)
	seller, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	require.Equal(t, http.StatusOK, h.do("PATCH", "/__doppel/faults/logins/openloyalty/_seller/"+olSeller, `{"locked":true}`).Code)
	hs256 := "Bearer " + forge(t, h.customerToken(), jwt.SigningMethodHS256, []byte("secret"))
	require.Equal(t, http.StatusOK, h.post("/api/DEFAULT/customer/password/reset/request", url.Values{"username": {olCustomer}}).Code)
	token := h.resetToken(olCustomer)

	const form = "application/x-www-form-urlencoded"
	big := `{"_username":"` + strings.Repeat("x", 1<<20) + `"}`
	change := "/api/DEFAULT/customer/password/change"
	cases := []struct {
		name, method, path, body string
		header                   []string
	}{
		{"malformed JSON", "POST", "/api/admin/login_check", `{"_username":`, nil},
		{"malformed form", "POST", "/api/admin/login_check", `_username=%zz`, []string{"Content-Type", form}},
		{"wrong type", "POST", "/api/admin/login_check", `{"_username":1,"_password":"x"}`, nil},
		{"body not an object", "POST", "/api/token/refresh", `["x"]`, nil},
		{"wrong content type", "POST", "/api/admin/login_check", `_username=a`, []string{"Content-Type", "text/plain"}},
		{"oversized body", "POST", "/api/admin/login_check", big, nil},
		{"unknown route", "GET", "/api/DEFAULT/customer/nothing", "", nil},
		{"wrong method", "GET", "/api/admin/login_check", "", nil},
		{"invalid store code", "POST", "/api/b!d/customer/login_check", `{}`, nil},
		{"bad credentials", "POST", "/api/admin/login_check", `{"_username":"admin","_password":"nope"}`, nil},
		{"no credentials", "POST", "/api/DEFAULT/customer/login_check", ``, nil},
		{"no token", "POST", change, `{}`, nil},
		{"not a JWT", "POST", change, `{}`, []string{"Authorization", "Bearer nope"}},
		{"HS256 JWT", "POST", change, `{}`, []string{"Authorization", hs256}},
		{"customer token on an admin path", "POST", "/api/DEFAULT/admin/password/change", `{}`, []string{"Authorization", customer}},
		{"admin token on a customer path", "POST", change, `{}`, []string{"Authorization", admin}},
		{"token of another store", "POST", change, `{}`, []string{"Authorization", "Bearer " + otherStore}},
		{"bad token and bad body", "POST", change, `{"x":`, []string{"Authorization", "Bearer nope"}},
		{"revoke without token", "GET", "/api/token/revoke", "", nil},
		{"customer token on revoke", "GET", "/api/token/revoke", "", []string{"Authorization", customer}},
		{"seller token on an admin path", "POST", "/api/admin/password/change", `{}`, []string{"Authorization", "Bearer " + seller}},
		{"another scheme", "POST", change, `{}`, []string{"Authorization", "Basic " + h.customerToken()}},
		{"inactive seller", "POST", "/api/seller/login_check", `{"_username":"` + olSeller + `","_password":"` + olPassword + `"}`, nil},
		{"reset request by phone on the all-users path", "POST", "/api/password/reset/request", `{"username":"` + olPhone + `"}`, nil},
		{"unknown refresh token", "POST", "/api/token/refresh", `{"refresh_token":"nope"}`, nil},
		{"no refresh token", "POST", "/api/token/refresh", ``, nil},
		{"reset request without username", "POST", "/api/DEFAULT/customer/password/reset/request", `username=`, []string{"Content-Type", form}},
		{"reset request of an unknown customer", "POST", "/api/DEFAULT/customer/password/reset/request", `{"username":"bob@example.com"}`, nil},
		{"reset request of an unknown admin", "POST", "/api/password/reset/request", `{"username":"root"}`, nil},
		{"second reset request", "POST", "/api/DEFAULT/customer/password/reset/request", `{"username":"ann@example.com"}`, nil},
		{"reset without token", "POST", "/api/password/reset", `reset[plainPassword]=Example1!`, []string{"Content-Type", form}},
		{"reset with an unknown token", "POST", "/api/password/reset", `{"token":"nope","reset":{"plainPassword":"Example1!"}}`, nil},
		{"reset with a weak password", "POST", "/api/password/reset", `token=` + token + `&reset[plainPassword]=example{1}`, []string{"Content-Type", form}},
		{"reset with a blank password", "POST", "/api/password/reset", `{"token":"` + token + `"}`, nil},
		{"reset with a password without letters", "POST", "/api/password/reset", `{"token":"` + token + `","reset":{"plainPassword":"12345678!"}}`, nil},
		{"change to upper-case bytes", "POST", change, `{"currentPassword":"` + olPassword + `","plainPassword":"Ääää1!"}`, []string{"Authorization", customer}},
		{"change with a wrong current password", "POST", change, `{"currentPassword":"x","plainPassword":"Example1!"}`, []string{"Authorization", customer}},
		{"change to a blank password", "POST", change, `currentPassword=Secret123!`, []string{"Authorization", customer, "Content-Type", form}},
		{"change with everything wrong", "POST", "/api/DEFAULT/admin/password/change", `{"plainPassword":"short"}`, []string{"Authorization", admin}},
		{"registration by a customer", "POST", "/api/customer/register", `{"customer":{}}`, []string{"Authorization", customer}},
		{"registration not submitted", "POST", "/api/customer/register", `{}`, []string{"Authorization", admin}},
		{"registration with everything wrong", "POST", "/api/customer/register", `customer[email]=x&customer[phone]=abc&customer[gender]=x&customer[birthDate]=1.2.1990&customer[levelId]=l1&customer[sellerId]=s1&customer[address][city]=Graz&customer[address][nope]=1&customer[plainPassword]=y&customer[lastName][]=z`, []string{"Authorization", admin, "Content-Type", form}},
		{"registration by a seller with a sellerId", "POST", "/api/customer/register", `{"customer":{"firstName":"A","lastName":"B","email":"c@example.org","agreement1":false,"sellerId":"x"}}`, []string{"Authorization", "Bearer " + seller}},
	}
	got := map[string]any{}
	for _, c := range cases {
		var body any
		if c.body != "" {
			body = c.body
		}
		do := h.do // which also holds the answer to the contract
		if c.name == "unknown route" || c.name == "wrong method" {
			do = h.harness.do // no operation to hold them to
		}
		w := do(c.method, c.path, body, c.header...)
		assert.True(t, w.Code >= 400 && w.Code < 500, "%s: status %d", c.name, w.Code)
		var out any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), "%s: %s", c.name, w.Body.String())
		entry := map[string]any{"status": w.Code, "body": out}
		for _, name := range []string{"Allow", "WWW-Authenticate"} {
			if v := w.Header().Get(name); v != "" {
				entry[name] = v
			}
		}
		got[c.name] = entry
	}
	assertGolden(t, "openloyalty-errors.golden.json", got)
}
