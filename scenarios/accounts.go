package scenarios

import (
	"maps"
	"slices"
	"strings"
)

// The Customer Accounts API — Greedbag's customers API
// (api.greedbag.com/docs/customers) — as seed 000 documents it;
// docs/accounts.md records what else Greedbag documents and the choices the
// scenarios pin where it is silent (the error body, the statuses of
// refusals, the shapes of codes). Every request carries the Origin of the
// retailer under test (the origin variable, sent by the runner), since
// Greedbag tells its retailers apart by it. The API has no sign-up: a
// scenario either uses the target's test account (accountEmail,
// accountPassword) and leaves it as it was, or provisions its own customers
// through doppel's seed API and deletes them afterwards.

// accLabels are the Customer Accounts label plus capabilities.
func accLabels(extra ...string) []string { return append([]string{"accounts"}, extra...) }

// provisionedName is the name every provisioned customer gets.
const provisionedName = "Ann Example"

// provision creates a customer of emailVar at the retailer under test
// through doppel's seed API: "active" with the password, or "pending"
// (activation sets one).
func provision(emailVar, status string) Step {
	return provisionAt("{"+VarOrigin+"}", emailVar, status, password)
}

// provisionAt creates a customer of emailVar at the retailer of origin (a
// template), active with pw or pending; origin "" means the default
// retailer, the one requests without Origin address.
func provisionAt(origin, emailVar, status, pw string) Step {
	c := Obj{"email": "{" + emailVar + "}", "name": provisionedName, "status": status}
	if status == "active" {
		c["password"] = pw
	}
	doc := Obj{"customers": Arr{c}}
	if origin != "" {
		doc = Obj{"retailers": Arr{Obj{"origins": Arr{origin}, "customers": Arr{c}}}}
	}
	return Admin("POST", SeedPath).JSON(Obj{"accounts": doc}).Expect(204)
}

// from sends a step with the Origin of another retailer (a template); ""
// sends none.
func from(origin string, s Step) Step { return s.Header("Origin", origin) }

// signIn logs emailVar in with pw (a template) and binds the token to tokVar.
func signIn(emailVar, pw, tokVar string) Step {
	return POST("/customers/login").JSON(Obj{"email": "{" + emailVar + "}", "password": pw}).
		Expect(200, Matches("token", `^\S+$`)).Capture(tokVar, "token")
}

// signInRefused expects a login to be refused.
func signInRefused(emailVar, pw string) Step {
	return refusal(POST("/customers/login").JSON(Obj{"email": "{" + emailVar + "}", "password": pw}), 401, "invalid_credentials")
}

// testAccount logs in to the target's test account as "tok".
func testAccount() Step { return signIn(VarAccountEmail, "{"+VarAccountPassword+"}", "tok") }

// deleteSelf deletes the customer of tokVar.
func deleteSelf(tokVar string) Step {
	return DELETE("/customers/self").As(tokVar).Expect(200, Equals("result", "deleted"))
}

// provisioned is an active customer of emailVar logged in as tokVar,
// deleted after the scenario.
func provisioned(emailVar, tokVar string) Steps {
	return Steps{provision(emailVar, "active"), signIn(emailVar, password, tokVar).Cleanup(deleteSelf(tokVar))}
}

// refusal expects an error body {"result":"error","error":code,"message":…}.
func refusal(s Step, status int, code string, checks ...Check) Step {
	return s.Expect(status, append([]Check{Equals("result", "error"), Equals("error", code), Present("message")}, checks...)...)
}

// unauthorized expects a 401 with a Bearer challenge.
func unauthorized(s Step) Step {
	return refusal(s, 401, "unauthorized", HeaderHas("WWW-Authenticate", "Bearer"))
}

// badRequest expects a 400 bad_request naming each of fields.
func badRequest(s Step, fields ...string) Step {
	var checks []Check
	for _, f := range fields {
		checks = append(checks, Includes("fields.*.field", f))
	}
	return refusal(s, 400, "bad_request", checks...)
}

func getSelf(tokVar string) Step { return GET("/customers/self").As(tokVar) }

func patchSelf(tokVar string, body Obj) Step { return PATCH("/customers/self").As(tokVar).JSON(body) }

// untouched expects the customer of "tok", provisioned with the e-mail
// "email", as it was provisioned.
func untouched() Step {
	return getSelf("tok").Expect(200, Equals("name", provisionedName), Equals("email", "{email}"), Equals("phone", nil))
}

