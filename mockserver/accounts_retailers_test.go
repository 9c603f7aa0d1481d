package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// retailersDoc seeds Ann at the default retailer and, with another
// password, at retailer "shop" (two origins), Pat pending at "shop", and
// Bob at retailer "other".
const retailersDoc = `{"accounts":{
	"customers":[{"email":"ann@example.com","password":"secret","name":"Ann Default"}],
	"retailers":[
		{"name":"shop","origins":["https://shop.example","http://localhost:3000"],"customers":[
			{"email":"ann@example.com","password":"shop-secret","name":"Ann Shop"},
			{"email":"pat@example.com","name":"Pat Pending","status":"pending"}]},
		{"name":"other","origins":["https://other.example"],"customers":[{"email":"bob@example.com","password":"bob-secret"}]}]}}`

const (
	shopOrigin  = "https://shop.example"
	otherOrigin = "https://other.example"
)

func retailersHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, mockserver.Options{})
	w := h.do("POST", "/__doppel/seed", retailersDoc)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	return h
}

// at sends a request with an Origin header ("" sends none) and a token
// ("" sends none), checking the answer against the contract.
func (h *harness) at(origin, method, path string, body any, token string) *httptest.ResponseRecorder {
	h.t.Helper()
	var header []string
	if origin != "" {
		header = append(header, "Origin", origin)
	}
	if token != "" {
		header = append(header, "Authorization", "Bearer "+token)
	}
	return h.send(method, path, body, header...)
}

func (h *harness) loginAt(origin, email, password string) string {
	h.t.Helper()
	w := h.at(origin, "POST", "/customers/login", map[string]string{"email": email, "password": password}, "")
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[map[string]string](h.t, w)["token"]
}

// TestAccountsOriginPicksTheRetailer: the Origin header, normalised, names
// the retailer; none names the default one; an origin of no retailer is a
// 403 whatever else the request holds.
func TestAccountsOriginPicksTheRetailer(t *testing.T) {
	t.Parallel()
	h := retailersHarness(t)
	tests := []struct {
		name, origin, email, password string
		status                        int
		code, customer                string
	}{
		{"no Origin: the default retailer", "", "ann@example.com", "secret", 200, "", "Ann Default"},
		{"no Origin: not the shop's password", "", "ann@example.com", "shop-secret", 401, "invalid_credentials", ""},
		{"the shop", shopOrigin, "ann@example.com", "shop-secret", 200, "", "Ann Shop"},
		{"the shop's other origin", "http://localhost:3000", "ann@example.com", "shop-secret", 200, "", "Ann Shop"},
		{"the shop, spelt otherwise", "HTTPS://Shop.Example:443", "ann@example.com", "shop-secret", 200, "", "Ann Shop"},
		{"the shop: not the default's password", shopOrigin, "ann@example.com", "secret", 401, "invalid_credentials", ""},
		{"another retailer: Ann is not there", otherOrigin, "ann@example.com", "shop-secret", 401, "invalid_credentials", ""},
		{"another retailer: its customer", otherOrigin, "bob@example.com", "bob-secret", 200, "", ""},
		{"an unknown origin", "https://unknown.example", "bob@example.com", "bob-secret", 403, "invalid_origin", ""},
		{"another port", "https://shop.example:8443", "ann@example.com", "shop-secret", 403, "invalid_origin", ""},
		{"another scheme", "http://shop.example", "ann@example.com", "shop-secret", 403, "invalid_origin", ""},
		{"an opaque origin", "null", "ann@example.com", "shop-secret", 403, "invalid_origin", ""},
		{"not an origin", "https://shop.example/path", "ann@example.com", "shop-secret", 403, "invalid_origin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.at(tt.origin, "POST", "/customers/login", map[string]string{"email": tt.email, "password": tt.password}, "")
			body := want(t, w, tt.status, tt.code)
			if tt.customer != "" {
				me := want(t, h.at(tt.origin, "GET", "/customers/self", nil, body["token"].(string)), 200, "")
				assert.Equal(t, tt.customer, me["name"])
			}
		})
	}
}

