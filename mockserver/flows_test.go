package mockserver_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/identity"
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
	api string
	// login logs the seeded customer in with password; it answers the
	// status and, on success, a token that authenticates it.
	login func(h *harness, password string) (int, string)
}

var flowFaces = []flowFace{
	{api: "emporix", login: func(h *harness, password string) (int, string) {
		w := h.do("POST", "/customer/"+flowTenant+"/login", map[string]any{"email": flowEmail, "password": password},
			"Authorization", "Bearer "+h.anonymous(flowTenant))
		if w.Code != http.StatusOK {
			return w.Code, ""
		}
		return w.Code, decode[map[string]any](h.t, w)["access_token"].(string)
	}},
	{api: "openloyalty", login: func(h *harness, password string) (int, string) {
		w := h.do("POST", "/api/DEFAULT/customer/login_check", url.Values{"_username": {flowEmail}, "_password": {password}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded")
		if w.Code != http.StatusOK {
			return w.Code, ""
		}
		return w.Code, decode[map[string]string](h.t, w)["token"]
	}},
	{api: "accounts", login: func(h *harness, password string) (int, string) {
		w := h.do("POST", "/customers/login", map[string]any{"email": flowEmail, "password": password})
		if w.Code != http.StatusOK {
			return w.Code, ""
		}
		return w.Code, decode[map[string]string](h.t, w)["token"]
	}},
}

// flowHarness is a mock with the same customer in each face, on a clock
// set to a fixed instant that the test moves.
func flowHarness(t *testing.T) (*harness, *identity.ShiftClock) {
	t.Helper()
	clock := &identity.ShiftClock{}
	clock.Set(time.Date(2031, 3, 14, 15, 9, 26, 0, time.UTC))
	seed := &fixtures.Document{
		Emporix: &fixtures.Emporix{Tenants: map[string]fixtures.EmporixTenant{
			flowTenant: {Customers: []fixtures.EmporixCustomer{{Email: flowEmail, Password: flowPassword}}}}},
		OpenLoyalty: &fixtures.OpenLoyalty{Stores: map[string]fixtures.OpenLoyaltyStore{
			"DEFAULT": {Customers: []fixtures.OpenLoyaltyCustomer{{Email: flowEmail, Password: flowPassword}}}}},
		Accounts: &fixtures.Accounts{Customers: []fixtures.AccountsCustomer{{Email: flowEmail, Password: flowPassword}}},
	}
	return newHarness(t, mockserver.Options{Clock: clock, JWTKey: testJWTKey(), Seed: seed}), clock
}

// flowCustomer is the seeded customer of an API as the admin API shows it.
type flowCustomer struct {
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