// profile is a value for every profile field PATCH allows.
var profile = Obj{
	"name": "Bea Example", "address": "1 Main Street", "address_town": "Springfield", "address_postcode": "12345",
	"address_region": "Oregon", "country": "US", "phone": "+15550100", "mobile": "+15550101",
}

// shows expects the fields of o with their values.
func shows(o Obj) []Check {
	var checks []Check
	for _, k := range slices.Sorted(maps.Keys(o)) {
		checks = append(checks, Equals(k, o[k]))
	}
	return checks
}

// customerResponse expects every field of the seed's CustomerResponse.
func customerResponse() []Check {
	checks := []Check{Matches("id", `^[0-9]{14}$`)}
	for _, f := range []string{"subscriptions", "email", "name", "address", "address_town", "address_postcode", "address_region", "country", "phone", "mobile"} {
		checks = append(checks, Present(f))
	}
	return checks
}

// requestReset asks for a password reset of emailVar.
func requestReset(emailVar string) Step {
	return POST("/customers/password_reset").JSON(Obj{"email": "{" + emailVar + "}", "reset_uri": "/customers/do_reset"}).
		Expect(200, Equals("result", "email_sent"))
}

// resetCode requests a password reset of emailVar and binds the mailed code to codeVar.
func resetCode(emailVar, codeVar string) Steps {
	return Steps{requestReset(emailVar), MailToken("{"+emailVar+"}", "password_reset", codeVar)}
}

func doReset(emailVar, codeVar string) Step {
	return POST("/customers/do_reset").JSON(Obj{"email": "{" + emailVar + "}", "code": "{" + codeVar + "}"})
}

// passphrase resets the password with a code: the answer is a JWT signed
// with the code, whose passphrase (the new password) is bound to passVar.
func passphrase(emailVar, codeVar, passVar string) Step {
	return doReset(emailVar, codeVar).Expect(200, SignedHS256("token", "{"+codeVar+"}")).
		CaptureClaim(passVar, "token", "passphrase")
}

// changeEmail asks, as "tok" (e-mail "email"), to move the login to newVar,
// and binds the identifier and key mailed there to "ident" and "key".
func changeEmail(newVar string) Steps {
	return Steps{patchSelf("tok", Obj{"email": "{" + newVar + "}"}).Expect(200, Equals("email", "{email}")),
		MailToken("{"+newVar+"}", "email_change", "key").Capture("ident", "identifier")}
}

func confirmEmail(identifier, key string) Step {
	return POST("/customers/newemail_confirm").JSON(Obj{"identifier": identifier, "key": key})
}

// pending provisions a pending customer of emailVar and binds the
// identifier and secret of its activation mail to "ident" and "secret".
func pending(emailVar string) Steps {
	return Steps{provision(emailVar, "pending"),
		MailToken("{"+emailVar+"}", "activation", "secret").Capture("ident", "identifier")}
}

func activate(identifier, secret, pw, check string) Step {
	return POST("/customers/activate").JSON(Obj{"identifier": identifier, "secret": secret, "password": pw, "password_check": check})
}

// missingFields posts an empty object to every public endpoint, expecting
// each of its required fields named.
func missingFields() Steps {
	var out Steps
	for _, e := range []struct {
		path   string
		fields []string
	}{
		{"/customers/login", []string{"email", "password"}},
		{"/customers/newemail_confirm", []string{"identifier", "key"}},
		{"/customers/password_reset", []string{"email", "reset_uri"}},
		{"/customers/do_reset", []string{"email", "code"}},
		{"/customers/activate", []string{"identifier", "secret", "password", "password_check"}},
	} {
		out = append(out, badRequest(POST(e.path).JSON(Obj{}), e.fields...))
	}
	return out
}

