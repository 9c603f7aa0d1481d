package conformance_test

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	. "github.com/doppel-dev/doppel/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "go test ./conformance -run %s -update rewrites %s", t.Name(), path)
}

// The secrets of the leaky target: every one must be redacted.
const (
	leakyToken   = "tokABCDEF123"
	leakyRefresh = "refXYZ98765"
	leakyJWT     = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl"
	leakyCode    = "8KY0CX0LAR"
	leakyPass    = "S3cr3t'pass"
)

// leakyTarget logs anyone in, ignores the logout and keeps serving /me;
// last receives the last request it saw.
func leakyTarget(t *testing.T, last *http.Request) *conformance.Target {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /t/{tenant}/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"refresh_token":"`+leakyRefresh+`","access_token":"`+leakyToken+`","saas":"`+leakyJWT+`","expires_in":3599}`)
	})
	mux.HandleFunc("GET /t/{tenant}/logout", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /t/{tenant}/me", func(w http.ResponseWriter, r *http.Request) {
		*last = *r
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"42","code":401,"reset":{"code":"`+leakyCode+`"}}`)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return &conformance.Target{Name: "leaky", APIs: map[string]conformance.Endpoint{"emporix": {BaseURL: ts.URL,
		Vars: map[string]string{VarTenant: "acme", VarClientID: "client-id"}}}}
}

// leaky is a scenario whose GET /me after the logout wrongly succeeds.
var leaky = Scenario{ID: "EMP-AUTH-999", Description: "After a logout the token MUST be refused.", Labels: []string{"emporix"},
	Steps: []Step{
		POST("/t/{tenant}/login").JSON(Obj{"email": "ann@example.com", "password": leakyPass}).Expect(200).
			Capture("tok", "access_token").Capture("tokRefresh", "refresh_token"),
		GET("/t/{tenant}/logout").As("tok").Query("accessToken", "{tok}").Expect(204),
		GET("/t/{tenant}/me").As("tok").Header("X-Refresh", "{tokRefresh}").Expect(401, Equals("code", 401)),
	}}

// TestEvidenceShowsTheTrailAndHidesSecrets pins the evidence of a failure:
// every step up to it, bodies as received, a runnable curl line, and no
// secret seen in the run.
func TestEvidenceShowsTheTrailAndHidesSecrets(t *testing.T) {
	t.Parallel()
	var last http.Request
	target := leakyTarget(t, &last)
	_, err := target.Run(context.Background(), leaky)
	require.Error(t, err)
	msg, evidence := target.Explain(err)
	text := msg + "\n\n" + evidence
	for _, secret := range []string{leakyToken, leakyRefresh, leakyJWT, leakyCode, leakyPass} {
		assert.NotContains(t, text, secret)
	}
	assert.Contains(t, evidence, `{"id":"42","code":401,`, "a field merely named code stays, in the order received")
	base := target.APIs["emporix"].BaseURL
	golden(t, "evidence.golden.txt", strings.ReplaceAll(text, base, "http://target"))

	// The curl line runs as printed, once its variables are set.
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the curl line is not run: no curl")
	}
	line := evidence[strings.LastIndex(evidence, "\ncurl ")+1:]
	cmd := exec.Command("bash", "-c", line+" -s -o /dev/null")
	cmd.Env = append(os.Environ(), "TOK="+leakyToken, "TOK_REFRESH="+leakyRefresh)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", line, out)
	assert.Equal(t, "Bearer "+leakyToken, last.Header.Get("Authorization"))
	assert.Equal(t, leakyRefresh, last.Header.Get("X-Refresh"))
}

// TestShortValuesSeenStayVisible: a deliberately wrong password such as
// "other" is not redacted wherever it appears, or "another" would read
// "an[redacted]".
func TestShortValuesSeenStayVisible(t *testing.T) {
	t.Parallel()
	var last http.Request
	target := leakyTarget(t, &last)
	s := leaky
	s.Steps = []Step{
		POST("/t/{tenant}/login").JSON(Obj{"email": "ann@example.com", "password": "other"}).Expect(200).Capture("tok", "access_token"),
		GET("/t/{tenant}/me").As("tok").Expect(200, Equals("id", "another")),
	}
	_, err := target.Run(context.Background(), s)
	require.Error(t, err)
	msg, evidence := target.Explain(err)
	assert.Contains(t, msg, `expected "another"`)
	assert.NotContains(t, evidence, leakyToken)
}
