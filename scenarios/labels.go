package scenarios

// API is one vendor API the scenarios exercise.
type API struct {
	Name   string   // its label, the contract's name and the mailbox's api
	Prefix string   // first part of its scenario IDs, e.g. "EMP"
	Title  string   // for reports
	Tenant string   // the built-in variable naming its tenant, for mailbox reads; "" when it has none
	Vars   []string // built-in variables the target binds before the first step
	// Optional are built-in variables a target may leave unset, each with
	// what it names: a scenario that uses one the target does not set is
	// skipped, with that reason.
	Optional map[string]string
	// Headers are sent with every request to the API (not to doppel's admin
	// API) before the step's own; values are templates, and a header whose
	// value expands to "" (a step's own, too) is not sent.
	Headers []Param
	Areas   []string // the middle parts its scenario IDs may have
}

// APIs lists every API, in report order.
var APIs = []*API{
	{
		Name: "emporix", Prefix: "EMP", Title: "Emporix customer service", Tenant: VarTenant,
		Vars:     []string{VarTenant, VarClientID},
		Optional: map[string]string{VarOptInTenant: "a tenant with double opt-in on"},
		Areas:    []string{"AUTH", "PROF", "ADDR", "CRED", "OPTIN", "SOCIAL", "INPUT", "TENANT"},
	},
	{
		Name: "openloyalty", Prefix: "OL", Title: "Open Loyalty security", Tenant: VarStoreCode,
		Vars: []string{VarStoreCode, VarAdminUsername, VarAdminPassword},
		Optional: map[string]string{VarAdminEmail: "the e-mail of the target's admin, whose mail the mailbox reads",
			VarPosID: "a point of sale of the program, for the sellers the runner registers"},
		Areas: []string{"AUTH", "TOKEN", "CHANGE", "RESET", "ACCESS", "INPUT"},
	},
	{
		Name: "accounts", Prefix: "ACC", Title: "Customer Accounts (Greedbag)", Tenant: "",
		Vars:    []string{VarAccountEmail, VarAccountPassword, VarOrigin},
		Headers: []Param{{Name: "Origin", Value: "{" + VarOrigin + "}"}},
		Areas:   []string{"AUTH", "PROF", "EMAIL", "RESET", "ACTIV", "INPUT", "RETAILER"},
	},
}

// FindAPI returns the API named name, or nil.
func FindAPI(name string) *API {
	for _, a := range APIs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Built-in variables of the Emporix API: the tenant under test (double
// opt-in off), the storefront's client id and, optionally, a second tenant
// whose double opt-in is on.
const (
	VarTenant      = "tenant"      // the tenant under test
	VarClientID    = "clientId"    // the storefront client id
	VarOptInTenant = "optInTenant" // a tenant with double opt-in on (optional)
)

// Built-in variables of the Customer Accounts API (Greedbag's customers
// API): the origin of the retailer under test, sent as the Origin header of
// every request (Greedbag tells its retailers apart by it), and an active
// test account of that retailer, which scenarios without provisioning log
// in to. A target's otherTenants are other retailers' origins.
const (
	VarOrigin          = "origin"          // the retailer's shop origin, e.g. https://shop.greedbag.com
	VarAccountEmail    = "accountEmail"    // its login
	VarAccountPassword = "accountPassword" // its password (a secret: ${ENV} in a target file)
)

// Built-in variables of the Open Loyalty API: the store under test, an
// admin (its password meeting the password policy, as scenarios that change
// it restore it) and, optionally, the admin's e-mail and a point of sale,
// which the sellers the runner registers through the vendor's API belong to.
const (
	VarStoreCode     = "storeCode"     // the store under test
	VarAdminUsername = "adminUsername" // an admin's username, for admin scenarios
	VarAdminPassword = "adminPassword" // that admin's password
	VarAdminEmail    = "adminEmail"    // that admin's e-mail (optional)
	VarPosID         = "posId"         // a point of sale's id (optional)
)

// Capabilities a scenario may need beside its API; a target that lacks one
// has the scenario skipped, with the capability's reason.
const (
	// NeedsMailbox: reads out-of-band secrets (reset tokens, opt-in links) from a mailbox.
	NeedsMailbox = "mailbox"
	// NeedsAdmin: changes the target's settings or state through doppel's admin API.
	NeedsAdmin = "admin"
	// MultiTenant: uses a second tenant besides the API's own.
	MultiTenant = "multi-tenant"
	// Destructive: changes what other users of the target share (tenant settings, shared accounts).
	Destructive = "destructive"
	// SocialLogin: logs in with an identity provider's authorization code.
	SocialLogin = "social-login"
	// Provisioning: creates customers through doppel's POST /__doppel/seed
	// (for APIs without a sign-up endpoint); it needs no "admin" label.
	Provisioning = "provisioning"
)

// SeedPath is doppel's admin endpoint that provisioning scenarios POST to.
const SeedPath = "/__doppel/seed"

// DoppelChoice marks a scenario that pins doppel's choice where the
// vendor's documentation is silent (its description says SHOULD, not MUST):
// a target that behaves otherwise is reported apart, as differing from
// doppel's choices, and does not fail the run. A single check says the same
// with Check.AsChoice, a status with Step.ChoiceWithin.
const DoppelChoice = "doppel-choice"

// Smoke marks the few scenarios of mode quick: one per area, fast, harmless.
const Smoke = "smoke"

// Capabilities lists every capability label with what a target must offer.
var Capabilities = map[string]string{
	NeedsMailbox: "a mailbox adapter to read the mail the target sends",
	NeedsAdmin:   "doppel's admin API (the target is a doppel mock)",
	MultiTenant:  "a second tenant",
	Destructive:  "permission to change shared settings and accounts (mode full)",
	SocialLogin:  "identity-provider codes the target accepts (doppel maps any code to one identity)",
	Provisioning: "doppel's seed API to create customers (POST /__doppel/seed)",
}

// KnownLabel reports whether a label is an API name, a capability, Smoke or DoppelChoice.
func KnownLabel(l string) bool {
	_, capability := Capabilities[l]
	return capability || l == Smoke || l == DoppelChoice || FindAPI(l) != nil
}
