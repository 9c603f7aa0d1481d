package mockserver_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/accounts"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/seed"
)

// accountsDoc seeds Ann (active, password "secret") and Pat (pending).
const accountsDoc = `{"accounts":{"customers":[
	{"email":"ann@example.com","password":"secret","name":"Ann Active","status":"active"},
	{"email":"pat@example.com","name":"Pat Pending","status":"pending"}]}}`

// accountsHarness is a server seeded with accountsDoc, on a clock that
// tests move.
func accountsHarness(t *testing.T) (*harness, *identity.ShiftClock) {
	t.Helper()
	clock := &identity.ShiftClock{}
	h := newHarness(t, mockserver.Options{Clock: clock})
	w := h.do("POST", "/__doppel/seed", accountsDoc)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	return h, clock
}

// call sends a request to the face, with token (when set) as a Bearer
// token, and checks the answer against the contract.
func (h *harness) call(method, path string, body any, token string) *httptest.ResponseRecorder {
	h.t.Helper()
	if token == "" {
		return h.send(method, path, body)
	}
	return h.send(method, path, body, "Authorization", "Bearer "+token)
}

// send is h.do plus a check of the answer against the contract (404 and
// 405 answer paths and methods the contract does not have).
func (h *harness) send(method, path string, body any, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	w := h.do(method, path, body, header...)
	if w.Code == http.StatusNotFound || w.Code == http.StatusMethodNotAllowed {
		return w
	}
	if v := contracts.MustLoad("accounts").ValidateResponse(httptest.NewRequest(method, path, nil), w.Result()); v != nil {
		h.t.Errorf("%s %s: response %d breaks the contract: %v\n%s", method, path, w.Code, v, w.Body.String())
	}
	return w
}

// want checks a status and the error code or result of the body.
func want(t *testing.T, w *httptest.ResponseRecorder, status int, code string) map[string]any {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	body := decode[map[string]any](t, w)
	if code != "" {
		if status < 400 {
			assert.Equal(t, code, body["result"], w.Body.String())
		} else {
			assert.Equal(t, "error", body["result"])
			assert.Equal(t, code, body["error"], w.Body.String())
		}
	}
	return body
}

func (h *harness) accountsLogin(email, password string) string {
	h.t.Helper()
	w := h.call("POST", "/customers/login", map[string]string{"email": email, "password": password}, "")
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[map[string]string](h.t, w)["token"]
}

func (h *harness) loginStatus(email, password string) int {
	h.t.Helper()
	return h.call("POST", "/customers/login", map[string]string{"email": email, "password": password}, "").Code
}

// mails lists the face's mail of a kind to an address, oldest first.
func (h *harness) mails(kind, to string) []map[string]any {
	h.t.Helper()
	return decode[[]map[string]any](h.t, h.do("GET", "/__doppel/mailbox?api=accounts&kind="+kind+"&to="+to, nil))
}

func (h *harness) lastMail(kind, to string) map[string]any {
	h.t.Helper()
	m := h.mails(kind, to)
	require.NotEmpty(h.t, m, "no %s mail to %s", kind, to)
	return m[len(m)-1]
}

func TestAccountsActivationThenLogin(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	assert.Equal(t, http.StatusUnauthorized, h.loginStatus("pat@example.com", "any"), "a pending account cannot log in")

	mail := h.lastMail("activation", "pat@example.com")
	id, secret := mail["identifier"].(string), mail["token"].(string)
	assert.Regexp(t, `^[0-9]{14}$`, id)
	assert.Regexp(t, `^[A-Z0-9]{10}$`, secret)
	assert.Equal(t, "https://accounts.doppel.test/activation?identifier="+id+"&secret="+secret, mail["link"])

	activate := func(identifier, secret, password, check string) *httptest.ResponseRecorder {
		return h.call("POST", "/customers/activate", map[string]string{
			"identifier": identifier, "secret": secret, "password": password, "password_check": check}, "")
	}
	annID := decode[map[string]any](t, h.call("GET", "/customers/self", nil, h.accountsLogin("ann@example.com", "secret")))["id"].(string)
	want(t, activate(id, secret, "n3w-Pass", "n3w-pass"), http.StatusBadRequest, "password_mismatch")
	want(t, activate(id, "WRONGWRONG", "n3w-Pass", "n3w-Pass"), http.StatusBadRequest, "invalid_secret")
	want(t, activate("00000000000000", secret, "n3w-Pass", "n3w-Pass"), http.StatusBadRequest, "invalid_secret")
	require.Equal(t, http.StatusNoContent, h.do("POST", "/__doppel/seed",
		`{"accounts":{"customers":[{"email":"quinn@example.com","status":"pending"}]}}`).Code)
	quinn := h.lastMail("activation", "quinn@example.com")["token"].(string)
	want(t, activate(id, quinn, "n3w-Pass", "n3w-Pass"), http.StatusBadRequest, "invalid_secret") // another customer's secret
	want(t, activate(annID, secret, "n3w-Pass", "n3w-Pass"), http.StatusConflict, "already_active")
	want(t, activate(id, secret, "n3w-Pass", "n3w-Pass"), http.StatusOK, "activated")
	want(t, activate(id, secret, "n3w-Pass", "n3w-Pass"), http.StatusConflict, "already_active")

	me := decode[map[string]any](t, h.call("GET", "/customers/self", nil, h.accountsLogin("pat@example.com", "n3w-Pass")))
	assert.Equal(t, id, me["id"])
	assert.Equal(t, "Pat Pending", me["name"])
}

