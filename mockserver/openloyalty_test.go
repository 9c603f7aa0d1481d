package mockserver_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	mathrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/openloyalty"
	"github.com/doppel-dev/doppel/seed"
)

// testJWTKey is made once per test binary: RSA key generation is slow.
var testJWTKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

// The seeded users of olHarness.
const (
	olAdmin      = "admin" // a super admin
	olAdminEmail = "admin@example.com"
	olAuditor    = "auditor" // an admin with permissions
	olCustomer   = "ann@example.com"
	olPhone      = "+48123456789"
	olSeller     = "sam@example.com"
	olPassword   = "Secret123!"
	olOther      = "Other123!"                            // ann's password in store OTHER
	olPOS        = "0b7e5c1a-6f2d-4c8e-a3b9-1e4d7f0c2a58" // the point of sale
	newPassword  = "Changed456?"
)

// olHarness drives a mock seeded with a super admin, an admin with
// permissions, a seller, a point of sale and a customer "ann" in stores
// DEFAULT and OTHER, on a clock the test moves.
type olHarness struct {
	*harness
	clock *identity.ShiftClock
}

func newOLHarness(t testing.TB) *olHarness {
	t.Helper()
	clock := &identity.ShiftClock{}
	seed := &seed.Document{OpenLoyalty: &seed.OpenLoyalty{
		Admins: []seed.OpenLoyaltyAdmin{{Username: olAdmin, Email: olAdminEmail, Password: olPassword, SuperAdmin: true},
			{Username: olAuditor, Email: "auditor@example.com", Password: olPassword,
				Permissions: map[string][]string{"LEVEL": {"MODIFY"}, "CUSTOMER": {"VIEW", "MODIFY", "VIEW"}, "POS": {}}}},
		Sellers: []seed.OpenLoyaltySeller{{Email: olSeller, Password: olPassword}},
		Stores: map[string]seed.OpenLoyaltyStore{
			"DEFAULT": {Customers: []seed.OpenLoyaltyCustomer{{Email: olCustomer, Password: olPassword, Phone: olPhone}}},
			"OTHER":   {Customers: []seed.OpenLoyaltyCustomer{{Email: olCustomer, Password: olOther}}},
		},
		PointsOfSale: []string{olPOS},
	}}
	h := newHarness(t, mockserver.Options{Clock: clock, JWTKey: testJWTKey(), Seed: seed,
		Random: mathrand.NewChaCha8([32]byte{})}) // stable ids and tokens
	return &olHarness{harness: h, clock: clock}
}

// do is harness.do, and holds every answer of the face to its contract.
func (h *olHarness) do(method, path string, body any, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	w := h.harness.do(method, path, body, header...)
	if strings.HasPrefix(path, "/api/") {
		v := contracts.MustLoad("openloyalty").ValidateResponse(httptest.NewRequest(method, path, nil), w.Result())
		assert.Empty(h.t, v, "%s %s → %d %s", method, path, w.Code, w.Body.String())
	}
	return w
}

