package mockserver_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// sellerForm is a seller registration form, active.
func sellerForm(email, pos string) url.Values {
	return url.Values{"seller[firstName]": {"Sam"}, "seller[lastName]": {"Okoro"}, "seller[email]": {email},
		"seller[posId]": {pos}, "seller[plainPassword]": {"oloy"}, "seller[active]": {"1"}}
}

// TestOpenLoyaltySellerRegistration: an admin registers a seller of a seeded
// point of sale with the password it names (no policy applies); the seller
// logs in by e-mail and by the id the answer names.
func TestOpenLoyaltySellerRegistration(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	w := h.post("/api/seller/register", sellerForm("kim@example.org", olPOS), bearer(h.adminToken())...)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	out := decode[map[string]string](t, w)
	assert.Equal(t, "kim@example.org", out["email"])
	assert.Equal(t, "oloy", out["password"])
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, out["sellerId"])
	for _, name := range []string{"kim@example.org", "KIM@example.org", out["sellerId"]} {
		tok, _ := h.login("/api/seller/login_check", name, "oloy")
		claims := claimsOf(t, tok)
		assert.Equal(t, []any{"ROLE_SELLER"}, claims["roles"], name)
		assert.Equal(t, out["sellerId"], claims["id"], name)
	}
	w = h.do("POST", "/api/seller/register", `{"seller":{"firstName":"Sam","lastName":"Okoro","email":"jo@example.org","posId":"`+olPOS+
		`","plainPassword":"Seller-pass-2","active":true,"phone":"+48600100200","allowPointTransfer":false}}`, bearer(h.adminToken())...)
	require.Equal(t, http.StatusOK, w.Code, "as JSON: %s", w.Body.String())
	h.login("/api/seller/login_check", "jo@example.org", "Seller-pass-2")
}

// TestOpenLoyaltySellerRegistrationRefusals: the seller form's errors, all
// at once, create nobody; only admins may register sellers.
func TestOpenLoyaltySellerRegistrationRefusals(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	admin := bearer(h.adminToken())
	every := func(failed map[string]string) string { // the form's answer: every field, the failed ones with their message
		children := ""
		for _, f := range []string{"firstName", "lastName", "active", "email", "phone", "posId", "plainPassword", "allowPointTransfer"} {
			node := "{}"
			if msg, ok := failed[f]; ok {
				node = `{"errors":["` + msg + `"]}`
			}
			children += `,"` + f + `":` + node
		}
		return `{"form":{"children":{` + children[1:] + `}},"errors":[]}`
	}
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"not submitted", url.Values{"firstName": {"Sam"}}, every(nil)},
		{"blank", url.Values{"seller[active]": {"1"}}, every(map[string]string{"firstName": "This value should not be blank.",
			"lastName": "This value should not be blank.", "email": "This value should not be blank.",
			"posId": "This value should not be blank.", "plainPassword": "This value should not be blank."})},
		{"bad e-mail, phone and point of sale", func() url.Values {
			f := sellerForm("not-an-address", "9d3a0c6e-2b7f-4e1d-8c5a-f4b2e6d0a913")
			f.Set("seller[phone]", "+12")
			return f
		}(), every(map[string]string{"email": "This value is not a valid email address.",
			"phone": "This value is not a valid phone number.", "posId": "This value is not valid."})},
		{"another seller's e-mail", sellerForm("SAM@example.com", olPOS), every(map[string]string{"email": "This email is already taken"})},
	} {
		assertBody(t, h.post("/api/seller/register", tt.form, admin...), http.StatusBadRequest, tt.want)
	}
	extra := sellerForm("kit@example.org", olPOS)
	extra.Set("seller[posName]", "Main street")
	w := h.post("/api/seller/register", extra, admin...)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), `"errors":["This form should not contain extra fields."]}`)

	seller, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	other, _ := h.login("/api/OTHER/customer/login_check", olCustomer, olOther)
	for _, tt := range []struct {
		header []string
		status int
		body   string
	}{
		{bearer(seller), http.StatusForbidden, `{"error":{"code":403,"message":"Forbidden"}}`},
		{bearer(h.customerToken()), http.StatusForbidden, `{"error":{"code":403,"message":"Forbidden"}}`},
		{bearer(other), http.StatusUnauthorized, unknownUser}, // a customer of a store the seller API does not address
		{nil, http.StatusUnauthorized, noToken},
	} {
		assertBody(t, h.post("/api/seller/register", sellerForm("kit@example.org", olPOS), tt.header...), tt.status, tt.body)
	}
	assertBody(t, h.post("/api/seller/login_check", url.Values{"_username": {"kit@example.org"}, "_password": {"oloy"}}),
		http.StatusUnauthorized, badCredentials)
}

