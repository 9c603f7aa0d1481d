package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/scenarios"
	"github.com/doppel-dev/doppel/seed"
)

// doppelAPI is how a doppel deployment serves one API to the suite: the
// built-in variables' values and the other tenants of multi-tenant
// scenarios (fresh names when none); doppelSeed makes them true.
type doppelAPI struct {
	Vars         map[string]string
	OtherTenants []string
}

// doppelAPIs lists every API a doppel deployment serves.
var doppelAPIs = map[string]doppelAPI{
	"emporix": {
		Vars: map[string]string{scenarios.VarTenant: "conformance", scenarios.VarClientID: "doppel-conformance",
			scenarios.VarOptInTenant: emporixOptInTenant},
	},
	"accounts": {
		Vars: map[string]string{scenarios.VarAccountEmail: accountsEmail, scenarios.VarAccountPassword: accountsPassword,
			scenarios.VarOrigin: accountsOrigin},
		OtherTenants: []string{accountsOtherOrigin},
	},
	"openloyalty": {
		Vars: map[string]string{scenarios.VarStoreCode: "conformance", scenarios.VarAdminUsername: olAdmin, scenarios.VarAdminPassword: olAdminPassword,
			scenarios.VarAdminEmail: olAdminEmail, scenarios.VarPosID: olPointOfSale},
	},
}

// doppelSeed is the seed document (POST /__doppel/seed) that makes
// doppelAPIs' variables true on a doppel deployment.
var doppelSeed = seed.Document{
	Emporix: &seed.Emporix{Tenants: map[string]seed.EmporixTenant{emporixOptInTenant: {DoubleOptIn: true}}},
	Accounts: &seed.Accounts{Retailers: []seed.AccountsRetailer{
		{Name: "conformance", Origins: []string{accountsOrigin}, Customers: []seed.AccountsCustomer{{
			Email: accountsEmail, Password: accountsPassword, Name: "Conformance Test", Status: seed.StatusActive}}},
		{Name: "conformance-other", Origins: []string{accountsOtherOrigin}},
	}},
	OpenLoyalty: &seed.OpenLoyalty{
		Admins:       []seed.OpenLoyaltyAdmin{{Username: olAdmin, Email: olAdminEmail, Password: olAdminPassword}},
		PointsOfSale: []string{olPointOfSale},
	},
}

// emporixOptInTenant is the Emporix tenant with double opt-in on that Setup
// configures on a doppel deployment.
const emporixOptInTenant = "conformanceoptin"

// The Customer Accounts retailers and test account Setup provisions on a
// doppel deployment.
const (
	accountsOrigin      = "https://conformance.doppel.test"
	accountsOtherOrigin = "https://other.conformance.doppel.test"
	accountsEmail       = "conformance@accounts.doppel.test"
	accountsPassword    = "Conformance-1"
)

// The Open Loyalty admin a doppel deployment is seeded with for the suite
// (its password meets the password policy, so that scenarios can restore
// it), and the point of sale of the sellers the suite registers.
const (
	olAdmin, olAdminPassword, olAdminEmail = "conformance-admin", "Conf0rmance!admin", "conformance-admin@example.com"
	olPointOfSale                          = "c6a1f0d2-7e3b-4a95-8d1c-0b2e9f4a6c37"
)

// DoppelTarget is a doppel deployment at base — in-process or `doppel serve`
// elsewhere: every API at the same base URL, every capability, and its own
// mailbox. Call Setup before running scenarios.
func DoppelTarget(base string) *Target {
	t := &Target{
		Name:    "doppel at " + base,
		APIs:    map[string]Endpoint{},
		Mailbox: DoppelMailbox{BaseURL: base}, // records mail before it answers: no need to wait
	}
	for name, a := range doppelAPIs {
		t.APIs[name] = Endpoint{BaseURL: base, Vars: a.Vars, OtherTenants: a.OtherTenants}
	}
	for c := range scenarios.Capabilities {
		t.Capabilities = append(t.Capabilities, c)
	}
	slices.Sort(t.Capabilities)
	return t
}

// Setup seeds a doppel deployment with what DoppelTarget's variables name,
// through its admin API (POST /__doppel/seed).
func Setup(ctx context.Context, base string, client *http.Client) error {
	body, err := json.Marshal(doppelSeed)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/__doppel/seed", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("seeding %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("seeding %s: %s: %s", base, resp.Status, msg)
	}
	return nil
}

// AdminTokenEnv names the environment variable holding a doppel
// deployment's admin token, as for doppel serve.
const AdminTokenEnv = "DOPPEL_ADMIN_TOKEN"

// AdminClient is an HTTP client that sends a doppel deployment's admin
// token with its requests to the admin API (/__doppel/), and with no other.
func AdminClient(token string) *http.Client {
	return &http.Client{Transport: adminToken{token: token, next: http.DefaultTransport}}
}

type adminToken struct {
	token string
	next  http.RoundTripper
}

func (a adminToken) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Path, "/__doppel/") {
		return a.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+a.token)
	return a.next.RoundTrip(r)
}