func TestAccountsAuthorizationForms(t *testing.T) {
	t.Parallel()
	h, clock := accountsHarness(t)
	token := h.accountsLogin("ann@example.com", "secret")
	tests := []struct {
		name, header string
		want         int
	}{
		{"Bearer", "Bearer " + token, http.StatusOK},
		{"Token", "Token " + token, http.StatusOK},
		{"lower-case scheme", "bearer " + token, http.StatusOK},
		{"no header", "", http.StatusUnauthorized},
		{"no scheme", token, http.StatusUnauthorized},
		{"other scheme", "Basic " + token, http.StatusUnauthorized},
		{"unknown token", "Bearer 0123456789abcdef", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.do("GET", "/customers/self", nil, "Authorization", tt.header)
			assert.Equal(t, tt.want, w.Code, w.Body.String())
			if tt.want == http.StatusUnauthorized {
				assert.Equal(t, `Bearer realm="customers"`, w.Header().Get("WWW-Authenticate"))
			}
		})
	}
	clock.Advance(24*time.Hour - time.Second)
	want(t, h.call("GET", "/customers/self", nil, token), http.StatusOK, "")
	clock.Advance(time.Second)
	want(t, h.call("GET", "/customers/self", nil, token), http.StatusUnauthorized, "unauthorized")
}

func TestAccountsCustomerResponseShape(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	w := h.call("GET", "/customers/self", nil, h.accountsLogin("ann@example.com", "secret"))
	require.Equal(t, http.StatusOK, w.Code)
	me := decode[map[string]any](t, w)
	assert.Len(t, me, 11, "exactly the documented fields")
	for _, k := range []string{"address", "mobile", "phone", "country", "address_town", "address_postcode", "address_region"} {
		v, ok := me[k]
		assert.True(t, ok, "%s present", k)
		assert.Nil(t, v, "%s unset is null", k)
	}
	assert.Equal(t, "Ann Active", me["name"])
	assert.Equal(t, "ann@example.com", me["email"])
	assert.Regexp(t, `^[1-9][0-9]{13}$`, me["id"])
	assert.Contains(t, w.Body.String(), `"subscriptions":[]`)
}

func TestAccountsPatchSelf(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	token := h.accountsLogin("ann@example.com", "secret")
	full := map[string]any{"name": "Ann B", "address": "1 Main St", "address_town": "Springfield",
		"address_postcode": "12345", "address_region": "IL", "country": "US", "phone": "+1555", "mobile": "+1556"}
	me := want(t, h.call("PATCH", "/customers/self", full, token), http.StatusOK, "")
	for k, v := range full {
		assert.Equal(t, v, me[k], k)
	}
	me = want(t, h.call("PATCH", "/customers/self", map[string]any{"phone": nil, "name": "Ann C"}, token), http.StatusOK, "")
	assert.Nil(t, me["phone"], "null clears")
	assert.Equal(t, "Ann C", me["name"])
	assert.Equal(t, "+1556", me["mobile"], "absent fields stay")
	assert.Equal(t, me, decode[map[string]any](t, h.call("GET", "/customers/self", nil, token)))

	tests := []struct {
		name   string
		body   string
		fields []string
	}{
		{"id", `{"id":"12345678901234"}`, []string{"id"}},
		{"subscriptions and a valid field", `{"name":"X","subscriptions":[]}`, []string{"subscriptions"}},
		{"two unknown fields", `{"password":"x","status":"active"}`, []string{"password", "status"}},
		{"wrong type", `{"name":5}`, []string{"name"}},
		{"email not an address", `{"email":"nope"}`, []string{"email"}},
		{"null email", `{"email":null}`, []string{"email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := want(t, h.call("PATCH", "/customers/self", tt.body, token), http.StatusBadRequest, "bad_request")
			var named []string
			for _, f := range body["fields"].([]any) {
				named = append(named, f.(map[string]any)["field"].(string))
			}
			assert.ElementsMatch(t, tt.fields, named)
			for _, f := range tt.fields {
				assert.Contains(t, body["message"], f)
			}
		})
	}
	assert.Equal(t, me, decode[map[string]any](t, h.call("GET", "/customers/self", nil, token)), "bad PATCHes change nothing")

	want(t, h.call("PATCH", "/customers/self", map[string]any{"email": "ANN@example.com"}, token), http.StatusOK, "")
	assert.Empty(t, h.mails("email_change", ""), "the current e-mail is no change")
}

