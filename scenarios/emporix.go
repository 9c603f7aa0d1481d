package scenarios

import "strings"

// The Emporix customer service (customer-managed) and customerlogin, as
// seeds 002 and 003 document them. A scenario says MUST only for what the
// vendor's official specification, tutorials or changelog document;
// docs/emporix.md names the source where it is not obvious and records the
// choices (DoppelChoice scenarios, AsChoice checks, ChoiceWithin statuses)
// where they are silent.

const (
	password    = "Secr3t!pass"
	newPassword = "N3w!Secret"
	badTenant   = "The tenant information provided with the request is not valid."
	uuidPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	callback    = "https://shop.doppel.test/callback" // the redirect_uri social logins name
	expired     = "keymanagement.service.access_token_expired"
)

// Why steps go beyond the vendor's current documentation (Step.Undocumented).
const (
	droppedDelete  = "DELETE /me: seed 003 and the 2026-01-20 spec; the current docs dropped it"
	droppedAccount = "POST /me/accounts/internal: seed 003 and the 2026-01-20 spec; the current docs dropped it"
	auth0Body      = "socialLogin's Auth0 body form: seed 003; the current docs require code and redirect_uri"
	hybrisTenant   = "the official storefront names the tenant in hybris-tenant (src/services/user/accessToken.js)"
	trailingSlash  = "the official storefront posts to password/reset/ (src/services/customer.service.js)"
	putAddress     = "the official storefront sends address edits as PUT (src/services/user/adresses.js)"
	storefrontCode = "the official storefront's social login sends code and anonymous_token, no redirect_uri (src/pages/SocialLoginCallback.js)"
	anonymousOnly  = "the deprecated refresh by anonymous_token alone (the spec requires refresh_token too)"
	nullClears     = "a merge patch's null removes a field (RFC 7396); the vendor's schema types the fields as strings"
)

// labels are the Emporix label plus capabilities.
func labels(extra ...string) []string { return append([]string{"emporix"}, extra...) }

// empChoice labels a scenario that pins doppel's choice.
func empChoice(extra ...string) []string { return labels(append(extra, DoppelChoice)...) }

// anonymousIn starts an anonymous session in a tenant and binds its access
// token to tokenVar, its session id to tokenVar+"Session" and its refresh
// token to tokenVar+"Refresh".
func anonymousIn(tenantVar, tokenVar string) Step {
	return GET("/customerlogin/auth/anonymous/login").Query("tenant", "{"+tenantVar+"}").Query("client_id", "{clientId}").
		Expect(200, Equals("token_type", "Bearer")).
		Capture(tokenVar, "access_token").Capture(tokenVar+"Session", "sessionId").Capture(tokenVar+"Refresh", "refresh_token")
}

// anonymous is anonymousIn the tenant under test, bound to "anon".
func anonymous() Step { return anonymousIn(VarTenant, "anon") }

// anonymousRefresh refreshes the "anon" session by its refresh token, sending
// the deprecated anonymous_token too, as the vendor's spec requires both.
func anonymousRefresh() Step {
	return GET("/customerlogin/auth/anonymous/refresh").Query("tenant", "{tenant}").Query("anonymous_token", "{anon}").
		Query("refresh_token", "{anonRefresh}").Query("client_id", "{clientId}")
}

// socialCustomer logs in a fresh social identity of codeVar, binding its
// customer token to "social", its provider access token to "subject" and its
// customer number to "id".
func socialCustomer(codeVar string) Steps {
	return Steps{
		POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{"+codeVar+"}").
			Query("redirect_uri", callback).Expect(200).
			Capture("social", "access_token").Capture("subject", "social_access_token"),
		me("social").Expect(200).Capture("id", "id"),
	}
}

// signUp creates a customer with an e-mail variable and a password, using
// the "anon" token, and binds its customer number to idVar.
func signUp(emailVar, pw, idVar string) Step {
	return POST("/customer/{tenant}/signup").As("anon").
		JSON(Obj{"email": "{" + emailVar + "}", "password": pw}).
		Expect(201, Matches("id", `^\S+$`)).Capture(idVar, "id")
}

// logIn logs a customer in with the "anon" token and binds its access token
// to tokVar and its refresh token to tokVar+"Refresh".
func logIn(emailVar, pw, tokVar string) Step {
	return POST("/customer/{tenant}/login").As("anon").
		JSON(Obj{"email": "{" + emailVar + "}", "password": pw}).
		Expect(200).Capture(tokVar, "access_token").Capture(tokVar+"Refresh", "refresh_token")
}

// loginFails expects a login to be refused: a 401, in the gateway's fault
// body as doppel answers it (the vendor documents the status only).
func loginFails(emailVar, pw string) Step {
	return POST("/customer/{tenant}/login").As("anon").
		JSON(Obj{"email": "{" + emailVar + "}", "password": pw}).Expect(401, Present("fault.faultstring").AsChoice())
}

// customer is a fresh customer of email: anonymous session ("anon"), sign-up
// ("id") and login ("tok").
func customer(emailVar string) Steps {
	return Steps{anonymous(), signUp(emailVar, password, "id"), logIn(emailVar, password, "tok")}
}

// refused expects a token to be refused as invalid, in the body of the
// vendor's "Invalid access token" example.
func refused(step Step) Step { return step.ExpectFault("oauth.v2.InvalidAccessToken") }

// empExpired expects a token to be refused as expired, in the body of
// the vendor's "Access token expired" example.
func empExpired(step Step) Step { return step.ExpectFault(expired) }

// empUnauthenticated expects a request without a token to be refused 401 (the
// operation's documented security); the body is doppel's.
func empUnauthenticated(step Step) Step {
	return step.Expect(401, Equals("fault.detail.errorcode", "oauth.v2.InvalidAccessToken").AsChoice())
}

// empErrorBody is the ErrorMessage dialect of doppel's errors: the vendor's
// schema names these fields but requires none, so they are doppel's choice
// where no example of the vendor's shows that very error.
func empErrorBody(status int, typ string) []Check {
	return []Check{Equals("status", status).AsChoice(), Equals("type", typ).AsChoice(), Present("message").AsChoice()}
}

// empBadRequest expects the 400 the vendor documents for a request that breaks
// its schema, with doppel's body.
func empBadRequest(step Step, checks ...Check) Step {
	return step.Expect(400, append(empErrorBody(400, "bad_request"), checks...)...)
}

// empRejected expects a refusal the vendor documents only as a 4xx: status (and
// the body's type) are doppel's choice.
func empRejected(step Step, status int, typ string, checks ...Check) Step {
	return step.Expect(status, append(empErrorBody(status, typ), checks...)...).ChoiceWithin(400, 499)
}

// empAdvance moves doppel's clock forward (a Go duration, or days such as
// "30d"; a template) and back after the scenario: needs NeedsAdmin, and
// Destructive, as every user of the target shares the clock.
func empAdvance(d string) Step {
	return Admin("POST", "/__doppel/clock").JSON(Obj{"advance": d}).Expect(200).Named("advance doppel's clock by " + d).
		Cleanup(Admin("POST", "/__doppel/clock").JSON(Obj{"advance": "-" + d}).Expect(200).Named("move doppel's clock back by " + d))
}

