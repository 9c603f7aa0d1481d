package conformance_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/mockserver"
	. "github.com/doppel-dev/doppel/scenarios"
)

// Synthetic scenarios that ask the runner for their customers.
var (
	accProvided = Scenario{ID: "ACC-AUTH-900", Description: "A provided customer MUST log in.", Labels: []string{"accounts"},
		Steps: []Step{
			Provide(Customer{Email: "email", Password: "pw"}),
			POST("/customers/login").JSON(Obj{"email": "{email}", "password": "{pw}"}).Expect(200).Capture("tok", "token"),
			GET("/customers/self").As("tok").Expect(200, Equals("email", "{email}")),
		}}
	accPending = Scenario{ID: "ACC-ACTIV-900", Description: "A provided pending customer MUST get its activation mail.",
		Labels: []string{"accounts", NeedsMailbox},
		Steps:  []Step{Provide(Customer{Email: "email", Pending: true}), MailToken("{email}", "activation", "secret")}}
	accActivated = Scenario{ID: "ACC-ACTIV-901", Description: "A provided pending customer MUST activate with its identifier and secret.", Labels: []string{"accounts"},
		Steps: []Step{
			Provide(Customer{Email: "email", Pending: true, ID: "ident", Secret: "secret"}),
			POST("/customers/activate").JSON(Obj{"identifier": "{ident}", "secret": "{secret}", "password": "Act1vated!pw", "password_check": "Act1vated!pw"}).Expect(200),
			POST("/customers/login").JSON(Obj{"email": "{email}", "password": "Act1vated!pw"}).Expect(200),
		}}
	accUsedUp = Scenario{ID: "ACC-PROF-900", Description: "A provided disposable customer MUST be deleted.", Labels: []string{"accounts"},
		Steps: []Step{
			Provide(Customer{Email: "email", Password: "pw", Disposable: true}),
			POST("/customers/login").JSON(Obj{"email": "{email}", "password": "{pw}"}).Expect(200).Capture("tok", "token"),
			DELETE("/customers/self").As("tok").Expect(200),
		}}
	accResetMail = Scenario{ID: "ACC-RESET-900", Description: "A reset MUST mail one code, which works.", Labels: []string{"accounts", NeedsMailbox},
		Steps: []Step{
			Provide(Customer{Email: "email", Password: "pw"}),
			POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "/reset"}).Expect(200),
			MailToken("{email}", "password_reset", "code"),
			MailCount("{email}", "password_reset", 1),
			POST("/customers/do_reset").JSON(Obj{"email": "{email}", "code": "{code}"}).Expect(200),
		}}
	olProvided = Scenario{ID: "OL-AUTH-900", Description: "A provided customer MUST log in.", Labels: []string{"openloyalty"},
		Steps: []Step{
			Provide(Customer{Email: "email", Password: "pw", ID: "id"}),
			POST("/api/{storeCode}/customer/login_check").JSON(Obj{"_username": "{email}", "_password": "{pw}"}).Expect(200),
		}}
	// empProvided is EMP-AUTH-004 with its customer provided: the
	// scenario no longer signs up itself.
	empProvided = Scenario{ID: "EMP-AUTH-004", Description: "A login MUST return the customer token set in the anonymous session, with a saas_token for the customer number.",
		Labels: []string{"emporix"},
		Steps: []Step{
			Provide(Customer{Email: "email", Password: "pw", ID: "id"}),
			GET("/customerlogin/auth/anonymous/login").Query("tenant", "{tenant}").Query("client_id", "{clientId}").Expect(200).
				Capture("anon", "access_token").Capture("anonSession", "sessionId"),
			POST("/customer/{tenant}/login").As("anon").JSON(Obj{"email": "{email}", "password": "{pw}"}).Expect(200,
				Equals("token_type", "Bearer"), Equals("session_id", Var("anonSession")), Claim("saas_token", "sub", Var("id"))).
				Capture("tok", "access_token"),
			GET("/customer/{tenant}/me").As("tok").Expect(200, Equals("id", Var("id"))),
		}}
)

func TestProvidedScenariosAreWellFormed(t *testing.T) {
	t.Parallel()
	require.NoError(t, CheckAll([]Scenario{accProvided, accPending, accActivated, accUsedUp, accResetMail, olProvided, empProvided}))
	bad := Scenario{ID: "ACC-AUTH-901", Description: "X MUST hold.", Labels: []string{"accounts"}, Emails: []string{"email"},
		Steps: []Step{Provide(Customer{Email: "email", Password: "pw"}), Provide(Customer{Email: "other", Pending: true, Password: "pw2"})}}
	err := bad.Validate()
	assert.ErrorContains(t, err, `variable "email" is bound already`)
	assert.ErrorContains(t, err, "has a password variable unless it is pending")
}

