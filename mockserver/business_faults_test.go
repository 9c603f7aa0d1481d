package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// loginURL is the business-fault URL of ann's login in a face.
func (f opsFace) loginURL() string {
	return "/__doppel/faults/logins/" + f.api + "/" + f.tenant + "/ann@example.com"
}

func TestLockedLoginIsRefusedInEachFacesDialect(t *testing.T) {
	t.Parallel()
	for _, f := range opsFaces {
		t.Run(f.api, func(t *testing.T) {
			h := newOpsHarness(t, mockserver.Options{})
			tok := f.token(h)
			w := h.do("PATCH", f.loginURL(), `{"locked":true}`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, map[string]any{"api": f.api, "tenant": f.tenant, "email": "ann@example.com", "locked": true, "failLogins": 0.0},
				pick(decode[map[string]any](t, w), "api", "tenant", "email", "locked", "failLogins"))

			f.assertLogin(t, f.login(h, annPassword), http.StatusUnauthorized, f.locked)
			f.assertLogin(t, f.login(h, "wrong"), http.StatusUnauthorized, f.badLogin) // a wrong password stays one
			assert.Equal(t, http.StatusOK, f.authed(h, tok).Code, "a lock refuses logins, not the tokens already issued")

			_, logins := h.faults()
			require.Len(t, logins, 1)
			assert.Equal(t, true, logins[0]["locked"])
			assert.NotEmpty(t, logins[0]["customer"])

			w = h.do("PATCH", f.loginURL(), `{"locked":false}`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			f.assertLogin(t, f.login(h, annPassword), http.StatusOK, "")
			_, logins = h.faults()
			assert.Empty(t, logins, "a fault that does nothing is gone")
		})
	}
}

func TestNextLoginsFailInEachFace(t *testing.T) {
	t.Parallel()
	for _, f := range opsFaces {
		t.Run(f.api, func(t *testing.T) {
			h := newOpsHarness(t, mockserver.Options{})
			w := h.do("PATCH", f.loginURL(), `{"failLogins":2}`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			f.assertLogin(t, f.login(h, annPassword), http.StatusUnauthorized, f.badLogin)
			got := decode[map[string]any](t, h.do("GET", f.loginURL(), nil))
			assert.Equal(t, 1.0, got["failLogins"], "one forced failure left")
			f.assertLogin(t, f.login(h, annPassword), http.StatusUnauthorized, f.badLogin)
			f.assertLogin(t, f.login(h, annPassword), http.StatusOK, "")
		})
	}
}

func TestExpireTokensInEachFace(t *testing.T) {
	t.Parallel()
	for _, f := range opsFaces {
		t.Run(f.api, func(t *testing.T) {
			h := newOpsHarness(t, mockserver.Options{})
			tok := f.token(h)
			require.Equal(t, http.StatusOK, f.authed(h, tok).Code)

			w := h.do("POST", f.loginURL()+"/expire-tokens", nil)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, decode[map[string]any](t, w), "expired")
			assertAnswer(t, f.authed(h, tok), http.StatusUnauthorized, f.expired)

			fresh := f.token(h) // at once, within the same second too
			assert.Equal(t, http.StatusOK, f.authed(h, fresh).Code, "a token issued after the expiry works")
			assertAnswer(t, f.authed(h, tok), http.StatusUnauthorized, f.expired)
		})
	}
}

func TestExpireTokensCanKeepTheRefreshTokens(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	login := decode[map[string]any](t, opsFaces[0].login(h, annPassword))
	access, refresh := login["access_token"].(string), login["refresh_token"].(string)
	anon := "Bearer " + h.anonymous("acme")

	w := h.do("POST", opsFaces[0].loginURL()+"/expire-tokens", `{"keepRefresh":true}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"expired":1}`, w.Body.String(), "the access token; the anonymous ones are not the customer's")
	assert.Equal(t, http.StatusUnauthorized, opsFaces[0].authed(h, access).Code)
	w = h.do("GET", "/customer/acme/refreshauthtoken?refreshToken="+refresh, nil, "Authorization", anon)
	require.Equal(t, http.StatusOK, w.Code, "the session expired; the refresh token still renews it: %s", w.Body.String())

	refresh = decode[map[string]any](t, w)["refresh_token"].(string)
	w = h.do("POST", opsFaces[0].loginURL()+"/expire-tokens", `{}`)
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"expired":2}`, w.Body.String())
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/customer/acme/refreshauthtoken?refreshToken="+refresh, nil, "Authorization", anon).Code)
}

func TestBusinessFaultsAdminErrors(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	url := opsFaces[0].loginURL()
	tests := []struct {
		method, path, body string
		status             int
		reason             string
	}{
		{"PATCH", "/__doppel/faults/logins/emporix/acme/bob@example.com", `{"locked":true}`, 404, `no login "bob@example.com" in emporix tenant "acme"`},
		{"PATCH", "/__doppel/faults/logins/emporix/beta/ann@example.com", `{"locked":true}`, 404, `in emporix tenant "beta"`},
		{"GET", "/__doppel/faults/logins/shopify/acme/ann@example.com", "", 404, `api "shopify" is not one of emporix, openloyalty, accounts`},
		{"POST", "/__doppel/faults/logins/accounts/default/bob@example.com/expire-tokens", "", 404, `no login "bob@example.com"`},
		{"PATCH", url, `{"locked":"yes"}`, 400, "cannot unmarshal string"},
		{"PATCH", url, `{"lock":true}`, 400, `unknown field "lock"`},
		{"PATCH", url, `{"failLogins":-1}`, 400, "failLogins must be 0 or more"},
		{"PATCH", url, ``, 400, "body: EOF"},
		{"POST", url + "/expire-tokens", `{"keep":true}`, 400, `unknown field "keep"`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			w := h.do(tt.method, tt.path, body)
			assert.Equal(t, tt.status, w.Code)
			assert.Contains(t, decode[map[string]string](t, w)["error"], tt.reason)
		})
	}
	_, logins := h.faults()
	assert.Empty(t, logins)
}

func TestDeletingFaultsClearsRulesAndLogins(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	h.addFault(`{"status":500}`)
	for _, f := range opsFaces {
		require.Equal(t, http.StatusOK, h.do("PATCH", f.loginURL(), `{"locked":true,"failLogins":1}`).Code)
	}
	rules, logins := h.faults()
	assert.Len(t, rules, 1)
	assert.Len(t, logins, 3)

	assert.Equal(t, http.StatusNoContent, h.do("DELETE", opsFaces[1].loginURL(), nil).Code)
	_, logins = h.faults()
	assert.Equal(t, []any{"accounts", "emporix"}, []any{logins[0]["api"], logins[1]["api"]}, "one login cleared; the list is by api")

	assert.Equal(t, http.StatusNoContent, h.do("DELETE", "/__doppel/faults", nil).Code)
	rules, logins = h.faults()
	assert.Empty(t, rules)
	assert.Empty(t, logins)
	for _, f := range opsFaces {
		assert.Equal(t, http.StatusOK, f.login(h, annPassword).Code, f.api)
	}
}
