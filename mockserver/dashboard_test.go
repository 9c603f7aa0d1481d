package mockserver_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
)

type customerPage struct {
	Total   int `json:"total"`
	Tenants []struct {
		API       string `json:"api"`
		Tenant    string `json:"tenant"`
		Customers int    `json:"customers"`
	} `json:"tenants"`
	Customers []struct {
		API       string                   `json:"api"`
		Tenant    string                   `json:"tenant"`
		Number    string                   `json:"number"`
		Active    bool                     `json:"active"`
		Profile   map[string]any           `json:"profile"`
		Logins    []struct{ Email string } `json:"logins"`
		Addresses []struct {
			Default bool           `json:"default"`
			Fields  map[string]any `json:"fields"`
		} `json:"addresses"`
		Tokens []struct{ Kind, Value string } `json:"tokens"`
	} `json:"customers"`
}

func TestAdminCustomers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas()})
	tok := h.customer("acme", "ann@example.com", "s3cret!")
	w := h.do("POST", "/customer/acme/me/addresses", map[string]string{"street": "Main St", "city": "Berlin", "country": "DE"},
		"Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	h.customer("acme", "bob@example.com", "s3cret!")

	page := decode[customerPage](t, h.do("GET", "/__doppel/customers", nil))
	assert.Equal(t, 11, page.Total, "9 personas and 2 sign-ups")
	require.Len(t, page.Customers, 11)
	assert.Equal(t, "bob@example.com", page.Customers[0].Logins[0].Email, "newest first")
	ann := page.Customers[1]
	assert.Equal(t, []any{"emporix", "acme", true}, []any{ann.API, ann.Tenant, ann.Active})
	assert.Equal(t, "ann@example.com", ann.Logins[0].Email)
	require.Len(t, ann.Addresses, 1)
	assert.True(t, ann.Addresses[0].Default)
	assert.Equal(t, "Berlin", ann.Addresses[0].Fields["city"])
	var values []string
	for _, t := range ann.Tokens {
		values = append(values, t.Value)
	}
	assert.Contains(t, values, tok, "its live tokens")
	assert.Contains(t, fmt.Sprint(page.Tenants), "{emporix acme 2}")
	assert.Contains(t, fmt.Sprint(page.Tenants), "{emporix demo 3}")

	// Logging out ends the token: it is no longer listed.
	w = h.do("GET", "/customer/acme/logout?accessToken="+tok, nil, "Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	page = decode[customerPage](t, h.do("GET", "/__doppel/customers?api=emporix&tenant=acme&limit=1", nil))
	assert.Equal(t, 2, page.Total)
	require.Len(t, page.Customers, 1, "bounded by limit")
	assert.Equal(t, "bob@example.com", page.Customers[0].Logins[0].Email)
	page = decode[customerPage](t, h.do("GET", "/__doppel/customers?api=emporix&tenant=acme&limit=2", nil))
	assert.Empty(t, page.Customers[1].Tokens)

	page = decode[customerPage](t, h.do("GET", "/__doppel/customers?api=openloyalty", nil))
	assert.Equal(t, 2, page.Total, "a customer and an admin")
	page = decode[customerPage](t, h.do("GET", "/__doppel/customers?tenant=nowhere", nil))
	assert.Zero(t, page.Total)
	assert.NotNil(t, page.Customers)
	assert.NotNil(t, page.Tenants)

	for _, q := range []string{"api=nope", "limit=0", "limit=x", "email=a@example.com"} {
		w := h.do("GET", "/__doppel/customers?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, w.Code, q)
		assert.Contains(t, w.Body.String(), `"error":"customers: `, q)
	}
}

func TestAdminMailboxLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	h.customer("acme", "ann@example.com", "s3cret!")
	anon := h.anonymous("acme")
	for range 3 {
		w := h.do("POST", "/customer/acme/password/reset", map[string]string{"email": "ann@example.com"}, "Authorization", "Bearer "+anon)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	}
	all := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox", nil))
	require.Len(t, all, 3)
	w := h.do("GET", "/__doppel/mailbox?limit=2", nil)
	assert.Equal(t, "3", w.Header().Get("X-Total-Count"))
	assert.Equal(t, all[1:], decode[[]map[string]any](t, w), "the newest, oldest first")
	assert.Equal(t, http.StatusBadRequest, h.do("GET", "/__doppel/mailbox?limit=-1", nil).Code)
}

func TestDashboardIsServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	w := h.do("GET", "/__doppel/", nil)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Contains(t, w.Header().Get("Content-Security-Policy"), "script-src 'self'")
	assert.Contains(t, w.Body.String(), `<script src="ui/dashboard.js"`)
	for file, typ := range map[string]string{"dashboard.js": "text/javascript", "dashboard.css": "text/css"} {
		w := h.do("GET", "/__doppel/ui/"+file, nil)
		assert.Equal(t, http.StatusOK, w.Code, file)
		assert.Contains(t, w.Header().Get("Content-Type"), typ, file)
	}
	for _, path := range []string{"/__doppel/ui/nope.js", "/__doppel/ui/index.html", "/__doppel/ui/"} {
		assert.Equal(t, http.StatusNotFound, h.do("GET", path, nil).Code, path)
	}
	assert.Equal(t, http.StatusNotFound, h.do("POST", "/__doppel/", nil).Code)
}
