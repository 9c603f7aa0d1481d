package mockserver_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// journalPage is GET /__doppel/requests.
type journalPage struct {
	Capacity int              `json:"capacity"`
	Recorded int              `json:"recorded"`
	Requests []map[string]any `json:"requests"`
}

func (h *harness) journal(query string) journalPage {
	h.t.Helper()
	w := h.do("GET", "/__doppel/requests"+query, nil)
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[journalPage](h.t, w)
}

// paths lists the method and path of each listed request.
func (p journalPage) paths() []string {
	out := []string{}
	for _, r := range p.Requests {
		out = append(out, r["method"].(string)+" "+r["path"].(string))
	}
	return out
}

func TestJournalListsFaceRequestsNewestFirst(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	for _, f := range opsFaces {
		f.login(h, annPassword)
	}
	h.do("GET", "/__doppel/health", nil) // the admin API is not journaled
	h.do("GET", "/customer/acme/nothing", nil)

	page := h.journal("")
	assert.Equal(t, mockserver.DefaultJournal, page.Capacity)
	assert.Equal(t, 5, page.Recorded)
	assert.Equal(t, []string{"GET /customer/acme/nothing", "POST /customers/login",
		"POST /api/DEFAULT/customer/login_check", "POST /customer/acme/login", "GET /customerlogin/auth/anonymous/login"}, page.paths())

	latest, login := page.Requests[0], page.Requests[3]
	assert.Equal(t, map[string]any{"api": "emporix", "tenant": "acme", "operation": "", "status": 404.0},
		pick(latest, "api", "tenant", "operation", "status"), "a 404 is journaled too")
	assert.Equal(t, map[string]any{"api": "emporix", "tenant": "acme", "operation": "logIn", "status": 200.0, "fault": ""},
		pick(login, "api", "tenant", "operation", "status", "fault"))
	assert.Greater(t, login["durationMs"], 0.0)
	assert.Equal(t, 5.0, latest["id"])
	assert.Equal(t, "acme", page.Requests[4]["tenant"], "Emporix's customerlogin names its tenant in the query")
	assert.Equal(t, "openloyalty", page.Requests[2]["api"])
	assert.Equal(t, "DEFAULT", page.Requests[2]["tenant"], "Open Loyalty's tenant is the store code")
	assert.Equal(t, "default", page.Requests[1]["tenant"])
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func TestJournalFilters(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	opsFaces[0].login(h, "wrong")                                          // GET /customerlogin/… 200, then POST /customer/acme/login 401
	h.do("GET", "/customer/beta/me", nil)                                  // GET  /customer/beta/me 401
	opsFaces[1].login(h, annPassword)                                      // POST /api/DEFAULT/… 200
	h.do("POST", "/customers/login", `{"email":1}`)                        // POST /customers/login 400
	h.do("DELETE", "/customers/self", nil, "Authorization", "Bearer nope") // DELETE /customers/self 401

	tests := []struct {
		query string
		want  []string
	}{
		{"?api=emporix", []string{"GET /customer/beta/me", "POST /customer/acme/login", "GET /customerlogin/auth/anonymous/login"}},
		{"?tenant=acme", []string{"POST /customer/acme/login", "GET /customerlogin/auth/anonymous/login"}},
		{"?path=/customers/", []string{"DELETE /customers/self", "POST /customers/login"}},
		{"?path=login", []string{"POST /customers/login", "POST /api/DEFAULT/customer/login_check", "POST /customer/acme/login", "GET /customerlogin/auth/anonymous/login"}},
		{"?status=401", []string{"DELETE /customers/self", "GET /customer/beta/me", "POST /customer/acme/login"}},
		{"?status=4xx&api=accounts", []string{"DELETE /customers/self", "POST /customers/login"}},
		{"?status=2XX", []string{"POST /api/DEFAULT/customer/login_check", "GET /customerlogin/auth/anonymous/login"}},
		{"?status=5xx", []string{}},
		{"?method=post&limit=2", []string{"POST /customers/login", "POST /api/DEFAULT/customer/login_check"}},
		{"?limit=1", []string{"DELETE /customers/self"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			assert.Equal(t, tt.want, h.journal(tt.query).paths())
		})
	}
}

func TestJournalRefusesBadFilters(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	tests := []struct{ query, reason string }{
		{"?status=4x", `status "4x" is neither a status (401) nor a class (4xx)`},
		{"?status=600", `status "600"`},
		{"?limit=0", `limit "0" is not a positive number`},
		{"?limit=ten", `limit "ten"`},
		{"?api=stripe", `api "stripe" is not one of emporix, openloyalty, accounts`},
		{"?stauts=401", `unknown parameter "stauts"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			w := h.do("GET", "/__doppel/requests"+tt.query, nil)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Contains(t, decode[map[string]string](t, w)["error"], tt.reason)
		})
	}
}

func TestJournalRingIsBoundedAndClears(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{Journal: 3})
	for _, tenant := range []string{"t01", "t02", "t03", "t04", "t05"} {
		h.do("GET", "/customer/"+tenant+"/me", nil)
	}
	page := h.journal("?limit=100")
	assert.Equal(t, 3, page.Capacity)
	assert.Equal(t, 5, page.Recorded)
	assert.Equal(t, []string{"GET /customer/t05/me", "GET /customer/t04/me", "GET /customer/t03/me"}, page.paths())
	assert.Equal(t, []any{5.0, 4.0, 3.0}, []any{page.Requests[0]["id"], page.Requests[1]["id"], page.Requests[2]["id"]})

	assert.Equal(t, http.StatusNoContent, h.do("DELETE", "/__doppel/requests", nil).Code)
	page = h.journal("")
	assert.Empty(t, page.Requests)
	assert.Equal(t, 0, page.Recorded)

	h.do("GET", "/customer/t06/me", nil)
	assert.Equal(t, []string{"GET /customer/t06/me"}, h.journal("").paths(), "nothing from before the clear comes back")
	assert.Equal(t, 6.0, h.journal("").Requests[0]["id"], "ids go on")
}

func TestJournalOff(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{Journal: -1})
	opsFaces[2].login(h, annPassword)
	page := h.journal("")
	assert.Equal(t, journalPage{Requests: []map[string]any{}}, page)
	assert.Equal(t, http.StatusNoContent, h.do("DELETE", "/__doppel/requests", nil).Code)
}

func TestJournalShowsContractViolations(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	w := h.do("POST", "/customers/login", `{"email":"ann@example.com","password":7}`)
	require.Equal(t, http.StatusBadRequest, w.Code)
	entry := h.journal("").Requests[0]
	assert.Equal(t, "login", entry["operation"])
	assert.Equal(t, []any{map[string]any{"in": "body", "field": "password", "message": "got number, want string"}},
		entry["violations"])

	opsFaces[2].login(h, annPassword)
	assert.Equal(t, []any{}, h.journal("").Requests[0]["violations"], "none: an empty list")
}

// TestJournalRedactsSecrets pins what the journal shows of a few calls that
// carry secrets in every place: bodies, headers, query and path. Volatile
// fields (time, duration) are left out. Run with -update to accept changes.
func TestJournalRedactsSecrets(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	anon := h.anonymous("acme")
	tok := opsFaces[0].token(h)
	h.do("GET", "/customer/acme/logout?accessToken="+tok, nil, "Authorization", "Bearer "+tok)
	h.do("GET", "/customer/acme/signup/optin/"+strings.Repeat("S3cr3t", 4), nil, "Authorization", "Bearer "+anon)
	h.do("POST", "/api/DEFAULT/customer/login_check", "_username=ann%40example.com&_password="+annPassword,
		"Content-Type", "application/x-www-form-urlencoded")
	h.do("POST", "/customers/password_reset", map[string]string{"email": "ann@example.com", "reset_uri": "/reset?code=x"},
		"Cookie", "session=s3cr3t")
	h.do("POST", "/customers/login", `{"email":"ann@example.com","password":"`+annPassword+`",`) // malformed JSON

	w := h.do("GET", "/__doppel/requests", nil)
	require.Equal(t, http.StatusOK, w.Code)
	raw := w.Body.String()
	for _, secret := range []string{annPassword, tok, anon, "S3cr3t", "s3cr3t"} {
		assert.NotContains(t, raw, secret)
	}
	var page journalPage
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &page))
	for _, r := range page.Requests {
		delete(r, "time")
		delete(r, "durationMs")
	}
	out, err := json.MarshalIndent(page.Requests, "", "  ")
	require.NoError(t, err)
	golden := filepath.Join("testdata", "journal-redacted.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, append(out, '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./mockserver -run JournalRedacts -update")
	assert.JSONEq(t, string(want), string(out))
}

func TestJournalClipsLongBodiesAfterRedacting(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	long := strings.Repeat("x", 10_000)
	h.do("POST", "/customers/login", `{"password":"`+annPassword+`","email":"`+long+`@example.com"}`)
	body := h.journal("").Requests[0]["request"].(map[string]any)["body"].(string)
	assert.NotContains(t, body, annPassword)
	assert.True(t, strings.HasPrefix(body, `{"email":"xxx`), body[:40])
	assert.Regexp(t, `x… \(100[0-9]{2} bytes\)$`, body)
	assert.Less(t, len(body), 4200)
}
