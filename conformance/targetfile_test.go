package conformance_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/scenarios"
)

func write(t *testing.T, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func env(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

func TestLoadTargetFile(t *testing.T) {
	t.Parallel()
	p := write(t, "t.yaml", `name: staging
mode: quick
capabilities: [multi-tenant]
emailDomain: qa.example.com
mailbox: {adapter: mailpit, url: "http://127.0.0.1:8025", wait: 30s}
apis:
  emporix:
    baseURL: https://api.example.com/
    tenant: acme
    clientId: ${CLIENT_ID}
    otherTenants: [acme2]
`)
	tf, secrets, err := conformance.LoadTargetFile(p, []string{"apis.emporix.tenant=shop", "mode=full"}, env(map[string]string{"CLIENT_ID": "s3cr3t-client"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"s3cr3t-client"}, secrets)
	target := tf.Target(secrets)
	assert.Equal(t, "full", target.Mode)
	ep := target.APIs["emporix"]
	assert.Equal(t, "https://api.example.com", ep.BaseURL)
	assert.Equal(t, map[string]string{"tenant": "shop", "clientId": "s3cr3t-client"}, ep.Vars)
	assert.Equal(t, []string{"acme2"}, ep.OtherTenants)
	assert.Equal(t, 30*time.Second, target.MailWait)
	assert.Equal(t, 2*time.Second, target.QuietWait)
	assert.ElementsMatch(t, []string{scenarios.MultiTenant, scenarios.NeedsMailbox}, target.Capabilities)
	assert.IsType(t, conformance.MailpitMailbox{}, target.Mailbox)
}

// TestLoadTargetFileSaysWhatIsWrong pins the messages for each mistake.
func TestLoadTargetFileSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		overrides  []string
		want       []string
	}{
		{"typo in a field", "nmae: x\napis: {}\n", nil, []string{"line 1", "field nmae not found"}},
		{"nothing to test", "name: x\n", nil, []string{"apis: name at least one API"}},
		{"unknown API and bad URL", "apis:\n  shopify: {baseURL: http://x}\n  emporix: {baseURL: 'ftp://x', tenant: a, clientId: b}\n", nil,
			[]string{"apis.shopify: unknown API", `apis.emporix.baseURL: "ftp://x" is not an http(s) URL`}},
		{"missing and unknown variables", "apis:\n  emporix: {baseURL: http://x, tenant: a, store: b}\n", nil,
			[]string{"apis.emporix.clientId: required", "apis.emporix.store: unknown field"}},
		{"unset secret", "apis:\n  emporix: {baseURL: http://x, tenant: a, clientId: '${NOPE}'}\n", nil,
			[]string{"environment variables not set: NOPE (at apis.emporix.clientId)"}},
		{"bad mode, capability and adapter", "mode: fast\ncapabilities: [teleport]\nmailbox: {adapter: pop3}\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n", nil,
			[]string{`mode "fast"`, `capability "teleport"`, `mailbox.adapter "pop3"`}},
		{"mailpit without its URL", "mailbox: {adapter: mailpit}\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n", nil,
			[]string{"mailbox.url: the mailpit adapter needs"}},
		{"bad duration", "mailbox: {wait: soon}\napis: {}\n", nil, []string{`"soon" is not a duration`}},
		{"token pattern without a group", "mailbox: {adapter: none, kinds: {password_reset: {subject: Reset, token: '[A-Z]+'}}}\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n", nil,
			[]string{"mailbox.kinds.password_reset.token: the pattern needs exactly one group"}},
		{"bad override", "apis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n", []string{"mode"}, []string{`override "mode": want key.path=value`}},
		{"override into a value", "name: x\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n", []string{"name.first=y"}, []string{"name is not a map"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := conformance.LoadTargetFile(write(t, "t.yaml", tt.text), tt.overrides, env(nil))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDoppelTargetFileDefaultsItsVariables(t *testing.T) {
	t.Parallel()
	tf, _, err := conformance.LoadTargetFile(write(t, "t.yaml",
		"doppel: true\napis:\n  emporix: {baseURL: http://127.0.0.1:4010}\n  accounts: {baseURL: http://127.0.0.1:4010}\n"), nil, env(nil))
	require.NoError(t, err)
	apis := tf.Target(nil).APIs
	assert.NotEmpty(t, apis["emporix"].Vars[scenarios.VarTenant])
	assert.NotEmpty(t, apis["accounts"].Vars[scenarios.VarOrigin])
	assert.NotEmpty(t, apis["accounts"].OtherTenants, "a second retailer, which Setup seeds")
	assert.NotEqual(t, apis["accounts"].Vars[scenarios.VarOrigin], apis["accounts"].OtherTenants[0])
}

// TestEmporixOptInTenantIsOptional: a target file may name a tenant with
// double opt-in on; the scenarios that use it are skipped, with the reason,
// where it names none, and a doppel deployment has one.
func TestEmporixOptInTenantIsOptional(t *testing.T) {
	t.Parallel()
	optIn := func() scenarios.Scenario {
		for _, s := range scenarios.All() {
			if s.Uses(scenarios.VarOptInTenant) && !s.Has(scenarios.NeedsAdmin) {
				return s
			}
		}
		t.Fatal("no scenario uses the opt-in tenant")
		return scenarios.Scenario{}
	}()
	load := func(text string) *conformance.Target {
		tf, _, err := conformance.LoadTargetFile(write(t, "t.yaml", "mailbox: {adapter: doppel}\n"+text), nil, env(nil))
		require.NoError(t, err)
		return tf.Target(nil)
	}
	without := load("apis:\n  emporix: {baseURL: http://x, tenant: shop, clientId: c}\n")
	assert.Equal(t, `needs a tenant with double opt-in on: the target does not set emporix's variable "optInTenant" (apis.emporix.optInTenant in a target file)`,
		without.Skip(optIn))
	assert.Empty(t, without.Skip(scenario(t, "EMP-OPTIN-003")), "a scenario that does not use it runs")
	with := load("apis:\n  emporix: {baseURL: http://x, tenant: shop, clientId: c, optInTenant: shopoptin}\n")
	assert.Empty(t, with.Skip(optIn))
	assert.Equal(t, "shopoptin", with.APIs["emporix"].Vars[scenarios.VarOptInTenant])
	assert.NotEmpty(t, load("doppel: true\napis:\n  emporix: {baseURL: http://x}\n").APIs["emporix"].Vars[scenarios.VarOptInTenant],
		"a doppel deployment has one, which Setup seeds")
}

// TestAccountsTargetNeedsAnOrigin: a Greedbag deployment tells its
// retailers apart by Origin, so the target file names the retailer's.
func TestAccountsTargetNeedsAnOrigin(t *testing.T) {
	t.Parallel()
	_, _, err := conformance.LoadTargetFile(write(t, "t.yaml",
		"apis:\n  accounts: {baseURL: https://api.greedbag.com, accountEmail: a@example.com, accountPassword: p}\n"), nil, env(nil))
	require.ErrorContains(t, err, "apis.accounts.origin: required")
}

// TestAccountsPoolInTheTargetFile: a Greedbag target file lists reusable, disposable and
// pending accounts; a pending one carries its activation's identifier and
// secret (an ${ENV} secret) instead of a password.
func TestAccountsPoolInTheTargetFile(t *testing.T) {
	t.Parallel()
	head := "apis:\n  accounts:\n    {baseURL: https://api.greedbag.com, origin: https://acme.greedbag.com, accountEmail: a@example.com, accountPassword: p,\n     customers: "
	tf, secrets, err := conformance.LoadTargetFile(write(t, "t.yaml", head+`[{email: r@example.com, password: rp},
       {email: d@example.com, password: dp, disposable: true},
       {email: p@example.com, pending: true, identifier: "27182818284590", secret: "${SECRET}"}]}
`), nil, env(map[string]string{"SECRET": "QWERTY1234"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"QWERTY1234"}, secrets)
	assert.Equal(t, []conformance.Account{{Email: "r@example.com", Password: "rp"}, {Email: "d@example.com", Password: "dp", Disposable: true},
		{Email: "p@example.com", Pending: true, Identifier: "27182818284590", Secret: "QWERTY1234"}}, tf.Target(secrets).APIs["accounts"].Accounts)

	for _, tt := range []struct{ entry, want string }{
		{"{email: p@example.com, pending: true, identifier: '1'}", "customers[0]: a pending account has email, identifier and secret"},
		{"{email: p@example.com, pending: true, identifier: '1', secret: s, password: x}", "no password"},
		{"{email: p@example.com, pending: true, identifier: '1', secret: s, disposable: true}", "always used up"},
		{"{email: r@example.com, password: x, secret: s}", "customers[0]: identifier and secret are a pending account's"},
		{"{email: r@example.com}", "customers[0]: email and password are required"},
	} {
		_, _, err := conformance.LoadTargetFile(write(t, "t.yaml", head+"["+tt.entry+"]}\n"), nil, env(nil))
		assert.ErrorContains(t, err, tt.want, tt.entry)
	}
	_, _, err = conformance.LoadTargetFile(write(t, "t.yaml",
		"apis:\n  openloyalty: {baseURL: http://x, storeCode: s, adminUsername: a, adminPassword: b, customers: [{email: p@example.com, pending: true, identifier: '1', secret: s}]}\n"), nil, env(nil))
	assert.ErrorContains(t, err, "apis.openloyalty.customers[0]: pending accounts are Customer Accounts' only")
}

func TestLoadDeviations(t *testing.T) {
	t.Parallel()
	list := scenarios.All()
	got, err := conformance.LoadDeviations(write(t, "d.yaml", "deviations:\n  - {id: EMP-AUTH-003, reason: refresh tokens are reusable}\n"), list)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"EMP-AUTH-003": "refresh tokens are reusable"}, got)

	_, err = conformance.LoadDeviations(write(t, "d.yaml", "deviations:\n  - {id: EMP-NOPE-001, reason: x}\n  - {id: EMP-AUTH-003}\n"), list)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no scenario has the ID "EMP-NOPE-001"`)
	assert.Contains(t, err.Error(), "EMP-AUTH-003 needs a reason")
}
