package scenarios

import (
	"maps"
	"slices"
	"strings"
)

// The Customer Accounts API — Greedbag's customers API
// (api.greedbag.com/docs/customers) — as seed 000 documents it;
// docs/accounts.md records what else Greedbag documents and the choices the
// scenarios pin where it is silent.
//
// What the seed documents is little: the paths, the request bodies, the
// success bodies, that a token comes from the login and authorizes the
// customer's own area, that the new password comes back as a JWT signed
// with the code, that activation takes an identifier, a secret and the
// password twice. Every refusal's status and body, the shapes of tokens,
// ids and codes, how an e-mail change starts (doppel: a PATCH of email),
// whether codes work once, and Origin's effects are doppel's choices: a
// scenario that rests on one is labelled DoppelChoice, and a MUST scenario
// marks each refusal's exact status (ChoiceWithin a 4xx) and its error body
// (AsChoice), so that a real Greedbag fails only on what the seed says.
//
// Every request carries the Origin of the retailer under test (the origin
// variable). The API has no sign-up, so a scenario uses the target's test
// account (accountEmail, accountPassword) read-only, or asks the runner for
// a customer (Provide): doppel's seed API makes one where the target has
// it; a real deployment serves one of the target file's pre-provisioned
// accounts. A scenario that changes a provided customer's profile or e-mail
// sets it back in a cleanup; one that uses the customer up — deletes it, or
// resets its password, which the API cannot set back — asks for a
// disposable one and deletes it; activation needs a pending one.

// accLabels are the Customer Accounts label plus capabilities.
func accLabels(extra ...string) []string { return append([]string{"accounts"}, extra...) }

// accChoice labels a scenario that pins doppel's choices.
func accChoice(extra ...string) []string {
	return accLabels(append([]string{DoppelChoice}, extra...)...)
}

// customer has the runner provide an active customer (emailVar, pwVar)
// that the scenario leaves as it found it.
func accCustomer(emailVar, pwVar string) Step {
	return Provide(Customer{Email: emailVar, Password: pwVar})
}

// disposable has the runner provide an active customer that the scenario
// uses up (and deletes).
func accDisposable(emailVar, pwVar string) Step {
	return Provide(Customer{Email: emailVar, Password: pwVar, Disposable: true})
}

// pendingCustomer has the runner provide a pending customer, its
// activation identifier and secret bound to "ident" and "secret".
func accPending(emailVar string) Step {
	return Provide(Customer{Email: emailVar, Pending: true, ID: "ident", Secret: "secret"})
}

// provided is a customer provided and logged in as tokVar.
func accProvided(emailVar, pwVar, tokVar string) Steps {
	return Steps{accCustomer(emailVar, pwVar), signIn(emailVar, "{"+pwVar+"}", tokVar)}
}

// from sends a step with the Origin of another retailer (a template); ""
// sends none.
func from(origin string, s Step) Step { return s.Header("Origin", origin) }

func accLogin(emailTmpl, pw string) Step {
	return POST("/customers/login").JSON(Obj{"email": emailTmpl, "password": pw})
}

// signIn logs emailVar in with pw (a template) and binds the token to tokVar.
func signIn(emailVar, pw, tokVar string) Step {
	return accLogin("{"+emailVar+"}", pw).Expect(200, Matches("token", `^\S+$`)).Capture(tokVar, "token")
}

// signInRefused expects a login to be refused.
func signInRefused(emailVar, pw string) Step {
	return refusal(accLogin("{"+emailVar+"}", pw), 401, "invalid_credentials")
}

// testAccount logs in to the target's test account as "tok".
func testAccount() Step { return signIn(VarAccountEmail, "{"+VarAccountPassword+"}", "tok") }

// deleteSelf deletes the customer of tokVar.
func deleteSelf(tokVar string) Step {
	return DELETE("/customers/self").As(tokVar).Expect(200, Equals("result", "deleted"))
}

// refusal expects a request to be refused: the seed documents no error
// status or body, so the status is doppel's within the 4xx and every check
// of the answer — {"result":"error","error":code,"message":…} and the
// checks given — is doppel's choice.
func refusal(s Step, status int, code string, checks ...Check) Step {
	all := append([]Check{Equals("result", "error"), Equals("error", code), Present("message")}, checks...)
	for i := range all {
		all[i] = all[i].AsChoice()
	}
	return s.Expect(status, all...).ChoiceWithin(400, 499)
}

// unauthorized expects a request without a valid token to be refused
// (doppel: 401 with a Bearer challenge).
func unauthorized(s Step) Step {
	return refusal(s, 401, "unauthorized", HeaderHas("WWW-Authenticate", "Bearer"))
}

// badRequest expects bad input to be refused (doppel: 400 bad_request
// naming each of fields).
func badRequest(s Step, fields ...string) Step {
	var checks []Check
	for _, f := range fields {
		checks = append(checks, Includes("fields.*.field", f))
	}
	return refusal(s.Invalid(), 400, "bad_request", checks...)
}

func getSelf(tokVar string) Step { return GET("/customers/self").As(tokVar) }

