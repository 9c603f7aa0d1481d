package scenarios

import "strings"

// The Open Loyalty security API as seed 001 documents it, with the logins
// and tokens it depends on; docs/openloyalty.md records the choices the
// scenarios pin where the seed is silent (those are SHOULDs, labelled
// DoppelChoice). Open Loyalty has no sign-up: scenarios have the runner
// provide their customers and sellers (Provide: doppel's seed API, or the
// target admin's registrations), use the target's admin, or — for admins
// with permissions, which no route makes — doppel's seed API (label
// provisioning). Macros take templates.

const (
	olPassword       = "{pw}"  // a provided or seeded user's password (the runner's, or a fresh word for the seed)
	olSellerPassword = "{spw}" // a provided seller's password
	olNewPassword    = "Chang3d!pass"
	olThird          = "Th1rd!pass"
	// olJWT is how an RS256 JWT of the seed starts: {"alg":"RS256","typ":
	olJWT       = `^eyJhbGciOiJSUzI1NiIsInR5cCI6`
	olDay       = 86400            // a JWT's lifetime in seconds
	olResetMail = "password_reset" // the mailbox kind of reset tokens
	// olForeignJWT is an RS256 JWT of another key (the contract's example).
	olForeignJWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VybmFtZSI6ImFkbWluIiwicm9sZXMiOlsiUk9MRV9BRE1JTiJdLCJpZCI6IjFiNGUyOGJhLTJmYTEtNDFkMi04ODNmLTAwMTZkM2NjYTQyNyIsImV4cCI6MTcwMDA4NjQwMCwiaWF0IjoxNzAwMDAwMDAwfQ.EBg8bQxdWcigXfikKUNXQfrT43bjpjKbNltlXBUNGPeh0LF9I-d_DvMVH1YTPK48vLRGhFahUdKmHgkpprHpGIpREHmALaK6E5-AvKJo-nTACOm7FlcYV5Uj0kHBIIiUxHP-vZ7gjok0NSUvWPMWKOvLWcSjIHK4G_yVeqG_xKnhPV0rclXMwmUD12upmx3R4cIVm8Vo16MN0y8SparzSjhcNaaFlMrjthmiGLCwH9uBsai38dfWNoHlhlrjjUWZ3GbTQ1v-tPJj7lqEcu7V9FKDjNLKDNaBVEkkwKkyWuIJ6OzRLy7EcFvhHOVVCD1qpRExcnMMR_RALgq2FnRjpA"
)

// Paths outside any store; the customer ones (Open Loyalty 3.x's) address
// store olDefaultStore.
const (
	olAdminLoginPath     = "/api/admin/login_check"
	olSellerLoginPath    = "/api/seller/login_check"
	olRefreshPath        = "/api/token/refresh"
	olRevokePath         = "/api/token/revoke"
	olAdminRequestPath   = "/api/password/reset/request" // every kind of user's
	olResetPath          = "/api/password/reset"
	olAdminChangePath    = "/api/admin/password/change"
	olSellerChangePath   = "/api/seller/password/change"
	olDefaultLoginPath   = "/api/customer/login_check"
	olDefaultChangePath  = "/api/customer/password/change"
	olDefaultRequestPath = "/api/customer/password/reset/request"
	olRegisterPath       = "/api/customer/register" // an admin's or seller's customer registration (store DEFAULT)
	olTemporaryMail      = "registration_with_temporary_password"
	olPasswordChange     = "password change needed"
	olEmailInvalid       = "This value is not a valid email address."
	olExtraFields        = "This form should not contain extra fields."
	olEmailTaken         = "customer with such email already exists"
	olDefaultStore       = "DEFAULT"
	olSellerRole         = "ROLE_SELLER"
	olCustomerRole       = "ROLE_PARTICIPANT"
	olAdminRole          = "ROLE_ADMIN"
	olSellerInactive     = "Your account is not active"
)

// The messages of the password policy (seed 001), of Symfony's constraints
// and of the reset endpoints.
const (
	olBlank     = "This value should not be blank."
	olLength    = "Your password must be at least 8 characters long."
	olLetter    = "Your password must include at least one letter."
	olCase      = "Your password must include both upper and lower case letters."
	olNumber    = "Your password must include at least one number."
	olSpecial   = "Your password must contain at least one special character."
	olCurrent   = "This value should be the user's current password."
	olRequested = "resetting password already requested"
	olNoUser    = `field "username" should not be empty`
	olNoToken   = `field "token" should not be empty`
)

func olLabels(extra ...string) []string { return append([]string{"openloyalty"}, extra...) }

// ---- paths of a store (a template) ----

func olLoginPath(store string) string       { return "/api/" + store + "/customer/login_check" }
func olRequestPath(store string) string     { return "/api/" + store + "/customer/password/reset/request" }
func olChangePath(store, who string) string { return "/api/" + store + "/" + who + "/password/change" }

// ---- provisioning ----

// olProvide has the runner provide a customer of the store under test,
// bound to emailVar, with password olPassword.
func olProvide(emailVar string) Step { return Provide(Customer{Email: emailVar, Password: "pw"}) }

// olProvideSeller has the runner provide a seller, bound to emailVar, with
// password olSellerPassword.
func olProvideSeller(emailVar string) Step {
	return Provide(Customer{Email: emailVar, Password: "spw", Kind: KindSeller})
}

// olProvisionAdmin creates an admin with olPassword through doppel's seed
// API (no vendor route makes an admin with permissions: the admin API
// assigns roles, whose ids the service does not answer); extra adds fields
// (superAdmin, permissions).
func olProvisionAdmin(username, email string, extra ...Obj) Step {
	admin := Obj{"username": username, "email": email, "password": olPassword}
	for _, e := range extra {
		for k, v := range e {
			admin[k] = v
		}
	}
	return Admin("POST", SeedPath).JSON(Obj{"openloyalty": Obj{"admins": Arr{admin}}}).Expect(204)
}

// olAdvance moves the target's clock forward (doppel's admin API) and puts
// it back after the scenario.
func olAdvance(d string) Step {
	return Admin("POST", "/__doppel/clock").JSON(Obj{"advance": d}).Expect(200).
		Cleanup(Admin("POST", "/__doppel/clock").JSON(Obj{"reset": true}).Expect(200))
}

// olRegistration is a customer[…] registration form for an e-mail.
func olRegistration(email string) map[string]string {
	return map[string]string{"customer[firstName]": "Wren", "customer[lastName]": "Okafor", "customer[email]": email, "customer[agreement1]": "1"}
}

// ---- logins and tokens ----

func olCreds(user, pw string) Obj { return Obj{"_username": user, "_password": pw} }

// olTokens expects a login to answer a JWT and a refresh token, bound to
// tokVar and tokVar+"Refresh".
func olTokens(s Step, tokVar string, checks ...Check) Step {
	return s.Expect(200, append([]Check{Matches("token", olJWT), Matches("refresh_token", `^[0-9a-f]{128}$`)}, checks...)...).
		Capture(tokVar, "token").Capture(tokVar+"Refresh", "refresh_token")
}

// olLogin logs a customer of the store under test in.
func olLogin(user, pw, tokVar string) Step {
	return olTokens(POST(olLoginPath("{storeCode}")).JSON(olCreds(user, pw)), tokVar)
}

