package mockserver_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// TestDrawnCustomers: customers of doppel serve --customers are drawn into
// the store when first needed, and nothing tells them from customers stored
// from the start: the export is the same before and after they are drawn,
// their logins and numbers are taken, deleting one is for good, and reset
// returns them as they were.
func TestDrawnCustomers(t *testing.T) {
	t.Parallel()
	const k = 20
	doc := fixtures.Draw(3, k)
	h := newHarness(t, mockserver.Options{Seed: doc, Random: fixtures.Source(3)})
	records := func() store.Records {
		var doc persist.Document
		require.NoError(t, json.Unmarshal([]byte(h.state()), &doc))
		require.NotNil(t, doc.State)
		return *doc.State
	}
	changes := h.srv.ID.Changes()
	before := records()
	assert.Equal(t, before, records(), "exporting draws in a copy: the same twice")
	assert.Equal(t, changes, h.srv.ID.Changes(), "exporting changes nothing")
	require.Len(t, before.Customers, 3+1+1+2+2+3*k, "every drawn customer is exported")

	// An Emporix customer logs in: drawn, with the profile and addresses of the document.
	emporix := doc.Emporix.Tenants[fixtures.DemoTenant].Drawn
	c := emporix.Draw(5)
	tok := h.login(fixtures.DemoTenant, emporix.Logins(5)[0], fixtures.CustomerPassword)
	me := decode[map[string]any](t, h.do("GET", "/customer/demo/me?expand=addresses", nil, "Authorization", "Bearer "+tok))
	assert.Equal(t, c.FirstName, me["firstName"])
	assert.Len(t, me["addresses"], len(c.Addresses))

	// Drawn for good, as the export had it: only the login's traces differ.
	after := records()
	for _, r := range []*store.Records{&before, &after} {
		for _, cust := range r.Customers {
			cust.LastSeen = time.Time{}
		}
		r.Tokens = nil
	}
	assert.Equal(t, before, after, "a drawn customer is the one the export showed")

	// Its logins stay taken, drawn or not.
	anon := h.anonymous(fixtures.DemoTenant)
	for _, i := range []int{5, 6} {
		w := h.do("POST", "/customer/demo/signup", map[string]any{"email": emporix.Logins(i)[0], "password": "An0ther!"}, "Authorization", "Bearer "+anon)
		assert.Equal(t, http.StatusConflict, w.Code, "customer %d's e-mail: %s", i, w.Body.String())
	}

	// Open Loyalty: by phone number, then by the UUID of its JWT.
	ol := doc.OpenLoyalty.Stores[fixtures.DemoStore].Drawn
	w := h.do("POST", "/api/DEFAULT/customer/login_check", map[string]string{"_username": ol.Logins(7)[1], "_password": fixtures.CustomerPassword})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	// Customer Accounts: another customer's e-mail is taken.
	acc := doc.Accounts.Drawn
	token := h.accountsLogin(acc.Logins(8)[0], fixtures.CustomerPassword)
	w = h.call("PATCH", "/customers/self", map[string]any{"email": acc.Logins(9)[0]}, token)
	assert.Equal(t, http.StatusConflict, w.Code, w.Body.String())

	// Deleted for good; reset brings it back.
	require.Equal(t, http.StatusAccepted, h.do("DELETE", "/customer/demo/me", nil, "Authorization", "Bearer "+tok).Code)
	mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=emporix&kind=account_deletion", nil))
	require.Len(t, mail, 1)
	w = h.do("DELETE", "/customer/demo/me?token="+mail[0]["token"].(string), nil, "Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.Equal(t, http.StatusUnauthorized, h.loginStatusEmporix(emporix.Logins(5)[0]))
	assert.Len(t, records().Customers, len(before.Customers)-1)
	require.Equal(t, http.StatusNoContent, h.do("POST", "/__doppel/reset", nil).Code)
	assert.Equal(t, http.StatusOK, h.loginStatusEmporix(emporix.Logins(5)[0]))
}

func (h *harness) loginStatusEmporix(email string) int {
	w := h.do("POST", "/customer/demo/login", map[string]any{"email": email, "password": fixtures.CustomerPassword},
		"Authorization", "Bearer "+h.anonymous(fixtures.DemoTenant))
	return w.Code
}

// TestDrawnCustomersAreListed: the dashboard's list counts the customers
// not drawn yet and draws those it shows, by id after the newer ones.
func TestDrawnCustomersAreListed(t *testing.T) {
	t.Parallel()
	const k = 30
	h := newHarness(t, mockserver.Options{Seed: fixtures.Draw(3, k), Random: fixtures.Source(3)})
	all := func(limit string) map[string]any {
		w := h.do("GET", "/__doppel/customers?api=emporix&limit="+limit, nil)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		return decode[map[string]any](t, w)
	}
	page := all("5")
	assert.EqualValues(t, 3+k, page["total"])
	first := page["customers"].([]any)
	require.Len(t, first, 5)
	assert.Equal(t, page, all("5"), "listing again draws no more")

	var ids []string
	for _, c := range all("1000")["customers"].([]any) {
		ids = append(ids, c.(map[string]any)["number"].(string))
	}
	assert.Len(t, ids, 3+k)
	assert.IsIncreasing(t, ids, "created at one instant: by id")
	assert.Equal(t, first[0].(map[string]any)["number"], ids[0])
}

// TestDrawnCustomersConcurrently: requests racing to draw one customer draw
// it once.
func TestDrawnCustomersConcurrently(t *testing.T) {
	t.Parallel()
	doc := fixtures.Draw(3, 5)
	h := newHarness(t, mockserver.Options{Seed: doc, Random: fixtures.Source(3)})
	email := doc.Emporix.Tenants[fixtures.DemoTenant].Drawn.Logins(2)[0]
	codes := make(chan int, 8)
	for range 8 {
		go func() { codes <- h.loginStatusEmporix(email) }()
	}
	for range 8 {
		assert.Equal(t, http.StatusOK, <-codes)
	}
	page := decode[map[string]any](t, h.do("GET", "/__doppel/customers?api=emporix&limit=1000", nil))
	numbers := map[any]int{}
	for _, c := range page["customers"].([]any) {
		numbers[c.(map[string]any)["number"]]++
	}
	assert.Len(t, numbers, 3+5, "each customer once")
	assert.EqualValues(t, 3+5, page["total"])
}