func patchSelf(tokVar string, body Obj) Step { return PATCH("/customers/self").As(tokVar).JSON(body) }

// accProfileFields are the CustomerResponse fields a PATCH may set (the seed's
// list of allowed fields is cut off: doppel's reading).
var accProfileFields = []string{"name", "address", "address_town", "address_postcode", "address_region", "country", "phone", "mobile"}

// keep reads the customer of tokVar as it is — the whole answer as
// "before", its id and each profile field as "was_<field>" — and sets
// fields back after the scenario: the customer may be a pre-provisioned
// account.
func accKeep(tokVar string, fields ...string) Step {
	s := getSelf(tokVar).Expect(200).Capture("before", "").Capture("was_id", "id")
	for _, f := range accProfileFields {
		s = s.Capture("was_"+f, f)
	}
	back := Obj{}
	for _, f := range fields {
		back[f] = Var("was_" + f)
	}
	return s.Cleanup(patchSelf(tokVar, back).Named("set the profile back").Expect(200, shows(back)...))
}

// unchanged expects the customer of tokVar as keep read it.
func accUnchanged(tokVar string) Step { return getSelf(tokVar).Expect(200, Equals("", Var("before"))) }

// accProfileValues is a value for every profile field, none of them the seed's or
// the contract's examples.
var accProfileValues = Obj{
	"name": "Bea Quartermaine", "address": "7 Harbour Lane", "address_town": "Port Isaac", "address_postcode": "PL29 3RH",
	"address_region": "Cornwall", "country": "GB", "phone": "+441208555017", "mobile": "+447700900123",
}

// shows expects the fields of o with their values.
func shows(o Obj) []Check {
	var checks []Check
	for _, k := range slices.Sorted(maps.Keys(o)) {
		checks = append(checks, Equals(k, o[k]))
	}
	return checks
}

// customerResponse expects every field of the seed's CustomerResponse; the
// id's 14 digits are the example's shape, doppel's choice.
func customerResponse() []Check {
	checks := []Check{Matches("id", `^[0-9]{14}$`).AsChoice(), Present("subscriptions")}
	for _, f := range append([]string{"email", "id"}, accProfileFields...) {
		checks = append(checks, Present(f))
	}
	return checks
}

// accResetURI is the reset page the scenarios name: a path of the retailer's
// application, as in the seed's example, but not the example's.
const accResetURI = "/account/password-reset"

