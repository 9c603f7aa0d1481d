package scenarios

import "strings"

// The Emporix customer service (customer-managed) and customerlogin, as
// seeds 002 and 003 document them; docs/emporix.md records the choices the
// scenarios pin where the documents are silent.

const (
	password    = "Secr3t!pass"
	newPassword = "N3w!Secret"
	badTenant   = "The tenant information provided with the request is not valid."
	uuidPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	callback    = "https://shop.doppel.test/callback" // the redirect_uri social logins name
)

// labels are the Emporix label plus capabilities.
func labels(extra ...string) []string { return append([]string{"emporix"}, extra...) }

// anonymousIn starts an anonymous session in a tenant and binds its access
// token to tokenVar and its session id to tokenVar+"Session".
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
		Expect(201, Matches("id", `^[0-9]+$`)).Capture(idVar, "id")
}

// logIn logs a customer in with the "anon" token and binds its access token
// to tokVar and its refresh token to tokVar+"Refresh".
func logIn(emailVar, pw, tokVar string) Step {
	return POST("/customer/{tenant}/login").As("anon").
		JSON(Obj{"email": "{" + emailVar + "}", "password": pw}).
		Expect(200).Capture(tokVar, "access_token").Capture(tokVar+"Refresh", "refresh_token")
}

// loginFails expects a login to be refused.
func loginFails(emailVar, pw string) Step {
	return POST("/customer/{tenant}/login").As("anon").
		JSON(Obj{"email": "{" + emailVar + "}", "password": pw}).Expect(401, Present("fault.faultstring"))
}

// customer is a fresh customer of email: anonymous session ("anon"), sign-up
// ("id") and login ("tok").
func customer(emailVar string) Steps {
	return Steps{anonymous(), signUp(emailVar, password, "id"), logIn(emailVar, password, "tok")}
}

// refused expects a token to be refused as invalid.
func refused(step Step) Step { return step.ExpectFault("oauth.v2.InvalidAccessToken") }

func me(tokVar string) Step { return GET("/customer/{tenant}/me").As(tokVar) }

func address(street string) Obj {
	return Obj{"contactName": "Ann Example", "street": street, "streetNumber": "1", "zipCode": "14467",
		"city": "Potsdam", "country": "DE", "tags": Arr{"SHIPPING"}}
}

// addAddress adds an address for "tok" and binds its id to idVar.
func addAddress(street, idVar string) Step {
	return POST("/customer/{tenant}/me/addresses").As("tok").JSON(address(street)).
		Expect(201, Matches("id", `^\S+$`)).Capture(idVar, "id")
}

func getAddress(idVar string) Step {
	return GET("/customer/{tenant}/me/addresses/{" + idVar + "}").As("tok")
}