func me(tokVar string) Step { return GET("/customer/{tenant}/me").As(tokVar) }

// address is a customer address unlike the vendor's examples (Platz der
// Republik 1, Berlin, DE, tags BILLING and SHIPPING).
func address(street string) Obj {
	return Obj{"contactName": "Ann Example", "street": street, "streetNumber": "17", "zipCode": "8010",
		"city": "Graz", "country": "AT", "tags": Arr{"PICKUP"}}
}

// addAddress adds an address for "tok" and binds its id to idVar.
func addAddress(street, idVar string) Step {
	return POST("/customer/{tenant}/me/addresses").As("tok").JSON(address(street)).
		Expect(201, Matches("id", `^\S+$`)).Capture(idVar, "id")
}

func getAddress(idVar string) Step {
	return GET("/customer/{tenant}/me/addresses/{" + idVar + "}").As("tok")
}

// empResetPassword requests a password reset for emailVar with the "anon"
// token and binds the mailed code to codeVar.
func empResetPassword(emailVar, codeVar string) Steps {
	return Steps{
		POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{" + emailVar + "}"}).Expect(204),
		MailToken("{"+emailVar+"}", "password_reset", codeVar),
	}
}

func empSetPassword(codeVar, pw string) Step {
	return POST("/customer/{tenant}/password/reset/update").As("anon").JSON(Obj{"token": "{" + codeVar + "}", "password": pw})
}

// empChangeEmail asks to move the login emailVar (password pw) of "tok" to
// newVar and binds the code mailed there to codeVar.
func empChangeEmail(emailVar, pw, newVar, codeVar string) Steps {
	return Steps{
		POST("/customer/{tenant}/me/accounts/internal/email/change").As("tok").
			JSON(Obj{"email": "{" + emailVar + "}", "password": pw, "newEmail": "{" + newVar + "}"}).Expect(204),
		MailToken("{"+newVar+"}", "email_change", codeVar),
	}
}

func empConfirmEmail(codeVar string) Step {
	return POST("/customer/{tenant}/me/accounts/internal/email/change/confirm").As("anon").JSON(Obj{"token": "{" + codeVar + "}"})
}

// empSignUpOptIn signs emailVar up in the opt-in tenant with the "anon" token
// of that tenant, binding its customer number to "id".
func empSignUpOptIn(emailVar string) Step {
	return POST("/customer/{optInTenant}/signup").As("anon").JSON(Obj{"email": "{" + emailVar + "}", "password": password}).
		Expect(201).Capture("id", "id")
}

func empOptIn(codeVar string) Step {
	return GET("/customer/{optInTenant}/signup/optin/{" + codeVar + "}").As("anon")
}