// post sends a form.
func (h *olHarness) post(path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do("POST", path, form.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// login answers the token pair of a successful login.
func (h *olHarness) login(path, username, password string) (token, refresh string) {
	h.t.Helper()
	w := h.post(path, url.Values{"_username": {username}, "_password": {password}})
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	out := decode[map[string]string](h.t, w)
	return out["token"], out["refresh_token"]
}

func (h *olHarness) adminToken() string {
	tok, _ := h.login("/api/admin/login_check", olAdmin, olPassword)
	return tok
}

func (h *olHarness) customerToken() string {
	tok, _ := h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword)
	return tok
}

// resetToken is the token of the latest reset mail to an address.
func (h *olHarness) resetToken(to string) string {
	h.t.Helper()
	mail := decode[[]map[string]any](h.t, h.do("GET", "/__doppel/mailbox?api=openloyalty&kind=password_reset&to="+url.QueryEscape(to), nil))
	require.NotEmpty(h.t, mail, "no reset mail to %s", to)
	return mail[len(mail)-1]["token"].(string)
}

func assertBody(t *testing.T, w *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	assert.Equal(t, status, w.Code, w.Body.String())
	assert.JSONEq(t, body, w.Body.String())
}

const (
	badCredentials = `{"message":"Bad credentials."}`
	noToken        = `{"code":401,"message":"Invalid credentials"}`
	invalidJWT     = `{"code":401,"message":"Invalid JWT Token"}`
	unknownUser    = `{"code":401,"message":""}`
	badRefresh     = `{"code":401,"message":"Bad credentials"}`
	notFound       = `{"error":{"code":404,"message":"Not Found"}}`
	success        = `{"success":true}`
)

func TestOpenLoyaltyLoginSpellingsAndBodies(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	tests := []struct {
		name, path string
		body       any // url.Values (form) or JSON
		want       int
	}{
		{"admin by username, form", "/api/admin/login_check", url.Values{"_username": {olAdmin}, "_password": {olPassword}}, 200},
		{"admin by e-mail, JSON", "/api/admin/login_check", map[string]string{"_username": olAdminEmail, "_password": olPassword}, 200},
		{"admin, plain names", "/api/admin/login_check", url.Values{"username": {olAdmin}, "password": {olPassword}}, 200},
		{"customer by e-mail, form", "/api/DEFAULT/customer/login_check", url.Values{"_username": {olCustomer}, "_password": {olPassword}}, 200},
		{"customer by phone, JSON plain names", "/api/DEFAULT/customer/login_check", map[string]string{"username": olPhone, "password": olPassword}, 200},
		{"customer e-mail in other case", "/api/DEFAULT/customer/login_check", url.Values{"_username": {"ANN@example.com"}, "_password": {olPassword}}, 200},
		{"customer of DEFAULT, no store code", "/api/customer/login_check", url.Values{"_username": {olCustomer}, "_password": {olPassword}}, 200},
		{"seller by e-mail", "/api/seller/login_check", map[string]string{"_username": olSeller, "_password": olPassword}, 200},
		{"customer on the seller login", "/api/seller/login_check", url.Values{"_username": {olCustomer}, "_password": {olPassword}}, 401},
		{"seller on a customer login", "/api/customer/login_check", url.Values{"_username": {olSeller}, "_password": {olPassword}}, 401},
		{"seller on the admin login", "/api/admin/login_check", url.Values{"_username": {olSeller}, "_password": {olPassword}}, 401},
		{"OTHER's password without a store code", "/api/customer/login_check", url.Values{"_username": {olCustomer}, "_password": {olOther}}, 401},
		{"wrong password", "/api/admin/login_check", url.Values{"_username": {olAdmin}, "_password": {"nope"}}, 401},
		{"unknown user", "/api/DEFAULT/customer/login_check", url.Values{"_username": {"bob@example.com"}, "_password": {olPassword}}, 401},
		{"no credentials", "/api/admin/login_check", url.Values{}, 401},
		{"customer on the admin login", "/api/admin/login_check", url.Values{"_username": {olCustomer}, "_password": {olPassword}}, 401},
		{"admin on a customer login", "/api/DEFAULT/customer/login_check", url.Values{"_username": {olAdmin}, "_password": {olPassword}}, 401},
		{"another store's password", "/api/OTHER/customer/login_check", url.Values{"_username": {olCustomer}, "_password": {olPassword}}, 401},
		{"a store without customers", "/api/NEW/customer/login_check", url.Values{"_username": {olCustomer}, "_password": {olPassword}}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w *httptest.ResponseRecorder
			if form, ok := tt.body.(url.Values); ok {
				w = h.post(tt.path, form)
			} else {
				w = h.do("POST", tt.path, tt.body)
			}
			if tt.want == 401 {
				assertBody(t, w, 401, badCredentials)
				return
			}
			require.Equal(t, 200, w.Code, w.Body.String())
			out := decode[map[string]string](t, w)
			assert.Regexp(t, `^eyJhbGciOiJSUzI1NiIsInR5cCI6`, out["token"])
			assert.Regexp(t, `^[0-9a-f]{128}$`, out["refresh_token"])
		})
	}
}

// claimsOf verifies a JWT of the harness's key and returns its claims.
func claimsOf(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	var claims jwt.MapClaims
	tok, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return &testJWTKey().PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}))
	require.NoError(t, err)
	assert.Equal(t, "JWT", tok.Header["typ"])
	return claims
}

func TestOpenLoyaltyJWTIsRS256WithTheDocumentedClaims(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	uuid := `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
	for _, tt := range []struct {
		name, login, user string
		username, role    string // username "" : the user's id
		permissions       any
		superAdmin        bool
	}{
		{"super admin", "/api/admin/login_check", olAdmin, olAdmin, openloyalty.RoleAdmin, []any{}, true},
		{"admin with permissions", "/api/admin/login_check", olAuditor, olAuditor, openloyalty.RoleAdmin,
			map[string]any{"LEVEL": []any{"MODIFY", "VIEW"}, "CUSTOMER": []any{"VIEW", "MODIFY"}}, false},
		{"customer", "/api/DEFAULT/customer/login_check", olCustomer, "", openloyalty.RoleCustomer, []any{}, false},
		{"seller", "/api/seller/login_check", olSeller, "", openloyalty.RoleSeller, []any{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := h.clock.Now().Unix()
			token, _ := h.login(tt.login, tt.user, olPassword)
			after := h.clock.Now().Unix()
			claims := claimsOf(t, token)
			assert.Regexp(t, uuid, claims["id"])
			if tt.username == "" {
				tt.username = claims["id"].(string) // the service creates customers and sellers with their id as username
			}
			assert.Equal(t, tt.username, claims["username"])
			assert.Equal(t, []any{tt.role}, claims["roles"])
			assert.Nil(t, claims["lastLoginAt"], "the first login")
			assert.Equal(t, tt.permissions, claims["permissions"])
			assert.Equal(t, tt.superAdmin, claims["superAdmin"])
			iat, exp := int64(claims["iat"].(float64)), int64(claims["exp"].(float64))
			assert.True(t, before <= iat && iat <= after, "issued during the login: %d not in [%d, %d]", iat, before, after)
			assert.Equal(t, int64(86400), exp-iat, "24 h")
			assert.ElementsMatch(t, []string{"username", "roles", "id", "lastLoginAt", "permissions", "superAdmin", "iat", "exp"}, keys(claims))

			_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return &other().PublicKey, nil })
			assert.Error(t, err, "another key must not verify it")
		})
	}
	t.Run("permissions are [] when empty, as PHP encodes them", func(t *testing.T) {
		tok, _ := h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword)
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		require.NoError(t, err)
		assert.Contains(t, string(payload), `"permissions":[]`)
	})
}

// TestOpenLoyaltyLastLoginAt: a JWT carries the time of the login before
// its own, as PHP's ISO 8601 in UTC, and a refresh counts as a login (both
// end in the service's success handler).
func TestOpenLoyaltyLastLoginAt(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	lastLogin := func(token string) any { return claimsOf(t, token)["lastLoginAt"] }
	at := func(token string) string { // the time of the authentication that issued token
		return time.Unix(int64(claimsOf(t, token)["iat"].(float64)), 0).UTC().Format("2006-01-02T15:04:05-0700")
	}
	first, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	assert.Nil(t, lastLogin(first))
	h.clock.Advance(time.Hour)
	second, refresh := h.login("/api/seller/login_check", olSeller, olPassword)
	assert.Equal(t, at(first), lastLogin(second))
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$`, lastLogin(second))
	h.clock.Advance(time.Hour)
	w := h.post("/api/token/refresh", url.Values{"refresh_token": {refresh}})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	refreshed := decode[map[string]string](t, w)["token"]
	assert.Equal(t, at(second), lastLogin(refreshed))
	h.clock.Advance(time.Hour)
	third, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	assert.Equal(t, at(refreshed), lastLogin(third))
}