func TestAccountsEmailChange(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	token := h.accountsLogin("ann@example.com", "secret")
	want(t, h.call("PATCH", "/customers/self", map[string]any{"email": "pat@example.com"}, token), http.StatusConflict, "email_taken")
	assert.Empty(t, h.mails("email_change", ""), "a refused change mails nothing")

	me := want(t, h.call("PATCH", "/customers/self", map[string]any{"email": "ann@new.example", "name": "Ann N"}, token), http.StatusOK, "")
	assert.Equal(t, "ann@example.com", me["email"], "not changed before confirmation")
	assert.Equal(t, "Ann N", me["name"], "the other fields are applied")
	assert.Empty(t, h.mails("email_change", "ann@example.com"), "the key goes to the new address")
	mail := h.lastMail("email_change", "ann@new.example")
	id, key := mail["identifier"].(string), mail["token"].(string)
	assert.Equal(t, me["id"], id)
	assert.Regexp(t, `^[A-Z0-9]{16}$`, key)

	confirm := func(identifier, key string) *httptest.ResponseRecorder {
		return h.call("POST", "/customers/newemail_confirm", map[string]string{"identifier": identifier, "key": key}, "")
	}
	want(t, confirm("00000000000000", key), http.StatusBadRequest, "invalid_key")
	want(t, confirm(id, "J32NA974R4F7N1HB"), http.StatusBadRequest, "invalid_key")
	want(t, confirm(id, key), http.StatusOK, "updated")
	want(t, confirm(id, key), http.StatusBadRequest, "invalid_key")

	assert.Equal(t, http.StatusUnauthorized, h.loginStatus("ann@example.com", "secret"), "the old e-mail no longer logs in")
	fresh := h.accountsLogin("ann@new.example", "secret")
	assert.Equal(t, "ann@new.example", decode[map[string]any](t, h.call("GET", "/customers/self", nil, fresh))["email"])
	assert.Equal(t, "ann@new.example", decode[map[string]any](t, h.call("GET", "/customers/self", nil, token))["email"], "earlier tokens stay valid")
}

func TestAccountsEmailTakenBeforeConfirmation(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	token := h.accountsLogin("ann@example.com", "secret")
	want(t, h.call("PATCH", "/customers/self", map[string]any{"email": "new@example.com"}, token), http.StatusOK, "")
	mail := h.lastMail("email_change", "new@example.com")
	require.Equal(t, http.StatusNoContent, h.do("POST", "/__doppel/seed",
		`{"accounts":{"customers":[{"email":"new@example.com","password":"x"}]}}`).Code)
	body := map[string]string{"identifier": mail["identifier"].(string), "key": mail["token"].(string)}
	want(t, h.call("POST", "/customers/newemail_confirm", body, ""), http.StatusConflict, "email_taken")
	h.accountsLogin("ann@example.com", "secret")
}