// TestAccountsRetailersAreApart: a retailer's tokens and codes work at that
// retailer only.
func TestAccountsRetailersAreApart(t *testing.T) {
	t.Parallel()
	h := retailersHarness(t)
	token := h.loginAt(shopOrigin, "ann@example.com", "shop-secret")
	for origin, status := range map[string]int{shopOrigin: 200, "http://localhost:3000": 200, otherOrigin: 401, "": 401} {
		assert.Equal(t, status, h.at(origin, "GET", "/customers/self", nil, token).Code, "token of shop at %q", origin)
	}
	want(t, h.at(otherOrigin, "DELETE", "/customers/self", nil, token), 401, "unauthorized")
	want(t, h.at(shopOrigin, "GET", "/customers/self", nil, token), 200, "")

	// A reset code of the shop's Ann: refused at the default retailer's Ann, and at another retailer.
	want(t, h.at(shopOrigin, "POST", "/customers/password_reset", map[string]string{"email": "ann@example.com", "reset_uri": "/reset"}, ""), 200, "email_sent")
	mail := h.lastMail("password_reset", "ann@example.com")
	assert.Equal(t, "shop", mail["tenant"])
	code := mail["token"].(string)
	reset := map[string]string{"email": "ann@example.com", "code": code}
	want(t, h.at("", "POST", "/customers/do_reset", reset, ""), 400, "invalid_code")
	want(t, h.at(otherOrigin, "POST", "/customers/do_reset", reset, ""), 400, "invalid_code")
	want(t, h.at(shopOrigin, "POST", "/customers/do_reset", reset, ""), 200, "")
	h.loginAt("", "ann@example.com", "secret") // the default retailer's Ann keeps her password

	// An activation secret and an e-mail change key of the shop work there only.
	act := h.lastMail("activation", "pat@example.com")
	activate := map[string]string{"identifier": act["identifier"].(string), "secret": act["token"].(string), "password": "pw", "password_check": "pw"}
	want(t, h.at("", "POST", "/customers/activate", activate, ""), 400, "invalid_secret")
	want(t, h.at(otherOrigin, "POST", "/customers/activate", activate, ""), 400, "invalid_secret")
	want(t, h.at(shopOrigin, "POST", "/customers/activate", activate, ""), 200, "activated")
	want(t, h.at(shopOrigin, "PATCH", "/customers/self", map[string]string{"email": "ann@new.example"}, token), 200, "")
	change := h.lastMail("email_change", "ann@new.example")
	assert.Equal(t, "https://shop.example/email_change?identifier="+change["identifier"].(string)+"&key="+change["token"].(string), change["link"])
	confirm := map[string]string{"identifier": change["identifier"].(string), "key": change["token"].(string)}
	want(t, h.at("", "POST", "/customers/newemail_confirm", confirm, ""), 400, "invalid_key")
	want(t, h.at(shopOrigin, "POST", "/customers/newemail_confirm", confirm, ""), 200, "updated")
	h.loginAt("", "ann@example.com", "secret")

	// The journal names the retailer; an unknown origin names none.
	h.at("https://unknown.example", "GET", "/customers/self", nil, "")
	entries := decode[struct {
		Requests []struct{ Tenant, Path string }
	}](t, h.do("GET", "/__doppel/requests?api=accounts&limit=3", nil)).Requests
	require.Len(t, entries, 3)
	assert.Equal(t, "", entries[0].Tenant, "unknown origin")
	assert.Equal(t, "default", entries[1].Tenant)
	assert.Equal(t, "shop", entries[2].Tenant)
}

// TestAccountsUnknownOriginChangesNothing: the origin is checked first, so
// a request from an unknown origin is a 403 even without a token or with a
// bad body, and changes nothing.
func TestAccountsUnknownOriginChangesNothing(t *testing.T) {
	t.Parallel()
	h := retailersHarness(t)
	token := h.loginAt(shopOrigin, "ann@example.com", "shop-secret")
	before := h.do("GET", "/__doppel/state", nil).Body.String()
	for _, c := range []struct {
		method, path string
		body         any
		token        string
	}{
		{"PATCH", "/customers/self", `{"id":`, ""},
		{"PATCH", "/customers/self", map[string]string{"name": "X"}, token},
		{"DELETE", "/customers/self", nil, token},
		{"POST", "/customers/password_reset", map[string]string{"email": "ann@example.com", "reset_uri": "/reset"}, ""},
		{"POST", "/customers/activate", `{}`, ""},
	} {
		want(t, h.at("https://unknown.example", c.method, c.path, c.body, c.token), http.StatusForbidden, "invalid_origin")
	}
	assert.Equal(t, before, h.do("GET", "/__doppel/state", nil).Body.String())
}

// TestAccountsResetURIMustBeTheRetailers: reset_uri is a page of the
// retailer's own application: a path resolves against the request's origin,
// a URL must be on one of the retailer's origins; the code goes in the path.
func TestAccountsResetURIMustBeTheRetailers(t *testing.T) {
	t.Parallel()
	h := retailersHarness(t)
	tests := []struct{ origin, uri, link string }{
		{shopOrigin, "/account/reset", "https://shop.example/account/reset/{code}?email=ann%40example.com"},
		{"http://localhost:3000", "/account/reset", "http://localhost:3000/account/reset/{code}?email=ann%40example.com"},
		{shopOrigin, "http://localhost:3000/r?lang=en", "http://localhost:3000/r/{code}?lang=en&email=ann%40example.com"},
		{"", "/reset", "https://accounts.doppel.test/reset/{code}?email=ann%40example.com"},
		{shopOrigin, "https://other.example/reset", ""},
		{shopOrigin, "//other.example/reset", ""},
		{shopOrigin, "https://shop.example.evil.example/reset", ""},
		{"", "https://shop.example/reset", ""},
		{shopOrigin, "javascript:alert(1)", ""},
	}
	for _, tt := range tests {
		h.do("DELETE", "/__doppel/mailbox", nil)
		w := h.at(tt.origin, "POST", "/customers/password_reset", map[string]string{"email": "ann@example.com", "reset_uri": tt.uri}, "")
		if tt.link == "" {
			want(t, w, http.StatusBadRequest, "invalid_reset_uri")
			assert.Empty(t, h.mails("password_reset", ""), "%s at %q: nothing mailed", tt.uri, tt.origin)
			continue
		}
		want(t, w, http.StatusOK, "email_sent")
		mail := h.lastMail("password_reset", "ann@example.com")
		assert.Equal(t, strings.ReplaceAll(tt.link, "{code}", mail["token"].(string)), mail["link"], "%s at %q", tt.uri, tt.origin)
	}
}