// TestOpenLoyaltyLoginByID: customers and sellers log in with their id too,
// the username the service gives them.
func TestOpenLoyaltyLoginByID(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	for _, tt := range []struct{ login, user string }{
		{"/api/DEFAULT/customer/login_check", olCustomer},
		{"/api/seller/login_check", olSeller},
	} {
		tok, _ := h.login(tt.login, tt.user, olPassword)
		id := claimsOf(t, tok)["id"].(string)
		again, _ := h.login(tt.login, id, olPassword)
		assert.Equal(t, id, claimsOf(t, again)["id"], tt.login)
	}
	admin := claimsOf(t, h.adminToken())["id"].(string)
	assertBody(t, h.post("/api/admin/login_check", url.Values{"_username": {admin}, "_password": {olPassword}}),
		http.StatusUnauthorized, badCredentials) // an admin's username is its own
	customer := claimsOf(t, h.customerToken())["id"].(string)
	assertBody(t, h.post("/api/OTHER/customer/login_check", url.Values{"_username": {customer}, "_password": {olOther}}),
		http.StatusUnauthorized, badCredentials) // another store's customer
}

// TestOpenLoyaltyInactiveSeller: a seller the admin API locks gets the
// seller provider's answer, a 400, not the 401 of the other users.
func TestOpenLoyaltyInactiveSeller(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	w := h.do("PATCH", "/__doppel/faults/logins/openloyalty/_seller/"+olSeller, `{"locked":true}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assertBody(t, h.post("/api/seller/login_check", url.Values{"_username": {olSeller}, "_password": {olPassword}}),
		http.StatusBadRequest, `{"message":"Your account is not active"}`)
	assertBody(t, h.post("/api/seller/login_check", url.Values{"_username": {olSeller}, "_password": {"wrong"}}),
		http.StatusUnauthorized, badCredentials)
	w = h.do("PATCH", "/__doppel/faults/logins/openloyalty/"+openloyalty.AdminTenant+"/"+olAdmin, `{"locked":true}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assertBody(t, h.post("/api/admin/login_check", url.Values{"_username": {olAdmin}, "_password": {olPassword}}),
		http.StatusUnauthorized, `{"message":"Account is locked."}`)
}

var other = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOpenLoyaltyKeyIsGeneratedOrLoaded(t *testing.T) {
	t.Parallel()
	// Without a key, one is made on first use and verifies the tokens.
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas()})
	admin := fixtures.Personas().OpenLoyalty.Admins[0]
	w := h.do("POST", "/api/admin/login_check", map[string]string{"_username": admin.Username, "_password": admin.Password})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	_, err := jwt.Parse(decode[map[string]string](t, w)["token"],
		func(*jwt.Token) (any, error) { return h.srv.Face(openloyalty.API).(*openloyalty.Face).PublicKey(), nil })
	assert.NoError(t, err)

	// A PEM file, PKCS #8 or PKCS #1, loads.
	der, err := x509.MarshalPKCS8PrivateKey(testJWTKey())
	require.NoError(t, err)
	for name, block := range map[string]*pem.Block{
		"pkcs8.pem": {Type: "PRIVATE KEY", Bytes: der},
		"pkcs1.pem": {Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testJWTKey())},
	} {
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
		key, err := openloyalty.LoadKey(path)
		require.NoError(t, err, name)
		assert.True(t, key.Equal(testJWTKey()), name)
	}
	_, err = openloyalty.LoadKey(filepath.Join(t.TempDir(), "missing.pem"))
	assert.Error(t, err)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	require.NoError(t, os.WriteFile(junk, []byte("not a key"), 0o600))
	_, err = openloyalty.LoadKey(junk)
	assert.Error(t, err)
}