func TestAccountsPasswordReset(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	reset := func(email string) {
		t.Helper()
		want(t, h.call("POST", "/customers/password_reset",
			map[string]string{"email": email, "reset_uri": "https://accounts.doppel.test/reset?lang=en"}, ""), http.StatusOK, "email_sent")
	}
	reset("nobody@example.com")
	reset("pat@example.com")
	assert.Empty(t, h.mails("password_reset", ""), "unknown and pending e-mails get no mail, and the same answer")

	reset("ANN@example.com")
	first := h.lastMail("password_reset", "ann@example.com")["token"].(string)
	reset("ann@example.com")
	mail := h.lastMail("password_reset", "ann@example.com")
	code := mail["token"].(string)
	assert.Regexp(t, `^[A-Z0-9]{10}$`, code)
	assert.Equal(t, "https://accounts.doppel.test/reset/"+code+"?lang=en&email=ann%40example.com", mail["link"], "the code in the path, the e-mail in the query")

	doReset := func(email, code string) *httptest.ResponseRecorder {
		return h.call("POST", "/customers/do_reset", map[string]string{"email": email, "code": code}, "")
	}
	want(t, doReset("ann@example.com", first), http.StatusBadRequest, "invalid_code") // replaced by the newer code
	want(t, doReset("pat@example.com", code), http.StatusBadRequest, "invalid_code")  // another account's code
	w := doReset("ann@example.com", code)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	token := decode[map[string]string](t, w)["token"]

	header, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(header)
	require.NoError(t, err)
	assert.Equal(t, `{"alg":"HS256"}`, string(raw))
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return []byte(code), nil },
		jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err, "signed with the code")
	assert.Len(t, claims, 1)
	passphrase, _ := claims["passphrase"].(string)
	assert.Regexp(t, `^[A-Za-z0-9]{14}$`, passphrase)

	assert.Equal(t, http.StatusUnauthorized, h.loginStatus("ann@example.com", "secret"), "the old password is refused")
	h.accountsLogin("ann@example.com", passphrase)
	want(t, doReset("ann@example.com", code), http.StatusBadRequest, "invalid_code")
	h.accountsLogin("ann@example.com", passphrase)
}

// TestAccountsCodesExpire: every code works until its lifetime is over,
// and not after.
func TestAccountsCodesExpire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ttl   time.Duration
		issue func(h *harness) (path string, body map[string]string)
		good  string
	}{
		{"e-mail change key", 24 * time.Hour, func(h *harness) (string, map[string]string) {
			h.call("PATCH", "/customers/self", map[string]string{"email": "new@example.com"}, h.accountsLogin("ann@example.com", "secret"))
			m := h.lastMail("email_change", "new@example.com")
			return "/customers/newemail_confirm", map[string]string{"identifier": m["identifier"].(string), "key": m["token"].(string)}
		}, "updated"},
		{"password reset code", time.Hour, func(h *harness) (string, map[string]string) {
			h.call("POST", "/customers/password_reset", map[string]string{"email": "ann@example.com", "reset_uri": "/r"}, "")
			return "/customers/do_reset", map[string]string{"email": "ann@example.com", "code": h.lastMail("password_reset", "ann@example.com")["token"].(string)}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, late := range []bool{false, true} {
				h, clock := accountsHarness(t)
				path, body := tt.issue(h)
				clock.Advance(tt.ttl - time.Second)
				if late {
					clock.Advance(time.Second)
					assert.Equal(t, http.StatusBadRequest, h.call("POST", path, body, "").Code, "expired")
				} else {
					want(t, h.call("POST", path, body, ""), http.StatusOK, tt.good)
				}
			}
		})
	}
}

// TestAccountsSeededActivationLasts: a seeded state works whenever it is
// loaded, so the activation secret of a seeded pending customer lasts.
func TestAccountsSeededActivationLasts(t *testing.T) {
	t.Parallel()
	h, clock := accountsHarness(t)
	m := h.lastMail("activation", "pat@example.com")
	assert.Equal(t, seed.Epoch.Format(time.RFC3339), m["sentAt"], "seeded mail is dated at the epoch")
	clock.Advance(5 * 365 * 24 * time.Hour)
	want(t, h.call("POST", "/customers/activate", map[string]string{"identifier": m["identifier"].(string),
		"secret": m["token"].(string), "password": "pw", "password_check": "pw"}, ""), http.StatusOK, "activated")
}

func TestAccountsDeleteLocksOut(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	token := h.accountsLogin("ann@example.com", "secret")
	other := h.accountsLogin("ann@example.com", "secret")
	want(t, h.call("PATCH", "/customers/self", map[string]string{"email": "new@example.com"}, token), http.StatusOK, "")
	key := h.lastMail("email_change", "new@example.com")

	want(t, h.call("DELETE", "/customers/self", nil, token), http.StatusOK, "deleted")
	for _, tok := range []string{token, other} {
		want(t, h.call("GET", "/customers/self", nil, tok), http.StatusUnauthorized, "unauthorized")
		want(t, h.call("DELETE", "/customers/self", nil, tok), http.StatusUnauthorized, "unauthorized")
	}
	assert.Equal(t, http.StatusUnauthorized, h.loginStatus("ann@example.com", "secret"))
	want(t, h.call("POST", "/customers/newemail_confirm",
		map[string]string{"identifier": key["identifier"].(string), "key": key["token"].(string)}, ""), http.StatusBadRequest, "invalid_key")
	want(t, h.call("POST", "/customers/password_reset", map[string]string{"email": "ann@example.com", "reset_uri": "/r"}, ""), http.StatusOK, "email_sent")
	assert.Empty(t, h.mails("password_reset", ""))
}

