package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// TestEmptyBodyWithAContentTypeIsNoBody: every face answers a request
// without content as one without a body, whatever Content-Type came with it
// (axios sends a null body as an empty form; fetch an empty string as text).
func TestEmptyBodyWithAContentTypeIsNoBody(t *testing.T) {
	h := newOpsHarness(t, mockserver.Options{})
	anon := h.anonymous("acme")
	olLogin := decode[map[string]string](t, opsFaces[1].login(h, annPassword))
	accToken := opsFaces[2].token(h)
	tests := []struct {
		face, method, path, contentType string
		header                          []string
		status                          int
	}{
		{"emporix", "POST", "/customer/acme/socialLogin?code=c0de&anonymous_token=" + anon, "application/x-www-form-urlencoded",
			[]string{"Authorization", "Bearer " + anon}, http.StatusOK},
		{"openloyalty", "POST", "/api/token/refresh?refresh_token=" + olLogin["refresh_token"], "text/plain;charset=UTF-8",
			nil, http.StatusOK},
		{"accounts", "DELETE", "/customers/self", "application/x-www-form-urlencoded",
			[]string{"Authorization", "Bearer " + accToken}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.face, func(t *testing.T) {
			w := h.do(tt.method, tt.path, "", append([]string{"Content-Type", tt.contentType}, tt.header...)...)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
		})
	}
}

// TestTrailingSlashIsEmporixOnly: the Emporix face answers a path with one
// trailing slash as the path without it, and journals it so; the other faces
// keep exact paths.
func TestTrailingSlashIsEmporixOnly(t *testing.T) {
	h := newOpsHarness(t, mockserver.Options{})
	anon := "Bearer " + h.anonymous("acme")
	w := h.do("POST", "/customer/acme/password/reset/", `{"email":"ann@example.com"}`, "Authorization", anon)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=emporix&kind=password_reset", nil))
	assert.Len(t, mail, 1, "the reset was done")
	got := pick(h.journal("?limit=1").Requests[0], "path", "operation", "status")
	assert.Equal(t, map[string]any{"path": "/customer/acme/password/reset", "operation": "requestPasswordReset", "status": 204.0}, got)

	w = h.do("GET", "/customer/acme/password/reset/", nil, "Authorization", anon)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code, w.Body.String())
	assert.Equal(t, "POST", w.Header().Get("Allow"))

	assert.Equal(t, http.StatusNotFound, h.do("POST", "/api/DEFAULT/customer/login_check/",
		`{"_username":"ann@example.com","_password":"`+annPassword+`"}`).Code, "Open Loyalty keeps exact paths")
	assert.Equal(t, http.StatusNotFound, h.do("POST", "/customers/login/",
		`{"email":"ann@example.com","password":"`+annPassword+`"}`).Code, "Customer Accounts keeps exact paths")
}
