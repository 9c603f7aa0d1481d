package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/admin"
)

// skipShort skips a slow test under -short (make test-short); make test
// runs it.
func skipShort(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: %s runs in make test", what)
	}
}

// harness drives a Server in-process, without a network.
type harness struct {
	t   testing.TB
	srv *mockserver.Server
}

func newHarness(t testing.TB, opts mockserver.Options) *harness {
	t.Helper()
	srv, err := mockserver.New(opts)
	require.NoError(t, err)
	return &harness{t: t, srv: srv}
}

// do sends a request; body is JSON-encoded unless it is a string.
func (h *harness) do(method, path string, body any, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(h.t, err)
		r = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, "http://127.0.0.1:4010"+path, r)
	if body != nil || strings.HasPrefix(path, admin.Prefix) {
		req.Header.Set("Content-Type", "application/json") // as an admin client says
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, req)
	return w
}

func decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v), "body: %s", w.Body.String())
	return v
}

// anonymous returns a fresh anonymous access token of tenant.
func (h *harness) anonymous(tenant string) string {
	w := h.do("GET", "/customerlogin/auth/anonymous/login?tenant="+tenant+"&client_id=test", nil)
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[map[string]any](h.t, w)["access_token"].(string)
}

// customer signs up and logs in, returning the customer access token.
func (h *harness) customer(tenant, email, password string) string {
	anon := h.anonymous(tenant)
	w := h.do("POST", "/customer/"+tenant+"/signup", map[string]any{"email": email, "password": password},
		"Authorization", "Bearer "+anon)
	require.Equal(h.t, http.StatusCreated, w.Code, w.Body.String())
	return h.login(tenant, email, password)
}

func (h *harness) login(tenant, email, password string) string {
	w := h.do("POST", "/customer/"+tenant+"/login", map[string]any{"email": email, "password": password},
		"Authorization", "Bearer "+h.anonymous(tenant))
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[map[string]any](h.t, w)["access_token"].(string)
}

// TestEveryContractOperationIsRouted fails when the contract and the mock's
// routes drift apart, in either direction.
func TestEveryContractOperationIsRouted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	for _, name := range contracts.Names() {
		c := contracts.MustLoad(name)
		routed := map[string]bool{}
		for _, f := range h.srv.Faces() {
			if f.Name() != name {
				continue
			}
			for _, r := range f.Routes() {
				routed[r.Method+" "+r.Path] = true
			}
		}
		require.NotEmpty(t, routed, "contract %s has no face", name)
		for _, op := range c.Operations() {
			key := op.Method + " " + op.Path
			assert.True(t, routed[key], "%s: contract operation %s is not routed", name, key)
			delete(routed, key)
		}
		assert.Empty(t, routed, "%s: routes missing from the contract", name)
	}
}

func TestAdminHealthAndContracts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	w := h.do("GET", "/__doppel/health", nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"status":"ok"}`, w.Body.String())

	w = h.do("GET", "/__doppel/contracts/emporix.yaml", nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/yaml", w.Header().Get("Content-Type"))
	raw, _ := contracts.Raw("emporix")
	assert.Equal(t, string(raw), w.Body.String())

	assert.Equal(t, http.StatusNotFound, h.do("GET", "/__doppel/contracts/nope.yaml", nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do("GET", "/__doppel/unknown", nil).Code)
}

func TestAdminSeedResetAndMailbox(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas()})
	persona := fixtures.Personas().Emporix.Tenants["demo"].Customers[0]
	h.login("demo", persona.Email, persona.Password)

	// A bad document is refused whole, with the reason.
	w := h.do("POST", "/__doppel/seed", `{"emporix":{"tenants":{"acme":{"customers":[{"email":"a@example.com"}]}}}}`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "email and password are required")
	w = h.do("POST", "/__doppel/seed", `{"emporix":{"tenantz":{}}}`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "tenantz")

	w = h.do("POST", "/__doppel/seed", `{"emporix":{"tenants":{"acme":{"customers":[{"email":"a@example.com","password":"pw","firstName":"Ann"}]}}}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	tok := h.login("acme", "a@example.com", "pw")
	me := decode[map[string]any](t, h.do("GET", "/customer/acme/me", nil, "Authorization", "Bearer "+tok))
	assert.Equal(t, "Ann", me["firstName"])

	// Mail is listed with filters, oldest first, and can be cleared.
	anon := h.anonymous("acme")
	for _, email := range []string{"a@example.com", "a@example.com", "nobody@example.com"} {
		w = h.do("POST", "/customer/acme/password/reset", map[string]string{"email": email}, "Authorization", "Bearer "+anon)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	}
	mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?to=A@example.com&kind=password_reset&api=emporix&tenant=acme", nil))
	require.Len(t, mail, 2, "unknown e-mails get no mail")
	assert.Less(t, mail[0]["id"], mail[1]["id"])
	for _, key := range []string{"id", "api", "tenant", "to", "kind", "subject", "body", "token", "identifier", "link", "sentAt"} {
		assert.Contains(t, mail[0], key)
	}
	assert.Empty(t, decode[[]any](t, h.do("GET", "/__doppel/mailbox?tenant=other", nil)))
	assert.Equal(t, http.StatusNoContent, h.do("DELETE", "/__doppel/mailbox", nil).Code)
	assert.Empty(t, decode[[]any](t, h.do("GET", "/__doppel/mailbox", nil)))

	// Reset returns to the state loaded at start: the persona stays, the rest goes.
	assert.Equal(t, http.StatusNoContent, h.do("POST", "/__doppel/reset", nil).Code)
	h.login("demo", persona.Email, persona.Password)
	w = h.do("POST", "/customer/acme/login", map[string]string{"email": "a@example.com", "password": "pw"},
		"Authorization", "Bearer "+h.anonymous("acme"))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
}

func TestAdminTenantSettings(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	w := h.do("PATCH", "/__doppel/tenants/emporix/acme", `{"doubleOptIn":true}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"api":"emporix","tenant":"acme","doubleOptIn":true}`, w.Body.String())
	assert.Equal(t, http.StatusBadRequest, h.do("PATCH", "/__doppel/tenants/emporix/A", `{"doubleOptIn":true}`).Code)
	w = h.do("PATCH", "/__doppel/tenants/emporix/acme", `{"optIn":true}`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), `tenant settings: json: unknown field \"optIn\"`)
	w = h.do("PATCH", "/__doppel/tenants/openloyalty/DEFAULT", `{"doubleOptIn":true}`)
	assert.Equal(t, http.StatusNotFound, w.Code, "a face without tenant settings has none")
	assert.Contains(t, w.Body.String(), "no admin operation at PATCH /__doppel/tenants/openloyalty/DEFAULT")
}