func TestOpenLoyaltyJWTExpiresAfter24Hours(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	tok := h.customerToken()
	change := func() *httptest.ResponseRecorder {
		return h.post("/api/DEFAULT/customer/password/change",
			url.Values{"currentPassword": {"wrong"}, "plainPassword": {newPassword}}, bearer(tok)...)
	}
	h.clock.Advance(24*time.Hour - 2*time.Second)
	assert.Equal(t, http.StatusBadRequest, change().Code, "still valid: the wrong current password is reported")
	h.clock.Advance(2 * time.Second)
	w := change()
	assertBody(t, w, http.StatusUnauthorized, invalidJWT)
	assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
}

func TestOpenLoyaltyPasswordChange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, login, username, change string
	}{
		{"customer", "/api/DEFAULT/customer/login_check", olCustomer, "/api/DEFAULT/customer/password/change"},
		{"customer of DEFAULT, no store code", "/api/customer/login_check", olCustomer, "/api/customer/password/change"},
		{"admin", "/api/admin/login_check", olAdmin, "/api/DEFAULT/admin/password/change"},
		{"admin on another store's path", "/api/admin/login_check", olAdmin, "/api/OTHER/admin/password/change"},
		{"admin, no store code", "/api/admin/login_check", olAdmin, "/api/admin/password/change"},
		{"seller", "/api/seller/login_check", olSeller, "/api/seller/password/change"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newOLHarness(t)
			tok, _ := h.login(tt.login, tt.username, olPassword)

			w := h.post(tt.change, url.Values{"currentPassword": {"wrong"}, "plainPassword": {newPassword}}, bearer(tok)...)
			assertBody(t, w, http.StatusBadRequest, `{"form":{"children":{"currentPassword":{"errors":["This value should be the user's current password."]},"plainPassword":{}}},"errors":[]}`)

			w = h.do("POST", tt.change, map[string]string{"currentPassword": olPassword, "plainPassword": newPassword}, bearer(tok)...)
			assertBody(t, w, http.StatusOK, success)

			w = h.post(tt.login, url.Values{"_username": {tt.username}, "_password": {olPassword}})
			assertBody(t, w, http.StatusUnauthorized, badCredentials)
			h.login(tt.login, tt.username, newPassword)
		})
	}
	t.Run("every login name of the user follows", func(t *testing.T) {
		h := newOLHarness(t)
		w := h.post("/api/DEFAULT/customer/password/change",
			url.Values{"currentPassword": {olPassword}, "plainPassword": {newPassword}}, bearer(h.customerToken())...)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		h.login("/api/DEFAULT/customer/login_check", olPhone, newPassword)
		h.login("/api/OTHER/customer/login_check", olCustomer, olOther) // another store, another user
	})
}

func TestOpenLoyaltyResetFlow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, request, username, mailTo, tenant, login, loginName string
	}{
		{"customer by e-mail", "/api/DEFAULT/customer/password/reset/request", olCustomer, olCustomer, "DEFAULT",
			"/api/DEFAULT/customer/login_check", olCustomer},
		{"customer by phone", "/api/DEFAULT/customer/password/reset/request", olPhone, olCustomer, "DEFAULT",
			"/api/DEFAULT/customer/login_check", olPhone},
		{"admin by username", "/api/password/reset/request", olAdmin, olAdminEmail, openloyalty.AdminTenant,
			"/api/admin/login_check", olAdmin},
		{"admin by e-mail", "/api/password/reset/request", olAdminEmail, olAdminEmail, openloyalty.AdminTenant,
			"/api/admin/login_check", olAdminEmail},
		{"seller, on the all-users request", "/api/password/reset/request", olSeller, olSeller, openloyalty.SellerTenant,
			"/api/seller/login_check", olSeller},
		{"customer of DEFAULT, on the all-users request", "/api/password/reset/request", olCustomer, olCustomer, "DEFAULT",
			"/api/DEFAULT/customer/login_check", olCustomer},
		{"customer of DEFAULT, no store code", "/api/customer/password/reset/request", olPhone, olCustomer, "DEFAULT",
			"/api/customer/login_check", olPhone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newOLHarness(t)
			assertBody(t, h.post(tt.request, url.Values{"username": {tt.username}}), http.StatusOK, success)
			mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=openloyalty", nil))
			require.Len(t, mail, 1)
			assert.Equal(t, tt.mailTo, mail[0]["to"])
			assert.Equal(t, tt.tenant, mail[0]["tenant"])
			assert.Equal(t, openloyalty.MailPasswordReset, mail[0]["kind"])
			token := mail[0]["token"].(string)
			assert.Regexp(t, `^[A-Za-z0-9_-]{43}$`, token)

			// A weak password is refused and leaves the token usable.
			w := h.post("/api/password/reset", url.Values{"token": {token}, "reset[plainPassword]": {"weak"}})
			assertBody(t, w, http.StatusBadRequest, `{"form":{"children":{"plainPassword":{"errors":[
				"Your password must be at least 8 characters long.",
				"Your password must include both upper and lower case letters.",
				"Your password must include at least one number.",
				"Your password must contain at least one special character."]}}},"errors":[]}`)
			h.login(tt.login, tt.loginName, olPassword)

			w = h.post("/api/password/reset", url.Values{"token": {token}, "reset[plainPassword]": {newPassword}})
			assertBody(t, w, http.StatusOK, success)
			assertBody(t, h.post(tt.login, url.Values{"_username": {tt.loginName}, "_password": {olPassword}}),
				http.StatusUnauthorized, badCredentials)
			h.login(tt.login, tt.loginName, newPassword)

			// The token works once; using it cleared the pending request.
			w = h.do("POST", "/api/password/reset", map[string]any{"token": token, "reset": map[string]string{"plainPassword": "Again789#"}})
			assertBody(t, w, http.StatusNotFound, notFound)
			assertBody(t, h.post(tt.request, url.Values{"username": {tt.username}}), http.StatusOK, success)
		})
	}
}