// requestReset asks for a password reset of emailVar.
func requestReset(emailVar string) Step {
	return POST("/customers/password_reset").JSON(Obj{"email": "{" + emailVar + "}", "reset_uri": accResetURI}).
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

// changeEmail asks, as tokVar (e-mail "email"), to move the login to newVar
// — doppel's way to start an e-mail change — and binds the identifier and
// key mailed there to "ident" and "key".
func changeEmail(tokVar, newVar string) Steps {
	return Steps{patchSelf(tokVar, Obj{"email": "{" + newVar + "}"}).Expect(200, Equals("email", "{email}")),
		MailToken("{"+newVar+"}", "email_change", "key").Capture("ident", "identifier")}
}

func confirmEmail(identifier, key string) Step {
	return POST("/customers/newemail_confirm").JSON(Obj{"identifier": identifier, "key": key})
}

// confirmed confirms "ident" and "key", which moved the login of emailVar
// (password pwVar) to newVar; after the scenario the login moves back.
func confirmed(emailVar, pwVar, newVar string) Step {
	return confirmEmail("{ident}", "{key}").Expect(200, Equals("result", "updated")).Cleanup(
		signIn(newVar, "{"+pwVar+"}", "backTok").Named("log in to set the e-mail back"),
		patchSelf("backTok", Obj{"email": "{" + emailVar + "}"}).Expect(200),
		MailToken("{"+emailVar+"}", "email_change", "backKey").Capture("backIdent", "identifier"),
		confirmEmail("{backIdent}", "{backKey}").Expect(200))
}

func activate(identifier, secret, pw, check string) Step {
	return POST("/customers/activate").JSON(Obj{"identifier": identifier, "secret": secret, "password": pw, "password_check": check})
}

// advance moves doppel's clock by d (a duration such as "24h1m") and back
// after the scenario.
func accAdvance(d string) Step {
	return Admin("POST", "/__doppel/clock").JSON(Obj{"advance": d}).Expect(200).
		Cleanup(Admin("POST", "/__doppel/clock").JSON(Obj{"advance": "-" + d}).Expect(200))
}

// clockLabels label a scenario that moves doppel's clock: its admin API,
// and destructive, since every user of the target shares the clock.
func accClockLabels(extra ...string) []string {
	return accChoice(append([]string{NeedsAdmin, Destructive}, extra...)...)
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
	return slices.Concat(accAuth(), accProfile(), accEmail(), accReset(), accActivation(), accRetailers(), accInput())
}

func accAuth() []Scenario {
	return []Scenario{
		{
			ID: "ACC-AUTH-001", Description: "The test account's login MUST return a token that authorizes GET /customers/self (sent as a Bearer token, the suite's reading of \"Require authorization\").",
			Labels: accLabels(Smoke),
			Steps:  Seq(testAccount(), getSelf("tok").Expect(200, Equals("email", "{accountEmail}"))),
		},
		{
			ID: "ACC-AUTH-002", Description: "The token SHOULD also be accepted as \"Authorization: Token …\", and either scheme in any letter case.",
			Labels: accChoice(),
			Steps: Seq(testAccount(),
				GET("/customers/self").Header("Authorization", "Token {tok}").Expect(200, Equals("email", "{accountEmail}")),
				GET("/customers/self").Header("Authorization", "token {tok}").Expect(200),
				GET("/customers/self").Header("Authorization", "BEARER {tok}").Expect(200)),
		},
		{
			ID: "ACC-AUTH-003", Description: "A login with a wrong password or an unknown e-mail MUST be refused (doppel: 401 invalid_credentials).",
			Labels: accLabels(), Emails: []string{"unknown"},
			Steps: Seq(signInRefused(VarAccountEmail, "wrong-{accountPassword}"), signInRefused("unknown", "{accountPassword}")),
		},
		{
			ID: "ACC-AUTH-004", Description: "Every endpoint that requires authorization MUST refuse a missing, unknown or other-scheme token (doppel: 401 with a Bearer challenge).",
			Labels: accLabels(), Fresh: []string{"word"},
			Steps: Seq(testAccount(),
				unauthorized(GET("/customers/self")),
				unauthorized(PATCH("/customers/self").JSON(Obj{"name": "Nobody Atall"})),
				unauthorized(DELETE("/customers/self")),
				unauthorized(GET("/customers/self").Header("Authorization", "Bearer {word}")),
				unauthorized(DELETE("/customers/self").Header("Authorization", "Token {word}")),
				unauthorized(GET("/customers/self").Header("Authorization", "Basic {tok}")),
				getSelf("tok").Expect(200)),
		},
		{
			ID: "ACC-AUTH-005", Description: "A second login SHOULD return another token and leave the first one working.",
			Labels: accChoice(),
			Steps: Seq(testAccount(), signIn(VarAccountEmail, "{accountPassword}", "tok2").Expect(200, NotEquals("token", Var("tok"))),
				getSelf("tok").Expect(200), getSelf("tok2").Expect(200)),
		},
		{
			ID: "ACC-AUTH-006", Description: "Tokens, ids and mailed codes SHOULD have the shapes of the seed's examples: 32 hex digits, 14 digits, 16- and 10-character upper-case codes, the e-mail change's identifier the customer id.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"newEmail"},
			Steps: Seq(accCustomer("email", "pw"),
				signIn("email", "{pw}", "tok").Expect(200, Matches("token", `^[0-9a-f]{32}$`)),
				getSelf("tok").Expect(200, Matches("id", `^[1-9][0-9]{13}$`)).Capture("id", "id"),
				patchSelf("tok", Obj{"email": "{newEmail}"}).Expect(200),
				MailToken("{newEmail}", "email_change", "key").And(Matches("token", `^[0-9A-Z]{16}$`), Equals("identifier", Var("id"))),
				requestReset("email"),
				MailToken("{email}", "password_reset", "code").And(Matches("token", `^[0-9A-Z]{10}$`))),
		},
		{
			ID: "ACC-AUTH-007", Description: "A token SHOULD work for 24 hours and be refused after them (doppel's clock moved).",
			Labels: accClockLabels(),
			Steps: Seq(accProvided("email", "pw", "tok"),
				accAdvance("23h59m"), getSelf("tok").Expect(200),
				accAdvance("2m"), unauthorized(getSelf("tok")),
				signIn("email", "{pw}", "tok2"), getSelf("tok2").Expect(200)),
		},
		{
			ID: "ACC-AUTH-008", Description: "A login SHOULD take the e-mail in any letter case.",
			Labels: accChoice(),
			Steps: Seq(accLogin("{accountEmail:upper}", "{accountPassword}").Expect(200).Capture("tok", "token"),
				getSelf("tok").Expect(200, Equals("email", "{accountEmail}"))),
		},
	}
}

func accProfile() []Scenario {
	return []Scenario{
		{
			ID: "ACC-PROF-001", Description: "GET /customers/self MUST return the CustomerResponse with all eleven fields, subscriptions an array (doppel: a 14-digit id).",
			Labels: accLabels(Smoke),
			Steps:  Seq(testAccount(), getSelf("tok").Expect(200, customerResponse()...)),
		},
		{
			ID: "ACC-PROF-002", Description: "GET /customers/self MUST show the customer the token was issued to: two customers' tokens show their own e-mails and two ids.",
			Labels: accLabels(),
			Steps: Seq(testAccount(), accProvided("email", "pw", "tok2"),
				getSelf("tok").Expect(200, Equals("email", "{accountEmail}")).Capture("id", "id"),
				getSelf("tok2").Expect(200, Equals("email", "{email}"), NotEquals("id", Var("id"))),
				getSelf("tok").Expect(200, Equals("email", "{accountEmail}"), Equals("id", Var("id")))),
		},
		{
			ID: "ACC-PROF-003", Description: "A PATCH SHOULD accept every profile field of the CustomerResponse and answer the updated customer, which GET /customers/self shows; the scenario sets the profile back.",
			Labels: accChoice(),
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", accProfileFields...),
				patchSelf("tok", accProfileValues).Expect(200, append(shows(accProfileValues), Equals("id", Var("was_id")), Equals("email", "{email}"))...),
				getSelf("tok").Expect(200, shows(accProfileValues)...)),
		},
		{
			ID: "ACC-PROF-004", Description: "A null in a PATCH SHOULD clear that field and leave the others as they are; the scenario sets the profile back.",
			Labels: accChoice(),
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "phone", "mobile"),
				patchSelf("tok", Obj{"phone": "+441208555017", "mobile": "+447700900123"}).Expect(200),
				patchSelf("tok", Obj{"phone": nil}).Expect(200, Equals("phone", nil), Equals("mobile", "+447700900123"), Equals("name", Var("was_name"))),
				getSelf("tok").Expect(200, Equals("phone", nil), Equals("mobile", "+447700900123"))),
		},
		{
			ID: "ACC-PROF-005", Description: "A PATCH of the customer's name MUST be applied, in the answer and in GET /customers/self; the scenario sets the name back.",
			Labels: accLabels(), Fresh: []string{"word"},
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "name"),
				patchSelf("tok", Obj{"name": "Bea {word}"}).Expect(200, Equals("name", "Bea {word}"), Equals("email", "{email}")),
				getSelf("tok").Expect(200, Equals("name", "Bea {word}"))),
		},
		{
			ID: "ACC-PROF-006", Description: "DELETE /customers/self MUST answer {\"result\":\"deleted\"}, after which every token of the account MUST be refused and its login MUST fail.",
			Labels: accLabels(),
			Steps: Seq(accDisposable("email", "pw"), signIn("email", "{pw}", "tok"), signIn("email", "{pw}", "tok2"),
				deleteSelf("tok"),
				unauthorized(getSelf("tok")), unauthorized(patchSelf("tok", Obj{"name": "Ghost Writer"})), unauthorized(DELETE("/customers/self").As("tok")),
				unauthorized(getSelf("tok2")),
				signInRefused("email", "{pw}")),
		},
		{
			ID: "ACC-PROF-007", Description: "Deleting an account SHOULD void its pending reset code and e-mail change key.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"newEmail"},
			Steps: Seq(accDisposable("email", "pw"), signIn("email", "{pw}", "tok"),
				changeEmail("tok", "newEmail"), resetCode("email", "code"),
				deleteSelf("tok"),
				refusal(doReset("email", "code"), 400, "invalid_code"),
				refusal(confirmEmail("{ident}", "{key}"), 400, "invalid_key"),
				signInRefused("newEmail", "{pw}")),
		},
	}
}

