package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/scenarios"
)

// TestAPIHeadersGoWithEveryVendorRequest: the runner sends an API's headers
// (Customer Accounts: Origin, from the origin variable) with every request
// to the API but none to doppel's admin API; a step's own value wins, and a
// value that expands to "" sends no header.
func TestAPIHeadersGoWithEveryVendorRequest(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		origin := "none"
		if v, ok := r.Header["Origin"]; ok {
			origin = strings.Join(v, ",")
		}
		got = append(got, r.URL.Path+" "+origin)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	target := &conformance.Target{
		APIs: map[string]conformance.Endpoint{"accounts": {BaseURL: ts.URL, Vars: map[string]string{
			scenarios.VarOrigin: "https://shop.example", scenarios.VarAccountEmail: "a@example.com", scenarios.VarAccountPassword: "p"}}},
		Capabilities: []string{scenarios.Provisioning},
	}
	s := scenarios.Scenario{
		ID: "ACC-RETAILER-999", Description: "Headers MUST go along.", Labels: []string{"accounts", scenarios.Provisioning},
		Steps: []scenarios.Step{
			scenarios.Admin("POST", scenarios.SeedPath).JSON(scenarios.Obj{}).Expect(204),
			scenarios.GET("/customers/echo").Expect(204),
			scenarios.GET("/customers/echo").Header("Origin", "https://other.example").Expect(204),
			scenarios.GET("/customers/echo").Header("Origin", "").Expect(204),
		},
	}
	require.NoError(t, s.Validate())
	_, err := target.Run(context.Background(), s)
	require.NoError(t, err)
	assert.Equal(t, []string{
		scenarios.SeedPath + " none",
		"/customers/echo https://shop.example",
		"/customers/echo https://other.example",
		"/customers/echo none",
	}, got)
}