func TestOpenLoyaltyResetRequestWindow(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	request := func() *httptest.ResponseRecorder {
		return h.post("/api/DEFAULT/customer/password/reset/request", url.Values{"username": {olCustomer}})
	}
	assertBody(t, request(), http.StatusOK, success)
	first := h.resetToken(olCustomer)
	h.clock.Advance(24*time.Hour - time.Second)
	assertBody(t, request(), http.StatusBadRequest, `{"error":"resetting password already requested"}`)
	assertBody(t, h.post("/api/DEFAULT/customer/password/reset/request", url.Values{"username": {olPhone}}),
		http.StatusBadRequest, `{"error":"resetting password already requested"}`)
	h.clock.Advance(time.Second)
	assertBody(t, request(), http.StatusOK, success)
	second := h.resetToken(olCustomer)
	assert.NotEqual(t, first, second)
	w := h.post("/api/password/reset", url.Values{"token": {first}, "reset[plainPassword]": {newPassword}})
	assertBody(t, w, http.StatusNotFound, notFound)
	// The token may come in the query too.
	w = h.post("/api/password/reset?token="+second, url.Values{"reset[plainPassword]": {newPassword}})
	assertBody(t, w, http.StatusOK, success)
	// Another store's user of the same e-mail is untouched.
	h.login("/api/OTHER/customer/login_check", olCustomer, olOther)
}

