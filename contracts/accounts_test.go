package contracts

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAccountsVendorView: Greedbag documents its success bodies and nothing
// of refusals, so a deployment fails only on those bodies; the error body,
// the statuses of refusals and the id's digits are doppel's choices.
func TestAccountsVendorView(t *testing.T) {
	c := MustLoad("accounts")
	self := c.Operation("GET", "/customers/self")
	json := http.Header{"Content-Type": {"application/json"}}
	customer := func(id, phone string) string {
		return `{"id":` + id + `,"email":"kim@example.net","name":"Kim",` + phone + `"address":null,"address_town":null,` +
			`"address_postcode":null,"address_region":null,"country":null,"mobile":null,"subscriptions":[]}`
	}
	tests := []struct {
		name           string
		status         int
		body           string
		vendor, doppel []string // the fields each view's violations name (the doppel view's beyond the vendor's)
	}{
		{"doppel's answer", 200, customer(`"58937470420006"`, `"phone":null,`), nil, nil},
		{"an id of another shape", 200, customer(`"cust-7"`, `"phone":null,`), nil, []string{"id"}},
		{"a field of the seed's CustomerResponse missing", 200, customer(`"58937470420006"`, ""), []string{"phone"}, nil},
		{"an id that is no string", 200, customer(`58937470420006`, `"phone":null,`), []string{"id"}, nil},
		{"another error body", 401, `{"message":"Unauthorized"}`, nil, []string{"result"}},
		{"a refusal doppel does not list", 404, `{"error":"not_found"}`, nil, []string{"result"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := c.CheckResponse(httptest.NewRequest("GET", "/customers/self", nil), self, tt.status, json, []byte(tt.body))
			assert.ElementsMatch(t, tt.vendor, fields(v.Vendor), "vendor: %v", v.Vendor)
			assert.ElementsMatch(t, tt.doppel, fields(v.Doppel), "doppel: %v", v.Doppel)
		})
	}
	for _, op := range c.Operations() {
		assert.True(t, op.VendorDocuments(200), "%s %s: the seed documents its success answer", op.Method, op.Path)
		for _, status := range []int{400, 401, 403, 404, 409, 413, 415, 422} {
			assert.True(t, op.Documents(status), "%s %s %d: a refusal is a finding at most", op.Method, op.Path, status)
			assert.False(t, op.VendorDocuments(status), "%s %s %d: the seed documents no refusal", op.Method, op.Path, status)
		}
	}
}
