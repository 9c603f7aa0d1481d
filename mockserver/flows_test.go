package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/seed"
)

// The one customer each face is seeded with in flowHarness.
const (
	flowEmail    = "kit.flow@flows.test"
	flowPassword = "Fl0w-Passw0rd!"
	flowTenant   = "flowtenant" // Emporix's tenant
)

// flowFace drives one face through the shared identity flows, in its own
// dialect.
type flowFace struct {
	api, tenant string
	// login logs the seeded customer in with password; it answers the
	// status and, on success, a token that authenticates it.
	login func(h *harness, password string) (int, string)
	// asSelf calls an endpoint of the customer's own with token; the status
	// (401: the token was refused).
	asSelf func(h *harness, token string) int
	// requestReset asks for a password reset mail; resetPassword sets a new
	// password with its code, and answers it.
	requestReset  func(h *harness)
	resetPassword func(h *harness, code string) string
}

// flowNewPassword is the password a reset sets where the customer chooses it.
const flowNewPassword = "N3w-Fl0w-Passw0rd?"

// expect fails the test unless w has the status.
func expect(h *harness, w *httptest.ResponseRecorder, status int) {
	h.t.Helper()
	require.Equal(h.t, status, w.Code, w.Body.String())
}

var flowFaces = []flowFace{
	{api: "emporix", tenant: flowTenant, login: func(h *harness, password string) (int, string) {
		w := h.do("POST", "/customer/"+flowTenant+"/login", map[string]any{"email": flowEmail, "password": password},
			"Authorization", "Bearer "+h.anonymous(flowTenant))
		if w.Code != http.StatusOK {
			return w.Code, ""
		}
		return w.Code, decode[map[string]any](h.t, w)["access_token"].(string)
	}, asSelf: func(h *harness, token string) int {
		return h.do("GET", "/customer/"+flowTenant+"/me", nil, "Authorization", "Bearer "+token).Code
	}, requestReset: func(h *harness) {
		expect(h, h.do("POST", "/customer/"+flowTenant+"/password/reset", map[string]any{"email": flowEmail},
			"Authorization", "Bearer "+h.anonymous(flowTenant)), http.StatusNoContent)
	}, resetPassword: func(h *harness, code string) string {
		expect(h, h.do("POST", "/customer/"+flowTenant+"/password/reset/update", map[string]any{"token": code, "password": flowNewPassword},
			"Authorization", "Bearer "+h.anonymous(flowTenant)), http.StatusNoContent)
		return flowNewPassword
	}},
	{api: "openloyalty", tenant: "DEFAULT", login: func(h *harness, password string) (int, string) {
		w := h.do("POST", "/api/DEFAULT/customer/login_check", url.Values{"_username": {flowEmail}, "_password": {password}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded")
		if w.Code != http.StatusOK {
			return w.Code, ""
		}
		return w.Code, decode[map[string]string](h.t, w)["token"]
	}, asSelf: func(h *harness, token string) int { // the firewall lets the form through: a 400 for its wrong password
		return h.do("POST", "/api/DEFAULT/customer/password/change", url.Values{"currentPassword": {"not-it"}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Bearer "+token).Code
	}, requestReset: func(h *harness) {
		expect(h, h.do("POST", "/api/DEFAULT/customer/password/reset/request", url.Values{"username": {flowEmail}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded"), http.StatusOK)
	}, resetPassword: func(h *harness, code string) string {
		expect(h, h.do("POST", "/api/password/reset", url.Values{"token": {code}, "reset[plainPassword]": {flowNewPassword}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded"), http.StatusOK)
		return flowNewPassword
	}},
	{api: "accounts", tenant: "default", login: func(h *harness, password string) (int, string) {
		w := h.do("POST", "/customers/login", map[string]any{"email": flowEmail, "password": password})
		if w.Code != http.StatusOK {
			return w.Code, ""
		}
		return w.Code, decode[map[string]string](h.t, w)["token"]
	}, asSelf: func(h *harness, token string) int {
		return h.do("GET", "/customers/self", nil, "Authorization", "Bearer "+token).Code
	}, requestReset: func(h *harness) {
		expect(h, h.do("POST", "/customers/password_reset", map[string]any{"email": flowEmail, "reset_uri": "/reset"}), http.StatusOK)
	}, resetPassword: func(h *harness, code string) string { // the service chooses the password: the answer carries it
		w := h.do("POST", "/customers/do_reset", map[string]any{"email": flowEmail, "code": code})
		expect(h, w, http.StatusOK)
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(decode[map[string]string](h.t, w)["token"], claims, func(*jwt.Token) (any, error) { return []byte(code), nil }, jwt.WithoutClaimsValidation())
		require.NoError(h.t, err)
		return claims["passphrase"].(string)
	}},
}

// flowHarness is a mock with the same customer in each face, on a clock
// set to a fixed instant that the test moves.
func flowHarness(t *testing.T) (*harness, *identity.ShiftClock) {
	t.Helper()
	clock := &identity.ShiftClock{}
	clock.Set(time.Date(2031, 3, 14, 15, 9, 26, 0, time.UTC))
	doc := &seed.Document{
		Emporix: &seed.Emporix{Tenants: map[string]seed.EmporixTenant{
			flowTenant: {Customers: []seed.EmporixCustomer{{Email: flowEmail, Password: flowPassword}}}}},
		OpenLoyalty: &seed.OpenLoyalty{Stores: map[string]seed.OpenLoyaltyStore{
			"DEFAULT": {Customers: []seed.OpenLoyaltyCustomer{{Email: flowEmail, Password: flowPassword}}}}},
		Accounts: &seed.Accounts{Customers: []seed.AccountsCustomer{{Email: flowEmail, Password: flowPassword}}},
	}
	return newHarness(t, mockserver.Options{Clock: clock, JWTKey: testJWTKey(), Seed: doc}), clock
}

// flowCustomer is the seeded customer of an API as the admin API shows it.
type flowCustomer struct {
	Number   string    `json:"number"`
	LastSeen time.Time `json:"lastSeen"`
	Tokens   []struct {
		Kind   string    `json:"kind"`
		Issued time.Time `json:"issued"`
	} `json:"tokens"`
}

func (h *harness) flowCustomer(api string) flowCustomer {
	h.t.Helper()
	w := h.do("GET", "/__doppel/customers?api="+api, nil)
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	page := decode[struct{ Customers []flowCustomer }](h.t, w)
	require.Len(h.t, page.Customers, 1)
	return page.Customers[0]
}

// TestLoginRecordsTheSameFactsOnEveryFace: a password login of any face
// records when the customer was last seen and issues a stored token; a
// failed one records neither.
func TestLoginRecordsTheSameFactsOnEveryFace(t *testing.T) {
	for _, f := range flowFaces {
		t.Run(f.api, func(t *testing.T) {
			h, clock := flowHarness(t)
			status, _ := f.login(h, "Wr0ng-Passw0rd!")
			require.Equal(t, http.StatusUnauthorized, status)
			before := h.flowCustomer(f.api)
			assert.True(t, before.LastSeen.IsZero(), "a failed login is not a visit")
			assert.Empty(t, before.Tokens)

			at := clock.Now()
			status, token := f.login(h, flowPassword)
			require.Equal(t, http.StatusOK, status)
			require.NotEmpty(t, token)
			after := h.flowCustomer(f.api)
			assert.False(t, after.LastSeen.Before(at), "lastSeen %v is the login's time, not before %v", after.LastSeen, at)
			require.NotEmpty(t, after.Tokens, "the login issued a stored token")
			for _, tok := range after.Tokens {
				assert.Equal(t, after.LastSeen, tok.Issued, "%s token issued in the login's transaction", tok.Kind)
			}
		})
	}
}

// TestBearerTokensAreJudgedAlikeOnEveryFace: the token of a login lets its
// customer in until the admin API expires the customer's tokens; a later
// login's token lets it in again.
func TestBearerTokensAreJudgedAlikeOnEveryFace(t *testing.T) {
	for _, f := range flowFaces {
		t.Run(f.api, func(t *testing.T) {
			h, _ := flowHarness(t)
			_, token := f.login(h, flowPassword)
			assert.NotEqual(t, http.StatusUnauthorized, f.asSelf(h, token), "a fresh token")
			assert.Equal(t, http.StatusUnauthorized, f.asSelf(h, token+"x"), "an unknown token")

			w := h.do("POST", "/__doppel/faults/logins/"+f.api+"/"+f.tenant+"/"+flowEmail+"/expire-tokens", nil)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, http.StatusUnauthorized, f.asSelf(h, token), "an expired token")

			_, token = f.login(h, flowPassword)
			assert.NotEqual(t, http.StatusUnauthorized, f.asSelf(h, token), "a token issued after the expiry")
		})
	}
}

// TestPasswordSetIsTheSameOnEveryFace: a password reset sets the new
// password at once, refuses the old one, and keeps the tokens issued before
// (no vendor documents ending them).
func TestPasswordSetIsTheSameOnEveryFace(t *testing.T) {
	for _, f := range flowFaces {
		t.Run(f.api, func(t *testing.T) {
			h, _ := flowHarness(t)
			_, token := f.login(h, flowPassword)
			f.requestReset(h)
			password := f.resetPassword(h, h.flowMail(f.api).Token)

			status, _ := f.login(h, flowPassword)
			assert.Equal(t, http.StatusUnauthorized, status, "the old password")
			status, _ = f.login(h, password)
			assert.Equal(t, http.StatusOK, status, "the new password")
			assert.NotEqual(t, http.StatusUnauthorized, f.asSelf(h, token), "a token of before the reset")
		})
	}
}

// flowMessage is a mail as the admin API shows it.
type flowMessage struct {
	API, Tenant, To, Kind, Subject, Body, Token, Identifier, Link string
}

// flowMail is the one password reset mail of an API.
func (h *harness) flowMail(api string) flowMessage {
	h.t.Helper()
	w := h.do("GET", "/__doppel/mailbox?api="+api+"&kind=password_reset", nil)
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	mail := decode[[]flowMessage](h.t, w)
	require.Len(h.t, mail, 1)
	return mail[0]
}

// TestMailedCodesAreRecordedAlikeOnEveryFace: a password reset request
// mails the code with the same fields on every face: the customer's API,
// tenant, e-mail and number, the code as the token, in the link and the
// body.
func TestMailedCodesAreRecordedAlikeOnEveryFace(t *testing.T) {
	for _, f := range flowFaces {
		t.Run(f.api, func(t *testing.T) {
			h, _ := flowHarness(t)
			f.requestReset(h)
			m := h.flowMail(f.api)
			assert.Equal(t, f.api, m.API)
			assert.Equal(t, f.tenant, m.Tenant)
			assert.Equal(t, flowEmail, m.To)
			assert.Equal(t, h.flowCustomer(f.api).Number, m.Identifier)
			assert.NotEmpty(t, m.Subject)
			require.NotEmpty(t, m.Token)
			assert.Contains(t, m.Link, m.Token)
			assert.Contains(t, m.Body, m.Token)
		})
	}
}