// TestOpenLoyaltySellerActivation: a seller registered without "active", or
// deactivated, is answered "Your account is not active" and its JWTs are
// refused, until an admin activates it; only admins (de)activate, and an
// unknown seller is a 404.
func TestOpenLoyaltySellerActivation(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	admin := bearer(h.adminToken())
	inactive := sellerForm("lee@example.org", olPOS)
	inactive.Del("seller[active]")
	w := h.post("/api/seller/register", inactive, admin...)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	id := decode[map[string]string](t, w)["sellerId"]
	creds := url.Values{"_username": {"lee@example.org"}, "_password": {"oloy"}}
	notActive := `{"message":"Your account is not active"}`
	assertBody(t, h.post("/api/seller/login_check", creds), http.StatusBadRequest, notActive)

	assert.Equal(t, http.StatusOK, h.post("/api/seller/"+id+"/activate", nil, admin...).Code)
	tok, _ := h.login("/api/seller/login_check", "lee@example.org", "oloy")
	change := url.Values{"currentPassword": {"wrong"}, "plainPassword": {newPassword}}
	assert.Equal(t, http.StatusBadRequest, h.post("/api/seller/password/change", change, bearer(tok)...).Code, "the seller's JWT is accepted")

	w = h.post("/api/seller/"+id+"/deactivate", nil, admin...)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Body.String(), "no content")
	assertBody(t, h.post("/api/seller/login_check", creds), http.StatusBadRequest, notActive)
	assertBody(t, h.post("/api/seller/password/change", change, bearer(tok)...), http.StatusUnauthorized, unknownUser)

	seller, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	assertBody(t, h.post("/api/seller/"+id+"/activate", nil, bearer(seller)...), http.StatusForbidden, `{"error":{"code":403,"message":"Forbidden"}}`)
	assertBody(t, h.post("/api/seller/"+id+"/activate", nil), http.StatusUnauthorized, noToken)
	assertBody(t, h.post("/api/seller/login_check", creds), http.StatusBadRequest, notActive)
	assertBody(t, h.post("/api/seller/9d3a0c6e-2b7f-4e1d-8c5a-f4b2e6d0a913/activate", nil, admin...), http.StatusNotFound, notFound)
	customer := claimsOf(t, h.customerToken())["id"].(string)
	assertBody(t, h.post("/api/seller/"+customer+"/deactivate", nil, admin...), http.StatusNotFound, notFound)
}

// TestOpenLoyaltyPointsOfSale: a customer's registration may name a seeded
// point of sale, not another one; points of sale are seeded by id and
// survive a state export and import.
func TestOpenLoyaltyPointsOfSale(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	customer := func(email, pos string) url.Values {
		return url.Values{"customer[firstName]": {"Wren"}, "customer[lastName]": {"Okafor"}, "customer[email]": {email},
			"customer[agreement1]": {"1"}, "customer[posId]": {pos}}
	}
	assert.Equal(t, http.StatusOK, h.post("/api/customer/register", customer("wren@example.org", olPOS), bearer(h.adminToken())...).Code)
	w := h.post("/api/customer/register", customer("kit@example.org", "9d3a0c6e-2b7f-4e1d-8c5a-f4b2e6d0a913"), bearer(h.adminToken())...)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), `"posId":{"errors":["This value is not valid."]}`)

	w = h.do("POST", "/__doppel/seed", `{"openloyalty":{"pointsOfSale":[""]}}`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, decode[map[string]string](t, w)["error"], "point of sale 0: an id is required")

	state := h.do("GET", "/__doppel/state", nil)
	require.Equal(t, http.StatusOK, state.Code)
	b := newHarness(t, mockserver.Options{JWTKey: testJWTKey(), Clock: h.clock})
	require.Equal(t, http.StatusNoContent, b.do("PUT", "/__doppel/state", state.Body.String()).Code)
	tok := decode[map[string]string](t, b.do("POST", "/api/admin/login_check", map[string]string{"_username": olAdmin, "_password": olPassword}))["token"]
	w = b.do("POST", "/api/seller/register", sellerForm("kim@example.org", olPOS).Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Bearer "+tok)
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
}
