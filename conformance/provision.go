package conformance

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/doppel-dev/doppel/scenarios"
	"github.com/doppel-dev/doppel/seed"
)

// Account is a pre-provisioned account a target file lists for an API
// (apis.<api>.customers), its password an ${ENV} secret: each is used by
// one scenario of a run at most. A scenario that changes an account sets it
// back in its cleanup, so that the next run finds it as it was; one that
// uses its customer up gets a disposable account, and a pending customer
// comes from a pending account (Customer Accounts only), which its
// activation uses up. Whoever owns the deployment re-creates both kinds
// before each run.
type Account struct {
	Email    string `yaml:"email"`
	Password string `yaml:"password"`
	// Disposable: a scenario may delete the account or reset its password
	// to one it cannot set back.
	Disposable bool `yaml:"disposable"`
	// Pending: not activated yet; Identifier and Secret (an ${ENV} secret)
	// are those of its activation mail, and it has no password.
	Pending    bool   `yaml:"pending"`
	Identifier string `yaml:"identifier"`
	Secret     string `yaml:"secret"`
}

// kind names the kind of account an account is, or a customer needs.
func (a Account) kind() string {
	switch {
	case a.Pending:
		return "pending"
	case a.Disposable:
		return "disposable"
	}
	return "reusable"
}

// A Route provides fresh customers of one API on a target (see
// scenarios.Customer). Provide runs its requests as steps of the scenario,
// so that they are checked and shown like the scenario's own.
type Route interface {
	Name() string
	// Lacks says why the route cannot provide c on t, or "" when it can.
	Lacks(t *Target, api string, c scenarios.Customer) string
	Provide(ctx context.Context, r *Run, c scenarios.Customer) error
}

// routes lists, by API, the routes to a fresh customer in order of
// preference: doppel's seed API where the target has doppel's admin API,
// then the vendor's own API, then the target file's pre-provisioned
// accounts. Emporix has no seed route: its sign-up is the vendor's own API
// and leaves the tenant's settings alone.
var routes = map[string][]Route{
	"emporix":     {emporixSignUp{}, pool{}},
	"openloyalty": {seedRoute{}, olRegistration{}, olSellerRegistration{}, pool{}},
	"accounts":    {seedRoute{}, pool{}},
}

// provideError is the runner's own work failing — making the customer a
// scenario asked for — which says the target or its file is broken: it
// fails the scenario even where the scenario pins only doppel's choice.
type provideError struct{ error }

func (e provideError) Unwrap() error { return e.error }

// errNoAccount is a pool run dry: the scenario is skipped, not failed.
var errNoAccount = errors.New("every pre-provisioned account is used")

// route picks the first route that can provide c, or says why none can.
func (t *Target) route(api string, c scenarios.Customer) (Route, string) {
	var why []string
	for _, r := range routes[api] {
		lack := r.Lacks(t, api, c)
		if lack == "" {
			return r, ""
		}
		why = append(why, r.Name()+": "+lack)
	}
	return nil, fmt.Sprintf("needs %s of %s made for it, and no route can: %s", c.State(), api, strings.Join(why, "; "))
}

// plain says why a route that makes only customers of the API's own tenant
// without a phone number cannot provide c, or "".
func plain(c scenarios.Customer) string {
	switch {
	case c.Kind != "":
		return "it makes customers, not " + c.Kind + "s"
	case c.Tenant != "":
		return "it makes customers of the API's own tenant only"
	case c.Phone != "":
		return "it makes customers without a phone number"
	}
	return ""
}

// phoneCount counts the phone numbers the process has made.
var phoneCount atomic.Uint64

// runSecond is this process's start, in seconds since the epoch.
var runSecond = time.Now().Unix()

// phone returns a fresh phone number: "+4850" (a Polish mobile prefix,
// which phone number validators accept) and seven digits, the process's
// start second modulo 10⁵ and a count modulo 100 — unique among the first
// 100 numbers of a run and across runs started in different seconds of a
// 27-hour window.
func phone() string {
	return fmt.Sprintf("+4850%05d%02d", runSecond%100000, (phoneCount.Add(1)-1)%100)
}

// provide runs a Provide step by the target's best route.
func (r *Run) provide(ctx context.Context, c scenarios.Customer) error {
	api := r.Scenario.API().Name
	route, why := r.target.route(api, c)
	if route == nil {
		return errors.New(why)
	}
	if c.Password != "" {
		r.Vars[c.Password] = "Pw-" + r.target.unique() + "!x9A" // every API's password policy accepts it
	}
	if !c.SameEmail {
		r.Vars[c.Email] = "doppel-" + r.target.unique() + "@" + r.domain()
	}
	if c.Phone != "" {
		r.Vars[c.Phone] = phone()
	}
	if err := route.Provide(ctx, r, c); err != nil {
		return provideError{fmt.Errorf("providing %s through %s: %w", c.State(), route.Name(), err)}
	}
	if c.Password != "" {
		r.target.secrets().add(c.Password, scenarios.Text(r.Vars[c.Password]))
	}
	return nil
}

