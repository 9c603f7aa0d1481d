package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/admin"
)

// raw sends a request with exactly the given Host and headers, nothing added.
func (h *harness) raw(method, target, host, body string, header ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, req)
	return w
}

const mockHost = "127.0.0.1:4010"

// TestVendorCORS: the faces let a page of any origin call them, without
// credentials — they take bearer tokens, never cookies.
func TestVendorCORS(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{})
	for _, origin := range []string{"http://localhost:3000", "https://shop.example", "null"} {
		w := h.raw("OPTIONS", "/customer/acme/login", mockHost, "", "Origin", origin,
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
		assert.Equal(t, http.StatusNoContent, w.Code, origin)
		assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"), origin)
		assert.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"), "no credentials")
		assert.Contains(t, w.Header().Get("Access-Control-Allow-Methods"), "POST")
		assert.Equal(t, "authorization,content-type", w.Header().Get("Access-Control-Allow-Headers"))

		w = h.raw("GET", "/customerlogin/auth/anonymous/login?tenant=acme&client_id=x", mockHost, "", "Origin", origin)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
		assert.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"))
	}
}

// TestAdminRefusesOtherOrigins: no page of another origin — another port of
// localhost, a sandboxed frame ("null"), a hostile site — reads or changes
// the admin API, unless --admin-origin names it.
func TestAdminRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas(), Admin: admin.Options{Origins: []string{"http://localhost:5173"}}})
	before := h.state()
	tests := []struct {
		name, method, path, origin string
		status                     int
		allowed                    string // Access-Control-Allow-Origin
	}{
		{"hostile site reads the mailbox", "GET", "/__doppel/mailbox", "https://evil.example", http.StatusForbidden, ""},
		{"another localhost port", "GET", "/__doppel/mailbox", "http://localhost:3000", http.StatusForbidden, ""},
		{"a sandboxed page", "GET", "/__doppel/state", "null", http.StatusForbidden, ""},
		{"a cross-site reset", "POST", "/__doppel/reset", "https://evil.example", http.StatusForbidden, ""},
		{"a preflight of a hostile site", "OPTIONS", "/__doppel/clock", "https://evil.example", http.StatusForbidden, ""},
		{"the dashboard itself", "GET", "/__doppel/mailbox", "http://" + mockHost, http.StatusOK, ""},
		{"an allowed origin", "GET", "/__doppel/mailbox", "http://localhost:5173", http.StatusOK, "http://localhost:5173"},
		{"an allowed origin's preflight", "OPTIONS", "/__doppel/clock", "http://localhost:5173", http.StatusNoContent, "http://localhost:5173"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.raw(tt.method, tt.path, mockHost, "", "Origin", tt.origin, "Access-Control-Request-Method", "POST",
				"Content-Type", "application/json")
			assert.Equal(t, tt.status, w.Code, w.Body.String())
			assert.Equal(t, tt.allowed, w.Header().Get("Access-Control-Allow-Origin"))
			assert.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"))
		})
	}
	assert.Equal(t, before, h.state(), "nothing changed")
}

// TestAdminRefusesWhatAFormCanSend: a change needs a JSON content type or a
// header no form can set, so a cross-site form cannot post to the admin API
// even where a browser sends no Origin.
func TestAdminRefusesWhatAFormCanSend(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas()})
	before := h.state()
	for _, tt := range []struct{ method, path, body, contentType string }{
		{"POST", "/__doppel/reset", "", ""},
		{"POST", "/__doppel/reset", "a=b", "application/x-www-form-urlencoded"},
		{"POST", "/__doppel/clock", `{"advance":"30d"}`, "text/plain"},
		{"POST", "/__doppel/faults", `{"status":503}`, "multipart/form-data; boundary=x"},
		{"PUT", "/__doppel/state", `{}`, "text/plain"},
		{"DELETE", "/__doppel/mailbox", "", ""},
	} {
		w := h.raw(tt.method, tt.path, mockHost, tt.body, "Content-Type", tt.contentType)
		assert.Equal(t, http.StatusForbidden, w.Code, "%s %s %s", tt.method, tt.path, tt.contentType)
		assert.Contains(t, w.Body.String(), "X-Doppel-Admin")
	}
	assert.Equal(t, before, h.state(), "nothing changed")
	assert.Equal(t, "0s", decode[map[string]string](t, h.do("GET", "/__doppel/clock", nil))["offset"])
	assert.Equal(t, http.StatusNoContent, h.raw("POST", "/__doppel/reset", mockHost, "", "Content-Type", "application/json").Code)
	assert.Equal(t, http.StatusNoContent, h.raw("POST", "/__doppel/reset", mockHost, "", "X-Doppel-Admin", "1").Code)
	assert.Equal(t, http.StatusNoContent, h.raw("DELETE", "/__doppel/mailbox", mockHost, "", "X-Doppel-Admin", "1").Code)
}