// skipShort skips a slow test under -short (make test-short); make test
// runs it.
func skipShort(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: %s runs in make test", what)
	}
}

// mock starts doppel in-process, seeded for the suite.
func mock(t *testing.T) string {
	srv, err := mockserver.New(mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	require.NoError(t, conformance.Setup(context.Background(), ts.URL, nil))
	return ts.URL
}

// withoutAdmin is doppel at base seen as a vendor's deployment: no admin
// API, its mailbox readable.
func withoutAdmin(base string, accounts ...conformance.Account) *conformance.Target {
	t := conformance.DoppelTarget(base)
	t.Capabilities = []string{NeedsMailbox}
	ep := t.APIs["accounts"]
	ep.Accounts = accounts
	t.APIs["accounts"] = ep
	return t
}

// seed adds a seed document to doppel at base, as a vendor's back office
// would have made the accounts beforehand.
func seed(t *testing.T, base, doc string) {
	resp, err := http.Post(base+"/__doppel/seed", "application/json", strings.NewReader(doc))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}

// exchanged lists "METHOD path" of a run's requests.
func exchanged(r *conformance.Run) string {
	var out []string
	for _, x := range r.Exchanges {
		if x.Method != "" {
			out = append(out, x.Method+" "+strings.SplitN(strings.SplitN(x.URL, "//", 2)[1], "/", 2)[1])
		}
	}
	return strings.Join(out, "\n")
}

// TestProvisioningRoutes: a scenario asking for a customer gets one by the
// best route the target has, or is skipped saying why none works.
func TestProvisioningRoutes(t *testing.T) {
	t.Parallel()
	base := mock(t)
	seed(t, base, `{"accounts":{"retailers":[{"origins":["https://conformance.doppel.test"],"customers":[{"email":"pool1@example.com","password":"Pool-1!pw","name":"P","status":"active"}]}]}}`)

	t.Run("doppel's seed API where the target has it", func(t *testing.T) {
		r, err := conformance.DoppelTarget(base).Run(context.Background(), accProvided)
		require.NoError(t, err)
		assert.Contains(t, exchanged(r), "POST __doppel/seed")
		r, err = conformance.DoppelTarget(base).Run(context.Background(), accPending)
		require.NoError(t, err, "a pending customer gets its activation mail")
		assert.Contains(t, exchanged(r), "POST __doppel/seed")
	})
	t.Run("the vendor's sign-up for Emporix", func(t *testing.T) {
		r, err := withoutAdmin(base).Run(context.Background(), empProvided)
		require.NoError(t, err)
		assert.Contains(t, exchanged(r), "POST customer/conformance/signup")
	})
	t.Run("pre-provisioned accounts, each once", func(t *testing.T) {
		target := withoutAdmin(base, conformance.Account{Email: "pool1@example.com", Password: "Pool-1!pw"})
		assert.Empty(t, target.Skip(accProvided))
		r, err := target.Run(context.Background(), accProvided)
		require.NoError(t, err)
		assert.Equal(t, "pool1@example.com", r.Vars["email"])
		assert.NotContains(t, exchanged(r), "__doppel")
		_, err = target.Run(context.Background(), accProvided)
		assert.ErrorContains(t, err, "every pre-provisioned account is used: the 1 reusable of apis.accounts.customers")
	})
	t.Run("a skip naming each route's reason", func(t *testing.T) {
		target := withoutAdmin(base)
		assert.Equal(t, `needs an active customer of accounts made for it, and no route can: doppel's seed API: the target has no doppel admin API `+
			`(capability "admin" or "provisioning"); pre-provisioned accounts: the target file lists none (apis.accounts.customers)`, target.Skip(accProvided))
		assert.Contains(t, withoutAdmin(base, conformance.Account{Email: "a", Password: "b"}).Skip(accPending), "pre-provisioned accounts: none is pending")
		target.Mailbox = nil
		assert.Contains(t, target.Skip(olProvided), `Open Loyalty admin registration: its temporary password comes by mail`)
	})
}

// lastMail is the newest Customer Accounts mail of kind to an address in
// doppel's mailbox at base.
func lastMail(t *testing.T, base, kind, to string) conformance.Mail {
	got, err := conformance.DoppelMailbox{BaseURL: base}.Messages(context.Background(), conformance.MailFilter{API: "accounts", Tenant: "conformance", To: to, Kind: kind})
	require.NoError(t, err)
	require.NotEmpty(t, got, "no %s mail to %s", kind, to)
	return got[len(got)-1]
}

// TestAccountsPool: without doppel's admin API, Customer Accounts
// customers come from the target file's accounts of the kind each scenario
// needs, and the mail an account got before the run does not count.
func TestAccountsPool(t *testing.T) {
	t.Parallel()
	base := mock(t)
	seed(t, base, `{"accounts":{"retailers":[{"origins":["https://conformance.doppel.test"],"customers":[
		{"email":"keep@example.com","password":"Keep-1!pw","status":"active"},
		{"email":"spend@example.com","password":"Spend-1!pw","status":"active"},
		{"email":"mailed@example.com","password":"Mailed-1!pw","status":"active"},
		{"email":"new@example.com","status":"pending"}]}]}}`)
	reusable := conformance.Account{Email: "keep@example.com", Password: "Keep-1!pw"}
	spare := conformance.Account{Email: "spend@example.com", Password: "Spend-1!pw", Disposable: true}

	t.Run("disposable accounts serve the scenarios that use their customer up, and only them", func(t *testing.T) {
		assert.Contains(t, withoutAdmin(base, reusable).Skip(accUsedUp), "pre-provisioned accounts: none is disposable")
		target := withoutAdmin(base, spare, reusable)
		r, err := target.Run(context.Background(), accProvided)
		require.NoError(t, err)
		assert.Equal(t, "keep@example.com", r.Vars["email"])
		r, err = target.Run(context.Background(), accUsedUp)
		require.NoError(t, err)
		assert.Equal(t, "spend@example.com", r.Vars["email"])
		_, err = target.Run(context.Background(), accUsedUp)
		assert.ErrorContains(t, err, "every pre-provisioned account is used: the 1 disposable of apis.accounts.customers")
	})
	t.Run("a pending account with its activation's identifier and secret", func(t *testing.T) {
		activation := lastMail(t, base, "activation", "new@example.com")
		target := withoutAdmin(base, reusable,
			conformance.Account{Email: "new@example.com", Pending: true, Identifier: activation.Identifier, Secret: activation.Token})
		r, err := target.Run(context.Background(), accActivated)
		require.NoError(t, err)
		assert.Equal(t, activation.Identifier, r.Vars["ident"])
		assert.NotContains(t, exchanged(r), "__doppel")
	})
	t.Run("through the seed API, the identifier and secret come from the activation mail", func(t *testing.T) {
		r, err := conformance.DoppelTarget(base).Run(context.Background(), accActivated)
		require.NoError(t, err)
		assert.Regexp(t, `^[0-9]{14}$`, r.Vars["ident"])
		target := conformance.DoppelTarget(base)
		target.Mailbox = nil
		assert.Contains(t, target.Skip(accActivated), "doppel's seed API: the pending customer's identifier and secret come in its activation mail, and the target has no mailbox")
	})
	t.Run("mail sent to the account before the run is not the run's", func(t *testing.T) {
		req, _ := http.NewRequest("POST", base+"/customers/password_reset", strings.NewReader(`{"email":"mailed@example.com","reset_uri":"/reset"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://conformance.doppel.test")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		old := lastMail(t, base, "password_reset", "mailed@example.com").Token
		r, err := withoutAdmin(base, conformance.Account{Email: "mailed@example.com", Password: "Mailed-1!pw"}).Run(context.Background(), accResetMail)
		require.NoError(t, err, "one reset mail of this run, whose code works")
		assert.NotEqual(t, old, r.Vars["code"])
	})
}

// TestOpenLoyaltyRegistrationRoute: without doppel's admin API, an Open
// Loyalty customer is registered by the target's admin, logs in with the
// mailed temporary password and changes it to the scenario's; on store
// DEFAULT through Open Loyalty 3.x's paths without a store code.
func TestOpenLoyaltyRegistrationRoute(t *testing.T) {
	t.Parallel()
	base := mock(t)
	for _, store := range []string{"conformance", "DEFAULT"} {
		t.Run(store, func(t *testing.T) {
			target := withoutAdmin(base)
			api := target.APIs["openloyalty"]
			api.Vars = maps.Clone(api.Vars)
			api.Vars[VarStoreCode] = store
			target.APIs["openloyalty"] = api
			r, err := target.Run(context.Background(), olProvided)
			require.NoError(t, err)
			prefix := "api/" + store + "/customer/"
			if store == "DEFAULT" {
				prefix = "api/customer/"
			}
			assert.Equal(t, strings.Join([]string{
				"POST api/admin/login_check",
				"POST " + prefix + "register",
				"POST " + prefix + "login_check",
				"POST " + prefix + "password/change",
				"POST api/" + store + "/customer/login_check",
			}, "\n"), exchanged(r))
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4`, r.Vars["id"])
		})
	}
}

// olUsers asks for a seller with its id, and for a customer with a phone
// number in another store that has the e-mail of the first.
var olUsers = Scenario{ID: "OL-AUTH-901", Description: "Provided users MUST log in.", Labels: []string{"openloyalty", MultiTenant},
	Tenants: []string{"other"},
	Steps: []Step{
		Provide(Customer{Email: "seller", Password: "spw", Kind: KindSeller, ID: "sid"}),
		POST("/api/seller/login_check").JSON(Obj{"_username": "{sid}", "_password": "{spw}"}).Expect(200, Claim("token", "roles", Arr{"ROLE_SELLER"})),
		Provide(Customer{Email: "seller", Password: "pw", Phone: "phone", Tenant: "{other}", SameEmail: true}),
		POST("/api/{other}/customer/login_check").JSON(Obj{"_username": "{phone}", "_password": "{pw}"}).Expect(200),
	}}

// TestOpenLoyaltySellerAndPhoneRoutes: without doppel's admin API, the
// target's admin registers a seller of the target's point of sale, and a
// customer with a phone number into another store.
func TestOpenLoyaltySellerAndPhoneRoutes(t *testing.T) {
	t.Parallel()
	base := mock(t)
	target := withoutAdmin(base)
	target.Capabilities = append(target.Capabilities, MultiTenant)
	r, err := target.Run(context.Background(), olUsers)
	require.NoError(t, err)
	other := r.Vars["other"].(string)
	assert.Equal(t, strings.Join([]string{
		"POST api/admin/login_check",
		"POST api/seller/register",
		"POST api/seller/login_check",
		"POST api/admin/login_check",
		"POST api/" + other + "/customer/register",
		"POST api/" + other + "/customer/login_check",
		"POST api/" + other + "/customer/password/change",
		"POST api/" + other + "/customer/login_check",
	}, "\n"), exchanged(r))
	assert.Regexp(t, `^\+4850[0-9]{7}$`, r.Vars["phone"])
	assert.Contains(t, string(r.Exchanges[4].RequestBody), "customer%5Bphone%5D=%2B4850")

	api := target.APIs["openloyalty"]
	api.Vars = maps.Clone(api.Vars)
	delete(api.Vars, VarPosID)
	target.APIs["openloyalty"] = api
	assert.Contains(t, target.Skip(olUsers), "Open Loyalty seller registration: a seller belongs to a point of sale, and the target names none (apis.openloyalty.posId)")
}

// TestOpenLoyaltyWithoutAdmin runs every Open Loyalty scenario against doppel
// seen as a vendor's deployment — no admin API, its mailbox readable, a
// second store, mode full: all but the four that need doppel's admin API
// (its clock, admins with permissions) run, and pass, without calling it.
func TestOpenLoyaltyWithoutAdmin(t *testing.T) {
	t.Parallel()
	skipShort(t, "every Open Loyalty scenario again, without the admin API")
	base := mock(t)
	target := withoutAdmin(base)
	target.Capabilities = append(target.Capabilities, MultiTenant, Destructive)
	skipped := map[string]string{}
	ran := 0
	for _, s := range All() {
		if s.API().Name != "openloyalty" {
			continue
		}
		if why := target.Skip(s); why != "" {
			skipped[s.ID] = why
			continue
		}
		ran++
		r, err := target.Run(context.Background(), s)
		if assert.NoError(t, err, s.ID) {
			assert.NotContains(t, exchanged(r), "__doppel", s.ID)
		}
	}
	assert.Equal(t, []string{"OL-AUTH-014", "OL-RESET-014", "OL-TOKEN-009", "OL-TOKEN-010"}, slices.Sorted(maps.Keys(skipped)), "%v", skipped)
	assert.Contains(t, skipped["OL-AUTH-014"], `capability "provisioning"`)
	assert.Equal(t, 65, ran)
}