// steps runs a route's steps inside the run, as part of the scenario's
// step that asked for the customer.
func (r *Run) steps(ctx context.Context, list []scenarios.Step) error {
	for _, st := range list {
		if err := r.step(ctx, st); err != nil {
			return fmt.Errorf("%s: %w", st.Title(), err)
		}
	}
	return nil
}

// hasAdmin reports whether the target offers doppel's admin or seed API.
func (t *Target) hasAdmin() bool {
	for _, c := range t.Capabilities {
		if c == scenarios.NeedsAdmin || c == scenarios.Provisioning {
			return true
		}
	}
	return false
}

// seedRoute creates customers through doppel's POST /__doppel/seed.
type seedRoute struct{}

func (seedRoute) Name() string { return "doppel's seed API" }

func (seedRoute) Lacks(t *Target, api string, c scenarios.Customer) string {
	activation := c.Pending && (c.ID != "" || c.Secret != "") // read from the activation mail
	switch {
	case !t.hasAdmin():
		return `the target has no doppel admin API (capability "admin" or "provisioning")`
	case c.Pending && api != "accounts":
		return "it makes pending customers of Customer Accounts only"
	case c.ID != "" && !activation:
		return "it does not answer the customer's id"
	case activation && t.Mailbox == nil:
		return "the pending customer's identifier and secret come in its activation mail, and the target has no mailbox"
	case api != "openloyalty":
		return plain(c)
	}
	return ""
}

func (seedRoute) Provide(ctx context.Context, r *Run, c scenarios.Customer) error {
	email := "{" + c.Email + "}"
	doc := seedDocument(r.Scenario.API().Name, c)
	steps := []scenarios.Step{scenarios.Admin("POST", scenarios.SeedPath).JSON(doc).Expect(204).Named("seed " + c.State())}
	if c.Pending && (c.ID != "" || c.Secret != "") {
		secret := c.Secret
		if secret == "" {
			secret = r.local("Secret")
		}
		read := scenarios.MailToken(email, "activation", secret)
		if c.ID != "" {
			read = read.Capture(c.ID, "identifier")
		}
		steps = append(steps, read)
	}
	return r.steps(ctx, steps)
}

// seedDocument is the seed document that provides c in an API of a doppel
// deployment, as a step's JSON body: its strings are templates ({email}).
func seedDocument(api string, c scenarios.Customer) scenarios.Obj {
	email, pw := "{"+c.Email+"}", "{"+c.Password+"}"
	var doc seed.Document
	switch api {
	case "accounts":
		customer := seed.AccountsCustomer{Email: email, Name: "Ann Example", Status: seed.StatusActive, Password: pw}
		if c.Pending {
			customer.Status, customer.Password = seed.StatusPending, ""
		}
		// into the retailer the run's Origin names (Greedbag scopes customers by it)
		doc.Accounts = &seed.Accounts{Retailers: []seed.AccountsRetailer{
			{Origins: []string{"{" + scenarios.VarOrigin + "}"}, Customers: []seed.AccountsCustomer{customer}}}}
	case "openloyalty":
		user := seed.OpenLoyaltyCustomer{Email: email, Password: pw}
		if c.Phone != "" {
			user.Phone = "{" + c.Phone + "}"
		}
		tenant := cmp.Or(c.Tenant, "{storeCode}")
		doc.OpenLoyalty = &seed.OpenLoyalty{Stores: map[string]seed.OpenLoyaltyStore{tenant: {Customers: []seed.OpenLoyaltyCustomer{user}}}}
		if c.Kind == scenarios.KindSeller {
			doc.OpenLoyalty = &seed.OpenLoyalty{Sellers: []seed.OpenLoyaltySeller{{Email: user.Email, Password: user.Password}}}
		}
	}
	b, err := json.Marshal(doc)
	var body scenarios.Obj
	if err == nil {
		err = json.Unmarshal(b, &body)
	}
	if err != nil {
		panic("conformance: seed document: " + err.Error()) // strings, slices and maps only
	}
	return body
}

// emporixSignUp signs a customer up through Emporix's storefront API: an
// anonymous login, then POST /customer/{tenant}/signup.
type emporixSignUp struct{}