// emporix lists the Emporix scenarios.
func emporix() []Scenario {
	return []Scenario{
		// ---- anonymous sessions and customer tokens ----
		{
			ID: "EMP-AUTH-001", Description: "An anonymous login MUST return a Bearer token pair with the documented lifetimes, a session id and the tenant scope.",
			Labels: labels(Smoke),
			Steps: Seq(anonymous().Expect(200,
				Matches("access_token", `^[A-Za-z0-9]{28}$`), Matches("refresh_token", `^[A-Za-z0-9]{32}$`),
				Equals("expires_in", 3599), Equals("refresh_token_expires_in", 86399),
				Matches("sessionId", uuidPattern), Equals("scope", "tenant={tenant}"))),
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
			Labels: labels(),
			Steps: Seq(anonymous(),
				anonymousRefresh().Expect(200),
				anonymousRefresh().Expect(401, Present("fault.faultstring"))),
		},
		{
			ID: "EMP-AUTH-004", Description: "A login MUST return the customer token set in snake_case, in the anonymous session, with a saas_token for the customer number.",
			Labels: labels(Smoke), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				logIn("email", password, "tok").Expect(200,
					Matches("access_token", `^[A-Za-z0-9]{28}$`), Matches("refresh_token", `^[A-Za-z0-9]{32}$`),
					Equals("token_type", "Bearer"), Equals("expires_in", 2591999), Equals("refresh_token_expires_in", 86399),
					Equals("session_id", Var("anonSession")), Equals("initialPassword", false),
					Claim("saas_token", "sub", Var("id"))),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-AUTH-005", Description: "A second sign-up with the same e-mail in any letter case MUST be answered 409.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email:upper}", "password": "other"}).
					ExpectError(409, "conflict_resource")),
		},
		{
			ID: "EMP-AUTH-006", Description: "A login with a wrong password or an unknown e-mail MUST be answered 401.",
			Labels: labels(), Emails: []string{"email", "unknown"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				loginFails("email", "wrong"+password), loginFails("unknown", password)),
		},
		{
			ID: "EMP-AUTH-007", Description: "A login without an access token MUST be answered 401.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				refused(POST("/customer/{tenant}/login").JSON(Obj{"email": "{email}", "password": password}))),
		},
		{
			ID: "EMP-AUTH-008", Description: "Validating a customer token MUST return its session, e-mail, remaining lifetime and scopes ending with the tenant.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/validateauthtoken").As("tok").Expect(200,
					Equals("token_type", "Bearer"), Equals("sessionId", Var("anonSession")), Equals("email", "{email}"),
					InRange("expires_in", 1, 2591999), Matches("scope", `(^| )tenant={tenant}$`)),
				refused(GET("/customer/{tenant}/validateauthtoken").Header("Authorization", "Bearer invalid"))),
		},
		{
			ID: "EMP-AUTH-009", Description: "After a logout the access token and its refresh token MUST be refused.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/logout").As("tok").Query("accessToken", "{tok}").Expect(204, NoBody()),
				refused(me("tok")),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tokRefresh}").Expect(401, Present("fault.faultstring"))),
		},
		{
			ID: "EMP-AUTH-010", Description: "Refreshing a customer token MUST return a new usable token set in the same session.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				GET("/customer/{tenant}/refreshauthtoken").As("anon").Query("refreshToken", "{tokRefresh}").Expect(200,
					NotEquals("access_token", Var("tok")), Equals("session_id", Var("anonSession")),
					Equals("token_type", "Bearer"), Claim("saas_token", "sub", Var("id"))).
					Capture("tok2", "access_token"),
				me("tok2").Expect(200, Equals("id", Var("id")))),
		},

		{
			ID: "EMP-AUTH-011", Description: "A login SHOULD also return the deprecated camelCase twins of its tokens and lifetimes (announced for removal on 2025-11-13), which the official storefront still reads.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				logIn("email", password, "tok").Capture("saas", "saas_token").Expect(200,
					Equals("accessToken", Var("tok")), Equals("refreshToken", Var("tokRefresh")), Equals("saasToken", Var("saas")),
					Equals("expiresIn", 2591999), Equals("refreshTokenExpiresIn", 86399))),
		},
		{
			ID: "EMP-AUTH-012", Description: "An anonymous login naming its tenant in hybris-tenant instead of tenant, as the official storefront's first call does, MUST return a token pair for that tenant.",
			Labels: labels(),
			Steps: Seq(
				GET("/customerlogin/auth/anonymous/login").Query("client_id", "{clientId}").Query("hybris-tenant", "{tenant}").
					Expect(200, Equals("scope", "tenant={tenant}"), Matches("sessionId", uuidPattern)).Capture("anon", "access_token"),
				me("anon").Expect(200, Equals("firstName", "Anonymous"))),
		},
		{
			ID: "EMP-AUTH-013", Description: "An anonymous login with hybris-session-id SHOULD continue that session: its token pair carries that sessionId, and so does a customer login made with it.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				GET("/customerlogin/auth/anonymous/login").Query("client_id", "{clientId}").Query("hybris-tenant", "{tenant}").
					Query("hybris-session-id", "{anonSession}").
					Expect(200, Equals("sessionId", Var("anonSession")), NotEquals("access_token", Var("anon"))).Capture("resumed", "access_token"),
				POST("/customer/{tenant}/login").As("resumed").JSON(Obj{"email": "{email}", "password": password}).
					Expect(200, Equals("session_id", Var("anonSession")))),
		},
		{
			ID: "EMP-AUTH-014", Description: "A refresh with only the deprecated anonymous_token, the session's anonymous access token, MUST return a new usable access token in the same session.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				GET("/customerlogin/auth/anonymous/refresh").Query("tenant", "{tenant}").Query("anonymous_token", "{anon}").Query("client_id", "{clientId}").
					Expect(200, Equals("sessionId", Var("anonSession")), NotEquals("access_token", Var("anon")), Equals("expires_in", 3599),
						Equals("token_type", "Bearer"), Equals("scope", "tenant={tenant}")).
					Capture("anon2", "access_token"),
				me("anon2").Expect(200, Equals("firstName", "Anonymous")),
				GET("/customerlogin/auth/anonymous/refresh").Query("tenant", "{tenant}").Query("anonymous_token", "not-a-token").Query("client_id", "{clientId}").
					Expect(401, Present("fault.faultstring"))),
		},
		{
			ID: "EMP-AUTH-015", Description: "A token exchange MUST trade an identity provider's access token for a usable customer token set of that identity's customer, in the calling anonymous session.",
			Labels: labels(SocialLogin), Fresh: []string{"code"},
			Steps: Seq(anonymous(), socialCustomer("code"),
				anonymousIn(VarTenant, "next"),
				POST("/customer/{tenant}/exchangeauthtoken").As("next").Query("subjectAccessToken", "{subject}").
					Expect(200, Equals("subject_access_token", Var("subject")), Matches("access_token", `^\S+$`), Present("refresh_token"),
						Equals("token_type", "Bearer"), Equals("session_id", Var("nextSession")), Claim("saas_token", "sub", Var("id")),
						Matches("scope", `(^| )tenant={tenant}$`)).
					Capture("tok", "access_token").Capture("tokRefresh", "refresh_token"),
				me("tok").Expect(200, Equals("id", Var("id"))),
				GET("/customer/{tenant}/refreshauthtoken").As("next").Query("refreshToken", "{tokRefresh}").
					Expect(200, Equals("session_id", Var("nextSession")))),
		},
		{
			ID: "EMP-AUTH-016", Description: "A token exchange naming a configuration that does not exist MUST be answered 400.",
			Labels: labels(SocialLogin), Fresh: []string{"code", "config"},
			Steps: Seq(anonymous(), socialCustomer("code"),
				POST("/customer/{tenant}/exchangeauthtoken").As("anon").Query("subjectAccessToken", "{subject}").Query("config", "{config}").
					ExpectError(400, "bad_request")),
		},
		{
			ID: "EMP-AUTH-017", Description: "A token exchange whose subject token is not a JWT SHOULD be answered 401, and without an access token MUST be answered 401.",
			Labels: labels(), Fresh: []string{"word"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/exchangeauthtoken").As("anon").Query("subjectAccessToken", "{word}").Expect(401, Present("fault.faultstring")),
				refused(POST("/customer/{tenant}/exchangeauthtoken").Query("subjectAccessToken", "{word}"))),
		},

		// ---- the profile ----
		{
			ID: "EMP-PROF-001", Description: "GET /me MUST return the signed-up customer with its number, login account, contact e-mail and details.",
			Labels: labels(Smoke), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerDetails": Obj{"firstName": "Ann", "lastName": "Example", "contactPhone": "+4933112345"}}).
					Expect(201).Capture("id", "id"),
				logIn("email", password, "tok"),
				me("tok").Expect(200, Equals("id", Var("id")), Equals("customerNumber", Var("id")),
					Includes("accounts.*.id", "{email}"), Equals("contactEmail", "{email}"), Equals("firstName", "Ann"),
					Equals("lastName", "Example"), Equals("contactPhone", "+4933112345"), Present("metadata.version"),
					Absent("addresses"))),
		},
		{
			ID: "EMP-PROF-002", Description: "GET /me with an anonymous token MUST return the Anonymous customer.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				me("anon").Expect(200, Equals("firstName", "Anonymous"), Equals("lastName", "Anonymous"),
					Equals("customerNumber", "00000000"), Equals("id", "00000000"), Len("accounts", 0))),
		},
		{
			ID: "EMP-PROF-003", Description: "A PATCH of /me with the current metadata.version MUST apply and a second PATCH with the same, now stale, version MUST be answered 409 without change.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				me("tok").Expect(200).Capture("version", "metadata.version"),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"firstName": "First", "metadata": Obj{"version": Var("version")}}).Expect(200),
				PATCH("/customer/{tenant}/me").As("tok").JSON(Obj{"firstName": "Second", "metadata": Obj{"version": Var("version")}}).
					ExpectError(409, "conflict_resource"),
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
			ID: "EMP-PROF-005", Description: "GET /me?expand=addresses MUST include the addresses, the sign-up address being the default.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password,
					"customerAddress": address("Lindenallee")}).Expect(201),
				logIn("email", password, "tok"),
				me("tok").Query("expand", "addresses").Expect(200, Len("addresses", 1),
					Equals("addresses.0.street", "Lindenallee"), Equals("addresses.0.isDefault", true), Present("addresses.0.id"))),
		},
		{
			ID: "EMP-PROF-006", Description: "Deleting /me MUST mail a confirmation token, and confirming with it MUST delete the customer, refusing its tokens and login afterwards.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				DELETE("/customer/{tenant}/me").As("tok").Expect(202),
				MailToken("{email}", "account_deletion", "confirm"),
				me("tok").Expect(200),
				DELETE("/customer/{tenant}/me").As("tok").Query("token", "{confirm}").Expect(204, NoBody()),
				refused(me("tok")),
				loginFails("email", password)),
		},
		{
			ID: "EMP-PROF-007", Description: "Deleting /me with a wrong confirmation token MUST be answered 400 and delete nothing.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				DELETE("/customer/{tenant}/me").As("tok").Query("token", "not-a-token").ExpectError(400, "bad_request"),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-PROF-008", Description: "Assigning a second login account MUST answer 201 with the customer number, the new login MUST work, and a taken e-mail MUST be answered 409.",
			Labels: labels(), Emails: []string{"email", "second"},
			Steps: Seq(customer("email"),
				POST("/customer/{tenant}/me/accounts/internal").As("tok").JSON(Obj{"email": "{second}", "password": newPassword}).
					Expect(201, Equals("id", Var("id"))),
				logIn("second", newPassword, "tok2"),
				me("tok2").Expect(200, Equals("id", Var("id")), Includes("accounts.*.id", "{email}"), Includes("accounts.*.id", "{second}")),
				POST("/customer/{tenant}/me/accounts/internal").As("tok").JSON(Obj{"email": "{second}", "password": newPassword}).
					ExpectError(409, "conflict_resource")),
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

		// ---- addresses ----
		{
			ID: "EMP-ADDR-001", Description: "An added address MUST be listed and readable by id, the first one as the default.",
			Labels: labels(Smoke), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindenallee", "a1"),
				GET("/customer/{tenant}/me/addresses").As("tok").Expect(200, Len("", 1), Equals("0.id", Var("a1")),
					Equals("0.street", "Lindenallee"), Equals("0.isDefault", true), Includes("0.tags", "SHIPPING")),
				getAddress("a1").Expect(200, Equals("id", Var("a1")), Equals("city", "Potsdam"), Equals("isDefault", true))),
		},
		{
			ID: "EMP-ADDR-002", Description: "Making another address the default MUST clear the previous default.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"), addAddress("Second Street", "a2"),
				getAddress("a2").Expect(200, Equals("isDefault", false)),
				PATCH("/customer/{tenant}/me/addresses/{a2}").As("tok").JSON(Obj{"isDefault": true}).Expect(200),
				getAddress("a2").Expect(200, Equals("isDefault", true)),
				getAddress("a1").Expect(200, Equals("isDefault", false))),
		},
		{
			ID: "EMP-ADDR-003", Description: "A PATCH of an address MUST change the fields it names and keep the others.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindenallee", "a1"),
				PATCH("/customer/{tenant}/me/addresses/{a1}").As("tok").JSON(Obj{"streetNumber": "2", "streetAppendix": "Hinterhaus"}).Expect(200),
				getAddress("a1").Expect(200, Equals("streetNumber", "2"), Equals("streetAppendix", "Hinterhaus"), Equals("street", "Lindenallee"))),
		},
		{
			ID: "EMP-ADDR-004", Description: "Tags MUST be added and removed through ?tags= lists.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindenallee", "a1"),
				POST("/customer/{tenant}/me/addresses/{a1}/tags").As("tok").Query("tags", "BILLING,HQ").Expect(204, NoBody()),
				getAddress("a1").Expect(200, Includes("tags", "BILLING"), Includes("tags", "HQ"), Includes("tags", "SHIPPING")),
				DELETE("/customer/{tenant}/me/addresses/{a1}/tags").As("tok").Query("tags", "SHIPPING,HQ").Expect(204, NoBody()),
				getAddress("a1").Expect(200, Equals("tags", Arr{"BILLING"}))),
		},
		{
			ID: "EMP-ADDR-005", Description: "A deleted address MUST be answered 404 afterwards.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("Lindenallee", "a1"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").Expect(204, NoBody()),
				getAddress("a1").ExpectError(404, "resource_not_found"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").ExpectError(404, "resource_not_found"),
				GET("/customer/{tenant}/me/addresses").As("tok").Expect(200, Len("", 0))),
		},
		{
			ID: "EMP-ADDR-006", Description: "Another customer's address MUST be answered 404 and stay unchanged.",
			Labels: labels(), Emails: []string{"email", "other"},
			Steps: Seq(customer("email"), addAddress("Lindenallee", "a1"),
				logIn("email", password, "owner"),
				signUp("other", password, "otherId"), logIn("other", password, "tok"),
				getAddress("a1").ExpectError(404, "resource_not_found"),
				PATCH("/customer/{tenant}/me/addresses/{a1}").As("tok").JSON(Obj{"street": "Stolen"}).ExpectError(404, "resource_not_found"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").ExpectError(404, "resource_not_found"),
				GET("/customer/{tenant}/me/addresses/{a1}").As("owner").Expect(200, Equals("street", "Lindenallee"))),
		},
		{
			ID: "EMP-ADDR-007", Description: "Deleting the default address SHOULD make the oldest remaining address the default.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"), addAddress("Second Street", "a2"), addAddress("Third Street", "a3"),
				DELETE("/customer/{tenant}/me/addresses/{a1}").As("tok").Expect(204),
				getAddress("a2").Expect(200, Equals("isDefault", true)),
				getAddress("a3").Expect(200, Equals("isDefault", false))),
		},

		{
			ID: "EMP-ADDR-008", Description: "A PUT of an address with the whole address, as the official storefront sends its edits, SHOULD be applied as the documented PATCH is.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"), addAddress("First Street", "a1"), addAddress("Second Street", "a2"),
				PUT("/customer/{tenant}/me/addresses/{a2}").As("tok").JSON(Obj{"id": "{a2}", "contactName": "Ann Example",
					"street": "Second Street", "streetNumber": "7", "zipCode": "10115", "city": "Potsdam", "country": "DE",
					"isDefault": true, "tags": Arr{"BILLING"}}).Expect(200),
				getAddress("a2").Expect(200, Equals("streetNumber", "7"), Equals("zipCode", "10115"), Equals("isDefault", true),
					Equals("tags", Arr{"BILLING"})),
				getAddress("a1").Expect(200, Equals("isDefault", false)),
				PUT("/customer/{tenant}/me/addresses/nothing-here").As("tok").JSON(Obj{"street": "Nowhere"}).
					ExpectError(404, "resource_not_found")),
		},

		// ---- credentials ----
		{
			ID: "EMP-CRED-001", Description: "A password reset MUST mail a token that sets a new password, after which only the new password MUST log in.",
			Labels: labels(NeedsMailbox, Smoke), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{email}", "site": "main"}).Expect(204, NoBody()),
				MailToken("{email}", "password_reset", "reset"),
				POST("/customer/{tenant}/password/reset/update").As("anon").JSON(Obj{"token": "{reset}", "password": newPassword}).Expect(204, NoBody()),
				logIn("email", newPassword, "tok"),
				loginFails("email", password)),
		},
		{
			ID: "EMP-CRED-002", Description: "A password reset token MUST work only once.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{email}"}).Expect(204),
				MailToken("{email}", "password_reset", "reset"),
				POST("/customer/{tenant}/password/reset/update").As("anon").JSON(Obj{"token": "{reset}", "password": newPassword}).Expect(204),
				POST("/customer/{tenant}/password/reset/update").As("anon").JSON(Obj{"token": "{reset}", "password": "Thi3d!one"}).
					ExpectError(400, "bad_request"),
				logIn("email", newPassword, "tok")),
		},
		{
			ID: "EMP-CRED-003", Description: "A password reset for an unknown e-mail SHOULD be answered 204 and send no mail.",
			Labels: labels(NeedsMailbox), Emails: []string{"unknown"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{unknown}"}).Expect(204),
				NoMail("{unknown}", "password_reset")),
		},
		{
			ID: "EMP-CRED-004", Description: "A password change MUST require the current password, and afterwards only the new password MUST log in.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(customer("email"),
				POST("/customer/{tenant}/password/change").As("tok").JSON(Obj{"currentPassword": "wrong", "newPassword": newPassword}).
					ExpectError(400, "bad_request"),
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
				POST("/customer/{tenant}/me/accounts/internal/email/change/confirm").As("anon").JSON(Obj{"token": "{change}"}).Expect(204, NoBody()),
				logIn("newEmail", password, "tok2"),
				loginFails("email", password),
				me("tok2").Expect(200, Includes("accounts.*.id", "{newEmail}"), Excludes("accounts.*.id", "{email}"), Equals("contactEmail", "{newEmail}"))),
		},
		{
			ID: "EMP-CRED-006", Description: "An e-mail change token MUST work only once, and an e-mail change with a wrong password MUST be answered 400.",
			Labels: labels(NeedsMailbox), Emails: []string{"email", "newEmail"},
			Steps: Seq(customer("email"),
				POST("/customer/{tenant}/me/accounts/internal/email/change").As("tok").
					JSON(Obj{"email": "{email}", "password": "wrong", "newEmail": "{newEmail}"}).ExpectError(400, "bad_request"),
				NoMail("{newEmail}", "email_change"),
				POST("/customer/{tenant}/me/accounts/internal/email/change").As("tok").
					JSON(Obj{"email": "{email}", "password": password, "newEmail": "{newEmail}"}).Expect(204),
				MailToken("{newEmail}", "email_change", "change"),
				POST("/customer/{tenant}/me/accounts/internal/email/change/confirm").As("anon").JSON(Obj{"token": "{change}"}).Expect(204),
				POST("/customer/{tenant}/me/accounts/internal/email/change/confirm").As("anon").JSON(Obj{"token": "{change}"}).
					ExpectError(400, "bad_request"),
				me("tok").Expect(200, Equals("contactEmail", "{email}"))),
		},

		{
			ID: "EMP-CRED-007", Description: "A password reset posted to the path with a trailing slash, as the official storefront posts it, MUST be answered as the documented path is.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/password/reset/").As("anon").JSON(Obj{"email": "{email}"}).Expect(204, NoBody()),
				MailToken("{email}", "password_reset", "reset"),
				POST("/customer/{tenant}/password/reset/update").As("anon").JSON(Obj{"token": "{reset}", "password": newPassword}).Expect(204),
				logIn("email", newPassword, "tok")),
		},

		// ---- double opt-in ----
		{
			ID: "EMP-OPTIN-001", Description: "With double opt-in on, a new customer MUST NOT log in until the mailed opt-in token activates and logs it in, once.",
			Labels: labels(NeedsMailbox, NeedsAdmin, MultiTenant), Emails: []string{"email"}, Tenants: []string{"optTenant"},
			Steps: Seq(
				Admin("PATCH", "/__doppel/tenants/emporix/{optTenant}").JSON(Obj{"doubleOptIn": true}).Expect(200),
				anonymousIn("optTenant", "anon"),
				POST("/customer/{optTenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password}).Expect(201).Capture("id", "id"),
				POST("/customer/{optTenant}/login").As("anon").JSON(Obj{"email": "{email}", "password": password}).Expect(401, Present("fault.faultstring")),
				MailToken("{email}", "signup_optin", "optin").In("optTenant"),
				GET("/customer/{optTenant}/signup/optin/{optin}").As("anon").Expect(200, Equals("session_id", Var("anonSession")),
					Claim("saas_token", "sub", Var("id"))).Capture("tok", "access_token"),
				GET("/customer/{optTenant}/me").As("tok").Expect(200, Equals("id", Var("id"))),
				POST("/customer/{optTenant}/login").As("anon").JSON(Obj{"email": "{email}", "password": password}).Expect(200),
				GET("/customer/{optTenant}/signup/optin/{optin}").As("anon").ExpectError(400, "bad_request")),
		},
		{
			ID: "EMP-OPTIN-002", Description: "Resending the opt-in link MUST answer 202 and mail a new token that replaces the old one.",
			Labels: labels(NeedsMailbox, NeedsAdmin, MultiTenant), Emails: []string{"email"}, Tenants: []string{"optTenant"},
			Steps: Seq(
				Admin("PATCH", "/__doppel/tenants/emporix/{optTenant}").JSON(Obj{"doubleOptIn": true}).Expect(200),
				anonymousIn("optTenant", "anon"),
				POST("/customer/{optTenant}/signup").As("anon").JSON(Obj{"email": "{email}", "password": password}).Expect(201),
				MailToken("{email}", "signup_optin", "first").In("optTenant"),
				POST("/customer/{optTenant}/signup/optin/refresh_token").As("anon").JSON(Obj{"email": "{email}"}).Expect(202),
				MailCount("{email}", "signup_optin", 2).In("optTenant"),
				MailToken("{email}", "signup_optin", "second").In("optTenant"),
				GET("/customer/{optTenant}/signup/optin/{first}").As("anon").ExpectError(400, "bad_request"),
				GET("/customer/{optTenant}/signup/optin/{second}").As("anon").Expect(200)),
		},
		{
			ID: "EMP-OPTIN-003", Description: "With double opt-in off, a new customer MUST log in at once and receive no opt-in mail.",
			Labels: labels(NeedsMailbox), Emails: []string{"email"},
			Steps: Seq(customer("email"), NoMail("{email}", "signup_optin")),
		},

		// ---- social login ----
		{
			ID: "EMP-SOCIAL-001", Description: "A social login with an authorization code MUST return the customer and social token set, and the same code MUST log in the same customer.",
			Labels: labels(SocialLogin), Fresh: []string{"code"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("redirect_uri", callback).
					Query("code_verifier", "verifier").Header("session-id", "{anonSession}").
					Expect(200, Matches("access_token", `^[A-Za-z0-9]{28}$`), Present("social_access_token"), Present("social_id_token"),
						Equals("expires_in", "2591999"), Equals("refresh_token_expires_in", "86399"), Equals("scope", "tenant={tenant}")).
					Capture("tok", "access_token"),
				me("tok").Expect(200).Capture("id", "id"),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("redirect_uri", callback).
					Expect(200).Capture("tok2", "access_token"),
				me("tok2").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-SOCIAL-002", Description: "Social logins with different codes MUST log in different customers.",
			Labels: labels(SocialLogin), Fresh: []string{"code", "other"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("redirect_uri", callback).
					Expect(200).Capture("tok", "access_token"),
				me("tok").Expect(200).Capture("id", "id"),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{other}").Query("redirect_uri", callback).
					Expect(200).Capture("tok2", "access_token"),
				me("tok2").Expect(200, NotEquals("id", Var("id")))),
		},
		{
			ID: "EMP-SOCIAL-003", Description: "The Auth0 body form of social login MUST answer the customer number of the e-mail, creating the customer once.",
			Labels: labels(SocialLogin), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Header("session-id", "{anonSession}").
					JSON(Obj{"email": "{email}", "name": "Ann Example", "provider": "google-oauth2"}).
					Expect(200, Matches("customerNumber", `^[0-9]+$`)).Capture("number", "customerNumber"),
				POST("/customer/{tenant}/socialLogin").As("anon").Header("session-id", "{anonSession}").
					JSON(Obj{"email": "{email}", "name": "Ann Example", "provider": "google-oauth2"}).
					Expect(200, Equals("customerNumber", Var("number")))),
		},
		{
			ID: "EMP-SOCIAL-004", Description: "The body form of social login without a session-id header MUST be answered 400.",
			Labels: labels(SocialLogin), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").JSON(Obj{"email": "{email}", "provider": "google-oauth2"}).
					ExpectError(400, "bad_request")),
		},

		{
			ID: "EMP-SOCIAL-005", Description: "A social login posted with an empty form-encoded body, as axios sends the official storefront's null body, MUST be answered as one without a body.",
			Labels: labels(SocialLogin), Fresh: []string{"code"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/socialLogin").As("anon").Query("code", "{code}").Query("anonymous_token", "{anon}").
					Raw("application/x-www-form-urlencoded", "").
					Expect(200, Present("social_access_token"), Equals("scope", "tenant={tenant}")).Capture("tok", "access_token"),
				me("tok").Expect(200, Present("id"))),
		},

		// ---- bad input ----
		{
			ID: "EMP-INPUT-001", Description: "A sign-up with malformed JSON MUST be answered 400 and create nothing.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").Raw("application/json", `{"email":"{email}","password":`).ExpectError(400, "bad_request"),
				loginFails("email", password)),
		},
		{
			ID: "EMP-INPUT-002", Description: "A sign-up with a content type other than JSON MUST be answered 4xx and create nothing.",
			Labels: labels(), Emails: []string{"email"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").Raw("text/plain", `{"email":"{email}","password":"`+password+`"}`).
					ExpectError(415, "unsupported_media_type"),
				loginFails("email", password)),
		},
		{
			ID: "EMP-INPUT-003", Description: "A sign-up without a required field MUST be answered 400 naming the field.",
			Labels: labels(Smoke),
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"password": password}).ExpectError(400, "bad_request", Includes("details.*.field", "email"))),
		},
		{
			ID: "EMP-INPUT-004", Description: "A request body over 1 MiB MUST be answered 413 and create nothing.",
			Labels: labels(), Emails: []string{"email"},
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
				GET("/customer/{tenant}/nothing-here").As("tok").ExpectError(404, "not_found"),
				PUT("/customer/{tenant}/me").As("tok").JSON(Obj{}).ExpectError(405, "method_not_allowed", HeaderHas("Allow", "PATCH"))),
		},
		{
			ID: "EMP-INPUT-006", Description: "An invalid tenant MUST be answered 400 with the documented tenant message.",
			Labels: labels(),
			Steps: Seq(
				GET("/customerlogin/auth/anonymous/login").Query("tenant", "Not-A-Tenant").Query("client_id", "{clientId}").
					ExpectError(400, "bad_request", Equals("message", badTenant))),
		},
		{
			ID: "EMP-INPUT-007", Description: "A login body with a field of the wrong type MUST be answered 400.",
			Labels: labels(),
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/login").As("anon").JSON(Obj{"email": 42, "password": password}).ExpectError(400, "bad_request")),
		},
		{
			ID: "EMP-INPUT-008", Description: "An invalid token MUST be answered 401 before the body is looked at.",
			Labels: labels(),
			Steps: Seq(
				refused(POST("/customer/{tenant}/me/addresses").Header("Authorization", "Bearer not-a-token").Raw("application/json", `{"street":`)),
				refused(GET("/customer/{tenant}/me"))),
		},

		{
			ID: "EMP-INPUT-009", Description: "An anonymous login whose tenant and hybris-tenant name different tenants SHOULD be answered 400 with the documented tenant message.",
			Labels: labels(MultiTenant), Tenants: []string{"other"},
			Steps: Seq(
				GET("/customerlogin/auth/anonymous/login").Query("tenant", "{tenant}").Query("hybris-tenant", "{other}").Query("client_id", "{clientId}").
					ExpectError(400, "bad_request", Equals("message", badTenant))),
		},
		{
			ID: "EMP-INPUT-010", Description: "A sign-up whose email is not a bare e-mail address SHOULD be answered 400 naming the field, and create nothing.",
			Labels: labels(), Emails: []string{"email"}, Fresh: []string{"word"},
			Steps: Seq(anonymous(),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "{word}", "password": password}).
					ExpectError(400, "bad_request", Includes("details.*.field", "email")),
				POST("/customer/{tenant}/signup").As("anon").JSON(Obj{"email": "Ann Example <{email}>", "password": password}).
					ExpectError(400, "bad_request", Includes("details.*.field", "email")),
				loginFails("email", password)),
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
				POST("/customer/{other}/login").As("otherAnon").JSON(Obj{"email": "{email}", "password": password}).Expect(401, Present("fault.faultstring")),
				POST("/customer/{other}/login").As("otherAnon").JSON(Obj{"email": "{email}", "password": newPassword}).Expect(200).Capture("otherTok", "access_token"),
				GET("/customer/{other}/me").As("otherTok").Expect(200, Equals("id", Var("otherId"))),
				me("tok").Expect(200, Equals("id", Var("id")))),
		},
		{
			ID: "EMP-TENANT-003", Description: "A password reset token MUST be refused on another tenant's paths.",
			Labels: labels(MultiTenant, NeedsMailbox), Emails: []string{"email"}, Tenants: []string{"other"},
			Steps: Seq(anonymous(), signUp("email", password, "id"),
				POST("/customer/{tenant}/password/reset").As("anon").JSON(Obj{"email": "{email}"}).Expect(204),
				MailToken("{email}", "password_reset", "reset"),
				anonymousIn("other", "otherAnon"),
				POST("/customer/{other}/password/reset/update").As("otherAnon").JSON(Obj{"token": "{reset}", "password": newPassword}).
					ExpectError(400, "bad_request"),
				POST("/customer/{tenant}/password/reset/update").As("anon").JSON(Obj{"token": "{reset}", "password": newPassword}).Expect(204)),
		},
	}
}