// The e-mail change scenarios rest on doppel's choice of how a change
// starts (a PATCH of email; the seed documents only the confirmation), so
// they are doppel's choices as a whole.
func accEmail() []Scenario {
	return []Scenario{
		{
			ID: "ACC-EMAIL-001", Description: "An e-mail change SHOULD mail an identifier and key to the new address only, and only after their confirmation the new e-mail logs in and the old one not; the scenario moves the login back.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"newEmail"},
			Steps: Seq(accProvided("email", "pw", "tok"), changeEmail("tok", "newEmail"),
				NoMail("{email}", "email_change"),
				signInRefused("newEmail", "{pw}"),
				signIn("email", "{pw}", "stillOld"),
				confirmed("email", "pw", "newEmail"),
				signIn("newEmail", "{pw}", "tok2"),
				signInRefused("email", "{pw}"),
				getSelf("tok2").Expect(200, Equals("email", "{newEmail}"))),
		},
		{
			ID: "ACC-EMAIL-002", Description: "An e-mail change key SHOULD work only once, and the change SHOULD leave the customer's tokens working; the scenario moves the login back.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"newEmail"},
			Steps: Seq(accProvided("email", "pw", "tok"), changeEmail("tok", "newEmail"),
				confirmed("email", "pw", "newEmail"),
				refusal(confirmEmail("{ident}", "{key}"), 400, "invalid_key"),
				getSelf("tok").Expect(200, Equals("email", "{newEmail}"))),
		},
		{
			ID: "ACC-EMAIL-003", Description: "A confirmation with a wrong identifier or key SHOULD be refused without using the key up; the scenario moves the login back.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"newEmail"},
			Steps: Seq(accProvided("email", "pw", "tok"), changeEmail("tok", "newEmail"),
				refusal(confirmEmail("1{ident}", "{key}"), 400, "invalid_key"),
				refusal(confirmEmail("{ident}", "X{key}"), 400, "invalid_key"),
				signInRefused("newEmail", "{pw}"),
				confirmed("email", "pw", "newEmail"),
				signIn("newEmail", "{pw}", "tok2")),
		},
		{
			ID: "ACC-EMAIL-004", Description: "A PATCH to an e-mail that is another account's login SHOULD be answered 409, change nothing and mail nothing.",
			Labels: accChoice(NeedsMailbox),
			Steps: Seq(accCustomer("other", "otherPw"), accProvided("email", "pw", "tok"), accKeep("tok", "phone"),
				refusal(patchSelf("tok", Obj{"email": "{other:upper}", "phone": "+441208555017"}), 409, "email_taken"),
				NoMail("{other}", "email_change"),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-EMAIL-005", Description: "Confirming an address another account took meanwhile SHOULD be answered 409 and keep the key usable; the scenario moves the login back.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"newEmail"},
			Steps: Seq(accProvided("email", "pw", "tok"), getSelf("tok").Expect(200).Capture("id", "id"), changeEmail("tok", "newEmail"),
				accDisposable("squatter", "squatterPw"), signIn("squatter", "{squatterPw}", "squatterTok"),
				patchSelf("squatterTok", Obj{"email": "{newEmail}"}).Expect(200),
				MailToken("{newEmail}", "email_change", "squatterKey").Capture("squatterIdent", "identifier"),
				confirmEmail("{squatterIdent}", "{squatterKey}").Expect(200),
				refusal(confirmEmail("{ident}", "{key}"), 409, "email_taken"),
				signIn("newEmail", "{squatterPw}", "squatterTok2"), deleteSelf("squatterTok2"),
				confirmed("email", "pw", "newEmail"),
				signIn("newEmail", "{pw}", "tok2"),
				getSelf("tok2").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "ACC-EMAIL-006", Description: "A PATCH with the current e-mail in any letter case SHOULD change nothing and mail nothing.",
			Labels: accChoice(NeedsMailbox),
			Steps: Seq(accProvided("email", "pw", "tok"),
				patchSelf("tok", Obj{"email": "{email:upper}"}).Expect(200, Equals("email", "{email}")),
				NoMail("{email}", "email_change")),
		},
		{
			ID: "ACC-EMAIL-007", Description: "A second e-mail change SHOULD void the first one's key; the scenario moves the login back.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"firstEmail", "newEmail"},
			Steps: Seq(accProvided("email", "pw", "tok"),
				patchSelf("tok", Obj{"email": "{firstEmail}"}).Expect(200),
				MailToken("{firstEmail}", "email_change", "firstKey").Capture("firstIdent", "identifier"),
				changeEmail("tok", "newEmail"),
				refusal(confirmEmail("{firstIdent}", "{firstKey}"), 400, "invalid_key"),
				signInRefused("firstEmail", "{pw}"),
				confirmed("email", "pw", "newEmail"),
				signIn("newEmail", "{pw}", "tok2")),
		},
		{
			ID: "ACC-EMAIL-008", Description: "An e-mail change key SHOULD work for 24 hours and be refused after them (doppel's clock moved).",
			Labels: accClockLabels(NeedsMailbox), Emails: []string{"firstEmail", "newEmail"},
			Steps: Seq(Provide(Customer{Email: "email", Password: "pw", Disposable: true}), signIn("email", "{pw}", "tok"),
				patchSelf("tok", Obj{"email": "{firstEmail}"}).Expect(200),
				MailToken("{firstEmail}", "email_change", "firstKey").Capture("firstIdent", "identifier"),
				accAdvance("23h59m"),
				confirmEmail("{firstIdent}", "{firstKey}").Expect(200),
				signIn("firstEmail", "{pw}", "tok2"),
				patchSelf("tok2", Obj{"email": "{newEmail}"}).Expect(200),
				MailToken("{newEmail}", "email_change", "key").Capture("ident", "identifier"),
				accAdvance("24h1m"),
				refusal(confirmEmail("{ident}", "{key}"), 400, "invalid_key"),
				signInRefused("newEmail", "{pw}"),
				signIn("firstEmail", "{pw}", "tok3").Cleanup(deleteSelf("tok3"))),
		},
	}
}

func accReset() []Scenario {
	return []Scenario{
		{
			ID: "ACC-RESET-001", Description: "A password reset MUST answer email_sent and mail the customer a link with the code; the code SHOULD be the link's last path segment, the e-mail its query parameter email.",
			Labels: accLabels(NeedsMailbox),
			Steps: Seq(accCustomer("email", "pw"),
				requestReset("email"),
				MailToken("{email}", "password_reset", "code").
					And(Matches("link", `^{origin}`+accResetURI+`/{code}\?email=[^&=]+$`).AsChoice())),
		},
		{
			ID: "ACC-RESET-002", Description: "do_reset MUST return a JWT signed with the code whose passphrase is the new password: it logs in, and the old password MUST NOT.",
			Labels: accLabels(NeedsMailbox),
			Steps: Seq(accDisposable("email", "pw"), resetCode("email", "code"),
				passphrase("email", "code", "pass"),
				signIn("email", "{pass}", "tok").Cleanup(deleteSelf("tok")),
				signInRefused("email", "{pw}"),
				getSelf("tok").Expect(200, Equals("email", "{email}"))),
		},
		{
			ID: "ACC-RESET-003", Description: "A reset code SHOULD survive failed attempts (another e-mail, a wrong code), then work exactly once.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"unknown"},
			Steps: Seq(accDisposable("email", "pw"), resetCode("email", "code"),
				refusal(doReset("unknown", "code"), 400, "invalid_code"),
				refusal(POST("/customers/do_reset").JSON(Obj{"email": "{email}", "code": "X{code}"}), 400, "invalid_code"),
				passphrase("email", "code", "pass"),
				signIn("email", "{pass}", "tok").Cleanup(deleteSelf("tok")),
				refusal(doReset("email", "code"), 400, "invalid_code"),
				signIn("email", "{pass}", "tok2")),
		},
		{
			ID: "ACC-RESET-004", Description: "do_reset with another account's e-mail or a wrong code MUST be refused and change no password.",
			Labels: accLabels(NeedsMailbox),
			Steps: Seq(accCustomer("other", "otherPw"), accCustomer("email", "pw"), resetCode("email", "code"),
				refusal(doReset("other", "code"), 400, "invalid_code"),
				refusal(POST("/customers/do_reset").JSON(Obj{"email": "{email}", "code": "X{code}"}), 400, "invalid_code"),
				signIn("email", "{pw}", "tok"), signIn("other", "{otherPw}", "otherTok")),
		},
		{
			ID: "ACC-RESET-005", Description: "A second reset request SHOULD void the first code.",
			Labels: accChoice(NeedsMailbox),
			Steps: Seq(accDisposable("email", "pw"), resetCode("email", "first"), resetCode("email", "second"),
				MailCount("{email}", "password_reset", 2),
				refusal(doReset("email", "first"), 400, "invalid_code"),
				passphrase("email", "second", "pass"),
				signIn("email", "{pass}", "tok").Cleanup(deleteSelf("tok"))),
		},
		{
			ID: "ACC-RESET-006", Description: "A password reset for an unknown e-mail SHOULD answer email_sent and mail nothing.",
			Labels: accChoice(NeedsMailbox), Emails: []string{"unknown"},
			Steps: Seq(requestReset("unknown"), NoMail("{unknown}", "password_reset")),
		},
		{
			ID: "ACC-RESET-007", Description: "A reset_uri that is not a page of the retailer's own client application (a URL on another origin, not http(s)) SHOULD be answered 400 invalid_reset_uri and mail nothing.",
			Labels: accChoice(NeedsMailbox), Fresh: []string{"word"},
			Steps: Seq(accCustomer("email", "pw"),
				refusal(POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "https://{word}.example/reset"}), 400, "invalid_reset_uri"),
				refusal(POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "//{word}.example/reset"}), 400, "invalid_reset_uri"),
				refusal(POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "javascript:alert(1)"}), 400, "invalid_reset_uri"),
				NoMail("{email}", "password_reset")),
		},
		{
			ID: "ACC-RESET-008", Description: "A reset_uri SHOULD name a page of the retailer's application, a path resolving against the request's Origin or a URL on it: the link is that page with the code appended to its path.",
			Labels: accChoice(NeedsMailbox),
			Steps: Seq(accCustomer("email", "pw"),
				POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "/account/password/"}).Expect(200, Equals("result", "email_sent")),
				MailToken("{email}", "password_reset", "code").And(Matches("link", `^{origin}/account/password/{code}\?email=[^&=]+$`)),
				POST("/customers/password_reset").JSON(Obj{"email": "{email}", "reset_uri": "{origin}/reset?lang=en#form"}).Expect(200, Equals("result", "email_sent")),
				MailToken("{email}", "password_reset", "code2").And(Matches("link", `^{origin}/reset/{code2}\?lang=en&email=[^&=#]+#form$`))),
		},
		{
			ID: "ACC-RESET-009", Description: "A reset code SHOULD work for an hour and be refused after it (doppel's clock moved).",
			Labels: accClockLabels(NeedsMailbox),
			Steps: Seq(accDisposable("email", "pw"), resetCode("email", "first"),
				accAdvance("59m"),
				passphrase("email", "first", "pass"),
				resetCode("email", "second"),
				accAdvance("1h1m"),
				refusal(doReset("email", "second"), 400, "invalid_code"),
				signIn("email", "{pass}", "tok").Cleanup(deleteSelf("tok"))),
		},
		{
			ID: "ACC-RESET-010", Description: "A password reset SHOULD leave the tokens issued before it working.",
			Labels: accChoice(NeedsMailbox),
			Steps: Seq(accDisposable("email", "pw"), signIn("email", "{pw}", "tok"), resetCode("email", "code"),
				passphrase("email", "code", "pass"),
				signIn("email", "{pass}", "tok2").Cleanup(deleteSelf("tok2")),
				getSelf("tok").Expect(200, Equals("email", "{email}"))),
		},
	}
}