// TestAccountsPreflightOfARetailer: a browser's preflight from a
// registered origin succeeds, and the 403 of an unknown origin is readable
// by the page (CORS headers on it).
func TestAccountsPreflightOfARetailer(t *testing.T) {
	t.Parallel()
	h := retailersHarness(t)
	w := h.do("OPTIONS", "/customers/login", nil, "Origin", "http://localhost:3000",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"), "the vendor paths' CORS: any origin, no credentials")
	w = h.do("POST", "/customers/login", `{"email":"a@example.com","password":"p"}`, "Origin", "https://unknown.example")
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"), "the page can read its refusal")
}

func TestAccountsSeedRetailers(t *testing.T) {
	t.Parallel()
	h := retailersHarness(t)
	bad := []struct{ name, doc, reason string }{
		{"not an origin", `{"accounts":{"retailers":[{"name":"x","origins":["shop.example"]}]}}`, `origin "shop.example" is not an http(s) origin`},
		{"an origin with a path", `{"accounts":{"retailers":[{"name":"x","origins":["https://x.example/shop"]}]}}`, "not an http(s) origin"},
		{"a bad name", `{"accounts":{"retailers":[{"name":"X Y","origins":["https://x.example"]}]}}`, `name "X Y"`},
		{"neither name nor origin", `{"accounts":{"retailers":[{"customers":[]}]}}`, "needs a name or an origin"},
		{"one origin, two retailers", `{"accounts":{"retailers":[{"name":"x","origins":["https://x.example"]},{"name":"y","origins":["https://X.example:443"]}]}}`, "listed for two retailers"},
		{"another retailer's origin", `{"accounts":{"retailers":[{"name":"x","origins":["https://shop.example"]}]}}`, `origin https://shop.example is retailer "shop"'s`},
		{"the default's origin", `{"accounts":{"retailers":[{"name":"x","origins":["https://accounts.doppel.test"]}]}}`, `retailer "default"'s`},
		{"a new retailer without origin", `{"accounts":{"retailers":[{"name":"x","customers":[{"email":"a@example.com","password":"p"}]}]}}`, `retailer "x" has no origin`},
		{"an e-mail twice in the default retailer", `{"accounts":{"customers":[{"email":"a@example.com","password":"p"}],"retailers":[{"name":"default","customers":[{"email":"A@example.com","password":"p"}]}]}}`, "appears twice"},
		{"an e-mail twice in a retailer", `{"accounts":{"retailers":[{"name":"shop","customers":[{"email":"a@example.com","password":"p"},{"email":"a@example.com","password":"p"}]}]}}`, "appears twice"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before := h.do("GET", "/__doppel/state", nil).Body.String()
			w := h.do("POST", "/__doppel/seed", tt.doc)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Contains(t, decode[map[string]string](t, w)["error"], tt.reason)
			assert.Equal(t, before, h.do("GET", "/__doppel/state", nil).Body.String(), "nothing seeded")
		})
	}

	// The same e-mail at two retailers; an unnamed retailer is its first origin's, or a new one named after it.
	w := h.do("POST", "/__doppel/seed", `{"accounts":{"retailers":[
		{"origins":["http://LOCALHOST:3000"],"customers":[{"email":"cy@example.com","password":"p1"}]},
		{"origins":["https://new.example:8443","https://www.new.example"],"customers":[{"email":"cy@example.com","password":"p2"}]},
		{"name":"shop","origins":["https://shop2.example"]}]}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	h.loginAt(shopOrigin, "cy@example.com", "p1")
	h.loginAt("https://shop2.example", "ann@example.com", "shop-secret")
	h.loginAt("https://www.new.example", "cy@example.com", "p2")
	customers := decode[struct {
		Tenants []struct{ API, Tenant string }
	}](t, h.do("GET", "/__doppel/customers?api=accounts", nil))
	assert.Contains(t, customers.Tenants, struct{ API, Tenant string }{"accounts", "new.example:8443"})

	// The retailers survive a state export and import.
	state := h.do("GET", "/__doppel/state", nil).Body.String()
	assert.Contains(t, state, `"origins":["https://shop.example","http://localhost:3000","https://shop2.example"]`)
	fresh := newHarness(t, mockserver.Options{})
	require.Equal(t, http.StatusNoContent, fresh.do("PUT", "/__doppel/state", state).Code)
	fresh.loginAt("https://shop2.example", "ann@example.com", "shop-secret")
	fresh.loginAt("https://www.new.example", "cy@example.com", "p2")
}
