package scenarios_test

import (
	"encoding/base64"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	. "github.com/doppel-dev/doppel/scenarios"
)

func TestEveryScenarioIsWellFormed(t *testing.T) {
	require.NoError(t, CheckAll(All()))
}

// TestValidateCatchesMistakes makes sure the static checks can fail.
func TestValidateCatchesMistakes(t *testing.T) {
	tests := []struct {
		name string
		s    Scenario
		want string
	}{
		{"bad ID", Scenario{ID: "EMP-NOPE-1", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{GET("/x").Expect(200)}}, "ID"},
		{"no keyword", Scenario{ID: "EMP-AUTH-001", Description: "X holds.", Labels: []string{"emporix"}, Steps: []Step{GET("/x").Expect(200)}}, "RFC 2119"},
		{"no API", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Steps: []Step{GET("/x").Expect(200)}}, "exactly one API"},
		{"unknown label", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix", "nope"}, Steps: []Step{GET("/x").Expect(200)}}, "unknown label"},
		{"unbound variable", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{GET("/{id}").Expect(200)}}, `"id" before it is bound`},
		{"mail without label", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{MailToken("a@b.c", "k", "t")}}, "mailbox"},
		{"admin without label", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{Admin("POST", "/__doppel/reset").Expect(204)}}, "admin"},
		{"no status", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{GET("/x")}}, "status"},
		{"seed without provisioning", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix", "admin"}, Steps: []Step{Admin("POST", SeedPath).Expect(204)}}, "provisioning"},
		{"tenant without label", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Tenants: []string{"b"}, Steps: []Step{GET("/x").Expect(200)}}, "multi-tenant"},
		{"unbound form field", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{POST("/x").Form(map[string]string{"a": "{pw}"}).Expect(200)}}, `form field a uses variable "pw"`},
		{"unbound key", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{POST("/x").JSON(Obj{"{store}": 1}).Expect(200)}}, `"store" before it is bound`},
		{"a doppel choice that says MUST", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix", DoppelChoice}, Steps: []Step{GET("/x").Expect(200)}}, "must say SHOULD"},
		{"a vendor range without the status", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{GET("/x").Expect(415).ChoiceWithin(500, 599)}}, "range [500, 599] must hold the expected status 415"},
		{"a provided customer over a bound variable", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Emails: []string{"email"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw"})}}, `variable "email" is bound already`},
		{"a step beyond the vendor's docs in a scenario of the vendor's", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{GET("/x").Undocumented("a real client sends it").Expect(200)}}, `goes beyond the vendor's documentation (a real client sends it): the scenario pins doppel's choice and needs the "doppel-choice" label`},
		{"a secret of an active customer", Scenario{ID: "ACC-AUTH-001", Description: "X MUST hold.", Labels: []string{"accounts"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw", Secret: "s"})}}, "only a pending customer has an activation secret"},
		{"a disposable pending customer", Scenario{ID: "ACC-AUTH-001", Description: "X MUST hold.", Labels: []string{"accounts"}, Steps: []Step{Provide(Customer{Email: "email", Pending: true, Disposable: true})}}, "used up by its activation"},
		{"a provided customer with a check", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw"}).And(Present("x"))}}, "has no status, checks or captures"},
		{"the same e-mail before any", Scenario{ID: "OL-AUTH-901", Description: "X MUST hold.", Labels: []string{"openloyalty"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw", SameEmail: true})}}, `needs "email" bound before`},
		{"the same e-mail in the same tenant", Scenario{ID: "OL-AUTH-901", Description: "X MUST hold.", Labels: []string{"openloyalty"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw"}), Provide(Customer{Email: "email", Password: "pw2", SameEmail: true})}}, "only in another tenant"},
		{"a provided user of an unknown kind", Scenario{ID: "OL-AUTH-901", Description: "X MUST hold.", Labels: []string{"openloyalty"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw", Kind: "admin"})}}, `kind is "seller" or none, not "admin"`},
		{"a provided customer of an unbound tenant", Scenario{ID: "OL-AUTH-901", Description: "X MUST hold.", Labels: []string{"openloyalty"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw", Tenant: "{other}"})}}, `tenant uses variable "other" before it is bound`},
		{"a provided phone over a bound variable", Scenario{ID: "OL-AUTH-901", Description: "X MUST hold.", Labels: []string{"openloyalty"}, Fresh: []string{"phone"}, Steps: []Step{Provide(Customer{Email: "email", Password: "pw", Phone: "phone"})}}, `variable "phone" is bound already`},
		{"a cleanup using a later cleanup's capture", Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"}, Steps: []Step{GET("/x").Expect(200).Cleanup(GET("/{t}").Expect(200), GET("/y").Expect(200).Capture("t", "a"))}}, `"t" before it is bound`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestMarksLeaveTheStepAlone: Invalid, AsChoice and ChoiceWithin mark a copy.
func TestMarksLeaveTheStepAlone(t *testing.T) {
	s := POST("/x").Expect(415)
	assert.True(t, s.Invalid().Request.Invalid)
	assert.False(t, s.Request.Invalid)
	assert.Equal(t, "why", s.Undocumented("why").Request.Undocumented)
	assert.Empty(t, s.Request.Undocumented)
	assert.Equal(t, [2]int{400, 499}, s.ChoiceWithin(400, 499).VendorStatus)
	c := Equals("a", 1)
	assert.True(t, c.AsChoice().Choice)
	assert.False(t, c.Choice)
	p := Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix"},
		Steps: []Step{Provide(Customer{Email: "email", Password: "pw", ID: "id"}), GET("/{id}").Query("e", "{email}").Query("p", "{pw}").Expect(200)}}
	require.NoError(t, p.Validate(), "a provided customer binds its variables")
	again := Scenario{ID: "OL-AUTH-901", Description: "X MUST hold.", Labels: []string{"openloyalty", MultiTenant}, Tenants: []string{"other"},
		Steps: []Step{Provide(Customer{Email: "email", Password: "pw", Phone: "phone"}), Provide(Customer{Email: "email", Password: "pw2", Tenant: "{other}", SameEmail: true}),
			GET("/{phone}").Expect(200).Cleanup(GET("/y").Expect(200).Capture("t", "a"), GET("/{t}").Expect(200))}}
	require.NoError(t, again.Validate(), "the same e-mail in another tenant; a cleanup uses an earlier cleanup's capture")
}

// TestUses finds a variable wherever a step or a cleanup refers to it.
func TestUses(t *testing.T) {
	for _, tt := range []struct {
		name string
		step Step
	}{
		{"path", GET("/c/{v}").Expect(200)},
		{"query", GET("/c").Query("q", "x{v}").Expect(200)},
		{"body key", POST("/c").JSON(Obj{"{v}": 1}).Expect(200)},
		{"token", GET("/c").As("v").Expect(200)},
		{"mail tenant", MailCount("a@b.c", "k", 0).In("v")},
		{"check", GET("/c").Expect(200, Equals("a", Var("v")))},
		{"cleanup", GET("/c").Expect(200).Cleanup(GET("/{v}").Expect(200))},
	} {
		assert.True(t, Scenario{Steps: []Step{tt.step}}.Uses("v"), tt.name)
		assert.False(t, Scenario{Steps: []Step{tt.step}}.Uses("w"), tt.name)
	}
}

func TestProvisioningNeedsNoAdminLabel(t *testing.T) {
	s := Scenario{ID: "EMP-AUTH-001", Description: "X MUST hold.", Labels: []string{"emporix", Provisioning},
		Steps: []Step{Admin("POST", SeedPath).Expect(204)}}
	require.NoError(t, s.Validate())
	s.Steps = []Step{Admin("POST", "/__doppel/reset").Expect(204)}
	require.ErrorContains(t, s.Validate(), `lacks the "admin" label`)
}

func TestAndKeepsTheStatus(t *testing.T) {
	s := GET("/x").Expect(200, Present("a")).And(Present("b"))
	assert.Equal(t, 200, s.Status)
	assert.Len(t, s.Checks, 2)
	assert.Zero(t, MailToken("a@b.c", "k", "t").And(Present("b")).Status)
}

func TestExpandValueExpandsKeys(t *testing.T) {
	got, err := ExpandValue(Obj{"stores": Obj{"{store}": Arr{"{email}"}}}, Vars{"store": "DEFAULT", "email": "a@b.c"})
	require.NoError(t, err)
	assert.Equal(t, Obj{"stores": Obj{"DEFAULT": Arr{"a@b.c"}}}, got)
	_, err = ExpandValue(Obj{"{nope}": 1}, Vars{})
	assert.ErrorContains(t, err, "nope")
}

// jwt is an unsigned compact JWT with the given payload.
func jwt(payload string) string {
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
}

// seedToken is seed 000's do_reset example: HS256 keyed by the code
// 8KY0CX0LAR, payload {"passphrase":"Y6ZuXXsf0ojfeU"}.
const seedToken = "eyJhbGciOiJIUzI1NiJ9.eyJwYXNzcGhyYXNlIjoiWTZadVhYc2Ywb2pmZVUifQ.ilHChoIUmt-UufO3u9ItFnOj6YpCe_5lSlabzYitRt4"

func TestCaptureClaim(t *testing.T) {
	doc, err := Decode([]byte(`{"token":"` + seedToken + `","s":"hello"}`))
	require.NoError(t, err)
	r := Response{Status: 200, JSON: doc}
	got, err := POST("/x").CaptureClaim("pass", "token", "passphrase").Captures[0].Extract(r)
	require.NoError(t, err)
	assert.Equal(t, "Y6ZuXXsf0ojfeU", got)
	_, err = Capture{Var: "v", Path: "token", Claim: "sub"}.Extract(r)
	assert.ErrorContains(t, err, "no claim sub")
	_, err = Capture{Var: "v", Path: "s", Claim: "sub"}.Extract(r)
	assert.ErrorContains(t, err, "expected a JWT")
}

func TestChecks(t *testing.T) {
	doc, err := Decode([]byte(`{"a":{"b":[1,2,"x"]},"s":"hello","jwt":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMzg2OTAwMCJ9.sig",` +
		`"day":"` + jwt(`{"iat":1700000000,"exp":1700086400}`) + `","noExp":"` + jwt(`{"iat":1700000000}`) + `",` +
		`"seed":"` + seedToken + `","none":"eyJhbGciOiJub25lIn0.eyJwYXNzcGhyYXNlIjoiWTZadVhYc2Ywb2pmZVUifQ.NjPbjO8xPOo1aUgPBL4xm622fz7vHpALbNncrrloU4Y"}`))
	require.NoError(t, err)
	r := Response{Status: 200, JSON: doc}
	vars := Vars{"n": "13869000", "code": "8KY0CX0LAR"}
	tests := []struct {
		check Check
		pass  bool
	}{
		{Equals("s", "hello"), true},
		{Equals("s", "bye"), false},
		{Equals("a.b.0", 1), true},
		{Len("a.b", 3), true},
		{Len("a.b", 2), false},
		{Includes("a.b", "x"), true},
		{Excludes("a.b", "x"), false},
		{Present("a.b"), true},
		{Absent("a.c"), true},
		{Absent("a"), false},
		{Matches("s", "^h.*o$"), true},
		{InRange("a.b.1", 1, 2), true},
		{InRange("a.b.1", 3, 4), false},
		{Claim("jwt", "sub", "{n}"), true},
		{Claim("jwt", "sub", "1"), false},
		{Claim("s", "sub", "1"), false},
		{SignedHS256("seed", "{code}"), true},
		{SignedHS256("seed", "8KY0CX0LAS"), false},
		{SignedHS256("none", "{code}"), false}, // signed with the key, but its header says alg none
		{SignedHS256("jwt", "{code}"), false},
		{SignedHS256("s", "{code}"), false},
		{Claim("jwt", "nope", "1"), false},
		{Lifetime("day", 86400), true},
		{Lifetime("day", 3600), false},
		{Lifetime("noExp", 86400), false},
		{Lifetime("s", 86400), false},
	}
	for _, tt := range tests {
		err := tt.check.Eval(r, vars)
		assert.Equal(t, tt.pass, err == nil, "%s: %v", tt.check, err)
	}
}

var update = flag.Bool("update", false, "rewrite catalog.yaml")

// TestCatalogIsCurrent fails when catalog.yaml no longer lists the
// scenarios as they are; go test ./scenarios -run Catalog -update rewrites it.
func TestCatalogIsCurrent(t *testing.T) {
	body, err := yaml.Marshal(Catalog(All()))
	require.NoError(t, err)
	got := append([]byte("# Generated by go test ./scenarios -run Catalog -update: every conformance scenario, by API.\n"), body...)
	if *update {
		require.NoError(t, os.WriteFile("catalog.yaml", got, 0o644))
	}
	want, err := os.ReadFile("catalog.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "scenarios/catalog.yaml drifted: run go test ./scenarios -run Catalog -update")
}
