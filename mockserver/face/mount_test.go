package face_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver/face"
)

// echoFace serves four operations of the Emporix contract, answering what
// its handler saw; slash says whether it tolerates a trailing slash.
type echoFace struct{ slash bool }

func (echoFace) Name() string                   { return "emporix" }
func (echoFace) Prefixes() []string             { return []string{"/customer/"} }
func (echoFace) Tenant(r *http.Request) string  { return r.PathValue("tenant") }
func (f echoFace) ToleratesTrailingSlash() bool { return f.slash }

func (echoFace) Render(w http.ResponseWriter, p *face.Problem) {
	if p.Allow != "" {
		w.Header().Set("Allow", p.Allow)
	}
	face.WriteJSON(w, p.Status, map[string]any{"type": p.Code, "violations": len(p.Violations)})
}

func (echoFace) Routes() []face.Route {
	echo := func(c *face.Call) error {
		return c.JSON(http.StatusOK, map[string]string{"path": c.R.URL.Path, "pattern": c.R.Pattern,
			"tenant": c.R.PathValue("tenant"), "addressId": c.R.PathValue("addressId")})
	}
	return []face.Route{
		{Method: "POST", Path: "/customer/{tenant}/password/reset", Handle: echo},
		{Method: "GET", Path: "/customer/{tenant}/me/addresses", Handle: echo},
		{Method: "GET", Path: "/customer/{tenant}/me/addresses/{addressId}", Handle: echo},
		{Method: "POST", Path: "/customer/{tenant}/socialLogin", Handle: echo}, // its JSON body is optional
	}
}

// seen records what the Wrap of Mount saw of each request: what the journal
// and the faults see.
type seen struct{ path, pattern string }

func mount(t *testing.T, f face.Face) (*http.ServeMux, *seen) {
	t.Helper()
	mux, got := http.NewServeMux(), &seen{}
	err := face.Mount(mux, f, contracts.MustLoad("emporix"), face.Options{Wrap: func(_ face.Face, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.path, got.pattern = r.URL.Path, r.Pattern
			h.ServeHTTP(w, r)
		})
	}})
	require.NoError(t, err)
	return mux, got
}

func TestTrailingSlashIsAFacePolicy(t *testing.T) {
	const reset = `{"email":"ann@example.org"}`
	tests := []struct {
		name         string
		slash        bool
		method, path string
		status       int
		allow        string
		wantPath     string // the path the handler and the Wrap see, on a 200
		wantPattern  string
	}{
		{"exact path, tolerant", true, "POST", "/customer/acme/password/reset", 200, "", "/customer/acme/password/reset", "POST /customer/{tenant}/password/reset"},
		{"one slash, tolerant", true, "POST", "/customer/acme/password/reset/", 200, "", "/customer/acme/password/reset", "POST /customer/{tenant}/password/reset"},
		{"one slash keeps path values", true, "GET", "/customer/acme/me/addresses/b05c/", 200, "", "/customer/acme/me/addresses/b05c", "GET /customer/{tenant}/me/addresses/{addressId}"},
		{"collection with a slash is not an item", true, "GET", "/customer/acme/me/addresses/", 200, "", "/customer/acme/me/addresses", "GET /customer/{tenant}/me/addresses"},
		{"wrong method with a slash, tolerant", true, "GET", "/customer/acme/password/reset/", 405, "POST", "", ""},
		{"unknown path with a slash, tolerant", true, "GET", "/customer/acme/nothing/", 404, "", "", ""},
		{"exact path, strict", false, "POST", "/customer/acme/password/reset", 200, "", "/customer/acme/password/reset", "POST /customer/{tenant}/password/reset"},
		{"one slash, strict", false, "POST", "/customer/acme/password/reset/", 404, "", "", ""},
		{"wrong method with a slash, strict", false, "GET", "/customer/acme/password/reset/", 404, "", "", ""},
		{"wrong method, strict", false, "GET", "/customer/acme/password/reset", 405, "POST", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux, got := mount(t, echoFace{slash: tt.slash})
			var body *strings.Reader
			if tt.method == "POST" {
				body = strings.NewReader(reset)
			} else {
				body = strings.NewReader("")
			}
			r := httptest.NewRequest(tt.method, tt.path, body)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			assert.Equal(t, tt.allow, w.Header().Get("Allow"))
			if tt.status != http.StatusOK {
				return
			}
			var echo map[string]string
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &echo))
			assert.Equal(t, tt.wantPath, echo["path"], "handler")
			assert.Equal(t, tt.wantPattern, echo["pattern"], "handler")
			assert.Equal(t, "acme", echo["tenant"])
			assert.Equal(t, seen{tt.wantPath, tt.wantPattern}, *got, "wrap (journal, faults)")
		})
	}
}

// TestEmptyBodyHasNoMediaType: a request without content is not refused for
// its Content-Type where the operation needs no body; where it needs one,
// the body is still missing.
func TestEmptyBodyHasNoMediaType(t *testing.T) {
	mux, _ := mount(t, echoFace{})
	for _, tt := range []struct {
		name, method, path, contentType, body string
		status                                int
	}{
		{"no body, form type", "GET", "/customer/acme/me/addresses", "application/x-www-form-urlencoded", "", 200},
		{"no body, odd type", "GET", "/customer/acme/me/addresses", "text/plain", "", 200},
		{"optional body absent, form type", "POST", "/customer/acme/socialLogin?code=c", "application/x-www-form-urlencoded", "", 200},
		{"optional body absent, odd type", "POST", "/customer/acme/socialLogin?code=c", "text/plain; charset=utf-8", "", 200},
		{"optional body of a wrong type", "POST", "/customer/acme/socialLogin?code=c", "application/x-www-form-urlencoded", "a=b", 415},
		{"body needed, form type", "POST", "/customer/acme/password/reset", "application/x-www-form-urlencoded", "", 400},
		{"body needed, JSON type", "POST", "/customer/acme/password/reset", "application/json", "", 400},
		{"body of a wrong type", "POST", "/customer/acme/password/reset", "text/plain", `{"email":"a@b.c"}`, 415},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
		})
	}
}