// accounts lists the Customer Accounts scenarios.
func accounts() []Scenario {
	return []Scenario{
		// ---- login and tokens ----
		{
			ID: "ACC-AUTH-001", Description: "The test account's login MUST return a token that authorizes GET /customers/self as a Bearer token.",
			Labels: accLabels(Smoke),
			Steps:  Seq(testAccount(), getSelf("tok").Expect(200, Equals("email", "{accountEmail}"))),
		},
		{
			ID: "ACC-AUTH-002", Description: "The token MUST also be accepted as \"Authorization: Token …\", and either scheme in any letter case.",
			Labels: accLabels(),
			Steps: Seq(testAccount(),
				GET("/customers/self").Header("Authorization", "Token {tok}").Expect(200, Equals("email", "{accountEmail}")),
				GET("/customers/self").Header("Authorization", "token {tok}").Expect(200),
				GET("/customers/self").Header("Authorization", "BEARER {tok}").Expect(200)),
		},
		{
			ID: "ACC-AUTH-003", Description: "A login with a wrong password or an unknown e-mail MUST be answered 401.",
			Labels: accLabels(), Emails: []string{"unknown"},
			Steps: Seq(signInRefused(VarAccountEmail, "wrong-{accountPassword}"), signInRefused("unknown", "{accountPassword}")),
		},
		{
			ID: "ACC-AUTH-004", Description: "Every endpoint that requires authorization MUST answer a missing, unknown or other-scheme token with 401 and a Bearer challenge.",
			Labels: accLabels(), Fresh: []string{"word"},
			Steps: Seq(testAccount(),
				unauthorized(GET("/customers/self")),
				unauthorized(PATCH("/customers/self").JSON(Obj{"name": "Nobody"})),
				unauthorized(DELETE("/customers/self")),
				unauthorized(GET("/customers/self").Header("Authorization", "Bearer {word}")),
				unauthorized(DELETE("/customers/self").Header("Authorization", "Token {word}")),
				unauthorized(GET("/customers/self").Header("Authorization", "Basic {tok}")),
				getSelf("tok").Expect(200)),
		},
		{
			ID: "ACC-AUTH-005", Description: "A second login SHOULD return another token and leave the first one working.",
			Labels: accLabels(),
			Steps: Seq(testAccount(), signIn(VarAccountEmail, "{accountPassword}", "tok2").Expect(200, NotEquals("token", Var("tok"))),
				getSelf("tok").Expect(200), getSelf("tok2").Expect(200)),
		},
		{
			ID: "ACC-AUTH-006", Description: "Tokens, ids and mailed codes SHOULD have the seed's shapes: 32 hex digits, 14 digits, and 10- or 16-character upper-case codes.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "newEmail", "new"},
			Steps: Seq(provisioned("email", "tok"),
				signIn("email", password, "tok2").Expect(200, Matches("token", `^[0-9a-f]{32}$`)),
				getSelf("tok").Expect(200, Matches("id", `^[1-9][0-9]{13}$`)).Capture("id", "id"),
				patchSelf("tok", Obj{"email": "{newEmail}"}).Expect(200),
				MailToken("{newEmail}", "email_change", "key").And(Matches("token", `^[0-9A-Z]{16}$`), Equals("identifier", Var("id"))),
				requestReset("email"),
				MailToken("{email}", "password_reset", "code").And(Matches("token", `^[0-9A-Z]{10}$`)),
				provision("new", "pending"),
				MailToken("{new}", "activation", "secret").And(Matches("token", `^[0-9A-Z]{10}$`), Matches("identifier", `^[1-9][0-9]{13}$`))),
		},

		// ---- the profile ----
		{
			ID: "ACC-PROF-001", Description: "GET /customers/self MUST return the CustomerResponse with all eleven fields, a 14-digit id and a subscriptions array.",
			Labels: accLabels(Smoke),
			Steps:  Seq(testAccount(), getSelf("tok").Expect(200, customerResponse()...)),
		},
		{
			ID: "ACC-PROF-002", Description: "A provisioned customer MUST show its e-mail and name, every other profile field null.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				getSelf("tok").Expect(200, append(customerResponse(), Equals("email", "{email}"), Equals("name", provisionedName),
					Equals("address", nil), Equals("address_town", nil), Equals("address_postcode", nil), Equals("address_region", nil),
					Equals("country", nil), Equals("phone", nil), Equals("mobile", nil))...)),
		},
		{
			ID: "ACC-PROF-003", Description: "A PATCH of every allowed profile field MUST answer the updated customer, which GET /customers/self MUST show.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"), getSelf("tok").Expect(200).Capture("id", "id"),
				patchSelf("tok", profile).Expect(200, append(shows(profile), Equals("id", Var("id")), Equals("email", "{email}"))...),
				getSelf("tok").Expect(200, shows(profile)...)),
		},
		{
			ID: "ACC-PROF-004", Description: "A null in a PATCH SHOULD clear that field and leave the others as they are.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				patchSelf("tok", Obj{"phone": "+15550100", "mobile": "+15550101"}).Expect(200),
				patchSelf("tok", Obj{"phone": nil}).Expect(200, Equals("phone", nil), Equals("mobile", "+15550101"), Equals("name", provisionedName)),
				getSelf("tok").Expect(200, Equals("phone", nil), Equals("mobile", "+15550101"))),
		},
		{
			ID: "ACC-PROF-005", Description: "A PATCH of the test account's phone MUST be applied; the scenario then restores it.",
			Labels: accLabels(Destructive), Fresh: []string{"word"},
			Steps: Seq(testAccount(), getSelf("tok").Expect(200).Capture("phone", "phone"),
				patchSelf("tok", Obj{"phone": "{word}"}).Expect(200, Equals("phone", "{word}")).
					Cleanup(patchSelf("tok", Obj{"phone": Var("phone")}).Expect(200, Equals("phone", Var("phone")))),
				getSelf("tok").Expect(200, Equals("phone", "{word}"))),
		},
		{
			ID: "ACC-PROF-006", Description: "DELETE /customers/self MUST answer {\"result\":\"deleted\"}, after which every token of the account MUST be refused with 401 and its login MUST fail.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provision("email", "active"), signIn("email", password, "tok"), signIn("email", password, "tok2"),
				deleteSelf("tok"),
				unauthorized(getSelf("tok")), unauthorized(patchSelf("tok", Obj{"name": "Ghost"})), unauthorized(DELETE("/customers/self").As("tok")),
				unauthorized(getSelf("tok2")),
				signInRefused("email", password)),
		},
		{
			ID: "ACC-PROF-007", Description: "Deleting an account MUST void its pending reset code and e-mail change key.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(provision("email", "active"), signIn("email", password, "tok"),
				changeEmail("newEmail"), resetCode("email", "code"),
				deleteSelf("tok"),
				refusal(doReset("email", "code"), 400, "invalid_code"),
				refusal(confirmEmail("{ident}", "{key}"), 400, "invalid_key"),
				signInRefused("newEmail", password)),
		},

		// ---- e-mail change ----
		{
			ID: "ACC-EMAIL-001", Description: "An e-mail change MUST mail an identifier and key to the new address, and only after their confirmation MUST the new e-mail log in and the old one not.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(provisioned("email", "tok"), changeEmail("newEmail"),
				NoMail("{email}", "email_change"),
				signInRefused("newEmail", password),
				signIn("email", password, "stillOld"),
				confirmEmail("{ident}", "{key}").Expect(200, Equals("result", "updated")),
				signIn("newEmail", password, "tok2"),
				signInRefused("email", password),
				getSelf("tok2").Expect(200, Equals("email", "{newEmail}"))),
		},
		{
			ID: "ACC-EMAIL-002", Description: "An e-mail change key MUST work only once.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(provisioned("email", "tok"), changeEmail("newEmail"),
				confirmEmail("{ident}", "{key}").Expect(200),
				refusal(confirmEmail("{ident}", "{key}"), 400, "invalid_key"),
				getSelf("tok").Expect(200, Equals("email", "{newEmail}"))),
		},
		{
			ID: "ACC-EMAIL-003", Description: "A confirmation with a wrong identifier or key MUST be refused, and SHOULD NOT use the key up.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(provisioned("email", "tok"), changeEmail("newEmail"),
				refusal(confirmEmail("1{ident}", "{key}"), 400, "invalid_key"),
				refusal(confirmEmail("{ident}", "X{key}"), 400, "invalid_key"),
				signInRefused("newEmail", password),
				confirmEmail("{ident}", "{key}").Expect(200),
				signIn("newEmail", password, "tok2")),
		},
		{
			ID: "ACC-EMAIL-004", Description: "A PATCH to an e-mail that is another account's login SHOULD be answered 409, change nothing and mail nothing.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "other"},
			Steps: Seq(provisioned("other", "otherTok"), provisioned("email", "tok"),
				refusal(patchSelf("tok", Obj{"email": "{other:upper}", "phone": "+15550100"}), 409, "email_taken"),
				NoMail("{other}", "email_change"),
				untouched()),
		},
		{
			ID: "ACC-EMAIL-005", Description: "Confirming an address another account took meanwhile SHOULD be answered 409 and keep the key usable.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(provisioned("email", "tok"), getSelf("tok").Expect(200).Capture("id", "id"), changeEmail("newEmail"),
				provision("newEmail", "active"),
				refusal(confirmEmail("{ident}", "{key}"), 409, "email_taken"),
				signIn("newEmail", password, "squatter"), deleteSelf("squatter"),
				confirmEmail("{ident}", "{key}").Expect(200),
				signIn("newEmail", password, "tok2"),
				getSelf("tok2").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "ACC-EMAIL-006", Description: "A PATCH with the current e-mail in any letter case SHOULD change nothing and mail nothing.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				patchSelf("tok", Obj{"email": "{email:upper}"}).Expect(200, Equals("email", "{email}")),
				NoMail("{email}", "email_change")),
		},

		// ---- password reset ----
		{
			ID: "ACC-RESET-001", Description: "A password reset MUST answer email_sent and mail a link to reset_uri that contains the code; the code SHOULD be the link's last path segment, the e-mail its query parameter email.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "{origin}/reset?lang=en"}).
					Expect(200, Equals("result", "email_sent")),
				MailToken("{email}", "password_reset", "code").
					And(Matches("link", `^{origin}/reset/{code}\?lang=en&email=[^&=]+$`))),
		},
		{
			ID: "ACC-RESET-002", Description: "do_reset MUST return a JWT signed with the code whose passphrase is the new password: it logs in, and the old password MUST NOT.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"), resetCode("email", "code"),
				passphrase("email", "code", "pass"),
				signIn("email", "{pass}", "tok2"),
				signInRefused("email", password),
				getSelf("tok2").Expect(200, Equals("email", "{email}"))),
		},
		{
			ID: "ACC-RESET-003", Description: "A reset code MUST work only once.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"), resetCode("email", "code"),
				passphrase("email", "code", "pass"),
				refusal(doReset("email", "code"), 400, "invalid_code"),
				signIn("email", "{pass}", "tok2")),
		},
		{
			ID: "ACC-RESET-004", Description: "do_reset with another e-mail or a wrong code MUST be refused and change nothing; it SHOULD NOT use the code up.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email", "other"},
			Steps: Seq(provisioned("other", "otherTok"), provisioned("email", "tok"), resetCode("email", "code"),
				refusal(doReset("other", "code"), 400, "invalid_code"),
				refusal(POST("/customers/do_reset").JSON(Obj{"email": "{email}", "code": "X{code}"}), 400, "invalid_code"),
				signIn("email", password, "tok2"), signIn("other", password, "tok3"),
				passphrase("email", "code", "pass")),
		},
		{
			ID: "ACC-RESET-005", Description: "A second reset request SHOULD void the first code.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"), resetCode("email", "first"), resetCode("email", "second"),
				MailCount("{email}", "password_reset", 2),
				refusal(doReset("email", "first"), 400, "invalid_code"),
				passphrase("email", "second", "pass")),
		},
		{
			ID: "ACC-RESET-006", Description: "A password reset for an unknown e-mail SHOULD answer email_sent and mail nothing.",
			Labels: accLabels(NeedsMailbox), Emails: []string{"unknown"},
			Steps: Seq(requestReset("unknown"), NoMail("{unknown}", "password_reset")),
		},
		{
			ID: "ACC-RESET-007", Description: "A reset_uri that is not a page of the retailer's own client application (a URL on another origin, not http(s)) SHOULD be answered 400 invalid_reset_uri and mail nothing.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"}, Fresh: []string{"word"},
			Steps: Seq(provisioned("email", "tok"),
				refusal(POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "https://{word}.example/reset"}), 400, "invalid_reset_uri"),
				refusal(POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "//{word}.example/reset"}), 400, "invalid_reset_uri"),
				refusal(POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "javascript:alert(1)"}), 400, "invalid_reset_uri"),
				NoMail("{email}", "password_reset")),
		},
		{
			ID: "ACC-RESET-008", Description: "A reset_uri that is a path SHOULD resolve against the request's Origin: the link is that origin's page, with the code appended to its path.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "/account/password/"}).Expect(200, Equals("result", "email_sent")),
				MailToken("{email}", "password_reset", "code").And(Matches("link", `^{origin}/account/password/{code}\?email=[^&=]+$`)),
				passphrase("email", "code", "pass"),
				signIn("email", "{pass}", "tok2")),
		},

		// ---- activation ----
		{
			ID: "ACC-ACTIV-001", Description: "A pending customer MUST NOT log in until the mailed identifier and secret activate it with a password, which then MUST log in.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(pending("email"),
				signInRefused("email", password),
				activate("{ident}", "{secret}", password, password).Expect(200, Equals("result", "activated")),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok")),
				getSelf("tok").Expect(200, Equals("email", "{email}"))),
		},
		{
			ID: "ACC-ACTIV-002", Description: "An activation whose passwords differ MUST be refused and leave the account pending and the secret usable.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(pending("email"),
				refusal(activate("{ident}", "{secret}", password, newPassword), 400, "password_mismatch"),
				signInRefused("email", password), signInRefused("email", newPassword),
				activate("{ident}", "{secret}", password, password).Expect(200),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok"))),
		},
		{
			ID: "ACC-ACTIV-003", Description: "An activation with a wrong secret or identifier MUST be refused, and a second activation MUST be refused without changing the password.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(pending("email"),
				refusal(activate("{ident}", "X{secret}", password, password), 400, "invalid_secret"),
				refusal(activate("1{ident}", "{secret}", password, password), 400, "invalid_secret"),
				activate("{ident}", "{secret}", password, password).Expect(200),
				refusal(activate("{ident}", "{secret}", newPassword, newPassword), 409, "already_active"),
				signInRefused("email", newPassword),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok"))),
		},
		{
			ID: "ACC-ACTIV-004", Description: "A password reset for a pending account SHOULD answer email_sent and mail nothing.",
			Labels: accLabels(Provisioning, NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(pending("email"), requestReset("email"), NoMail("{email}", "password_reset")),
		},

		// ---- retailers ----
		{
			ID: "ACC-RETAILER-001", Description: "A request whose Origin is not a retailer's shop domain SHOULD be answered 403 invalid_origin before its token and body are looked at, and change nothing (Greedbag requires a valid origin shop domain).",
			Labels: accLabels(), Fresh: []string{"word"},
			Steps: Seq(testAccount(),
				refusal(from("https://{word}.example", POST("/customers/login").JSON(Obj{"email": "{accountEmail}", "password": "{accountPassword}"})), 403, "invalid_origin"),
				refusal(from("https://{word}.example", getSelf("tok")), 403, "invalid_origin"),
				refusal(from("https://{word}.example", PATCH("/customers/self").Raw("application/json", `{"phone":`)), 403, "invalid_origin"),
				refusal(from("https://{word}.example", DELETE("/customers/self").As("tok")), 403, "invalid_origin"),
				refusal(from("null", POST("/customers/password_reset").JSON(Obj{"email": "{accountEmail}", "reset_uri": "/reset"})), 403, "invalid_origin"),
				getSelf("tok").Expect(200, Equals("email", "{accountEmail}"))),
		},
		{
			ID: "ACC-RETAILER-002", Description: "A token SHOULD be honoured by the retailer that issued it only: with another retailer's Origin it is a 401.",
			Labels: accLabels(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(testAccount(),
				unauthorized(from("{other}", getSelf("tok"))),
				unauthorized(from("{other}", patchSelf("tok", Obj{"name": "Nobody"}))),
				unauthorized(from("{other}", DELETE("/customers/self").As("tok"))),
				getSelf("tok").Expect(200, Equals("email", "{accountEmail}"))),
		},
		{
			ID: "ACC-RETAILER-003", Description: "The same e-mail SHOULD hold separate accounts at two retailers, each with its own password, id and profile.",
			Labels: accLabels(MultiTenant, Provisioning), Tenants: []string{"other"}, Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				provisionAt("{other}", "email", "active", newPassword),
				from("{other}", signIn("email", newPassword, "otherTok")).Cleanup(from("{other}", deleteSelf("otherTok"))),
				from("{other}", signInRefused("email", password)),
				signInRefused("email", newPassword),
				getSelf("tok").Expect(200).Capture("id", "id"),
				from("{other}", patchSelf("otherTok", Obj{"phone": "+15550100"})).Expect(200, NotEquals("id", Var("id")), Equals("phone", "+15550100")),
				getSelf("tok").Expect(200, Equals("phone", nil), Equals("id", Var("id")))),
		},
		{
			ID: "ACC-RETAILER-004", Description: "A reset code SHOULD work at the retailer that mailed it only, even for the same e-mail at another retailer.",
			Labels: accLabels(MultiTenant, Provisioning, NeedsMailbox), Tenants: []string{"other"}, Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				provisionAt("{other}", "email", "active", newPassword),
				from("{other}", signIn("email", newPassword, "otherTok")).Cleanup(from("{other}", deleteSelf("otherTok"))),
				resetCode("email", "code"),
				refusal(from("{other}", doReset("email", "code")), 400, "invalid_code"),
				from("{other}", signIn("email", newPassword, "otherTok2")),
				passphrase("email", "code", "pass"),
				signIn("email", "{pass}", "tok2")),
		},
		{
			ID: "ACC-RETAILER-005", Description: "A request without an Origin header (a server-side client) SHOULD address doppel's default retailer, apart from the retailer under test.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisionAt("", "email", "active", password),
				from("", signIn("email", password, "tok")).Cleanup(from("", deleteSelf("tok"))),
				from("", getSelf("tok")).Expect(200, Equals("email", "{email}")),
				signInRefused("email", password),
				unauthorized(getSelf("tok"))),
		},

		// ---- bad input ----
		{
			ID: "ACC-INPUT-001", Description: "Every public endpoint MUST answer a body without its required fields with 400 naming each of them.",
			Labels: accLabels(Smoke),
			Steps:  Seq(missingFields()),
		},
		{
			ID: "ACC-INPUT-002", Description: "Malformed JSON or a field of the wrong type MUST be answered 400 and change nothing.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				badRequest(PATCH("/customers/self").As("tok").Raw("application/json", `{"phone":"+15550100","name":`)),
				badRequest(patchSelf("tok", Obj{"phone": "+15550100", "name": 42}), "name"),
				badRequest(POST("/customers/login").Raw("application/json", `{"email":"{email}","password":`)),
				badRequest(POST("/customers/login").JSON(Obj{"email": 42, "password": password}), "email"),
				untouched()),
		},
		{
			ID: "ACC-INPUT-003", Description: "A PATCH with a field that is not allowed MUST be answered 400 naming each such field, and apply nothing.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"), getSelf("tok").Expect(200).Capture("id", "id"),
				badRequest(patchSelf("tok", Obj{"phone": "+15550100", "id": "12345678901234", "subscriptions": Arr{}}), "id", "subscriptions"),
				badRequest(patchSelf("tok", Obj{"password": password}), "password"),
				untouched().Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "ACC-INPUT-004", Description: "A body with a content type other than JSON, or none, SHOULD be answered 415 and change nothing.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				refusal(PATCH("/customers/self").As("tok").Raw("text/plain", `{"phone":"+15550100"}`), 415, "unsupported_media_type"),
				refusal(PATCH("/customers/self").As("tok").Raw("", `{"phone":"+15550100"}`), 415, "unsupported_media_type"),
				untouched()),
		},
		{
			ID: "ACC-INPUT-005", Description: "A body over 1 MiB SHOULD be answered 413 and change nothing.",
			Labels: accLabels(Provisioning), Emails: []string{"email"},
			Steps: Seq(provisioned("email", "tok"),
				refusal(PATCH("/customers/self").As("tok").Raw("application/json", `{"phone":"+15550100","address":"`+strings.Repeat("x", 1<<20)+`"}`),
					413, "payload_too_large"),
				untouched()),
		},
		{
			ID: "ACC-INPUT-006", Description: "An unknown path under /customers SHOULD be answered 404, and a known path with another method 405 listing the allowed ones.",
			Labels: accLabels(),
			Steps: Seq(
				refusal(GET("/customers/nothing-here"), 404, "not_found"),
				refusal(GET("/customers"), 404, "not_found"),
				refusal(GET("/customers/login"), 405, "method_not_allowed", HeaderHas("Allow", "POST"))),
		},
		{
			ID: "ACC-INPUT-007", Description: "A request with an unknown token SHOULD be answered 401 before its body is looked at.",
			Labels: accLabels(), Fresh: []string{"word"},
			Steps: Seq(unauthorized(PATCH("/customers/self").Header("Authorization", "Bearer {word}").Raw("application/json", `{"id":`))),
		},
	}
}
