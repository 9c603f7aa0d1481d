package mockserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// addFault posts a fault rule and returns it as listed.
func (h *harness) addFault(rule string) map[string]any {
	h.t.Helper()
	w := h.do("POST", "/__doppel/faults", rule)
	require.Equal(h.t, http.StatusCreated, w.Code, w.Body.String())
	return decode[map[string]any](h.t, w)
}

// faults is GET /__doppel/faults.
func (h *harness) faults() (rules, logins []map[string]any) {
	h.t.Helper()
	out := decode[map[string][]map[string]any](h.t, h.do("GET", "/__doppel/faults", nil))
	return out["rules"], out["logins"]
}

func TestForcedStatusSpeaksEachFacesDialect(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	for _, f := range opsFaces {
		t.Run(f.api, func(t *testing.T) {
			w := f.login(h, annPassword, "X-Doppel-Fault", "status=503")
			assertAnswer(t, w, http.StatusServiceUnavailable, f.unavailable)
			entry := h.journal("?limit=1").Requests[0]
			assert.Equal(t, "header: status=503", entry["fault"], "the journal marks the faulted request")
			assert.Equal(t, 503.0, entry["status"])
			assert.NotContains(t, entry["request"].(map[string]any)["headers"], "X-Doppel-Fault")
		})
	}
}

func TestFaultRulesMatchAndExpire(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	rule := h.addFault(`{"api":"accounts","method":"post","path":"/customers/*","status":429,"count":2}`)
	assert.Equal(t, map[string]any{"id": 1.0, "api": "accounts", "method": "POST", "path": "/customers/*",
		"status": 429.0, "probability": 1.0, "remaining": 2.0, "applied": 0.0}, rule)

	accounts := opsFaces[2]
	assertAnswer(t, accounts.login(h, annPassword), http.StatusTooManyRequests,
		`{"result":"error","error":"too_many_requests","message":"Fault injected by doppel (rule 1: status=429)."}`)
	assert.Equal(t, http.StatusOK, opsFaces[0].login(h, annPassword).Code, "another api")
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/customers/self", nil).Code, "another method")
	rules, _ := h.faults()
	require.Len(t, rules, 1)
	assert.Equal(t, 1.0, rules[0]["remaining"])
	assert.Equal(t, 1.0, rules[0]["applied"])

	assert.Equal(t, http.StatusTooManyRequests, accounts.login(h, annPassword).Code)
	assert.Equal(t, http.StatusOK, accounts.login(h, annPassword).Code, "the count is spent")
	rules, _ = h.faults()
	assert.Empty(t, rules, "an expired rule is gone")
	assert.Equal(t, []any{"", "rule 1: status=429"}, []any{h.journal("?limit=2").Requests[0]["fault"], h.journal("?limit=2").Requests[1]["fault"]})
}

func TestFaultProbability(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	never := h.addFault(`{"path":"/customers/**","status":500,"probability":0}`)
	for range 20 {
		assert.Equal(t, http.StatusOK, opsFaces[2].login(h, annPassword).Code, "probability 0 never fires")
	}
	h.addFault(`{"path":"/customers/**","status":502,"probability":1}`)
	for range 20 {
		assert.Equal(t, http.StatusBadGateway, opsFaces[2].login(h, annPassword).Code, "probability 1 always fires")
	}
	assert.Equal(t, http.StatusNoContent, h.do("DELETE", "/__doppel/faults/"+strconv.Itoa(int(never["id"].(float64))), nil).Code)
	rules, _ := h.faults()
	require.Len(t, rules, 1)
	assert.Equal(t, 20.0, rules[0]["applied"])
	assert.Nil(t, rules[0]["remaining"])
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	h.addFault(`{"api":"accounts","latency":"60ms"}`)
	start := time.Now()
	assert.Equal(t, http.StatusOK, opsFaces[2].login(h, annPassword).Code, "latency alone still answers")
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
	entry := h.journal("?limit=1").Requests[0]
	assert.Equal(t, "rule 1: latency=60ms", entry["fault"])
	assert.GreaterOrEqual(t, entry["durationMs"], 60.0, "the journal's duration includes the delay")

	start = time.Now()
	w := h.do("GET", "/customer/acme/me", nil, "X-Doppel-Fault", "latency=30ms-50ms; status=504")
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	assert.Equal(t, http.StatusGatewayTimeout, w.Code)
	assert.Regexp(t, `^header: latency=(3\d|4\d|50)(\.\d+)?ms; status=504$`, h.journal("?limit=1").Requests[0]["fault"],
		"the delay drawn from the range is shown")
}