// TestAdminChecksTheHost: a Host header naming another machine — what a
// DNS-rebinding page sends — is refused.
func TestAdminChecksTheHost(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Admin: admin.Options{Hosts: []string{"doppel.internal"}}})
	for host, status := range map[string]int{
		"127.0.0.1:4010": http.StatusOK, "localhost:4010": http.StatusOK, "LOCALHOST": http.StatusOK,
		"app.localhost:4010": http.StatusOK, "[::1]:4010": http.StatusOK, "192.168.1.20:4010": http.StatusOK,
		"doppel.internal:4010": http.StatusOK, "doppel.internal.": http.StatusOK,
		"evil.example:4010": http.StatusForbidden, "localhost.evil.example": http.StatusForbidden, "": http.StatusForbidden,
	} {
		w := h.raw("GET", "/__doppel/mailbox", host, "")
		assert.Equal(t, status, w.Code, "Host %q: %s", host, w.Body.String())
	}
	assert.Equal(t, http.StatusOK, h.raw("GET", "/customerlogin/auth/anonymous/login?tenant=acme&client_id=x", "evil.example", "").Code,
		"the faces answer any host, as a vendor behind a proxy does")
}

// TestAdminToken: with a token, every admin call needs it but health and
// the dashboard's own files.
func TestAdminToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef"
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas(), Admin: admin.Options{Token: token}})
	for _, tt := range []struct {
		method, path, auth string
		status             int
	}{
		{"GET", "/__doppel/mailbox", "", http.StatusUnauthorized},
		{"GET", "/__doppel/state", "Bearer wrong", http.StatusUnauthorized},
		{"POST", "/__doppel/reset", "Basic " + token, http.StatusUnauthorized},
		{"GET", "/__doppel/mailbox", "Bearer " + token, http.StatusOK},
		{"GET", "/__doppel/state", "bearer " + token, http.StatusOK},
		{"POST", "/__doppel/reset", "Bearer " + token, http.StatusNoContent},
		{"GET", "/__doppel/health", "", http.StatusOK},
		{"GET", "/__doppel/", "", http.StatusOK},
		{"GET", "/__doppel/ui/dashboard.js", "", http.StatusOK},
		{"POST", "/__doppel/health", "", http.StatusUnauthorized},
	} {
		w := h.raw(tt.method, tt.path, mockHost, "", "Authorization", tt.auth)
		assert.Equal(t, tt.status, w.Code, "%s %s with %q: %s", tt.method, tt.path, tt.auth, w.Body.String())
		assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
		if tt.status == http.StatusUnauthorized {
			assert.Equal(t, `Bearer realm="doppel admin"`, w.Header().Get("WWW-Authenticate"))
		}
	}
}

// TestAdminOff: with the admin API off nothing of the mock's inner state
// is reachable — every /__doppel/ path is a plain 404 — and the
// X-Doppel-Fault header is an unknown header like any other.
func TestAdminOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Seed: fixtures.Personas(), Admin: admin.Options{Off: true}})
	notFound := h.raw("GET", "/nothing-here", mockHost, "")
	for _, path := range []string{"/__doppel/", "/__doppel/health", "/__doppel/state", "/__doppel/mailbox",
		"/__doppel/ui/dashboard.js", "/__doppel/contracts/emporix.yaml", "/__doppel/requests"} {
		w := h.do("GET", path, nil)
		assert.Equal(t, http.StatusNotFound, w.Code, path)
		assert.Equal(t, notFound.Body.String(), w.Body.String(), path)
	}
	assert.Equal(t, http.StatusNotFound, h.do("POST", "/__doppel/reset", nil).Code)
	w := h.do("GET", "/customerlogin/auth/anonymous/login?tenant=acme&client_id=x", nil, "X-Doppel-Fault", "status=503")
	assert.Equal(t, http.StatusOK, w.Code, "the faces answer, faults are not injected")
}