func accActivation() []Scenario {
	return []Scenario{
		{
			ID: "ACC-ACTIV-001", Description: "A pending customer MUST NOT log in until its identifier and secret activate it with a password, which then MUST log in.",
			Labels: accLabels(),
			Steps: Seq(accPending("email"),
				signInRefused("email", password),
				activate("{ident}", "{secret}", password, password).Expect(200, Equals("result", "activated")),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok")),
				getSelf("tok").Expect(200, Equals("email", "{email}"), Equals("id", Var("ident")).AsChoice())),
		},
		{
			ID: "ACC-ACTIV-002", Description: "An activation whose passwords differ, or with a wrong secret or identifier, SHOULD be refused, leaving the account pending and the secret usable.",
			Labels: accChoice(),
			Steps: Seq(accPending("email"),
				refusal(activate("{ident}", "{secret}", password, newPassword), 400, "password_mismatch"),
				refusal(activate("{ident}", "X{secret}", password, password), 400, "invalid_secret"),
				refusal(activate("1{ident}", "{secret}", password, password), 400, "invalid_secret"),
				signInRefused("email", password), signInRefused("email", newPassword),
				activate("{ident}", "{secret}", password, password).Expect(200),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok"))),
		},
		{
			ID: "ACC-ACTIV-003", Description: "A second activation SHOULD be refused (409 already_active) without changing the password.",
			Labels: accChoice(),
			Steps: Seq(accPending("email"),
				activate("{ident}", "{secret}", password, password).Expect(200),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok")),
				refusal(activate("{ident}", "{secret}", newPassword, newPassword), 409, "already_active"),
				signInRefused("email", newPassword),
				signIn("email", password, "tok2")),
		},
		{
			ID: "ACC-ACTIV-004", Description: "A password reset for a pending account SHOULD answer email_sent and mail nothing.",
			Labels: accChoice(NeedsMailbox),
			Steps:  Seq(Provide(Customer{Email: "email", Pending: true}), requestReset("email"), NoMail("{email}", "password_reset")),
		},
		{
			ID: "ACC-ACTIV-005", Description: "An activation secret SHOULD last until it is used: 30 days on, it still activates (doppel's clock moved).",
			Labels: accClockLabels(),
			Steps: Seq(accPending("email"),
				accAdvance("720h"),
				activate("{ident}", "{secret}", password, password).Expect(200),
				signIn("email", password, "tok").Cleanup(deleteSelf("tok"))),
		},
	}
}

func accRetailers() []Scenario {
	return []Scenario{
		{
			ID: "ACC-RETAILER-001", Description: "A request whose Origin is not a retailer's shop domain SHOULD be answered 403 invalid_origin before its token and body are looked at, and change nothing (Greedbag requires a valid origin shop domain).",
			Labels: accChoice(), Fresh: []string{"word"},
			Steps: Seq(testAccount(), getSelf("tok").Expect(200).Capture("before", ""),
				refusal(from("https://{word}.example", accLogin("{accountEmail}", "{accountPassword}")), 403, "invalid_origin"),
				refusal(from("https://{word}.example", getSelf("tok")), 403, "invalid_origin"),
				refusal(from("https://{word}.example", PATCH("/customers/self").As("tok").Raw("application/json", `{"phone":`).Invalid()), 403, "invalid_origin"),
				refusal(from("null", POST("/customers/password_reset").JSON(Obj{"email": "{accountEmail}", "reset_uri": accResetURI})), 403, "invalid_origin"),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-RETAILER-002", Description: "A token SHOULD be honoured by the retailer that issued it only: with another retailer's Origin it is a 401.",
			Labels: accChoice(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "name"),
				unauthorized(from("{other}", getSelf("tok"))),
				unauthorized(from("{other}", patchSelf("tok", Obj{"name": "Nobody Atall"}))),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-RETAILER-003", Description: "The same e-mail SHOULD hold separate accounts at two retailers, each with its own password, id, profile and reset codes.",
			Labels: accChoice(MultiTenant, Provisioning, NeedsMailbox), Tenants: []string{"other"},
			Steps: Seq(accProvided("email", "pw", "tok"),
				Admin("POST", SeedPath).JSON(Obj{"accounts": Obj{"retailers": Arr{Obj{"origins": Arr{"{other}"}, "customers": Arr{
					Obj{"email": "{email}", "name": "Ann Elsewhere", "status": "active", "password": newPassword}}}}}}).Expect(204),
				from("{other}", signIn("email", newPassword, "otherTok")).Cleanup(from("{other}", deleteSelf("otherTok"))),
				from("{other}", signInRefused("email", "{pw}")),
				signInRefused("email", newPassword),
				getSelf("tok").Expect(200).Capture("before", "").Capture("id", "id"),
				from("{other}", patchSelf("otherTok", Obj{"phone": "+441208555017"})).Expect(200, NotEquals("id", Var("id")), Equals("phone", "+441208555017")),
				accUnchanged("tok"),
				resetCode("email", "code"),
				refusal(from("{other}", doReset("email", "code")), 400, "invalid_code"),
				from("{other}", signIn("email", newPassword, "otherTok2")),
				signIn("email", "{pw}", "tok2")),
		},
		{
			ID: "ACC-RETAILER-004", Description: "A reset code SHOULD work at the retailer that mailed it only.",
			Labels: accChoice(MultiTenant, NeedsMailbox), Tenants: []string{"other"},
			Steps: Seq(accCustomer("email", "pw"), resetCode("email", "code"),
				refusal(from("{other}", doReset("email", "code")), 400, "invalid_code"),
				signIn("email", "{pw}", "tok")),
		},
		{
			ID: "ACC-RETAILER-005", Description: "A request without an Origin header SHOULD NOT reach the retailer under test (doppel serves its default retailer then): the test account's login and token are refused.",
			Labels: accChoice(),
			Steps: Seq(testAccount(),
				from("", signInRefused(VarAccountEmail, "{accountPassword}")),
				unauthorized(from("", getSelf("tok"))),
				getSelf("tok").Expect(200)),
		},
		{
			ID: "ACC-RETAILER-006", Description: "A customer SHOULD log in at its own retailer only: with another retailer's Origin the test account's login is refused.",
			Labels: accChoice(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(from("{other}", signInRefused(VarAccountEmail, "{accountPassword}")), testAccount()),
		},
		{
			ID: "ACC-RETAILER-007", Description: "A CORS preflight from the retailer's shop SHOULD be allowed for the API's methods and headers, and answers SHOULD let the shop's pages read them (Access-Control-Allow-Origin * or the shop's origin).",
			Labels: accChoice(),
			Steps: Seq(
				call("OPTIONS", "/customers/self").Header("Access-Control-Request-Method", "PATCH").
					Header("Access-Control-Request-Headers", "authorization,content-type").
					Expect(204, AllowsOrigin("{origin}"), HeaderHas("Access-Control-Allow-Methods", "PATCH"),
						HeaderHas("Access-Control-Allow-Headers", "authorization")).ChoiceWithin(200, 299),
				testAccount().And(AllowsOrigin("{origin}")),
				getSelf("tok").Expect(200, AllowsOrigin("{origin}"))),
		},
	}
}

func accInput() []Scenario {
	return []Scenario{
		{
			ID: "ACC-INPUT-001", Description: "Every public endpoint MUST refuse a body without its required fields (doppel: 400 naming each of them).",
			Labels: accLabels(Smoke),
			Steps:  Seq(missingFields()),
		},
		{
			ID: "ACC-INPUT-002", Description: "Malformed JSON or a field of the wrong type MUST be refused and change nothing.",
			Labels: accLabels(),
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "phone", "name"),
				badRequest(PATCH("/customers/self").As("tok").Raw("application/json", `{"phone":"+441208555017","name":`)),
				badRequest(patchSelf("tok", Obj{"phone": "+441208555017", "name": 42}), "name"),
				badRequest(POST("/customers/login").Raw("application/json", `{"email":"{email}","password":`)),
				badRequest(POST("/customers/login").JSON(Obj{"email": 42, "password": "{pw}"}), "email"),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-INPUT-003", Description: "A PATCH with a field that is not a profile field SHOULD be answered 400 naming each such field, and apply nothing.",
			Labels: accChoice(),
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "phone"),
				badRequest(patchSelf("tok", Obj{"phone": "+441208555017", "id": "27182818284590", "subscriptions": Arr{}}), "id", "subscriptions"),
				badRequest(patchSelf("tok", Obj{"password": "{pw}"}), "password"),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-INPUT-004", Description: "A body with a content type other than JSON, or none, SHOULD be answered 415 and change nothing.",
			Labels: accChoice(),
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "phone"),
				refusal(PATCH("/customers/self").As("tok").Raw("text/plain", `{"phone":"+441208555017"}`).Invalid(), 415, "unsupported_media_type"),
				refusal(PATCH("/customers/self").As("tok").Raw("", `{"phone":"+441208555017"}`).Invalid(), 415, "unsupported_media_type"),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-INPUT-005", Description: "A body over 1 MiB SHOULD be answered 413 and change nothing.",
			Labels: accChoice(),
			Steps: Seq(accProvided("email", "pw", "tok"), accKeep("tok", "phone", "address"),
				refusal(PATCH("/customers/self").As("tok").Raw("application/json", `{"phone":"+441208555017","address":"`+strings.Repeat("x", 1<<20)+`"}`).Invalid(),
					413, "payload_too_large"),
				accUnchanged("tok")),
		},
		{
			ID: "ACC-INPUT-006", Description: "An unknown path under /customers, or a known one with a trailing slash, SHOULD be answered 404, and a known path with another method 405 listing the allowed ones.",
			Labels: accChoice(),
			Steps: Seq(
				refusal(GET("/customers/nothing-here"), 404, "not_found"),
				refusal(GET("/customers"), 404, "not_found"),
				refusal(GET("/customers/self/").Header("Authorization", "Bearer unknown"), 404, "not_found"),
				refusal(GET("/customers/login"), 405, "method_not_allowed", HeaderHas("Allow", "POST"))),
		},
		{
			ID: "ACC-INPUT-007", Description: "A request with an unknown token SHOULD be answered 401 before its body is looked at.",
			Labels: accChoice(), Fresh: []string{"word"},
			Steps: Seq(unauthorized(PATCH("/customers/self").Header("Authorization", "Bearer {word}").Raw("application/json", `{"id":`).Invalid())),
		},
	}
}