func TestFaultDropsTheConnection(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	srv := httptest.NewServer(h.srv)
	defer srv.Close()
	get := func(header ...string) (*http.Response, error) {
		req, err := http.NewRequest("GET", srv.URL+"/customers/self", nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return srv.Client().Do(req)
	}

	_, err := get("X-Doppel-Fault", "drop")
	assert.Error(t, err, "the client sees a connection error, not an answer")
	entry := h.journal("?limit=1").Requests[0]
	assert.Equal(t, 0.0, entry["status"], "no status: nothing was answered")
	assert.Equal(t, "header: drop", entry["fault"])

	h.addFault(`{"path":"/customers/self","drop":true,"count":1}`)
	_, err = get()
	assert.Error(t, err)
	resp, err := get()
	require.NoError(t, err, "the rule is spent")
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestFaultHeaderIsNotPartOfTheCall(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	tok := opsFaces[0].token(h)
	w := h.do("GET", "/customer/acme/me", nil, "Authorization", "Bearer "+tok, "X-Doppel-Fault", "latency=1ms")
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
	entry := h.journal("?limit=1").Requests[0]
	assert.Equal(t, []any{}, entry["violations"])
	assert.NotContains(t, entry["request"].(map[string]any)["headers"], "X-Doppel-Fault")

	// A header the mock cannot read is a 400 in the face's dialect, with the reason.
	w = h.do("GET", "/customer/acme/me", nil, "Authorization", "Bearer "+tok, "X-Doppel-Fault", "slow")
	assertAnswer(t, w, http.StatusBadRequest, `{"status":400,"type":"bad_request",`+
		`"message":"X-Doppel-Fault: unknown fault \"slow\"; use latency=300ms, latency=100ms-2s, status=503 or drop."}`)
	assert.Equal(t, "invalid X-Doppel-Fault", h.journal("?limit=1").Requests[0]["fault"])
}

func TestFaultRulesRefuseBadInput(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	tests := []struct{ body, reason string }{
		{`{"status":503,"colour":"red"}`, `unknown field "colour"`},
		{`{"status":"503"}`, "cannot unmarshal string"},
		{`not json`, "invalid character"},
		{`{"api":"emporix"}`, "a fault needs latency, status or drop"},
		{`{"api":"shopify","status":503}`, `api "shopify" is not one of emporix, openloyalty, accounts`},
		{`{"status":302}`, "status 302 is not an error status (400–599)"},
		{`{"status":503,"drop":true}`, "give status or drop, not both"},
		{`{"latency":"1s-100ms"}`, "not a delay or a range from low to high"},
		{`{"latency":"1h"}`, "longer than 5m0s"},
		{`{"path":"customers","status":500}`, `path "customers" must start with / or *`},
		{`{"status":500,"count":0}`, "count 0 is not a positive number"},
		{`{"status":500,"probability":2}`, "probability 2 is not between 0 and 1"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			w := h.do("POST", "/__doppel/faults", tt.body)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Contains(t, decode[map[string]string](t, w)["error"], tt.reason)
		})
	}
	rules, _ := h.faults()
	assert.Empty(t, rules)
	assert.Equal(t, http.StatusNotFound, h.do("DELETE", "/__doppel/faults/7", nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do("DELETE", "/__doppel/faults/x", nil).Code)
}

// TestOperationsUnderConcurrentLoad runs face requests over a real server
// while the journal is read and fault rules change; with -race it checks
// that the journal, the rules and the login faults share nothing unguarded.
func TestOperationsUnderConcurrentLoad(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{Journal: 16})
	srv := httptest.NewServer(h.srv)
	defer srv.Close()
	h.addFault(`{"path":"/customers/**","latency":"1ms","probability":0.5}`)
	done := make(chan struct{})
	var admin sync.WaitGroup
	admin.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			for _, call := range [][2]string{{"GET", "/__doppel/requests?limit=16"}, {"GET", "/__doppel/faults"},
				{"PATCH", opsFaces[2].loginURL()}} {
				req, _ := http.NewRequest(call[0], srv.URL+call[1], strings.NewReader(`{"failLogins":1}`))
				if resp, err := srv.Client().Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}
	})
	var clients sync.WaitGroup
	for range 4 {
		clients.Go(func() {
			for range 15 {
				resp, err := srv.Client().Post(srv.URL+"/customers/login", "application/json",
					strings.NewReader(`{"email":"ann@example.com","password":"`+annPassword+`"}`))
				if assert.NoError(t, err) {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					assert.Contains(t, []int{http.StatusOK, http.StatusUnauthorized}, resp.StatusCode)
				}
			}
		})
	}
	clients.Wait()
	close(done)
	admin.Wait()
	page := h.journal("?api=accounts&limit=100")
	assert.Len(t, page.Requests, 16)
	assert.GreaterOrEqual(t, page.Recorded, 60)
}