func (emporixSignUp) Name() string { return "Emporix sign-up" }

func (emporixSignUp) Lacks(_ *Target, _ string, c scenarios.Customer) string {
	if c.Pending {
		return "a sign-up is active at once unless the tenant has double opt-in on"
	}
	return plain(c)
}

func (emporixSignUp) Provide(ctx context.Context, r *Run, c scenarios.Customer) error {
	anon := r.local("Anon")
	signUp := scenarios.POST("/customer/{tenant}/signup").As(anon).
		JSON(scenarios.Obj{"email": "{" + c.Email + "}", "password": "{" + c.Password + "}"}).Expect(201)
	if c.ID != "" {
		signUp = signUp.Capture(c.ID, "id")
	}
	return r.steps(ctx, []scenarios.Step{
		scenarios.GET("/customerlogin/auth/anonymous/login").Query("tenant", "{tenant}").Query("client_id", "{clientId}").
			Expect(200).Capture(anon, "access_token"),
		signUp,
	})
}

// olRegistration registers a customer as Open Loyalty 3.x's admin does
// (POST /api/customer/register, a customer[…] form with its phone number,
// if any; the framework's CustomerController::registerCustomerAction),
// which activates it and mails it a temporary password
// (UserManager::createNewCustomer); the route reads that mail, logs the
// customer in with it and changes it to the scenario's password, which also
// ends the service's "password change needed". 3.x has one store: on store
// DEFAULT the route takes its paths without a store code, else the
// store-scoped ones (doppel serves both) — of another store too, which
// therefore works where the store under test's does.
type olRegistration struct{}

// olTemporaryPasswordMail is the mailbox kind of the registration mail.
const olTemporaryPasswordMail = "registration_with_temporary_password"

func (olRegistration) Name() string { return "Open Loyalty admin registration" }

func (olRegistration) Lacks(t *Target, _ string, c scenarios.Customer) string {
	switch {
	case c.Kind != "":
		return "it registers customers, not " + c.Kind + "s"
	case c.Pending:
		return "an admin-registered customer is active at once"
	case t.Mailbox == nil:
		return "its temporary password comes by mail (capability \"mailbox\")"
	}
	return ""
}

func (olRegistration) Provide(ctx context.Context, r *Run, c scenarios.Customer) error {
	admin, temporary, tok, store := r.local("Admin"), r.local("Temporary"), r.local("Token"), r.local("Store")
	var err error
	if r.Vars[store], err = scenarios.Expand(cmp.Or(c.Tenant, "{"+scenarios.VarStoreCode+"}"), r.Vars); err != nil {
		return err
	}
	base := "/api/{" + store + "}/customer/"
	if r.Vars[store] == "DEFAULT" {
		base = "/api/customer/"
	}
	email := "{" + c.Email + "}"
	form := map[string]string{"customer[firstName]": "Provided", "customer[lastName]": "Doppel", "customer[email]": email, "customer[agreement1]": "1"}
	if c.Phone != "" {
		form["customer[phone]"] = "{" + c.Phone + "}"
	}
	register := scenarios.POST(base+"register").As(admin).Form(form).Expect(200, scenarios.Equals("email", email))
	if c.ID != "" {
		register = register.Capture(c.ID, "customerId")
	}
	return r.steps(ctx, []scenarios.Step{
		olAdminLogin(admin),
		register,
		scenarios.MailToken(email, olTemporaryPasswordMail, temporary).In(store),
		scenarios.POST(base+"login_check").JSON(scenarios.Obj{"_username": email, "_password": "{" + temporary + "}"}).
			Expect(200).Capture(tok, "token"),
		scenarios.POST(base + "password/change").As(tok).
			JSON(scenarios.Obj{"currentPassword": "{" + temporary + "}", "plainPassword": "{" + c.Password + "}"}).Expect(200),
	})
}

// olAdminLogin logs the target's admin in, binding its JWT to tokVar.
func olAdminLogin(tokVar string) scenarios.Step {
	return scenarios.POST("/api/admin/login_check").JSON(scenarios.Obj{"_username": "{adminUsername}", "_password": "{adminPassword}"}).
		Expect(200).Capture(tokVar, "token")
}

// olSellerRegistration registers a seller as Open Loyalty 3.x's admin does
// (POST /api/seller/register, a seller[…] form; the framework's
// SellerController::registerSellerAction, documented in doc/api/seller.rst):
// active, of the point of sale the target names (the form's posId must be
// one of the program's), with the scenario's password, which the seller
// form takes as it is.
type olSellerRegistration struct{}

func (olSellerRegistration) Name() string { return "Open Loyalty seller registration" }