func TestAccountsSeed(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	bad := []struct{ name, doc, reason string }{
		{"unknown key", `{"accounts":{"customers":[{"email":"a@example.com","passwrd":"x"}]}}`, "passwrd"},
		{"unknown status", `{"accounts":{"customers":[{"email":"a@example.com","password":"x","status":"gone"}]}}`, "gone"},
		{"active without password", `{"accounts":{"customers":[{"email":"a@example.com"}]}}`, "needs a password"},
		{"pending with password", `{"accounts":{"customers":[{"email":"a@example.com","password":"x","status":"pending"}]}}`, "no password"},
		{"not an e-mail", `{"accounts":{"customers":[{"email":"a","password":"x"}]}}`, "not an e-mail"},
		{"twice", `{"accounts":{"customers":[{"email":"a@example.com","password":"x"},{"email":"A@example.com","password":"y"}]}}`, "twice"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			w := h.do("POST", "/__doppel/seed", tt.doc)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Contains(t, w.Body.String(), tt.reason)
			assert.Equal(t, http.StatusUnauthorized, h.loginStatus("a@example.com", "x"), "nothing seeded")
		})
	}
	// Existing customers are left as they are; the rest is added.
	w := h.do("POST", "/__doppel/seed", `{"accounts":{"customers":[{"email":"ann@example.com","password":"other"},{"email":"a@example.com","password":"x"}]}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	h.accountsLogin("ann@example.com", "secret")
	h.accountsLogin("a@example.com", "x")
	assert.Len(t, h.mails("activation", ""), 1, "no activation mail for active customers")
}

func TestAccountsPersonas(t *testing.T) {
	t.Parallel()
	doc := fixtures.Personas()
	h := newHarness(t, mockserver.Options{Seed: doc})
	require.Len(t, doc.Accounts.Customers, 2)
	active, pending := doc.Accounts.Customers[0], doc.Accounts.Customers[1]
	assert.Equal(t, seed.StatusActive, active.Status)
	assert.Equal(t, seed.StatusPending, pending.Status)
	assert.Empty(t, pending.Password)
	assert.NotEqual(t, active.Email, pending.Email)
	h.accountsLogin(active.Email, active.Password)
	id, err := h.srv.Face(accounts.API).(*accounts.Face).Identifier(accounts.DefaultRetailer, pending.Email)
	require.NoError(t, err)
	assert.Equal(t, id, h.mails("activation", pending.Email)[0]["identifier"])

	// The demo retailer, for a browser app on localhost:3000, has the same personas, apart.
	require.Len(t, doc.Accounts.Retailers, 1)
	demo := doc.Accounts.Retailers[0]
	assert.Equal(t, "demo", demo.Name)
	assert.Contains(t, demo.Origins, "http://localhost:3000")
	token := h.loginAt("http://localhost:3000", active.Email, active.Password)
	demoID, err := h.srv.Face(accounts.API).(*accounts.Face).Identifier(demo.Name, pending.Email)
	require.NoError(t, err)
	assert.NotEqual(t, id, demoID, "another customer")
	mails := h.mails("activation", pending.Email)
	require.Len(t, mails, 2)
	assert.Equal(t, "demo", mails[1]["tenant"])
	assert.Equal(t, "http://localhost:3000/activation?identifier="+demoID+"&secret="+mails[1]["token"].(string), mails[1]["link"],
		"the activation link points at the retailer's application")
	want(t, h.call("GET", "/customers/self", nil, token), http.StatusUnauthorized, "unauthorized") // without Origin: the default retailer
}

func TestAccountsRoutes(t *testing.T) {
	t.Parallel()
	h, _ := accountsHarness(t)
	w := h.do("PUT", "/customers/self", nil)
	want(t, w, http.StatusMethodNotAllowed, "method_not_allowed")
	assert.Equal(t, "GET, PATCH, DELETE", w.Header().Get("Allow"))
	for _, path := range []string{"/customers", "/customers/", "/customers/self/", "/customers/nothing"} {
		want(t, h.do("GET", path, nil), http.StatusNotFound, "not_found")
	}
	raw, _ := contracts.Raw("accounts")
	w = h.do("GET", "/__doppel/contracts/accounts.yaml", nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, string(raw), w.Body.String())
}