// emporix lists the Emporix scenarios.
func emporix() []Scenario {
	return []Scenario{
		// ---- anonymous sessions and customer tokens ----
		{
			ID: "EMP-AUTH-001", Description: "An anonymous login MUST return a Bearer token pair with the documented lifetimes, a session id and the tenant scope.",
			Labels: labels(Smoke),
			Steps: Seq(anonymous().Expect(200,
				Matches("access_token", `^[A-Za-z0-9]{28}$`).AsChoice(), Matches("refresh_token", `^[A-Za-z0-9]{32}$`).AsChoice(),
				Equals("expires_in", 3599), Equals("refresh_token_expires_in", 86399),
				Matches("sessionId", uuidPattern).AsChoice(), Present("sessionId"), Equals("scope", "tenant={tenant}"))),
		},
		{
			ID: "EMP-AUTH-002", Description: "An anonymous refresh MUST return a new usable token pair in the same session.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				anonymousRefresh().
					Expect(200, Equals("sessionId", Var("anonSession")), NotEquals("access_token", Var("anon")),
						Equals("expires_in", 3599), Equals("scope", "tenant={tenant}")).
					Capture("anon2", "access_token"),
				me("anon2").Expect(200, Equals("firstName", "Anonymous"))),
		},
		{
			ID: "EMP-AUTH-003", Description: "A used anonymous refresh token SHOULD be refused.",
			Labels: empChoice(),
			Steps: Seq(anonymous(),
				anonymousRefresh().Expect(200),
				anonymousRefresh().Expect(401, Present("fault.faultstring"))),
		},
		{
			ID: "EMP-AUTH-004", Description: "A login MUST return the customer token set in snake_case, in the anonymous session, with a saas_token for the customer number.",
			Labels: labels(Smoke), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				logIn("email", password, "tok").Expect(200,
					Matches("access_token", `^[A-Za-z0-9]{28}$`).AsChoice(), Matches("refresh_token", `^[A-Za-z0-9]{32}$`).AsChoice(),
					Equals("token_type", "Bearer"), Equals("expires_in", 2591999), Equals("refresh_token_expires_in", 86399),
					Equals("session_id", Var("anonSession")), Equals("initialPassword", false).AsChoice(),
					Claim("saas_token", "sub", Var("id"))),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-AUTH-005", Description: "A second sign-up with the same e-mail MUST be answered 409 with the documented duplicate-account error.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": "other"}).
					ExpectError(409, "conflict_resource", Equals("message", "Duplicate account '{email}' for tenant '{tenant}'."))),
		},
		{
			ID: "EMP-AUTH-006", Description: "A login with a wrong password or an unknown e-mail MUST be answered 401.",
			Labels: labels(), Emails: []string{"email", "unknown"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				loginFails("email", "wrong"+password), loginFails("unknown", password)),
		},
		{
			ID: "EMP-AUTH-007", Description: "A login or a profile read without an access token MUST be answered 401.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				empUnauthenticated(POST("/customer/{tenant}/login").JSON(Obj{"email": "{email}", "password": password})),
				empUnauthenticated(GET("/customer/{tenant}/me"))),
		},
		{
			ID: "EMP-AUTH-008", Description: "Validating a customer token MUST return its session, e-mail, remaining lifetime and scopes ending with the tenant, and an invalid token MUST be answered 401.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/validateauthtoken").As("tok").Expect(200,
					Equals("token_type", "Bearer"), Equals("sessionId", Var("anonSession")), Equals("email", "{email}"),
					InRange("expires_in", 1, 2591999), Matches("scope", `(^| )tenant={tenant}$`)),
				refused(GET("/customer/{tenant}/validateauthtoken").Header("Authorization", "Bearer invalid"))),
		},
		{
			ID: "EMP-AUTH-009", Description: "After a logout the access token MUST be refused, by validateauthtoken too.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/logout").As("tok").Query("accessToken", "{tok}").Expect(204, NoBody()),
				refused(me("tok")),
				refused(GET("/customer/{tenant}/validateauthtoken").As("tok"))),
		},
		{
			ID: "EMP-AUTH-010", Description: "Refreshing a customer token MUST return a new usable token set in the same session with the documented lifetimes.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tokRefresh}").Expect(200,
					NotEquals("access_token", Var("tok")), Equals("session_id", Var("anonSession")), Equals("token_type", "Bearer"),
					Equals("expires_in", 2591999), InRange("refresh_token_expires_in", 1, 86399), Equals("refresh_token_expires_in", 86399).AsChoice(),
					Claim("saas_token", "sub", Var("id")).AsChoice()).
					Capture("tok2", "access_token"),
				me("tok2").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-AUTH-011", Description: "A login SHOULD also return the deprecated camelCase twins of its tokens and lifetimes (announced for removal on 2025-11-13), which the official storefront still reads.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				logIn("email", password, "tok").Capture("saas", "saas_token").Expect(200,
					Equals("accessToken", Var("tok")), Equals("refreshToken", Var("tokRefresh")), Equals("saasToken", Var("saas")),
					Equals("expiresIn", 2591999), Equals("refreshTokenExpiresIn", 86399))),
		},
		{
			ID: "EMP-AUTH-012", Description: "An anonymous login naming its tenant in hybris-tenant instead of tenant, as the official storefront's first call does, SHOULD return a token pair for that tenant.",
			Labels: empChoice(),
			Steps: Seq(
				GET("/customerlogin/auth/anonymous/login").Query("client_id", "{clientId}").Query("hybris-tenant", "{tenant}").Undocumented(hybrisTenant).
					Expect(200, Equals("scope", "tenant={tenant}"), Matches("sessionId", uuidPattern)).Capture("anon", "access_token"),
				me("anon").Expect(200, Equals("firstName", "Anonymous"))),
		},
		{
			ID: "EMP-AUTH-013", Description: "An anonymous login with hybris-session-id SHOULD continue that session: its token pair carries that sessionId, and so does a customer login made with it.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				GET("/customerlogin/auth/anonymous/login").Query("client_id", "{clientId}").Query("hybris-tenant", "{tenant}").
					Query("hybris-session-id", "{anonSession}").Undocumented(hybrisTenant+", with hybris-session-id as the developer portal's example").
					Expect(200, Equals("sessionId", Var("anonSession")), NotEquals("access_token", Var("anon"))).Capture("resumed", "access_token"),
				POST("/customer/{tenant}/login").As("resumed").JSON(Obj{"email": "{email}", "password": password}).
					Expect(200, Equals("session_id", Var("anonSession")))),
		},
		{
			ID: "EMP-AUTH-014", Description: "A refresh with only the deprecated anonymous_token, the session's anonymous access token, SHOULD return a new usable access token in the same session and leave the old one valid.",
			Labels: empChoice(),
			Steps: Seq(anonymous(),
				GET("/customerlogin/auth/anonymous/refresh").Query("tenant", "{tenant}").Query("anonymous_token", "{anon}").Query("client_id", "{clientId}").
					Undocumented(anonymousOnly).
					Expect(200, Equals("sessionId", Var("anonSession")), NotEquals("access_token", Var("anon")), Equals("expires_in", 3599),
						Equals("token_type", "Bearer"), Equals("scope", "tenant={tenant}"), Absent("refresh_token")).
					Capture("anon2", "access_token"),
				me("anon2").Expect(200, Equals("firstName", "Anonymous")),
				me("anon").Expect(200, Equals("firstName", "Anonymous")),
				GET("/customerlogin/auth/anonymous/refresh").Query("tenant", "{tenant}").Query("anonymous_token", "{anonRefresh}").Query("client_id", "{clientId}").
					Undocumented(anonymousOnly).Expect(401, Present("fault.faultstring"))),
		},
		{
			ID: "EMP-AUTH-015", Description: "A token exchange MUST trade an identity provider's access token for a usable customer token set of that identity's customer.",
			Labels: labels(SocialLogin), Fresh: []string{"code"},
			Steps: Seq(anonymous(), socialCustomer("code"),
				anonymousIn(VarTenant, "next"),
				POST("/customer/{tenant}/exchangeauthtoken").As("next").Query("subjectAccessToken", "{subject}").
					Expect(200, Equals("subject_access_token", Var("subject")), Matches("access_token", `^\S+$`), Present("refresh_token"),
						Equals("token_type", "Bearer"), Equals("session_id", Var("nextSession")).AsChoice(), Claim("saas_token", "sub", Var("id")),
						Matches("scope", `(^| )tenant={tenant}$`)).
					Capture("tok", "access_token").Capture("tokRefresh", "refresh_token"),
				me("tok").Expect(200, Equals("id", Var("id"))),
				GET("/customer/{tenant}/refreshauthtoken").As("next").Query("refreshToken", "{tokRefresh}").
					Expect(200, Equals("session_id", Var("nextSession")).AsChoice())),
		},
		{
			ID: "EMP-AUTH-016", Description: "A token exchange naming a configuration that does not exist MUST be answered 400.",
			Labels: labels(SocialLogin), Fresh: []string{"code", "config"},
			Steps: Seq(anonymous(), socialCustomer("code"),
				empBadRequest(POST("/customer/{tenant}/exchangeauthtoken").As("anon").Query("subjectAccessToken", "{subject}").Query("config", "{config}"))),
		},
		{
			ID: "EMP-AUTH-017", Description: "A token exchange whose subject token is not a JWT, or without an access token, MUST be refused.",
			Labels: labels(), Fresh: []string{"word"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/exchangeauthtoken").As("anon").Query("subjectAccessToken", "{word}").
					Expect(401, Present("fault.faultstring").AsChoice()).ChoiceWithin(400, 499),
				POST("/customer/{tenant}/exchangeauthtoken").Query("subjectAccessToken", "{word}").Invalid().
					Expect(401, Equals("fault.detail.errorcode", "oauth.v2.InvalidAccessToken").AsChoice()).ChoiceWithin(400, 401)),
		},
		{
			ID: "EMP-AUTH-018", Description: "E-mails SHOULD be compared in any letter case: a sign-up with a known e-mail in upper case is answered 409, and a login in upper case logs the customer in.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email:upper}", "password": "other"}).
					ExpectError(409, "conflict_resource"),
				POST("/customer/{tenant}/login").As("anon").JSON(Obj{"email": "{email:upper}", "password": password}).Expect(200).
					Capture("tok", "access_token"),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-AUTH-019", Description: "A logout SHOULD also invalidate the refresh token issued with the access token, and SHOULD refuse to log out another customer's token.",
			Labels: empChoice(), Emails: []string{"email", "other"},
			Steps: Seq(customer("email"),
				signUp("other", password, "otherId"), logIn("other", password, "otherTok"),
				refused(GET("/customer/{tenant}/logout").As("otherTok").Query("accessToken", "{tok}")),
				me("tok").Expect(200, Equals("id", Var("id"))),
				GET("/customer/{tenant}/logout").As("tok").Query("accessToken", "{tok}").Expect(204),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tokRefresh}").Expect(401, Present("fault.faultstring"))),
		},
		{
			ID: "EMP-AUTH-020", Description: "A customer refresh SHOULD rotate the refresh token: the used one is refused afterwards, and the access token it replaced keeps working until it expires.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tokRefresh}").Expect(200,
					NotEquals("refresh_token", Var("tokRefresh"))).Capture("tok2", "access_token"),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tokRefresh}").Expect(401, Present("fault.faultstring")),
				me("tok").Expect(200, Equals("id", Var("id"))),
				me("tok2").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-AUTH-021", Description: "An anonymous token MUST be refused where the vendor documents a customer token only: the profile update, the address list and the password change.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				PATCH("/customer/{tenant}/me").As("anon").JSON(Obj{"firstName": "Ann"}).
					Expect(401, Present("fault").AsChoice()).ChoiceWithin(401, 403),
				GET("/customer/{tenant}/me/addresses").As("anon").Expect(401, Present("fault").AsChoice()).ChoiceWithin(401, 403),
				POST("/customer/{tenant}/password/change").As("anon").JSON(Obj{"currentPassword": password, "newPassword": newPassword}).
					Expect(401, Present("fault").AsChoice()).ChoiceWithin(401, 403)),
		},
		{
			ID: "EMP-AUTH-022", Description: "An anonymous access token MUST work for the hour it is valid and then be refused as expired, its refresh token MUST still renew the session, and a refresh token MUST be refused once its refresh_token_expires_in has passed.",
			Labels: labels(NeedsAdmin, Destructive),
			Steps: Seq(anonymous(),
				anonymousIn(VarTenant, "idle").Capture("idleTTL", "refresh_token_expires_in"),
				empAdvance("59m"),
				me("anon").Expect(200, Equals("firstName", "Anonymous")),
				empAdvance("1m"),
				empExpired(me("anon")),
				anonymousRefresh().Expect(200, Equals("sessionId", Var("anonSession"))).Capture("anon2", "access_token"),
				me("anon2").Expect(200, Equals("firstName", "Anonymous")),
				empAdvance("{idleTTL}s"),
				GET("/customerlogin/auth/anonymous/refresh").Query("tenant", "{tenant}").Query("anonymous_token", "{idle}").
					Query("refresh_token", "{idleRefresh}").Query("client_id", "{clientId}").
					Expect(401, Present("fault.faultstring").AsChoice()).ChoiceWithin(400, 499)),
		},
		{
			ID: "EMP-AUTH-023", Description: "A customer access token MUST work for the 30 days it is valid, then be refused as expired, by validateauthtoken too, and a customer refresh token MUST be refused once its refresh_token_expires_in has passed.",
			Labels: labels(NeedsAdmin, Destructive), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				empAdvance("29d"),
				me("tok").Expect(200, Equals("id", Var("id"))),
				GET("/customer/{tenant}/validateauthtoken").As("tok").Expect(200, InRange("expires_in", 1, 86400).AsChoice()),
				empAdvance("1d"),
				empExpired(me("tok")),
				empExpired(GET("/customer/{tenant}/validateauthtoken").As("tok")),
				anonymous(),
				logIn("email", password, "tok2").Capture("ttl", "refresh_token_expires_in"),
				empAdvance("{ttl}s"),
				anonymous(),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tok2Refresh}").
					Expect(401, Present("fault.faultstring").AsChoice()).ChoiceWithin(400, 499)),
		},
		{
			ID: "EMP-AUTH-024", Description: "Validating an anonymous token SHOULD return its session, remaining lifetime and the tenant scope, without an e-mail.",
			Labels: empChoice(),
			Steps: Seq(anonymous(),
				GET("/customer/{tenant}/validateauthtoken").As("anon").Expect(200, Equals("token_type", "Bearer"),
					Equals("sessionId", Var("anonSession")), InRange("expires_in", 1, 3599), Equals("scope", "tenant={tenant}"), Absent("email"))),
		},

		// ---- the profile ----
		{
			ID: "EMP-PROF-001", Description: "GET /me MUST return the signed-up customer with its number, login account, contact e-mail, details, documented defaults and last login.",
			Labels: labels(Smoke), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerDetails": Obj{"firstName": "Ann", "lastName": "Example", "contactPhone": "+4933112345"}}).
					Expect(201).Capture("id", "id"),
				logIn("email", password, "tok"),
				me("tok").Expect(200, Equals("id", Var("id")), Equals("customerNumber", Var("id")),
					Includes("accounts.*.id", "{email}"), Equals("contactEmail", "{email}"), Equals("firstName", "Ann"),
					Equals("lastName", "Example"), Equals("contactPhone", "+4933112345"), Present("metadata.version"),
					Equals("preferredLanguage", "en_US"), Equals("preferredCurrency", "USD"), Equals("preferredSite", "main").AsChoice(),
					Equals("businessModel", "B2C"), Present("lastLogin"), Absent("addresses"))),
		},
		{
			ID: "EMP-PROF-002", Description: "GET /me with an anonymous token MUST return the Anonymous customer.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				me("anon").Expect(200, Equals("firstName", "Anonymous"), Equals("lastName", "Anonymous"),
					Equals("customerNumber", "00000000"), Equals("id", "00000000"), Len("accounts", 0))),
		},
		{
			ID: "EMP-PROF-003", Description: "A PATCH of /me with the current metadata.version MUST apply and a second PATCH with the same, now stale, version MUST be refused without change.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				me("tok").Expect(200).Capture("version", "metadata.version"),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"firstName": "First", "metadata": Obj{"version": Var("version")}}).Expect(200),
				empRejected(PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"firstName": "Second", "metadata": Obj{"version": Var("version")}}),
					409, "conflict_resource"),
				me("tok").Expect(200, Equals("firstName", "First"), NotEquals("metadata.version", Var("version")))),
		},
		{
			ID: "EMP-PROF-004", Description: "A PATCH of /me without metadata.version MUST apply without locking and keep the fields it does not name.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"firstName": "Ann", "company": "Acme Trading"}).Expect(200),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"lastName": "Example", "preferredCurrency": "CHF"}).Expect(200),
				me("tok").Expect(200, Equals("firstName", "Ann"), Equals("lastName", "Example"), Equals("company", "Acme Trading"),
					Equals("preferredCurrency", "CHF"), Equals("contactEmail", "{email}"))),
		},
		{
			ID: "EMP-PROF-005", Description: "GET /me?expand=addresses MUST include the addresses, the sign-up address among them.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerAddress": address("Lindengasse")}).Expect(201),
				logIn("email", password, "tok"),
				me("tok").Query("expand", "addresses").Expect(200, Len("addresses", 1),
					Equals("addresses.0.street", "Lindengasse"), Equals("addresses.0.city", "Graz"),
					Equals("addresses.0.isDefault", true).AsChoice(), Present("addresses.0.id"))),
		},
		{
			ID: "EMP-PROF-006", Description: "Deleting /me SHOULD mail a confirmation token, and confirming with it SHOULD delete the customer, refusing its tokens, by validateauthtoken too, and its login, and free its e-mail for a new customer.",
			Labels: empChoice(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				DELETE("/customer/{tenant}/me").As("tok").Undocumented(droppedDelete).Expect(202),
				MailToken("{email}", "account_deletion", "confirm"),
				me("tok").Expect(200),
				DELETE("/customer/{tenant}/me").As("tok").Query("token", "{confirm}").Undocumented(droppedDelete).Expect(204, NoBody()),
				refused(me("tok")),
				refused(GET("/customer/{tenant}/validateauthtoken").As("tok")),
				loginFails("email", password),
				signUp("email", newPassword, "again").And(NotEquals("id", Var("id"))),
				logIn("email", newPassword, "tok2"),
				me("tok2").Expect(200, Equals("id", Var("again")))),
		},
		{
			ID: "EMP-PROF-007", Description: "Deleting /me with a wrong confirmation token SHOULD be answered 400 and delete nothing.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				DELETE("/customer/{tenant}/me").As("tok").Query("token", "not-a-token").Undocumented(droppedDelete).ExpectError(400, "bad_request"),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-PROF-008", Description: "Assigning a second login account SHOULD answer 201 with the customer number, the new login SHOULD work, and a taken e-mail SHOULD be answered 409.",
			Labels: empChoice(), Emails: []string{"email", "second"},
			Steps: Seq(customer("email"),
				POST("/customer/{tenant}/me/accounts/internal").As("tok").JSON(Obj{"email": "{second}", "password": newPassword}).
					Undocumented(droppedAccount).Expect(201, Equals("id", Var("id"))),
				logIn("second", newPassword, "tok2"),
				me("tok2").Expect(200, Equals("id", Var("id")), Includes("accounts.*.id", "{email}"), Includes("accounts.*.id", "{second}")),
				POST("/customer/{tenant}/me/accounts/internal").As("tok").JSON(Obj{"email": "{second}", "password": newPassword}).
					Undocumented(droppedAccount).ExpectError(409, "conflict_resource")),
		},
		{
			ID: "EMP-PROF-009", Description: "A sign-up with separate signup credentials MUST make signup.email the login, with signup.password, and keep email as the contact e-mail.",
			Labels: labels(), Emails: []string{"email", "login"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerDetails": Obj{"contactEmail": "{email}", "firstName": "Ann"},
					"signup":          Obj{"email": "{login}", "password": newPassword}}).
					Expect(201).Capture("id", "id"),
				logIn("login", newPassword, "tok"),
				me("tok").Expect(200, Equals("id", Var("id")), Equals("contactEmail", "{email}"), Includes("accounts.*.id", "{login}"))),
		},
		{
			ID: "EMP-PROF-010", Description: "A merge-patch of /me SHOULD clear the fields it sets to null and keep the others, but not contactEmail, which cannot be unset.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"firstName": "Ann", "lastName": "Example", "company": "Acme Trading"}).Expect(200),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"company": nil, "lastName": "Beispiel"}).
					WithContentType("application/merge-patch+json").Undocumented(nullClears).Expect(200),
				me("tok").Expect(200, Absent("company"), Equals("lastName", "Beispiel"), Equals("firstName", "Ann")),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"contactEmail": nil}).WithContentType("application/merge-patch+json").
					Undocumented(nullClears).ExpectError(400, "bad_request"),
				me("tok").Expect(200, Equals("contactEmail", "{email}"))),
		},

		// ---- addresses ----
		{
			ID: "EMP-ADDR-001", Description: "An added address MUST be listed and readable by id, the first one as the default.",
			Labels: labels(Smoke), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindengasse", "a1"),
				GET("/customer/{tenant}/me/addresses").As("tok").Expect(200, Len("", 1), Equals("0.id", Var("a1")),
					Equals("0.street", "Lindengasse"), Equals("0.isDefault", true).AsChoice(), Includes("0.tags", "PICKUP")),
				getAddress("a1").Expect(200, Equals("id", Var("a1")), Equals("city", "Graz"), Equals("isDefault", true).AsChoice())),
		},
		{
			ID: "EMP-ADDR-002", Description: "Making another address the default MUST clear the previous default.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"), addAddress("Second Street", "a2"),
				getAddress("a2").Expect(200, Equals("isDefault", false).AsChoice()),
				PATCH("/customer/{tenant}/me/addresses/{a2}").As("tok").JSON(Obj{"isDefault": true}).Expect(200),
				getAddress("a2").Expect(200, Equals("isDefault", true)),
				getAddress("a1").Expect(200, Equals("isDefault", false))),
		},
		{
			ID: "EMP-ADDR-003", Description: "A PATCH of an address MUST change the fields it names and keep the others.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindengasse", "a1"),
				PATCH("/customer/{tenant}/me/addresses/{a1}").As("tok").JSON(Obj{"streetNumber": "23", "streetAppendix": "Hinterhaus"}).Expect(200),
				getAddress("a1").Expect(200, Equals("streetNumber", "23"), Equals("streetAppendix", "Hinterhaus"), Equals("street", "Lindengasse"))),
		},
		{
			ID: "EMP-ADDR-004", Description: "Tags MUST be added and removed through ?tags= lists.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindengasse", "a1"),
				POST("/customer/{tenant}/me/addresses/{a1}/tags").As("tok").Query("tags", "GIFT,HQ").Expect(204, NoBody()),
				getAddress("a1").Expect(200, Includes("tags", "GIFT"), Includes("tags", "HQ"), Includes("tags", "PICKUP")),
				DELETE("/customer/{tenant}/me/addresses/{a1}/tags").As("tok").Query("tags", "PICKUP,HQ").Expect(204, NoBody()),
				getAddress("a1").Expect(200, Equals("tags", Arr{"GIFT"}))),
		},
		{
			ID: "EMP-ADDR-005", Description: "A deleted address MUST be answered 404 afterwards.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindengasse", "a1"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").Expect(204, NoBody()),
				getAddress("a1").ExpectError(404, "resource_not_found"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").ExpectError(404, "resource_not_found"),
				GET("/customer/{tenant}/me/addresses").As("tok").Expect(200, Len("", 0))),
		},
		{
			ID: "EMP-ADDR-006", Description: "Another customer's address MUST be answered 404 and stay unchanged.",
			Labels: labels(), Emails: []string{"email", "other"},
			Steps: Seq(customer("email"), addAddress("Lindengasse", "a1"),
				logIn("email", password, "owner"),
				signUp("other", password, "otherId"), logIn("other", password, "tok"),
				getAddress("a1").ExpectError(404, "resource_not_found"),
				PATCH("/customer/{tenant}/me/addresses/{a1}").As("tok").JSON(Obj{"street": "Stolen"}).ExpectError(404, "resource_not_found"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").ExpectError(404, "resource_not_found"),
				GET("/customer/{tenant}/me/addresses/{a1}").As("owner").Expect(200, Equals("street", "Lindengasse"))),
		},
		{
			ID: "EMP-ADDR-007", Description: "Deleting the default address SHOULD make the oldest remaining address the default.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"), addAddress("Second Street", "a2"), addAddress("Third Street", "a3"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").Expect(204),
				getAddress("a2").Expect(200, Equals("isDefault", true)),
				getAddress("a3").Expect(200, Equals("isDefault", false))),
		},
		{
			ID: "EMP-ADDR-008", Description: "A PUT of an address with the whole address, as the official storefront sends its edits, SHOULD be applied as the documented PATCH is.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"), addAddress("Second Street", "a2"),
				PUT("/customer/{tenant}/me/addresses/{a2}").As("tok").JSON(Obj{"id": "{a2}", "contactName": "Ann Example",
					"street": "Second Street", "streetNumber": "7", "zipCode": "8020", "city": "Graz", "country": "AT",
					"isDefault": true, "tags": Arr{"GIFT"}}).Undocumented(putAddress).Expect(200),
				getAddress("a2").Expect(200, Equals("streetNumber", "7"), Equals("zipCode", "8020"), Equals("isDefault", true),
					Equals("tags", Arr{"GIFT"})),
				getAddress("a1").Expect(200, Equals("isDefault", false)),
				PUT("/customer/{tenant}/me/addresses/nothing-here").As("tok").JSON(Obj{"street": "Nowhere"}).Undocumented(putAddress).
					ExpectError(404, "resource_not_found")),
		},
		{
			ID: "EMP-ADDR-009", Description: "An address added with isDefault true SHOULD become the default, and isDefault false on the default SHOULD be ignored.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"),
				POST("/customer/{tenant}/me/addresses").As("tok").JSON(Obj{"contactName": "Ann Example", "street": "Second Street",
					"city": "Graz", "country": "AT", "isDefault": true}).Expect(201).Capture("a2", "id"),
				getAddress("a2").Expect(200, Equals("isDefault", true)),
				getAddress("a1").Expect(200, Equals("isDefault", false)),
				PATCH("/customer/{tenant}/me/addresses/{a2}").As("tok").JSON(Obj{"isDefault": false}).Expect(200),
				getAddress("a2").Expect(200, Equals("isDefault", true))),
		},

		// ---- credentials ----
		{
			ID: "EMP-CRED-001", Description: "A password reset MUST mail a token that sets a new password, after which only the new password MUST log in.",
			Labels: labels(NeedsMailbox, Smoke), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{email}", "site": "main"}).Expect(204, NoBody()),
				MailToken("{email}", "password_reset", "reset"),
				empSetPassword("reset", newPassword).Expect(204, NoBody()),
				logIn("email", newPassword, "tok"),
				loginFails("email", password)),
		},
		{
			ID: "EMP-CRED-002", Description: "A password reset token MUST work only once.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				empResetPassword("email", "reset"),
				empSetPassword("reset", newPassword).Expect(204),
				empRejected(empSetPassword("reset", "Thi3d!one"), 400, "bad_request"),
				logIn("email", newPassword, "tok")),
		},
		{
			ID: "EMP-CRED-003", Description: "A password reset for an unknown e-mail SHOULD be answered 204 and send no mail.",
			Labels: empChoice(NeedsMailbox), Emails: []string{"unknown"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{unknown}"}).Expect(204),
				NoMail("{unknown}", "password_reset")),
		},
		{
			ID: "EMP-CRED-004", Description: "A password change MUST require the current password, and afterwards only the new password MUST log in.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				empRejected(POST("/customer/{tenant}/password/change").As("tok").JSON(Obj{"currentPassword": "wrong", "newPassword": newPassword}),
					400, "bad_request"),
				logIn("email", password, "tok2"),
				POST("/customer/{tenant}/password/change").As("tok").JSON(Obj{"currentPassword": password, "newPassword": newPassword}).
					Expect(204, NoBody()),
				loginFails("email", password),
				logIn("email", newPassword, "tok3")),
		},
		{
			ID: "EMP-CRED-005", Description: "An e-mail change MUST mail a token to the new address whose confirmation moves the login to it and, with syncContactEmail, the contact e-mail.",
			Labels: labels(NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(customer("email"),
				POST("/customer/{tenant}/me/accounts/internal/email/change").As("tok").
					JSON(Obj{"email": "{email}", "password": password, "newEmail": "{newEmail}", "syncContactEmail": true}).Expect(204, NoBody()),
				NoMail("{email}", "email_change"),
				MailToken("{newEmail}", "email_change", "change"),
				logIn("email", password, "stillOld"),
				empConfirmEmail("change").Expect(204, NoBody()),
				logIn("newEmail", password, "tok2"),
				loginFails("email", password),
				me("tok2").Expect(200, Includes("accounts.*.id", "{newEmail}"), Excludes("accounts.*.id", "{email}"), Equals("contactEmail", "{newEmail}"))),
		},
		{
			ID: "EMP-CRED-006", Description: "An e-mail change token MUST work only once, and an e-mail change with a wrong password MUST be refused.",
			Labels: labels(NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(customer("email"),
				empRejected(POST("/customer/{tenant}/me/accounts/internal/email/change").As("tok").
					JSON(Obj{"email": "{email}", "password": "wrong", "newEmail": "{newEmail}"}), 400, "bad_request"),
				NoMail("{newEmail}", "email_change"),
				empChangeEmail("email", password, "newEmail", "change"),
				empConfirmEmail("change").Expect(204),
				empRejected(empConfirmEmail("change"), 400, "bad_request"),
				me("tok").Expect(200, Equals("contactEmail", "{email}"))),
		},
		{
			ID: "EMP-CRED-007", Description: "A password reset posted to the path with a trailing slash, as the official storefront posts it, SHOULD be answered as the documented path is.",
			Labels: empChoice(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/password/reset/").As("anon").JSON(Obj{"email": "{email}"}).Undocumented(trailingSlash).Expect(204, NoBody()),
				MailToken("{email}", "password_reset", "reset"),
				empSetPassword("reset", newPassword).Expect(204),
				logIn("email", newPassword, "tok")),
		},
		{
			ID: "EMP-CRED-008", Description: "A new password reset token SHOULD invalidate the one mailed before, and a reset SHOULD leave the customer's sessions valid.",
			Labels: empChoice(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				empResetPassword("email", "first"),
				empResetPassword("email", "second"),
				empSetPassword("first", newPassword).ExpectError(400, "bad_request"),
				empSetPassword("second", newPassword).Expect(204),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-CRED-009", Description: "An e-mail change to an e-mail another customer logs in with SHOULD be answered 409 and mail nothing.",
			Labels: empChoice(NeedsMailbox), Emails: []string{"email", "taken"},
			Steps: Seq(customer("email"), signUp("taken", password, "otherId"),
				POST("/customer/{tenant}/me/accounts/internal/email/change").As("tok").
					JSON(Obj{"email": "{email}", "password": password, "newEmail": "{taken}"}).ExpectError(409, "conflict_resource"),
				NoMail("{taken}", "email_change")),
		},
		{
			ID: "EMP-CRED-010", Description: "Mailed codes SHOULD expire: a password reset code and an account deletion code after 1 h, an e-mail change code after 24 h.",
			Labels: empChoice(NeedsMailbox, NeedsAdmin, Destructive), Emails: []string{"email", "newEmail", "later"},
			Steps: Seq(customer("email"),
				empResetPassword("email", "reset1"),
				empAdvance("59m"),
				anonymous(), empSetPassword("reset1", newPassword).Expect(204),
				empResetPassword("email", "reset2"),
				empAdvance("61m"),
				anonymous(), empSetPassword("reset2", password).ExpectError(400, "bad_request"),
				empChangeEmail("email", newPassword, "newEmail", "change1"),
				empAdvance("23h59m"),
				anonymous(), empConfirmEmail("change1").Expect(204),
				empChangeEmail("newEmail", newPassword, "later", "change2"),
				empAdvance("24h1m"),
				anonymous(), empConfirmEmail("change2").ExpectError(400, "bad_request"),
				DELETE("/customer/{tenant}/me").As("tok").Undocumented(droppedDelete).Expect(202),
				MailToken("{newEmail}", "account_deletion", "deletion"),
				empAdvance("61m"),
				DELETE("/customer/{tenant}/me").As("tok").Query("token", "{deletion}").Undocumented(droppedDelete).ExpectError(400, "bad_request"),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},

		// ---- double opt-in ----
		{
			ID: "EMP-OPTIN-001", Description: "With double opt-in on, a new customer MUST NOT log in until the mailed opt-in token activates and logs it in, once.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(
				anonymousIn(VarOptInTenant, "anon"),
				empSignUpOptIn("email"),
				POST("/customer/{optInTenant}/login").As("anon").JSON(Obj{"email": "{email}", "password": password}).
					Expect(401, Present("fault.faultstring").AsChoice()),
				MailToken("{email}", "signup_optin", "optin").In(VarOptInTenant),
				empOptIn("optin").Expect(200, Equals("session_id", Var("anonSession")).AsChoice(), Claim("saas_token", "sub", Var("id"))).
					Capture("tok", "access_token"),
				GET("/customer/{optInTenant}/me").As("tok").Expect(200, Equals("id", Var("id"))),
				POST("/customer/{optInTenant}/login").As("anon").JSON(Obj{"email": "{email}", "password": password}).Expect(200),
				empRejected(empOptIn("optin"), 400, "bad_request")),
		},
		{
			ID: "EMP-OPTIN-002", Description: "Resending the opt-in link MUST answer 202 and mail a new token that activates the account.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(
				anonymousIn(VarOptInTenant, "anon"),
				empSignUpOptIn("email"),
				MailToken("{email}", "signup_optin", "first").In(VarOptInTenant),
				POST("/customer/{optInTenant}/signup/optin/refresh_token").As("anon").JSON(Obj{"email": "{email}"}).Expect(202),
				MailCount("{email}", "signup_optin", 2).In(VarOptInTenant),
				MailToken("{email}", "signup_optin", "second").In(VarOptInTenant),
				empOptIn("second").Expect(200, Claim("saas_token", "sub", Var("id")))),
		},
		{
			ID: "EMP-OPTIN-003", Description: "With double opt-in off, a new customer MUST log in at once and receive no opt-in mail.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(customer("email"), NoMail("{email}", "signup_optin")),
		},
		{
			ID: "EMP-OPTIN-004", Description: "A resent opt-in token SHOULD replace the one mailed before, and a resend for an unknown e-mail SHOULD be answered 202 and mail nothing.",
			Labels: empChoice(NeedsMailbox), Emails: []string{"email", "unknown"},
			Steps: Seq(
				anonymousIn(VarOptInTenant, "anon"),
				empSignUpOptIn("email"),
				MailToken("{email}", "signup_optin", "first").In(VarOptInTenant),
				POST("/customer/{optInTenant}/signup/optin/refresh_token").As("anon").JSON(Obj{"email": "{email}"}).Expect(202),
				MailToken("{email}", "signup_optin", "second").In(VarOptInTenant),
				empOptIn("first").ExpectError(400, "bad_request"),
				empOptIn("second").Expect(200),
				POST("/customer/{optInTenant}/signup/optin/refresh_token").As("anon").JSON(Obj{"email": "{unknown}"}).Expect(202),
				NoMail("{unknown}", "signup_optin").In(VarOptInTenant)),
		},
		{
			ID: "EMP-OPTIN-005", Description: "An opt-in token SHOULD expire after 24 h, and a resent one SHOULD then activate the account.",
			Labels: empChoice(NeedsMailbox, NeedsAdmin, Destructive), Emails: []string{"email"},
			Steps: Seq(
				anonymousIn(VarOptInTenant, "anon"),
				empSignUpOptIn("email"),
				MailToken("{email}", "signup_optin", "first").In(VarOptInTenant),
				empAdvance("24h1m"),
				anonymousIn(VarOptInTenant, "anon"),
				empOptIn("first").ExpectError(400, "bad_request"),
				POST("/customer/{optInTenant}/signup/optin/refresh_token").As("anon").JSON(Obj{"email": "{email}"}).Expect(202),
				MailToken("{email}", "signup_optin", "second").In(VarOptInTenant),
				empOptIn("second").Expect(200)),
		},

		// ---- social login ----
		{
			ID: "EMP-SOCIAL-001", Description: "A social login with an authorization code MUST return the customer and social token set of the customer it logs in.",
			Labels: labels(SocialLogin), Fresh: []string{"code"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("redirect_uri", callback).
					Query("code_verifier", "verifier").Header("session-id", "{anonSession}").
					Expect(200, Matches("access_token", `^[A-Za-z0-9]{28}$`).AsChoice(), Present("social_access_token"), Present("social_id_token"),
						Present("refresh_token"), Equals("expires_in", "2591999").AsChoice(), Equals("refresh_token_expires_in", "86399").AsChoice(),
						Equals("scope", "tenant={tenant}").AsChoice()).
					Capture("tok", "access_token").CaptureClaim("number", "saas_token", "sub"),
				me("tok").Expect(200, Equals("id", Var("number")))),
		},
		{
			ID: "EMP-SOCIAL-002", Description: "The same authorization code SHOULD log in the same customer, and different codes different customers.",
			Labels: empChoice(SocialLogin), Fresh: []string{"code", "other"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("redirect_uri", callback).
					Expect(200).Capture("tok", "access_token"),
				me("tok").Expect(200).Capture("id", "id"),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("redirect_uri", callback).
					Expect(200).Capture("again", "access_token"),
				me("again").Expect(200, Equals("id", Var("id"))),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{other}").Query("redirect_uri", callback).
					Expect(200).Capture("tok2", "access_token"),
				me("tok2").Expect(200, NotEquals("id", Var("id")))),
		},
		{
			ID: "EMP-SOCIAL-003", Description: "The Auth0 body form of social login SHOULD answer the customer number of the e-mail, creating the customer once.",
			Labels: empChoice(SocialLogin), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Header("session-id", "{anonSession}").
					JSON(Obj{"email": "{email}", "name": "Ann Example", "provider": "google-oauth2"}).Undocumented(auth0Body).
					Expect(200, Matches("customerNumber", `^[0-9]+$`)).Capture("number", "customerNumber"),
				POST("/customer/{tenant}/socialLogin").As("anon").Header("session-id", "{anonSession}").
					JSON(Obj{"email": "{email}", "name": "Ann Example", "provider": "google-oauth2"}).Undocumented(auth0Body).
					Expect(200, Equals("customerNumber", Var("number")))),
		},
		{
			ID: "EMP-SOCIAL-004", Description: "The body form of social login without a session-id header SHOULD be answered 400.",
			Labels: empChoice(SocialLogin), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").JSON(Obj{"email": "{email}", "provider": "google-oauth2"}).Undocumented(auth0Body).
					ExpectError(400, "bad_request", Matches("message", "session-id"))),
		},
		{
			ID: "EMP-SOCIAL-005", Description: "A social login posted with an empty form-encoded body, as axios sends the official storefront's null body, SHOULD be answered as one without a body.",
			Labels: empChoice(SocialLogin), Fresh: []string{"code"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("anonymous_token", "{anon}").
					Raw("application/x-www-form-urlencoded", "").Undocumented(storefrontCode).
					Expect(200, Present("social_access_token"), Equals("scope", "tenant={tenant}")).Capture("tok", "access_token"),
				me("tok").Expect(200, Present("id"))),
		},

		// ---- bad input ----
		{
			ID: "EMP-INPUT-001", Description: "A sign-up with malformed JSON MUST be answered 400 and create nothing.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				empBadRequest(POST("/customer/{tenant}/signup").As("anon").Raw("application/json", `{"email":"{email}","password":`).Invalid()),
				loginFails("email", password)),
		},
		{
			ID: "EMP-INPUT-002", Description: "A sign-up with a content type other than JSON MUST be answered 4xx and create nothing.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				empRejected(POST("/customer/{tenant}/signup").As("anon").Raw("text/plain", `{"email":"{email}","password":"`+password+`"}`).Invalid(),
					415, "unsupported_media_type"),
				loginFails("email", password)),
		},
		{
			ID: "EMP-INPUT-003", Description: "A sign-up without a required field MUST be answered 400, which SHOULD name the field.",
			Labels: labels(Smoke),
			Steps: Seq(anonymous(),
				empBadRequest(POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"password": password}).Invalid(),
					Includes("details.*.field", "email").AsChoice())),
		},
		{
			ID: "EMP-INPUT-004", Description: "A request body over 1 MiB SHOULD be answered 413 and create nothing.",
			Labels: empChoice(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").Raw("application/json",
					`{"email":"{email}","password":"`+password+`","customerDetails":{"company":"`+strings.Repeat("x", 1<<20)+`"}}`).
					ExpectError(413, "payload_too_large"),
				loginFails("email", password)),
		},
		{
			ID: "EMP-INPUT-005", Description: "An unknown route MUST be answered 404 and a wrong method 405 with the allowed methods.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/nothing-here").As("tok").Invalid().Expect(404, empErrorBody(404, "not_found")...),
				PUT("/customer/{tenant}/me").As("tok").JSON(Obj{}).Invalid().
					Expect(405, append(empErrorBody(405, "method_not_allowed"), HeaderHas("Allow", "PATCH"))...)),
		},
		{
			ID: "EMP-INPUT-006", Description: "An anonymous login naming an invalid tenant SHOULD be answered 400 with the tenant message the vendor documents for its customer paths.",
			Labels: empChoice(),
			Steps: Seq(
				GET("/customerlogin/auth/anonymous/login").Query("tenant", "Not-A-Tenant").Query("client_id", "{clientId}").
					ExpectError(400, "bad_request", Equals("message", badTenant))),
		},
		{
			ID: "EMP-INPUT-007", Description: "A login body with a field of the wrong type MUST be answered 400.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				empBadRequest(POST("/customer/{tenant}/login").As("anon").JSON(Obj{"email": 42, "password": password}).Invalid())),
		},
		{
			ID: "EMP-INPUT-008", Description: "A request with an invalid token and a malformed body SHOULD be answered 401: the token is checked before the body.",
			Labels: empChoice(),
			Steps: Seq(
				refused(POST("/customer/{tenant}/me/addresses").Header("Authorization", "Bearer not-a-token").Raw("application/json", `{"street":`).Invalid())),
		},
		{
			ID: "EMP-INPUT-009", Description: "An anonymous login whose tenant and hybris-tenant name different tenants SHOULD be answered 400 with the documented tenant message.",
			Labels: empChoice(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(
				GET("/customerlogin/auth/anonymous/login").Query("tenant", "{tenant}").Query("hybris-tenant", "{other}").Query("client_id", "{clientId}").
					ExpectError(400, "bad_request", Equals("message", badTenant))),
		},
		{
			ID: "EMP-INPUT-010", Description: "A sign-up whose email is not a bare e-mail address SHOULD be answered 400 naming the field, and create nothing.",
			Labels: empChoice(), Emails: []string{"email"}, Fresh: []string{"word"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{word}", "password": password}).
					ExpectError(400, "bad_request", Includes("details.*.field", "email")),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "Ann Example <{email}>", "password": password}).
					ExpectError(400, "bad_request", Includes("details.*.field", "email")),
				loginFails("email", password)),
		},
		{
			ID: "EMP-INPUT-011", Description: "A sign-up MUST be refused, creating nothing (the e-mails sign up afterwards), when its contactEmail differs from email, when a B2B registration id comes without first name, last name and company, or when signup.password is shorter than 6 characters.",
			Labels: labels(), Emails: []string{"email", "contact", "login"},
			Steps: Seq(anonymous(),
				empRejected(POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerDetails": Obj{"contactEmail": "{contact}"}}), 400, "bad_request"),
				empRejected(POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerDetails": Obj{"firstName": "Ann", "b2b": Obj{"companyRegistrationId": "AT-FN-48213"}}}), 400, "bad_request"),
				empRejected(POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"signup": Obj{"email": "{login}", "password": "Ab1!x"}}).Invalid(), 400, "bad_request"),
				signUp("email", password, "id"),
				signUp("login", password, "loginId")),
		},

		// ---- tenants ----
		{
			ID: "EMP-TENANT-001", Description: "A customer token MUST be refused on another tenant's paths.",
			Labels: labels(MultiTenant), Emails: []string{"email"}, Tenants: []string{"other"},
			Steps: Seq(customer("email"),
				refused(GET("/customer/{other}/me").As("tok")),
				refused(GET("/customer/{other}/me/addresses").As("tok"))),
		},
		{
			ID: "EMP-TENANT-002", Description: "Tenants MUST be separate namespaces: the same e-mail signs up in each as another customer.",
			Labels: labels(MultiTenant), Emails: []string{"email"}, Tenants: []string{"other"},
			Steps: Seq(customer("email"),
				anonymousIn("other", "otherAnon"),
				POST("/customer/{other}/signup").As("otherAnon").JSON(Obj{"email": "{email}", "password": newPassword}).Expect(201).Capture("otherId", "id"),
				POST("/customer/{other}/login").As("otherAnon").JSON(Obj{"email": "{email}", "password": password}).Expect(401, Present("fault.faultstring").AsChoice()),
				POST("/customer/{other}/login").As("otherAnon").JSON(Obj{"email": "{email}", "password": newPassword}).Expect(200).Capture("otherTok", "access_token"),
				GET("/customer/{other}/me").As("otherTok").Expect(200, Equals("id", Var("otherId"))),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-TENANT-003", Description: "A password reset token MUST be refused on another tenant's paths.",
			Labels: labels(MultiTenant, NeedsMailbox), Emails: []string{"email"}, Tenants: []string{"other"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				empResetPassword("email", "reset"),
				anonymousIn("other", "otherAnon"),
				empRejected(POST("/customer/{other}/password/reset/update").As("otherAnon").JSON(Obj{"token": "{reset}", "password": newPassword}),
					400, "bad_request"),
				empSetPassword("reset", newPassword).Expect(204)),
		},
	}
}