// TestOpenLoyaltyAllUsersResetRequest: /api/password/reset/request finds
// users by username, e-mail or id, as the service's all-users provider —
// not customers by phone, nor customers of other stores than DEFAULT.
func TestOpenLoyaltyAllUsersResetRequest(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	request := func(name string) *httptest.ResponseRecorder {
		return h.post("/api/password/reset/request", url.Values{"username": {name}})
	}
	assertBody(t, request(olPhone), http.StatusNotFound, notFound)
	w := h.do("POST", "/__doppel/seed", `{"openloyalty":{"stores":{"ELSEWHERE":{"customers":[{"email":"eve@example.com","password":"p"}]}}}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assertBody(t, request("eve@example.com"), http.StatusNotFound, notFound)
	assert.Empty(t, decode[[]any](t, h.do("GET", "/__doppel/mailbox?api=openloyalty", nil)))

	seller, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	assertBody(t, request(claimsOf(t, seller)["id"].(string)), http.StatusOK, success)
	assert.NotEmpty(t, h.resetToken(olSeller))
}

func TestOpenLoyaltyRefreshAndRevoke(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	tok, refresh := h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword)
	doRefresh := func(value string) *httptest.ResponseRecorder {
		return h.post("/api/token/refresh", url.Values{"refresh_token": {value}})
	}

	// Refresh answers a new JWT and the same refresh token; its expiry slides.
	h.clock.Advance(20 * 24 * time.Hour)
	w := doRefresh(refresh)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	out := decode[map[string]string](t, w)
	assert.Equal(t, refresh, out["refresh_token"])
	assert.NotEqual(t, tok, out["token"])
	h.clock.Advance(20 * 24 * time.Hour) // 40 days after login, 20 after the last use
	w = h.do("POST", "/api/token/refresh", map[string]string{"refresh_token": refresh})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, refresh, decode[map[string]string](t, w)["refresh_token"], "from a JSON body")
	w = h.do("POST", "/api/token/refresh?refresh_token="+refresh, nil)
	require.Equal(t, http.StatusOK, w.Code, "from the query: %s", w.Body.String())
	h.clock.Advance(30 * 24 * time.Hour)
	assertBody(t, doRefresh(refresh), http.StatusUnauthorized, badRefresh)

	// Revoke, behind the admin firewall, deletes all the caller's refresh
	// tokens, and only the caller's.
	_, refresh = h.login("/api/admin/login_check", olAdmin, olPassword)
	tok, refresh2 := h.login("/api/admin/login_check", olAdminEmail, olPassword)
	customer, customerRefresh := h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword)
	_, auditorRefresh := h.login("/api/admin/login_check", olAuditor, olPassword)
	assertBody(t, h.do("GET", "/api/token/revoke", nil, bearer(customer)...), http.StatusUnauthorized, unknownUser)
	assert.Equal(t, http.StatusOK, doRefresh(customerRefresh).Code, "a customer cannot revoke")
	w = h.do("GET", "/api/token/revoke", nil, bearer(tok)...)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Body.String())
	assertBody(t, doRefresh(refresh), http.StatusUnauthorized, badRefresh)
	assertBody(t, doRefresh(refresh2), http.StatusUnauthorized, badRefresh)
	assert.Equal(t, http.StatusOK, doRefresh(auditorRefresh).Code)
	assert.Equal(t, http.StatusOK, doRefresh(customerRefresh).Code)
	// The JWT itself is stateless: it works until it expires.
	w = h.post("/api/admin/password/change", url.Values{"currentPassword": {olPassword}, "plainPassword": {newPassword}}, bearer(tok)...)
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())

	assertBody(t, doRefresh(""), http.StatusUnauthorized, badRefresh)
	assertBody(t, doRefresh("nope"), http.StatusUnauthorized, badRefresh)
}

func TestOpenLoyaltyTokensStayInTheirPlace(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	customer, admin := h.customerToken(), h.adminToken()
	seller, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	otherStore, _ := h.login("/api/OTHER/customer/login_check", olCustomer, olOther)
	body := url.Values{"currentPassword": {olPassword}, "plainPassword": {newPassword}}
	tests := []struct {
		name, method, path, authorization, want string
	}{
		// A verified token whose user the path's firewall does not hold.
		{"customer token on the admin endpoint", "POST", "/api/DEFAULT/admin/password/change", "Bearer " + customer, unknownUser},
		{"customer token on the admin endpoint, no store code", "POST", "/api/admin/password/change", "Bearer " + customer, unknownUser},
		{"customer token on revoke", "GET", "/api/token/revoke", "Bearer " + customer, unknownUser},
		{"seller token on revoke", "GET", "/api/token/revoke", "Bearer " + seller, unknownUser},
		{"admin token on the customer endpoint", "POST", "/api/DEFAULT/customer/password/change", "Bearer " + admin, unknownUser},
		{"admin token on the seller endpoint", "POST", "/api/seller/password/change", "Bearer " + admin, unknownUser},
		{"seller token on the customer endpoint", "POST", "/api/customer/password/change", "Bearer " + seller, unknownUser},
		{"customer token on the seller endpoint", "POST", "/api/seller/password/change", "Bearer " + customer, unknownUser},
		{"customer token on another store", "POST", "/api/OTHER/customer/password/change", "Bearer " + customer, unknownUser},
		{"other store's token on DEFAULT", "POST", "/api/DEFAULT/customer/password/change", "Bearer " + otherStore, unknownUser},
		{"other store's token without a store code", "POST", "/api/customer/password/change", "Bearer " + otherStore, unknownUser},
		{"admin token on the admin pseudo-store's customer path", "POST", "/api/_admin/customer/password/change", "Bearer " + admin, unknownUser},
		// No token, as Lexik's extractor reads the header.
		{"no token", "POST", "/api/DEFAULT/customer/password/change", "", noToken},
		{"no token on revoke", "GET", "/api/token/revoke", "", noToken},
		{"another scheme", "POST", "/api/DEFAULT/customer/password/change", "Basic " + customer, noToken},
		{"the scheme in lower case", "POST", "/api/DEFAULT/customer/password/change", "bearer " + customer, noToken},
		{"an empty token", "POST", "/api/DEFAULT/customer/password/change", "Bearer ", noToken},
		{"two spaces", "POST", "/api/DEFAULT/customer/password/change", "Bearer  " + customer, noToken},
		// A token that does not verify.
		{"not a JWT", "POST", "/api/DEFAULT/customer/password/change", "Bearer nope", invalidJWT},
		{"JWT of another key", "POST", "/api/DEFAULT/customer/password/change", "Bearer " + forge(t, customer, jwt.SigningMethodRS256, other()), invalidJWT},
		{"HS256 JWT", "POST", "/api/DEFAULT/customer/password/change", "Bearer " + forge(t, customer, jwt.SigningMethodHS256, []byte("secret")), invalidJWT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.authorization != "" {
				header = []string{"Authorization", tt.authorization}
			}
			w := h.do(tt.method, tt.path, body.Encode(), append(header, "Content-Type", "application/x-www-form-urlencoded")...)
			assertBody(t, w, http.StatusUnauthorized, tt.want)
			assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
		})
	}
	h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword) // nothing changed
	h.login("/api/admin/login_check", olAdmin, olPassword)
	h.login("/api/seller/login_check", olSeller, olPassword)
}

// forge re-signs a genuine token's claims with another key or method.
func forge(t *testing.T, genuine string, method jwt.SigningMethod, key any) string {
	t.Helper()
	var claims jwt.MapClaims
	_, _, err := jwt.NewParser().ParseUnverified(genuine, &claims)
	require.NoError(t, err)
	out, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return out
}

func TestOpenLoyaltyBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	tok := h.customerToken()
	auth := bearer(tok)
	form := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, auth...)
	change := "/api/DEFAULT/customer/password/change"
	for _, tt := range []struct {
		name   string
		body   string
		header []string
	}{
		{"malformed JSON", `{"currentPassword":"` + olPassword + `",`, auth},
		{"malformed form", "currentPassword=%zz&plainPassword=" + newPassword, form},
		{"wrong type", `{"currentPassword":"` + olPassword + `","plainPassword":12345678}`, auth},
		{"not an object", `["` + newPassword + `"]`, auth},
		{"wrong content type", "currentPassword=" + olPassword, append([]string{"Content-Type", "text/plain"}, auth...)},
		{"oversized", `{"currentPassword":"` + olPassword + `","plainPassword":"` + newPassword + string(make([]byte, 1<<20)) + `"}`, auth},
		{"wrong current password", `{"currentPassword":"x","plainPassword":"` + newPassword + `"}`, auth},
		{"weak new password", `{"currentPassword":"` + olPassword + `","plainPassword":"weak"}`, auth},
		{"blank new password", `{"currentPassword":"` + olPassword + `"}`, auth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := h.do("POST", change, tt.body, tt.header...)
			assert.True(t, w.Code >= 400 && w.Code < 500, "status %d: %s", w.Code, w.Body.String())
		})
	}
	for _, body := range []string{`{"username":1}`, `{"username":`, `{"username":""}`, `{"username":"nobody@example.com"}`} {
		w := h.do("POST", "/api/DEFAULT/customer/password/reset/request", body)
		assert.True(t, w.Code >= 400 && w.Code < 500, "%s: status %d", body, w.Code)
	}
	h.login("/api/DEFAULT/customer/login_check", olCustomer, olPassword)
	assert.Empty(t, decode[[]any](t, h.do("GET", "/__doppel/mailbox?api=openloyalty", nil)), "no mail sent")
	assertBody(t, h.post("/api/DEFAULT/customer/password/reset/request", url.Values{"username": {olCustomer}}), http.StatusOK, success)
}

func TestOpenLoyaltySeed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	for _, tt := range []struct{ doc, why string }{
		{`{"openloyalty":{"stores":{"b@d":{"customers":[]}}}}`, `store "b@d" does not match`},
		{`{"openloyalty":{"stores":{"_admin":{"customers":[]}}}}`, `store "_admin" does not match`},
		{`{"openloyalty":{"stores":{"S1":{"customers":[{"email":"a@example.com","password":""}]}}}}`, "email and password are required"},
		{`{"openloyalty":{"admins":[{"username":"root","email":"root@example.com"}]}}`, "username, email and password are required"},
		{`{"openloyalty":{"admin":[]}}`, `unknown field "admin"`},
		{`{"openloyalty":{"sellers":[{"email":"s@example.com"}]}}`, "seller 0: email and password are required"},
		{`{"openloyalty":{"admins":[{"username":"r","email":"r@example.com","password":"p","permissions":{"LEVEL":["EDIT"]}}]}}`,
			`permission "EDIT" of LEVEL is not VIEW or MODIFY`},
		{`{"openloyalty":{"admins":[{"username":"r","email":"r@example.com","password":"p","permissions":{"":["VIEW"]}}]}}`,
			"a permission's resource is empty"},
		{`{"openloyalty":{"admins":[{"username":"r","email":"r@example.com","password":"p","superAdmin":"yes"}]}}`, "superAdmin"},
		{`{"openloyalty":{"stores":{"S1":{"customers":[{"email":"a@example.com","password":"p","phone":"1"},{"email":"b@example.com","password":"p","phone":"1"}]}}}}`, `"1" of b@example.com: duplicate`},
	} {
		w := h.do("POST", "/__doppel/seed", tt.doc)
		assert.Equal(t, http.StatusBadRequest, w.Code, tt.doc)
		assert.Contains(t, decode[map[string]string](t, w)["error"], tt.why)
	}
	w := h.do("POST", `/api/S1/customer/login_check`, `{"_username":"a@example.com","_password":"p"}`)
	assert.Equal(t, http.StatusUnauthorized, w.Code, "a refused seed adds nothing")

	w = h.do("POST", "/__doppel/seed", `{"openloyalty":{"admins":[{"username":"root","email":"root@example.com","password":"open"}],
		"stores":{"S1":{"customers":[{"email":"a@example.com","password":"p","phone":"1"}]}}}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.Equal(t, http.StatusOK, h.do("POST", "/api/admin/login_check", `{"_username":"root","_password":"open"}`).Code, "seeded passwords skip the policy")
	assert.Equal(t, http.StatusOK, h.do("POST", "/api/S1/customer/login_check", `{"_username":"1","_password":"p"}`).Code)
	// Seeding again leaves existing users as they are.
	w = h.do("POST", "/__doppel/seed", `{"openloyalty":{"admins":[{"username":"root","email":"root@example.com","password":"other"}]}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.Equal(t, http.StatusOK, h.do("POST", "/api/admin/login_check", `{"_username":"root","_password":"open"}`).Code)
}

// TestOpenLoyaltyStateKeepsAdminRights: an admin's superAdmin flag and
// permissions, and a user's last login, survive a state export and import.
func TestOpenLoyaltyStateKeepsAdminRights(t *testing.T) {
	t.Parallel()
	a := newOLHarness(t)
	before := map[string]jwt.MapClaims{}
	for _, name := range []string{olAdmin, olAuditor} {
		a.adminToken() // a login before: lastLoginAt
		tok, _ := a.login("/api/admin/login_check", name, olPassword)
		before[name] = claimsOf(t, tok)
	}
	w := a.do("GET", "/__doppel/state", nil)
	require.Equal(t, http.StatusOK, w.Code)

	b := newHarness(t, mockserver.Options{JWTKey: testJWTKey(), Clock: a.clock})
	require.Equal(t, http.StatusNoContent, b.do("PUT", "/__doppel/state", w.Body.String()).Code)
	for name, want := range before {
		w := b.do("POST", "/api/admin/login_check", map[string]string{"_username": name, "_password": olPassword})
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		got := claimsOf(t, decode[map[string]string](t, w)["token"])
		for _, claim := range []string{"id", "superAdmin", "permissions"} {
			assert.Equal(t, want[claim], got[claim], "%s: %s", name, claim)
		}
		assert.Equal(t, time.Unix(int64(want["iat"].(float64)), 0).UTC().Format("2006-01-02T15:04:05-0700"), got["lastLoginAt"], name)
	}
}

func TestOpenLoyaltyServesItsContract(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	w := h.do("GET", "/__doppel/contracts/openloyalty.yaml", nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "/api/{storeCode}/customer/password/reset/request:")
}

// TestOpenLoyaltyRegistration: an admin (or a seller) registers a customer
// with the 3.x form; it logs in with the mailed temporary password, answered
// "password change needed" until it changes it (a reset does not end it);
// customers may not register anyone, and a refused form creates nobody.
func TestOpenLoyaltyRegistration(t *testing.T) {
	t.Parallel()
	h := newOLHarness(t)
	seller, _ := h.login("/api/seller/login_check", olSeller, olPassword)
	form := func(email, phone string) url.Values {
		return url.Values{"customer[firstName]": {"Wren"}, "customer[lastName]": {"Okafor"}, "customer[email]": {email},
			"customer[phone]": {phone}, "customer[agreement1]": {"1"}}
	}
	temporary := func(to string) string {
		mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=openloyalty&kind=registration_with_temporary_password&to="+url.QueryEscape(to), nil))
		require.Len(t, mail, 1)
		assert.Equal(t, "Account created", mail[0]["subject"])
		return mail[0]["token"].(string)
	}

	w := h.post("/api/customer/register", form("wren@example.org", "+48600700800"), bearer(h.adminToken())...)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	out := decode[map[string]string](t, w)
	assert.Equal(t, "wren@example.org", out["email"])
	pw := temporary("wren@example.org")
	for _, name := range []string{"wren@example.org", "+48600700800", out["customerId"]} {
		w = h.post("/api/customer/login_check", url.Values{"_username": {name}, "_password": {pw}})
		require.Equal(t, http.StatusOK, w.Code, name)
		assert.Equal(t, "password change needed", decode[map[string]string](t, w)["error"], name)
	}
	_, refresh := h.login("/api/DEFAULT/customer/login_check", "wren@example.org", pw)
	assert.Contains(t, h.post("/api/token/refresh", url.Values{"refresh_token": {refresh}}).Body.String(), "password change needed")
	require.Equal(t, http.StatusOK, h.post("/api/password/reset/request", url.Values{"username": {"wren@example.org"}}).Code)
	require.Equal(t, http.StatusOK, h.do("POST", "/api/password/reset", `{"token":"`+h.resetToken("wren@example.org")+`","reset":{"plainPassword":"Res3t!pass"}}`).Code)
	tok, _ := h.login("/api/DEFAULT/customer/login_check", "wren@example.org", "Res3t!pass")
	assert.Contains(t, h.post("/api/customer/login_check", url.Values{"_username": {"wren@example.org"}, "_password": {"Res3t!pass"}}).Body.String(), "password change needed", "a reset keeps the mark")
	assertBody(t, h.post("/api/customer/password/change", url.Values{"currentPassword": {"Res3t!pass"}, "plainPassword": {"Chang3d!pass"}}, bearer(tok)...), http.StatusOK, success)
	assert.NotContains(t, h.post("/api/customer/login_check", url.Values{"_username": {"wren@example.org"}, "_password": {"Chang3d!pass"}}).Body.String(), "error")

	w = h.post("/api/OTHER/customer/register", form("kit@example.org", ""), bearer(seller)...)
	require.Equal(t, http.StatusOK, w.Code, "a seller registers too, here in store OTHER")
	h.login("/api/OTHER/customer/login_check", "kit@example.org", temporary("kit@example.org"))

	customer := bearer(h.customerToken())
	assertBody(t, h.post("/api/customer/register", form("ivo@example.org", ""), customer...), http.StatusForbidden, `{"error":{"code":403,"message":"Forbidden"}}`)
	assertBody(t, h.post("/api/OTHER/customer/register", form("ivo@example.org", ""), customer...), http.StatusUnauthorized, unknownUser)
	assertBody(t, h.post("/api/customer/register", form("ivo@example.org", "")), http.StatusUnauthorized, noToken)
	w = h.post("/api/customer/register", form("wren@example.org", "+48600700800"), bearer(h.adminToken())...)
	require.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), `"email":{"errors":["customer with such email already exists"]}`)
	assert.Contains(t, w.Body.String(), `"phone":{"errors":["customer with such phone already exists"]}`)
	assert.NotContains(t, w.Body.String(), `"sellerId"`+":{\"errors\"")
	assert.Empty(t, decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=openloyalty&to=ivo%40example.org", nil)), "nobody registered, nothing mailed")
}
