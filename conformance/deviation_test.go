package conformance_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// recorder buffers a response so that a test can tamper with it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// tamper wraps the mock: change rewrites the status and body of the
// responses to requests whose path contains match.
func tamper(t *testing.T, match string, change func(status int, body []byte) (int, []byte)) *conformance.Target {
	srv, err := mockserver.New(mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, match) {
			srv.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		srv.ServeHTTP(rec, r)
		status, body := change(rec.status, rec.body.Bytes())
		w.Header().Del("Content-Length")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(ts.Close)
	return &conformance.Target{
		APIs: map[string]conformance.Endpoint{"emporix": {BaseURL: ts.URL,
			Vars: map[string]string{scenarios.VarTenant: "acme", scenarios.VarClientID: "test"}}},
		Capabilities: []string{scenarios.NeedsMailbox},
		Mailbox:      conformance.DoppelMailbox{BaseURL: ts.URL},
	}
}

func scenario(t *testing.T, id string) scenarios.Scenario {
	for _, s := range scenarios.All() {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no scenario %s", id)
	return scenarios.Scenario{}
}

// TestDeviationsFail shows that the suite catches a target that strays from
// the contract or from a scenario, and names the evidence.
func TestDeviationsFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scenario, match string
		change                func(int, []byte) (int, []byte)
		want                  []string
	}{
		{"a field of another type", "EMP-AUTH-001", "/anonymous/login", // the vendor requires no field: a dropped one is a finding
			func(s int, b []byte) (int, []byte) {
				return s, bytes.Replace(b, []byte(`"expires_in":3599`), []byte(`"expires_in":"3599"`), 1)
			},
			[]string{"step 1", "expires_in", "vendor documentation (contract emporix)"}},
		{"another status", "EMP-AUTH-005", "/signup",
			func(s int, b []byte) (int, []byte) {
				if s == http.StatusConflict {
					return http.StatusBadRequest, bytes.Replace(b, []byte(`409`), []byte(`400`), 1)
				}
				return s, b
			},
			[]string{"step 3", "expected status 409, got 400", "→ POST", "← 400"}},
		{"a server error", "EMP-PROF-002", "/me",
			func(int, []byte) (int, []byte) { return http.StatusInternalServerError, []byte(`{"message":"boom"}`) },
			[]string{"server error 500"}},
		{"an undocumented status", "EMP-ADDR-001", "/me/addresses",
			func(s int, b []byte) (int, []byte) {
				if s == http.StatusCreated {
					return http.StatusAccepted, b
				}
				return s, b
			},
			[]string{"status 202 is not documented"}},
		{"a reset that fails", "EMP-CRED-001", "/password/reset/update",
			func(s int, b []byte) (int, []byte) {
				return http.StatusBadRequest, []byte(`{"status":400,"type":"bad_request","message":"no"}`)
			},
			[]string{"expected status 204, got 400"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tamper(t, tt.match, tt.change)
			_, err := target.Run(context.Background(), scenario(t, tt.scenario))
			require.Error(t, err)
			msg, evidence := target.Explain(err)
			msg += "\n" + evidence
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}

// TestUntamperedTargetPasses is the control of TestDeviationsFail.
func TestUntamperedTargetPasses(t *testing.T) {
	t.Parallel()
	target := tamper(t, "/nothing", nil)
	for _, id := range []string{"EMP-AUTH-001", "EMP-AUTH-005", "EMP-PROF-002", "EMP-ADDR-001", "EMP-CRED-001"} {
		_, err := target.Run(context.Background(), scenario(t, id))
		assert.NoError(t, err, id)
	}
}