// olAdminLogin logs an admin in.
func olAdminLogin(user, pw, tokVar string) Step {
	return olTokens(POST(olAdminLoginPath).JSON(olCreds(user, pw)), tokVar)
}

// olSellerLogin logs a seller in.
func olSellerLogin(user, pw, tokVar string) Step {
	return olTokens(POST(olSellerLoginPath).JSON(olCreds(user, pw)), tokVar)
}

// olTargetAdmin logs the target's admin in, as "admin".
func olTargetAdmin() Step { return olAdminLogin("{adminUsername}", "{adminPassword}", "admin") }

func olBadCredentials(s Step) Step {
	return s.Expect(401, Equals("", Obj{"message": "Bad credentials."}))
}

func olLoginFails(user, pw string) Step {
	return olBadCredentials(POST(olLoginPath("{storeCode}")).JSON(olCreds(user, pw)))
}

func olAdminLoginFails(user, pw string) Step {
	return olBadCredentials(POST(olAdminLoginPath).JSON(olCreds(user, pw)))
}

// olUnchanged shows that a customer's password is still olPassword.
func olUnchanged(user string) Steps {
	return Steps{olLoginFails(user, olNewPassword), olLogin(user, olPassword, "tok")}
}

// olEveryLoginBody logs in with each spelling of the credentials, as a form
// and as JSON.
func olEveryLoginBody(path, user, pw string) Steps {
	var out Steps
	for _, names := range [][2]string{{"_username", "_password"}, {"username", "password"}} {
		out = append(out,
			olTokens(POST(path).Form(map[string]string{names[0]: user, names[1]: pw}), "tok"),
			olTokens(POST(path).JSON(Obj{names[0]: user, names[1]: pw}), "tok"))
	}
	return out
}

// olRefreshOf refreshes with tokVar+"Refresh" in a JSON body.
func olRefreshOf(tokVar string) Step {
	return POST(olRefreshPath).JSON(Obj{"refresh_token": "{" + tokVar + "Refresh}"})
}

// olRefreshed expects a refresh to answer a JWT, bound to newVar, and the
// same refresh token as tokVar's.
func olRefreshed(s Step, tokVar, newVar string, checks ...Check) Step {
	return s.Expect(200, append([]Check{Matches("token", olJWT), Equals("refresh_token", Var(tokVar+"Refresh"))}, checks...)...).
		Capture(newVar, "token")
}

func olRefreshRefused(s Step) Step {
	return s.Expect(401, Equals("", Obj{"code": 401, "message": "Bad credentials"}))
}

// ---- answers ----

// The firewalls' three 401s: a token that does not verify, no Bearer token
// (the JWT bundle's entry point), a verified token of a user the path's
// firewall does not hold (its user provider's exception has no message).
func olInvalidJWT(s Step) Step { return olRefused(s, "Invalid JWT Token") }
func olNoBearer(s Step) Step   { return olRefused(s, "Invalid credentials") }
func olNotHeld(s Step) Step    { return olRefused(s, "") }

func olRefused(s Step, msg string) Step {
	return s.Expect(401, Equals("", Obj{"code": 401, "message": msg}), HeaderHas("WWW-Authenticate", "Bearer"))
}

func olSuccess(s Step) Step { return s.Expect(200, Equals("", Obj{"success": true})) }

// olNotFound expects the framework's 404; its body is Symfony's error
// rendering, which the vendor does not document (doppel's choice).
func olNotFound(s Step) Step {
	return s.Expect(404, Equals("", Obj{"error": Obj{"code": 404, "message": "Not Found"}}).AsChoice())
}

// olNoSuchUser expects a reset request's answer to a user its provider does
// not know: the framework's 404 (ResetPasswordController turns the
// provider's UsernameNotFoundException into a NotFoundHttpException), with
// the code and message its ResetPasswordControllerTest asserts.
func olNoSuchUser(s Step) Step {
	return s.Expect(404, Equals("error.code", 404), Equals("error.message", "Not Found"))
}

func olError(s Step, msg string) Step { return s.Expect(400, Equals("", Obj{"error": msg})) }

// olHTTPError expects a framework error: the status with its reason phrase,
// in Symfony's error rendering (doppel's choice of body).
func olHTTPError(s Step, status int, reason string) Step {
	return s.Expect(status, Equals("error.code", status).AsChoice(), Equals("error.message", reason).AsChoice())
}

// olFormErrors expects exactly these Symfony form errors.
func olFormErrors(s Step, children Obj) Step {
	return s.Expect(400, Equals("", Obj{"form": Obj{"children": children}, "errors": Arr{}}))
}

// olField is a form child with its messages; a valid field is {}.
func olField(msgs ...string) Obj {
	if len(msgs) == 0 {
		return Obj{}
	}
	errs := Arr{}
	for _, m := range msgs {
		errs = append(errs, m)
	}
	return Obj{"errors": errs}
}

// ---- passwords ----

// olChangeIn is a password change on who's ("customer" or "admin") path of a store.
func olChangeIn(store, who, tokVar, current, next string) Step {
	return olChangeAt(olChangePath(store, who), tokVar, current, next)
}

// olChangeAt is a password change on a path.
func olChangeAt(path, tokVar, current, next string) Step {
	return POST(path).As(tokVar).JSON(Obj{"currentPassword": current, "plainPassword": next})
}

// olChange is olChangeIn the store under test.
func olChange(who, tokVar, current, next string) Step {
	return olChangeIn("{storeCode}", who, tokVar, current, next)
}

// olPolicyRefused expects a customer's change to next to break the policy
// with exactly msgs.
func olPolicyRefused(next string, msgs ...string) Step {
	return olFormErrors(olChange("customer", "tok", olPassword, next), Obj{"currentPassword": olField(), "plainPassword": olField(msgs...)})
}

// olAccepted shows that who's path of a store accepts tokVar without
// changing anything: a wrong current password gets the form error, not 401.
func olAccepted(store, who, tokVar string) Step {
	return olAcceptedAt(olChangePath(store, who), tokVar)
}

// olAcceptedAt is olAccepted on a password change path.
func olAcceptedAt(path, tokVar string) Step {
	return olFormErrors(olChangeAt(path, tokVar, "not the password", olNewPassword),
		Obj{"currentPassword": olField(olCurrent), "plainPassword": olField()})
}

func olResetRequest(user string) Step {
	return POST(olRequestPath("{storeCode}")).JSON(Obj{"username": user})
}

func olAdminResetRequest(user string) Step {
	return POST(olAdminRequestPath).JSON(Obj{"username": user})
}

func olResetWith(token, pw string) Step {
	return POST(olResetPath).JSON(Obj{"token": token, "reset": Obj{"plainPassword": pw}})
}

// olMailedReset requests a reset for a customer and binds the mailed token.
func olMailedReset(user, tokenVar string) Steps {
	return Steps{olSuccess(olResetRequest(user)), MailToken(user, olResetMail, tokenVar)}
}