func (olSellerRegistration) Lacks(t *Target, api string, c scenarios.Customer) string {
	switch {
	case c.Kind != scenarios.KindSeller:
		return "it registers sellers"
	case t.APIs[api].Vars[scenarios.VarPosID] == "":
		return fmt.Sprintf("a seller belongs to a point of sale, and the target names none (apis.%s.%s)", api, scenarios.VarPosID)
	}
	return ""
}

func (olSellerRegistration) Provide(ctx context.Context, r *Run, c scenarios.Customer) error {
	admin, email := r.local("Admin"), "{"+c.Email+"}"
	register := scenarios.POST("/api/seller/register").As(admin).Form(map[string]string{
		"seller[firstName]": "Provided", "seller[lastName]": "Doppel", "seller[email]": email, "seller[active]": "1",
		"seller[posId]": "{" + scenarios.VarPosID + "}", "seller[plainPassword]": "{" + c.Password + "}",
	}).Expect(200, scenarios.Equals("email", email))
	if c.ID != "" {
		register = register.Capture(c.ID, "sellerId")
	}
	return r.steps(ctx, []scenarios.Step{olAdminLogin(admin), register})
}

// pool hands out the target file's pre-provisioned accounts of the API,
// each once in a run, of the kind the customer needs: a reusable account,
// which the scenario sets back; a disposable one, for a scenario that uses
// its customer up; or a pending one.
type pool struct{}

func (pool) Name() string { return "pre-provisioned accounts" }

// need is the kind of account c needs.
func need(c scenarios.Customer) string {
	return Account{Pending: c.Pending, Disposable: c.Disposable}.kind()
}

func (pool) Lacks(t *Target, api string, c scenarios.Customer) string {
	list := t.APIs[api].Accounts
	switch kind := need(c); {
	case len(list) == 0:
		return fmt.Sprintf("the target file lists none (apis.%s.customers)", api)
	case !slices.ContainsFunc(list, func(a Account) bool { return a.kind() == kind }):
		return map[string]string{
			"reusable":   "none is reusable (neither disposable nor pending)",
			"disposable": "none is disposable (disposable: true), and the scenario uses its customer up (deletes it, or resets its password to one it cannot set back)",
			"pending":    "none is pending (pending: true, with the identifier and secret of its activation mail)",
		}[kind]
	case c.ID != "" && !c.Pending:
		return "their ids are not known"
	}
	return plain(c)
}

func (pool) Provide(ctx context.Context, r *Run, c scenarios.Customer) error {
	api, kind := r.Scenario.API().Name, need(c)
	var list []Account
	for _, a := range r.target.APIs[api].Accounts {
		if a.kind() == kind {
			list = append(list, a)
		}
	}
	n := r.target.used(api + " " + kind)
	if n >= len(list) {
		return fmt.Errorf("%w: the %d %s of apis.%s.customers; list more for a full run", errNoAccount, len(list), kind, api)
	}
	a := list[n]
	r.Vars[c.Email] = a.Email
	for v, value := range map[string]string{c.Password: a.Password, c.ID: a.Identifier, c.Secret: a.Secret} {
		if v != "" {
			r.Vars[v] = value
		}
	}
	return r.ignoreOldMail(ctx, c.Email)
}

// ignoreOldMail notes the mail that is already in the mailbox for every
// read of the scenario addressed to a pre-provisioned account (cleanups'
// included), so that those reads see only what this run sends: an earlier
// run's code would otherwise pass for this one's, and counts would be off.
func (r *Run) ignoreOldMail(ctx context.Context, emailVar string) error {
	if r.target.Mailbox == nil {
		return nil
	}
	for _, st := range r.Scenario.Steps {
		for _, s := range append([]scenarios.Step{st}, st.Undo...) {
			if s.Mail == nil || s.Mail.To != "{"+emailVar+"}" {
				continue
			}
			f, err := r.filter(s.Mail)
			if err != nil || r.old[f] != nil {
				continue // a tenant bound later: nothing to tell apart yet
			}
			readCtx, cancel := context.WithTimeout(ctx, r.target.timeout())
			got, err := r.target.Mailbox.Messages(readCtx, f)
			cancel()
			if err != nil {
				return err
			}
			if r.old == nil {
				r.old = map[MailFilter]map[Mail]bool{}
			}
			r.old[f] = map[Mail]bool{}
			for _, m := range got {
				r.old[f][m] = true
			}
		}
	}
	return nil
}

// local names a variable of a route's own, apart from the scenario's.
func (r *Run) local(name string) string {
	r.locals++
	return fmt.Sprintf("provided%d%s", r.locals, name)
}
