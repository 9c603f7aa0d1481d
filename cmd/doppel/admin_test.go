package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
)

// get answers a GET's status, with a bearer token when one is given.
func get(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeAdminOff: with --admin=false every /__doppel/ path is a 404 and
// the faces answer as usual.
func TestServeAdminOff(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	base := "http://" + addr
	cmd := doppel(context.Background(), "serve", "--addr", addr, "--admin=false")
	out := &lockedBuffer{}
	cmd.Stdout = out
	start(t, cmd, base+"/customerlogin/auth/anonymous/login?tenant=demo&client_id=x")
	for _, path := range []string{"/__doppel/", "/__doppel/health", "/__doppel/state", "/__doppel/mailbox"} {
		assert.Equal(t, http.StatusNotFound, get(t, base+path, ""), path)
	}
	assert.NotEmpty(t, anonymousToken(t, base))
	assert.Contains(t, out.String(), "admin API and dashboard off (--admin=false)")
	assert.NotContains(t, out.String(), addr+"/__doppel/", "no admin URL printed")
}

// TestServeAdminTokenFromTheEnvironment: $DOPPEL_ADMIN_TOKEN protects the
// admin API; health still answers for readiness probes.
func TestServeAdminTokenFromTheEnvironment(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	base := "http://" + addr
	cmd := doppel(context.Background(), "serve", "--addr", addr)
	cmd.Env = append(cmd.Env, adminTokenEnv+"=env-s3cret")
	start(t, cmd, base+"/__doppel/health")
	assert.Equal(t, http.StatusUnauthorized, get(t, base+"/__doppel/state", ""))
	assert.Equal(t, http.StatusUnauthorized, get(t, base+"/__doppel/state", "wrong"))
	assert.Equal(t, http.StatusOK, get(t, base+"/__doppel/state", "env-s3cret"))
}

func TestWarnExposed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip           string
		admin, token bool
		want         string
	}{
		{"127.0.0.1", true, false, ""},
		{"::1", true, false, ""},
		{"0.0.0.0", true, false, "and use the admin API (read every secret, reset the state).\n  Set $DOPPEL_ADMIN_TOKEN or --admin-token, or --admin=false."},
		{"192.168.1.5", true, true, "; the admin API needs the token."},
		{"192.168.1.5", false, false, "can log in as the personas.\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		warnExposed(&out, &net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 4010}, tt.admin, tt.token)
		if tt.want == "" {
			assert.Empty(t, out.String(), tt.ip)
			continue
		}
		assert.Contains(t, out.String(), "WARNING: listening on "+net.JoinHostPort(tt.ip, "4010")+", beyond this machine", tt.ip)
		assert.Contains(t, out.String(), tt.want, tt.ip)
	}
}

// TestShutdownNamesTheDroppedRequests: a request still running when the
// shutdown timeout ends is dropped, and named.
func TestShutdownNamesTheDroppedRequests(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	track := &inflight{reqs: map[*http.Request]time.Time{}}
	hs := &http.Server{Handler: track.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
	}))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = hs.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	assert.Equal(t, http.StatusOK, get(t, base+"/fast", ""), "a finished request is not listed")
	go func() {
		if resp, err := http.Post(base+"/slow", "application/json", strings.NewReader("{}")); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	err = shutdown(hs, track, 50*time.Millisecond)
	require.Error(t, err)
	assert.Regexp(t, `^shutdown: 1 requests still running after --shutdown-timeout 50ms were dropped: POST /slow \(\d+ms\)$`, err.Error())
}

// TestConformAgainstServeWithAnAdminToken: doppel conform passes the admin
// token ($DOPPEL_ADMIN_TOKEN, or adminToken in the target file) to a doppel
// deployment's admin API: seeding, tenant settings and the mailbox.
func TestConformAgainstServeWithAnAdminToken(t *testing.T) {
	t.Parallel()
	skipShort(t, "three doppel conform runs")
	addr := freeAddr(t)
	base := "http://" + addr
	start(t, doppel(context.Background(), "serve", "--addr", addr, "--admin-token", "conform-s3cret"), base+"/__doppel/health")
	target := targetFile(base, "{adapter: doppel}")

	code, out, _ := conformRun(t, target, "--focus", "EMP-OPTIN-001")
	assert.Equal(t, 1, code, "no token, no seeding")
	assert.Contains(t, out, "401 Unauthorized")

	code, out, summary := conformRun(t, target+"adminToken: conform-s3cret\n", "--focus", "EMP-OPTIN|ACC-ACTIV")
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `\*\*([1-9][0-9]*) passed, 0 failed, 0 differ from doppel's choices, 0 known deviations, [0-9]+ skipped\*\* of [0-9]+ scenarios; [0-9]+ of the [0-9]+ selected could run`, summary, "the opt-in and activation scenarios")
	m := regexp.MustCompile(`; ([0-9]+) of the ([0-9]+) selected could run`).FindStringSubmatch(summary)
	assert.Equal(t, m[2], m[1], "every selected scenario ran: the token reached seeding, tenant settings and the mailbox")

	code, out, _ = conformRunEnv(t, []string{conformance.AdminTokenEnv + "=conform-s3cret"}, target, "--focus", "EMP-OPTIN-001")
	require.Equal(t, 0, code, out)
	assert.NotContains(t, out, "conform-s3cret", "the token is a secret")
}

func TestServeRefusesABadAdminOrigin(t *testing.T) {
	t.Parallel()
	for _, origin := range []string{"localhost:5173", "http://localhost:5173/app", "ftp://x"} {
		err := serve([]string{"--addr", "127.0.0.1:0", "--admin-origin", origin}, io.Discard)
		require.Error(t, err, origin)
		assert.Contains(t, err.Error(), "give an origin, e.g. http://localhost:5173")
	}
}