// openLoyalty lists the Open Loyalty scenarios.
func openLoyalty() []Scenario {
	return []Scenario{
		// ---- logins ----
		{
			ID: "OL-AUTH-001", Description: "An admin login with a form body MUST answer an RS256 JWT naming the admin with ROLE_ADMIN, valid 24 hours, and a 128-hex-digit refresh token.",
			Labels: olLabels(Smoke),
			Steps: Seq(olTokens(POST(olAdminLoginPath).Form(map[string]string{"_username": "{adminUsername}", "_password": "{adminPassword}"}), "admin",
				Claim("token", "username", "{adminUsername}"), Claim("token", "roles", Arr{olAdminRole}), Lifetime("token", olDay))),
		},
		{
			ID: "OL-AUTH-002", Description: "A customer login with a JSON body MUST answer an RS256 JWT with ROLE_PARTICIPANT, valid 24 hours, and a refresh token.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"),
				olLogin("{email}", olPassword, "tok").Expect(200, Claim("token", "roles", Arr{olCustomerRole}), Lifetime("token", olDay))),
		},
		{
			ID: "OL-AUTH-003", Description: "Customer and admin logins MUST accept _username/_password and username/password, each as a form and as JSON.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"),
				olEveryLoginBody(olLoginPath("{storeCode}"), "{email}", olPassword),
				olEveryLoginBody(olAdminLoginPath, "{adminUsername}", "{adminPassword}")),
		},
		{
			ID: "OL-AUTH-004", Description: "An admin MUST log in with its username or its e-mail, both JWTs naming its username and the same id.",
			Labels: olLabels(),
			Steps: Seq(
				olTargetAdmin().Expect(200, Claim("token", "username", "{adminUsername}")).CaptureClaim("uid", "token", "id"),
				olAdminLogin("{adminEmail}", "{adminPassword}", "t2").Expect(200, Claim("token", "username", "{adminUsername}"), Claim("token", "id", Var("uid")))),
		},
		{
			ID: "OL-AUTH-005", Description: "An admin login with a wrong password, an unknown username or no credentials MUST be answered 401 Bad credentials.",
			Labels: olLabels(), Fresh: []string{"unknown"},
			Steps: Seq(
				olAdminLoginFails("{adminUsername}", "{adminPassword}-wrong"),
				olAdminLoginFails("{unknown}", "{adminPassword}"),
				olBadCredentials(POST(olAdminLoginPath).JSON(Obj{})),
				olBadCredentials(POST(olAdminLoginPath))),
		},
		{
			ID: "OL-AUTH-006", Description: "A customer login with a wrong password or an unknown e-mail, a customer's credentials on the admin login and an admin's on the customer login MUST be answered 401 Bad credentials.",
			Labels: olLabels(), Emails: []string{"unknown"},
			Steps: Seq(olProvide("email"),
				olLoginFails("{email}", olNewPassword),
				olLoginFails("{unknown}", olPassword),
				olAdminLoginFails("{email}", olPassword),
				olLoginFails("{adminUsername}", "{adminPassword}")),
		},
		{
			ID: "OL-AUTH-007", Description: "When both spellings are sent, _username and _password SHOULD win over username and password.",
			Labels: olLabels(DoppelChoice), Emails: []string{"unknown"},
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "t1").CaptureClaim("uid", "token", "id"),
				olTokens(POST(olLoginPath("{storeCode}")).JSON(Obj{"_username": "{email}", "_password": olPassword, "username": "{unknown}", "password": olNewPassword}),
					"tok", Claim("token", "id", Var("uid"))),
				olBadCredentials(POST(olLoginPath("{storeCode}")).JSON(Obj{"_username": "{email}", "_password": olNewPassword, "password": olPassword}))),
		},
		{
			ID: "OL-AUTH-008", Description: "Login names SHOULD match in any letter case: a customer's e-mail and an admin's username.",
			Labels: olLabels(DoppelChoice),
			Steps: Seq(olProvide("email"),
				olLogin("{email:upper}", olPassword, "tok"),
				olAdminLogin("{adminUsername:upper}", "{adminPassword}", "t1")),
		},
		{
			ID: "OL-AUTH-009", Description: "A customer with a phone number MUST log in with it as with its e-mail.",
			Labels: olLabels(),
			Steps: Seq(Provide(Customer{Email: "email", Password: "pw", Phone: "phone"}),
				olLogin("{email}", olPassword, "t1").CaptureClaim("uid", "token", "id"),
				olLogin("{phone}", olPassword, "t2").Expect(200, Claim("token", "id", Var("uid")))),
		},
		{
			ID: "OL-AUTH-010", Description: "The customer paths without a store code (Open Loyalty 3.x's) SHOULD address store DEFAULT: a customer of DEFAULT logs in there, and its JWT is accepted on DEFAULT's password change with and without the store code.",
			Labels: olLabels(NeedsMailbox, DoppelChoice), Emails: []string{"email"},
			Steps: Seq(olTargetAdmin(), // the admin's registration makes a customer of DEFAULT
				POST(olRegisterPath).As("admin").Form(olRegistration("{email}")).Expect(200).Capture("uid", "customerId"),
				MailToken("{email}", olTemporaryMail, "temp").AnyTenant(),
				olTokens(POST(olDefaultLoginPath).Form(map[string]string{"_username": "{email}", "_password": "{temp}"}), "tok",
					Claim("token", "roles", Arr{olCustomerRole}), Claim("token", "id", Var("uid")), Lifetime("token", olDay)),
				olTokens(POST(olLoginPath(olDefaultStore)).JSON(olCreds("{email}", "{temp}")), "t2", Claim("token", "id", Var("uid"))),
				olAcceptedAt(olDefaultChangePath, "tok"),
				olAccepted(olDefaultStore, "customer", "tok"),
				olBadCredentials(POST(olDefaultLoginPath).JSON(olCreds("{email}", olNewPassword)))),
		},
		{
			ID: "OL-AUTH-011", Description: "A seller MUST log in at /api/seller/login_check with its e-mail, answered an RS256 JWT with ROLE_SELLER, valid 24 hours, and a refresh token; a seller's credentials MUST be refused on the admin and customer logins, and an admin's or customer's on the seller login.",
			Labels: olLabels(),
			Steps: Seq(olProvideSeller("seller"), olProvide("email"),
				olSellerLogin("{seller}", olSellerPassword, "sel").Expect(200, Claim("token", "roles", Arr{olSellerRole}), Lifetime("token", olDay)),
				olTokens(POST(olSellerLoginPath).Form(map[string]string{"username": "{seller}", "password": olSellerPassword}), "sel2"),
				olBadCredentials(POST(olSellerLoginPath).JSON(olCreds("{seller}", olNewPassword))),
				olAdminLoginFails("{seller}", olSellerPassword),
				olLoginFails("{seller}", olSellerPassword),
				olBadCredentials(POST(olSellerLoginPath).JSON(olCreds("{email}", olPassword))),
				olBadCredentials(POST(olSellerLoginPath).JSON(olCreds("{adminUsername}", "{adminPassword}")))),
		},
		{
			ID: "OL-AUTH-012", Description: "A customer's JWT SHOULD name it by its id, the username the service creates it with, and it SHOULD log in with it as with its e-mail.",
			Labels: olLabels(DoppelChoice),
			Steps: Seq(olProvide("email"),
				olLogin("{email}", olPassword, "t1").CaptureClaim("uid", "token", "id"),
				olLogin("{uid}", olPassword, "t2").Expect(200, Claim("token", "id", Var("uid")), Claim("token", "username", Var("uid")))),
		},
		{
			ID: "OL-AUTH-018", Description: "A seller's JWT SHOULD name it by its id, the username the service creates it with, and it SHOULD log in with it as with its e-mail.",
			Labels: olLabels(DoppelChoice),
			Steps: Seq(olProvideSeller("seller"),
				olSellerLogin("{seller}", olSellerPassword, "s1").CaptureClaim("sid", "token", "id"),
				olSellerLogin("{sid}", olSellerPassword, "s2").Expect(200, Claim("token", "id", Var("sid")), Claim("token", "username", Var("sid")))),
		},
		{
			ID: "OL-AUTH-013", Description: "A customer's JWT MUST carry the claims permissions ([] for customers) and superAdmin (false for them).",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"),
				olLogin("{email}", olPassword, "tok").Expect(200, Claim("token", "permissions", Arr{}), Claim("token", "superAdmin", false))),
		},
		{
			ID: "OL-AUTH-019", Description: "A seller's JWT MUST carry the claims lastLoginAt (null at its first login), permissions ([]) and superAdmin (false).",
			Labels: olLabels(),
			Steps: Seq(olProvideSeller("seller"),
				olSellerLogin("{seller}", olSellerPassword, "sel").Expect(200,
					Claim("token", "lastLoginAt", nil), Claim("token", "permissions", Arr{}), Claim("token", "superAdmin", false))),
		},
		{
			ID: "OL-AUTH-014", Description: "An admin's JWT SHOULD carry the superAdmin flag and the permissions it is provisioned with, each MODIFY followed by the VIEW it implies, as the service reports a role's permissions.",
			Labels: olLabels(Provisioning, DoppelChoice), Emails: []string{"superEmail", "ownEmail"}, Fresh: []string{"super", "name", "pw"},
			Steps: Seq(olProvisionAdmin("{super}", "{superEmail}", Obj{"superAdmin": true}),
				olProvisionAdmin("{name}", "{ownEmail}", Obj{"permissions": Obj{"LEVEL": Arr{"MODIFY"}, "SEGMENT": Arr{"VIEW"}}}),
				olAdminLogin("{super}", olPassword, "sup").Expect(200,
					Claim("token", "superAdmin", true), Claim("token", "permissions", Arr{}), Claim("token", "lastLoginAt", nil)),
				olAdminLogin("{name}", olPassword, "adm").Expect(200, Claim("token", "superAdmin", false),
					Claim("token", "permissions", Obj{"LEVEL": Arr{"MODIFY", "VIEW"}, "SEGMENT": Arr{"VIEW"}}))),
		},
		{
			ID: "OL-AUTH-015", Description: "A seller an admin deactivates MUST be answered 400 with the message Your account is not active at its login, and MUST log in again once the admin activates it.",
			Labels: olLabels(),
			Steps: Seq(Provide(Customer{Email: "seller", Password: "spw", Kind: KindSeller, ID: "sid"}), olTargetAdmin(),
				olSellerLogin("{seller}", olSellerPassword, "sel"),
				POST("/api/seller/{sid}/deactivate").As("admin").Expect(200),
				POST(olSellerLoginPath).JSON(olCreds("{seller}", olSellerPassword)).Expect(400, Equals("", Obj{"message": olSellerInactive})),
				POST("/api/seller/{sid}/activate").As("admin").Expect(200),
				olSellerLogin("{seller}", olSellerPassword, "sel2")),
		},

		{
			ID: "OL-AUTH-016", Description: "An admin's customer registration on /api/customer/register MUST answer the customer's id and e-mail and mail it a temporary password, with which it logs in answered error password change needed until it changes its password.",
			Labels: olLabels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(olTargetAdmin(),
				POST(olRegisterPath).As("admin").Form(olRegistration("{email}")).
					Expect(200, Equals("email", "{email}"), Matches("customerId", `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)).
					Capture("uid", "customerId"),
				MailToken("{email}", olTemporaryMail, "temp").AnyTenant().And(Equals("identifier", Var("uid")).AsChoice()),
				olTokens(POST(olDefaultLoginPath).JSON(olCreds("{email}", "{temp}")), "tok",
					Equals("error", olPasswordChange), Claim("token", "id", Var("uid")), Claim("token", "roles", Arr{olCustomerRole})),
				olSuccess(olChangeAt(olDefaultChangePath, "tok", "{temp}", olNewPassword)),
				olTokens(POST(olDefaultLoginPath).JSON(olCreds("{email}", olNewPassword)), "tok2", Absent("error")),
				olBadCredentials(POST(olDefaultLoginPath).JSON(olCreds("{email}", "{temp}")))),
		},
		{
			ID: "OL-AUTH-017", Description: "A customer registration MUST need a Bearer token, and MUST refuse blank required fields, an invalid e-mail or an e-mail already registered with 400 Symfony form errors on those fields.",
			Labels: olLabels(), Emails: []string{"email"},
			Steps: Seq(olTargetAdmin(),
				olNoBearer(POST(olRegisterPath).Form(olRegistration("{email}"))),
				POST(olRegisterPath).As("admin").Form(map[string]string{"customer[email]": "not-an-address", "customer[lastName]": ""}).Invalid().
					Expect(400, Equals("form.children.firstName.errors", Arr{olBlank}), Equals("form.children.lastName.errors", Arr{olBlank}),
						Equals("form.children.email.errors", Arr{olEmailInvalid}), Equals("form.children.agreement1.errors", Arr{olBlank}),
						Equals("form.children.gender", Obj{}), Present("form.children.address.children.street")),
				POST(olRegisterPath).As("admin").Form(olRegistration("{email}")).Expect(200, Equals("email", "{email}")),
				POST(olRegisterPath).As("admin").Form(olRegistration("{email:upper}")).Invalid().
					Expect(400, Equals("form.children.email.errors", Arr{olEmailTaken}).AsChoice()),
				POST(olRegisterPath).As("admin").Form(map[string]string{"customer[firstName]": "Wren", "customer[plainPassword]": olNewPassword}).Invalid().
					Expect(400, Equals("errors", Arr{olExtraFields}).AsChoice(), Equals("form.children.lastName.errors", Arr{olBlank}))),
		},

		// ---- refresh and revoke ----
		{
			ID: "OL-TOKEN-001", Description: "A refresh MUST answer a new JWT for the same user, valid 24 hours, with the same refresh token, and the new JWT MUST be accepted.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"),
				olLogin("{email}", olPassword, "tok").CaptureClaim("uid", "token", "id"),
				olRefreshed(POST(olRefreshPath).Form(map[string]string{"refresh_token": "{tokRefresh}"}), "tok", "tok2",
					Claim("token", "id", Var("uid")), Claim("token", "roles", Arr{olCustomerRole}), Lifetime("token", olDay)),
				olAccepted("{storeCode}", "customer", "tok2")),
		},
		{
			ID: "OL-TOKEN-002", Description: "An admin's refresh MUST answer an admin JWT that admin paths accept, with the same refresh token.",
			Labels: olLabels(Smoke),
			Steps: Seq(olTargetAdmin(),
				olRefreshed(olRefreshOf("admin"), "admin", "admin2",
					Claim("token", "username", "{adminUsername}"), Claim("token", "roles", Arr{olAdminRole})),
				olAccepted("{storeCode}", "admin", "admin2")),
		},
		{
			ID: "OL-TOKEN-003", Description: "A refresh token MUST be accepted in the query as in the body, and MUST keep working after each refresh.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olRefreshed(POST(olRefreshPath).Query("refresh_token", "{tokRefresh}"), "tok", "tok2"),
				olRefreshed(olRefreshOf("tok"), "tok", "tok3"),
				olRefreshed(POST(olRefreshPath).Query("refresh_token", "{tokRefresh}"), "tok", "tok4")),
		},
		{
			ID: "OL-TOKEN-004", Description: "A missing, empty or unknown refresh token MUST be answered 401 with code 401 and the message Bad credentials.",
			Labels: olLabels(),
			Steps: Seq(
				olRefreshRefused(POST(olRefreshPath)),
				olRefreshRefused(POST(olRefreshPath).Form(map[string]string{"refresh_token": ""})),
				olRefreshRefused(POST(olRefreshPath).JSON(Obj{"refresh_token": strings.Repeat("0", 128)}))),
		},
		{
			ID: "OL-TOKEN-005", Description: "An admin's revoke MUST answer 200 with no body, after which the refresh tokens of all the admin's logins MUST be refused (it revokes the target admin's refresh tokens).",
			Labels: olLabels(Destructive),
			Steps: Seq(olAdminLogin("{adminUsername}", "{adminPassword}", "t1"), olAdminLogin("{adminUsername}", "{adminPassword}", "t2"),
				GET(olRevokePath).As("t1").Expect(200, NoBody()),
				olRefreshRefused(olRefreshOf("t1")),
				olRefreshRefused(olRefreshOf("t2"))),
		},
		{
			ID: "OL-TOKEN-006", Description: "A JWT SHOULD stay valid after its user's revoke, as JWTs are stateless (it revokes the target admin's refresh tokens).",
			Labels: olLabels(Destructive, DoppelChoice),
			Steps: Seq(olTargetAdmin(),
				GET(olRevokePath).As("admin").Expect(200),
				olAcceptedAt(olAdminChangePath, "admin")),
		},
		{
			ID: "OL-TOKEN-007", Description: "A revoke MUST NOT affect another user's refresh tokens (it revokes the target admin's refresh tokens).",
			Labels: olLabels(Destructive),
			Steps: Seq(olProvide("email"),
				olLogin("{email}", olPassword, "tok"), olTargetAdmin(),
				GET(olRevokePath).As("admin").Expect(200),
				olRefreshed(olRefreshOf("tok"), "tok", "tok2")),
		},
		{
			ID: "OL-TOKEN-008", Description: "A customer's JWT MUST be refused on /api/token/revoke, which is behind the admin firewall, with 401 and an empty message, and its refresh token MUST keep working.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olNotHeld(GET(olRevokePath).As("tok")),
				olRefreshed(olRefreshOf("tok"), "tok", "tok2")),
		},
		{
			ID: "OL-TOKEN-011", Description: "A seller's JWT MUST be refused on /api/token/revoke with 401 and an empty message, and its refresh token MUST keep working.",
			Labels: olLabels(),
			Steps: Seq(olProvideSeller("seller"), olSellerLogin("{seller}", olSellerPassword, "sel"),
				olNotHeld(GET(olRevokePath).As("sel")),
				olRefreshed(olRefreshOf("sel"), "sel", "sel2")),
		},
		{
			ID: "OL-TOKEN-009", Description: "A JWT MUST be refused 401 Invalid JWT Token once its 24 hours have passed, while its refresh token still answers a new one (moves the target's clock).",
			Labels: olLabels(NeedsAdmin, Destructive),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olAccepted("{storeCode}", "customer", "tok"),
				olAdvance("23h59m"),
				olAccepted("{storeCode}", "customer", "tok"),
				olAdvance("2m"),
				olInvalidJWT(olChange("customer", "tok", "not the password", olNewPassword)),
				olRefreshed(olRefreshOf("tok"), "tok", "tok2"),
				olAccepted("{storeCode}", "customer", "tok2")),
		},
		{
			ID: "OL-TOKEN-010", Description: "A refresh token SHOULD expire 30 days after its last use, each refresh moving its expiry forward (moves the target's clock).",
			Labels: olLabels(NeedsAdmin, Destructive, DoppelChoice),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olAdvance("29d"),
				olRefreshed(olRefreshOf("tok"), "tok", "tok2"),
				olAdvance("29d"),
				olRefreshed(olRefreshOf("tok"), "tok", "tok3"),
				olAdvance("30d1m"),
				olRefreshRefused(olRefreshOf("tok"))),
		},

		// ---- password change ----
		{
			ID: "OL-CHANGE-001", Description: "A customer's password change with a form body MUST answer success, after which the old password MUST be refused and the new one accepted.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olSuccess(POST(olChangePath("{storeCode}", "customer")).As("tok").
					Form(map[string]string{"currentPassword": olPassword, "plainPassword": olNewPassword})),
				olLoginFails("{email}", olPassword),
				olLogin("{email}", olNewPassword, "tok2")),
		},
		{
			ID: "OL-CHANGE-002", Description: "An admin's password change MUST answer success, after which the old password MUST be refused and the new one accepted, by username and by e-mail (the scenario restores the target admin's old one).",
			Labels: olLabels(Destructive),
			Steps: Seq(olTargetAdmin(),
				olSuccess(olChange("admin", "admin", "{adminPassword}", olNewPassword)).
					Cleanup(olSuccess(olChange("admin", "admin", olNewPassword, "{adminPassword}"))),
				olAdminLoginFails("{adminUsername}", "{adminPassword}"),
				olAdminLoginFails("{adminEmail}", "{adminPassword}"),
				olAdminLogin("{adminUsername}", olNewPassword, "t1"),
				olAdminLogin("{adminEmail}", olNewPassword, "t2")),
		},
		{
			ID: "OL-CHANGE-003", Description: "A new password breaking the policy MUST be refused 400 with the exact message of every broken rule at once, a missing letter before the case rule, and the password MUST stay unchanged.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olPolicyRefused("abc", olLength, olCase, olNumber, olSpecial),
				olPolicyRefused("!", olLength, olLetter, olCase, olNumber),
				olPolicyRefused("31415926?", olLetter, olCase),
				olPolicyRefused("abcdefgh", olCase, olNumber, olSpecial),
				olPolicyRefused("ABCDEFG1", olCase, olSpecial),
				olPolicyRefused("Abcdefg!", olNumber),
				olPolicyRefused("Abcdefg1", olSpecial),
				olPolicyRefused("Ab1!", olLength),
				olPolicyRefused("", olBlank),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-CHANGE-004", Description: "A wrong or missing current password MUST be refused 400 with the form error on currentPassword, together with any policy violation, and change nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olAccepted("{storeCode}", "customer", "tok"),
				olFormErrors(olChange("customer", "tok", "not the password", "abc"),
					Obj{"currentPassword": olField(olCurrent), "plainPassword": olField(olLength, olCase, olNumber, olSpecial)}),
				olFormErrors(POST(olChangePath("{storeCode}", "customer")).As("tok").JSON(Obj{"plainPassword": olNewPassword}),
					Obj{"currentPassword": olField(olCurrent), "plainPassword": olField()}),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-CHANGE-005", Description: "The password policy SHOULD check bytes, each read as its Latin-1 character, and SHOULD NOT count braces as special characters, as the service's validator does.",
			Labels: olLabels(DoppelChoice),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olPolicyRefused("Passw0rd{}", olSpecial),
				olPolicyRefused("Ääää1!", olCase),                               // C3 84 C3 A4…: "Ã" (upper case), a control character, "¤"
				olSuccess(olChange("customer", "tok", olPassword, "Grüße1234")), // "ß" is C3 9F: a control character, special
				olLogin("{email}", "Grüße1234", "tok2")),
		},
		{
			ID: "OL-CHANGE-006", Description: "The target's admin MUST be able to change its password, the old one then refused and the new one accepted (the scenario restores the old one).",
			Labels: olLabels(Destructive),
			Steps: Seq(olTargetAdmin(),
				olSuccess(olChange("admin", "admin", "{adminPassword}", olNewPassword)).
					Cleanup(olSuccess(olChange("admin", "admin", olNewPassword, "{adminPassword}"))),
				olAdminLoginFails("{adminUsername}", "{adminPassword}"),
				olAdminLogin("{adminUsername}", olNewPassword, "admin2")),
		},
		{
			ID: "OL-CHANGE-007", Description: "An admin's password change on /api/admin/password/change, the Open Loyalty 3.x path, MUST answer success, after which the old password MUST be refused and the new one accepted; a wrong current password MUST get the form error.",
			Labels: olLabels(Destructive),
			Steps: Seq(olTargetAdmin(),
				olAcceptedAt(olAdminChangePath, "admin"),
				olSuccess(POST(olAdminChangePath).As("admin").Form(map[string]string{"currentPassword": "{adminPassword}", "plainPassword": olNewPassword})).
					Cleanup(olSuccess(olChangeAt(olAdminChangePath, "admin", olNewPassword, "{adminPassword}"))),
				olAdminLoginFails("{adminUsername}", "{adminPassword}"),
				olAdminLogin("{adminUsername}", olNewPassword, "admin2")),
		},
		{
			ID: "OL-CHANGE-008", Description: "A seller's password change on /api/seller/password/change MUST answer success, after which the old password MUST be refused and the new one accepted, with the policy applied as for every user.",
			Labels: olLabels(),
			Steps: Seq(olProvideSeller("seller"), olSellerLogin("{seller}", olSellerPassword, "sel"),
				olFormErrors(olChangeAt(olSellerChangePath, "sel", olSellerPassword, "31415926?"),
					Obj{"currentPassword": olField(), "plainPassword": olField(olLetter, olCase)}),
				olSuccess(olChangeAt(olSellerChangePath, "sel", olSellerPassword, olNewPassword)),
				olBadCredentials(POST(olSellerLoginPath).JSON(olCreds("{seller}", olSellerPassword))),
				olSellerLogin("{seller}", olNewPassword, "sel2")),
		},

		{
			ID: "OL-CHANGE-009", Description: "A JWT and a refresh token issued before a password change SHOULD stay valid after it, as JWTs are stateless and the change leaves refresh tokens alone.",
			Labels: olLabels(DoppelChoice),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olSuccess(olChange("customer", "tok", olPassword, olNewPassword)),
				olAccepted("{storeCode}", "customer", "tok"),
				olRefreshed(olRefreshOf("tok"), "tok", "tok2")),
		},

		// ---- password reset ----
		{
			ID: "OL-RESET-001", Description: "A customer's reset request with a form body MUST answer success and mail a token that sets the new password once: the old password is then refused, the new one accepted, and the token's reuse answered 404.",
			Labels: olLabels(NeedsMailbox),
			Steps: Seq(olProvide("email"),
				olSuccess(POST(olRequestPath("{storeCode}")).Form(map[string]string{"username": "{email}"})),
				MailToken("{email}", olResetMail, "reset"),
				olSuccess(POST(olResetPath).Form(map[string]string{"token": "{reset}", "reset[plainPassword]": olNewPassword})),
				olLoginFails("{email}", olPassword),
				olLogin("{email}", olNewPassword, "tok"),
				olNotFound(olResetWith("{reset}", olThird)),
				olLogin("{email}", olNewPassword, "tok2")),
		},
		{
			ID: "OL-RESET-002", Description: "A second reset request within 24 hours MUST be refused 400 with resetting password already requested and send no second mail.",
			Labels: olLabels(NeedsMailbox),
			Steps: Seq(olProvide("email"),
				olSuccess(olResetRequest("{email}")),
				olError(olResetRequest("{email}"), olRequested),
				MailCount("{email}", olResetMail, 1)),
		},
		{
			ID: "OL-RESET-003", Description: "A completed reset MUST clear the pending request, so that a new request mails a new token.",
			Labels: olLabels(NeedsMailbox),
			Steps: Seq(olProvide("email"),
				olMailedReset("{email}", "first"),
				olSuccess(olResetWith("{first}", olNewPassword)),
				olMailedReset("{email}", "second"),
				MailCount("{email}", olResetMail, 2),
				olNotFound(olResetWith("{first}", olThird)),
				olSuccess(olResetWith("{second}", olThird)),
				olLogin("{email}", olThird, "tok")),
		},
		{
			ID: "OL-RESET-004", Description: "A reset request for an unknown user MUST be answered 404 Not Found, in a store and among admins, and mail nothing.",
			Labels: olLabels(NeedsMailbox), Emails: []string{"unknown"},
			Steps: Seq(
				olNoSuchUser(olResetRequest("{unknown}")),
				olNoSuchUser(olAdminResetRequest("{unknown}")),
				NoMail("{unknown}", olResetMail).AnyTenant()),
		},
		{
			ID: "OL-RESET-005", Description: "A reset request with an empty or missing username MUST be answered 400 with the error that the username should not be empty.",
			Labels: olLabels(),
			Steps: Seq(
				olError(POST(olRequestPath("{storeCode}")).Form(map[string]string{"username": ""}), olNoUser),
				olError(POST(olRequestPath("{storeCode}")).JSON(Obj{}), olNoUser),
				olError(POST(olAdminRequestPath), olNoUser)),
		},
		{
			ID: "OL-RESET-006", Description: "An admin's reset request MUST accept its username or its e-mail, one pending request at a time, mailing the admin a token that sets its new password (the scenario restores the target admin's old one).",
			Labels: olLabels(NeedsMailbox, Destructive),
			Steps: Seq(
				olSuccess(olAdminResetRequest("{adminEmail}")),
				olError(olAdminResetRequest("{adminUsername}"), olRequested),
				MailToken("{adminEmail}", olResetMail, "reset").AnyTenant(),
				olSuccess(olResetWith("{reset}", olNewPassword)).Cleanup(
					olAdminLogin("{adminUsername}", olNewPassword, "restore"),
					olSuccess(olChange("admin", "restore", olNewPassword, "{adminPassword}"))),
				olAdminLogin("{adminUsername}", olNewPassword, "adm"),
				olAdminLoginFails("{adminEmail}", "{adminPassword}"),
				olSuccess(olAdminResetRequest("{adminUsername}")),
				MailToken("{adminEmail}", olResetMail, "again").AnyTenant(),
				olSuccess(olResetWith("{again}", olNewPassword)), // ends the pending request, keeps what the cleanup restores
				olAdminLogin("{adminEmail}", olNewPassword, "adm2")),
		},
		{
			ID: "OL-RESET-007", Description: "A reset to a password breaking the policy MUST be refused 400 with the policy messages under plainPassword, changing nothing and leaving the token usable.",
			Labels: olLabels(NeedsMailbox),
			Steps: Seq(olProvide("email"), olMailedReset("{email}", "reset"),
				olFormErrors(olResetWith("{reset}", "short"), Obj{"plainPassword": olField(olLength, olCase, olNumber, olSpecial)}),
				olUnchanged("{email}"),
				olSuccess(olResetWith("{reset}", olNewPassword)),
				olLogin("{email}", olNewPassword, "tok")),
		},
		{
			ID: "OL-RESET-008", Description: "A reset with an empty or missing token MUST be answered 400 with the error that the token should not be empty, and one with an unknown token 404 Not Found.",
			Labels: olLabels(),
			Steps: Seq(
				olError(POST(olResetPath).Form(map[string]string{"reset[plainPassword]": olNewPassword}), olNoToken),
				olError(olResetWith("", olNewPassword), olNoToken),
				olNotFound(olResetWith("AIENe11JjR2kj3XGiWuZmQ88gZYAgM7VR5inxtbswaY", olNewPassword))),
		},
		{
			ID: "OL-RESET-009", Description: "The reset token SHOULD also be accepted in the query.",
			Labels: olLabels(NeedsMailbox, DoppelChoice),
			Steps: Seq(olProvide("email"), olMailedReset("{email}", "reset"),
				olSuccess(POST(olResetPath).Query("token", "{reset}").Form(map[string]string{"reset[plainPassword]": olNewPassword})),
				olLogin("{email}", olNewPassword, "tok")),
		},
		{
			ID: "OL-RESET-010", Description: "A reset SHOULD leave the user's JWTs and refresh tokens valid.",
			Labels: olLabels(NeedsMailbox, DoppelChoice),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"), olMailedReset("{email}", "reset"),
				olSuccess(olResetWith("{reset}", olNewPassword)),
				olRefreshed(olRefreshOf("tok"), "tok", "tok2"),
				olAccepted("{storeCode}", "customer", "tok")),
		},
		{
			ID: "OL-RESET-011", Description: "The reset mail's identifier SHOULD be the user's id, the id claim of its JWTs.",
			Labels: olLabels(NeedsMailbox, DoppelChoice),
			Steps: Seq(olProvide("email"), olSuccess(olResetRequest("{email}")),
				MailCount("{email}", olResetMail, 1).Capture("uid", "identifier"),
				olLogin("{email}", olPassword, "tok").Expect(200, Claim("token", "id", Var("uid")))),
		},
		{
			ID: "OL-RESET-012", Description: "A reset request on /api/password/reset/request MUST find a seller by e-mail, as the service's all-users provider, and mail it a token that sets its new password.",
			Labels: olLabels(NeedsMailbox),
			Steps: Seq(olProvideSeller("seller"),
				olSuccess(olAdminResetRequest("{seller}")),
				MailToken("{seller}", olResetMail, "reset").AnyTenant(),
				olSuccess(olResetWith("{reset}", olNewPassword)),
				olSellerLogin("{seller}", olNewPassword, "sel")),
		},
		{
			ID: "OL-RESET-013", Description: "A customer of store DEFAULT SHOULD be found by e-mail by the all-users reset request and by e-mail or phone by the customer reset request without a store code, not by phone by the former.",
			Labels: olLabels(NeedsMailbox, DoppelChoice),
			Steps: Seq(Provide(Customer{Email: "email", Password: "pw", Phone: "phone", Tenant: olDefaultStore}),
				olNoSuchUser(olAdminResetRequest("{phone}")),
				olSuccess(olAdminResetRequest("{email}")),
				olError(POST(olDefaultRequestPath).JSON(Obj{"username": "{phone}"}), olRequested),
				MailToken("{email}", olResetMail, "reset").AnyTenant(),
				olSuccess(olResetWith("{reset}", olNewPassword)),
				olSuccess(POST(olDefaultRequestPath).Form(map[string]string{"username": "{phone}"})),
				MailCount("{email}", olResetMail, 2).AnyTenant(),
				olTokens(POST(olDefaultLoginPath).JSON(olCreds("{phone}", olNewPassword)), "tok")),
		},

		{
			ID: "OL-RESET-014", Description: "A reset token SHOULD expire when its 24-hour window ends, after which a new request mails a new token (moves the target's clock).",
			Labels: olLabels(NeedsAdmin, NeedsMailbox, Destructive, DoppelChoice),
			Steps: Seq(olProvide("email"), olMailedReset("{email}", "first"),
				olAdvance("24h1m"),
				olNotFound(olResetWith("{first}", olNewPassword)),
				olMailedReset("{email}", "second"),
				MailCount("{email}", olResetMail, 2),
				olSuccess(olResetWith("{second}", olNewPassword)),
				olLogin("{email}", olNewPassword, "tok")),
		},

		// ---- who may call what ----
		{
			ID: "OL-ACCESS-001", Description: "A malformed, foreign or tampered JWT MUST be answered 401 Invalid JWT Token with WWW-Authenticate Bearer, before the body is looked at.",
			Labels: olLabels(Smoke),
			Steps: Seq(olTargetAdmin(),
				olInvalidJWT(POST(olChangePath("{storeCode}", "admin")).Header("Authorization", "Bearer {admin}x").
					JSON(Obj{"currentPassword": "not the password", "plainPassword": olNewPassword})),
				olInvalidJWT(GET(olRevokePath).Header("Authorization", "Bearer not-a-jwt")),
				olInvalidJWT(POST(olChangePath("{storeCode}", "customer")).Header("Authorization", "Bearer "+olForeignJWT).
					JSON(Obj{"currentPassword": olThird, "plainPassword": olNewPassword})),
				olInvalidJWT(POST(olChangePath("{storeCode}", "admin")).Header("Authorization", "Bearer {admin}x").Raw("application/json", `{"currentPassword":`))),
		},
		{
			ID: "OL-ACCESS-002", Description: "A customer JWT MUST be refused on admin paths and an admin JWT on customer paths with 401 and an empty message (the firewall's user provider knows no such user), changing nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"),
				olLogin("{email}", olPassword, "tok"), olTargetAdmin(),
				olNotHeld(olChange("admin", "tok", olPassword, olNewPassword)),
				olNotHeld(olChangeAt(olAdminChangePath, "tok", olPassword, olNewPassword)),
				olNotHeld(olChange("customer", "admin", "not the password", olNewPassword)),
				olUnchanged("{email}"),
				olTargetAdmin()),
		},
		{
			ID: "OL-ACCESS-003", Description: "A customer JWT MUST be refused on another store's paths, where the customer is unknown, with 401 and an empty message.",
			Labels: olLabels(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olNotHeld(olChangeIn("{other}", "customer", "tok", olPassword, olNewPassword)),
				olBadCredentials(POST(olLoginPath("{other}")).JSON(olCreds("{email}", olPassword))),
				olNoSuchUser(POST(olRequestPath("{other}")).JSON(Obj{"username": "{email}"})),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-ACCESS-004", Description: "Stores MUST be separate: the same e-mail is another customer in each, with its own password, tokens and reset requests.",
			Labels: olLabels(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(olProvide("email"), Provide(Customer{Email: "email", Password: "pw2", Tenant: "{other}", SameEmail: true}),
				olBadCredentials(POST(olLoginPath("{other}")).JSON(olCreds("{email}", olPassword))),
				olTokens(POST(olLoginPath("{other}")).JSON(olCreds("{email}", "{pw2}")), "otherTok"),
				olNotHeld(olChange("customer", "otherTok", "{pw2}", olNewPassword)),
				olSuccess(olChangeIn("{other}", "customer", "otherTok", "{pw2}", olNewPassword)),
				olLogin("{email}", olPassword, "tok"),
				olSuccess(olResetRequest("{email}")),
				olSuccess(POST(olRequestPath("{other}")).JSON(Obj{"username": "{email}"}))),
		},
		{
			ID: "OL-ACCESS-005", Description: "An admin JWT SHOULD be accepted on every store's admin path, as admins belong to no store.",
			Labels: olLabels(MultiTenant, DoppelChoice), Tenants: []string{"other"},
			Steps: Seq(olTargetAdmin(), olAccepted("{other}", "admin", "admin")),
		},
		{
			ID: "OL-ACCESS-006", Description: "A request without a Bearer token — no Authorization header, another scheme, or the prefix in another case — MUST be answered 401 Invalid credentials with WWW-Authenticate Bearer, the JWT bundle's entry point, on every firewall and before the body is looked at.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olNoBearer(GET(olRevokePath)),
				olNoBearer(POST(olChangePath("{storeCode}", "admin")).Raw("application/json", `{"currentPassword":`)),
				olNoBearer(POST(olAdminChangePath).JSON(Obj{"currentPassword": olPassword, "plainPassword": olNewPassword})),
				olNoBearer(POST(olSellerChangePath).JSON(Obj{"currentPassword": olPassword, "plainPassword": olNewPassword})),
				olNoBearer(POST(olChangePath("{storeCode}", "customer")).Header("Authorization", "Basic {tok}").
					JSON(Obj{"currentPassword": olPassword, "plainPassword": olNewPassword})),
				olNoBearer(POST(olChangePath("{storeCode}", "customer")).Header("Authorization", "bearer {tok}").
					JSON(Obj{"currentPassword": olPassword, "plainPassword": olNewPassword})),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-ACCESS-007", Description: "A seller's JWT MUST be refused on admin and customer paths, and an admin's or customer's on the seller path, with 401 and an empty message, changing nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvideSeller("seller"), olProvide("email"),
				olSellerLogin("{seller}", olSellerPassword, "sel"), olLogin("{email}", olPassword, "tok"), olTargetAdmin(),
				olNotHeld(olChangeAt(olAdminChangePath, "sel", olSellerPassword, olNewPassword)),
				olNotHeld(olChange("customer", "sel", olSellerPassword, olNewPassword)),
				olNotHeld(olChangeAt(olSellerChangePath, "admin", "not the password", olNewPassword)),
				olNotHeld(olChangeAt(olSellerChangePath, "tok", olPassword, olNewPassword)),
				olSellerLogin("{seller}", olSellerPassword, "sel2"),
				olUnchanged("{email}"),
				olTargetAdmin()),
		},

		{
			ID: "OL-ACCESS-008", Description: "A customer's JWT SHOULD be refused 403 Forbidden on the customer registration, which only admins and sellers may use, registering nobody.",
			Labels: olLabels(DoppelChoice), Emails: []string{"other"},
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				POST("/api/{storeCode}/customer/register").As("tok").Form(olRegistration("{other}")).
					Expect(403, Equals("error.code", 403), Equals("error.message", "Forbidden")),
				olNoSuchUser(olResetRequest("{other}"))),
		},

		// ---- bad input ----
		{
			ID: "OL-INPUT-001", Description: "A password change with malformed JSON MUST be answered 400 Bad Request and change nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olHTTPError(POST(olChangePath("{storeCode}", "customer")).As("tok").
					Raw("application/json", `{"currentPassword":"`+olPassword+`","plainPassword":"`+olNewPassword+`"`), 400, "Bad Request"),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-INPUT-002", Description: "A password change with a body of another content type than a form or JSON MUST be refused with a 4xx (doppel: 415) and change nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olHTTPError(POST(olChangePath("{storeCode}", "customer")).As("tok").
					Raw("text/plain", "currentPassword="+olPassword+"&plainPassword="+olNewPassword), 415, "Unsupported Media Type").ChoiceWithin(400, 499),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-INPUT-003", Description: "A request body over 1 MiB SHOULD be answered 413 and MUST change nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olHTTPError(POST(olChangePath("{storeCode}", "customer")).As("tok").
					JSON(Obj{"currentPassword": olPassword, "plainPassword": olNewPassword, "padding": strings.Repeat("x", 1<<20)}), 413, "Payload Too Large").ChoiceWithin(400, 499),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-INPUT-004", Description: "A password change with a field of the wrong type MUST be answered 400 Bad Request and change nothing.",
			Labels: olLabels(),
			Steps: Seq(olProvide("email"), olLogin("{email}", olPassword, "tok"),
				olHTTPError(POST(olChangePath("{storeCode}", "customer")).As("tok").
					JSON(Obj{"currentPassword": olPassword, "plainPassword": Arr{olNewPassword}}), 400, "Bad Request"),
				olUnchanged("{email}")),
		},
		{
			ID: "OL-INPUT-005", Description: "A reset request with a malformed form or a JSON body that is no object MUST be answered 400 Bad Request and mail nothing.",
			Labels: olLabels(NeedsMailbox),
			Steps: Seq(olProvide("email"),
				olHTTPError(POST(olRequestPath("{storeCode}")).Raw("application/x-www-form-urlencoded", "username=%zz"), 400, "Bad Request"),
				olHTTPError(POST(olRequestPath("{storeCode}")).Raw("application/json", `["{email}"]`), 400, "Bad Request"),
				NoMail("{email}", olResetMail),
				olMailedReset("{email}", "reset")),
		},
		{
			ID: "OL-INPUT-006", Description: "An unknown path under /api/ MUST be answered 404 Not Found and a known path with a wrong method 405 Method Not Allowed naming the allowed methods.",
			Labels: olLabels(),
			Steps: Seq(
				olHTTPError(GET("/api/nothing-here"), 404, "Not Found"),
				olHTTPError(GET(olAdminLoginPath), 405, "Method Not Allowed").Expect(405, HeaderHas("Allow", "POST")),
				olHTTPError(POST(olRevokePath), 405, "Method Not Allowed").Expect(405, HeaderHas("Allow", "GET"))),
		},
		{
			ID: "OL-INPUT-007", Description: "A login with malformed JSON or a JSON body that is no object MUST be answered 400, and one of another content type refused with a 4xx (doppel: 415).",
			Labels: olLabels(),
			Steps: Seq(
				olHTTPError(POST(olAdminLoginPath).Raw("application/json", `{"_username":`), 400, "Bad Request"),
				olHTTPError(POST(olAdminLoginPath).Raw("application/json", `["{adminUsername}"]`), 400, "Bad Request"),
				olHTTPError(POST(olAdminLoginPath).Raw("text/plain", "_username={adminUsername}"), 415, "Unsupported Media Type").ChoiceWithin(400, 499)),
		},
		{
			ID: "OL-INPUT-008", Description: "A store code outside the documented pattern SHOULD be answered 400 Bad Request.",
			Labels: olLabels(DoppelChoice),
			Steps:  Seq(olHTTPError(POST(olLoginPath("-no-store")).JSON(olCreds("nobody.here@doppel.test", olThird)), 400, "Bad Request")),
		},
	}
}
