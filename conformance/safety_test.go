package conformance_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/scenarios"
)

// TestAHangingTargetFailsEachStepAtTheTimeout: a target that never answers
// fails the step at the request timeout, naming the step, the URL and the
// timeout, with the trail as evidence.
func TestAHangingTargetFailsEachStepAtTheTimeout(t *testing.T) {
	t.Parallel()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	target := &conformance.Target{Timeout: 200 * time.Millisecond, APIs: map[string]conformance.Endpoint{"emporix": {BaseURL: hang.URL,
		Vars: map[string]string{scenarios.VarTenant: "acme", scenarios.VarClientID: "c"}}}}
	_, err := target.Run(context.Background(), scenario(t, "EMP-AUTH-001"))
	require.Error(t, err)
	msg, evidence := target.Explain(err)
	assert.Contains(t, msg, "step 1 (GET /customerlogin/auth/anonymous/login)")
	assert.Contains(t, msg, "GET "+hang.URL+"/customerlogin/auth/anonymous/login?")
	assert.Contains(t, msg, "no answer within the request timeout of 200ms")
	assert.Contains(t, evidence, "← no response: no answer within the request timeout of 200ms")
}

// freeURL is a loopback URL nothing listens on.
func freeURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return "http://" + ln.Addr().String()
}

func TestReachableNamesEachURLThatDoesNotAnswer(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.NotFoundHandler()) // any answer will do
	defer up.Close()
	down := freeURL(t)
	target := &conformance.Target{APIs: map[string]conformance.Endpoint{"emporix": {BaseURL: up.URL}, "accounts": {BaseURL: down}},
		Mailbox: conformance.MailpitMailbox{URL: down}}
	err := target.Reachable(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach "+down+" (accounts, mailbox)")
	assert.Contains(t, err.Error(), "connection refused")
	assert.NotContains(t, err.Error(), up.URL)

	target.APIs = map[string]conformance.Endpoint{"emporix": {BaseURL: up.URL}}
	target.Mailbox = nil
	assert.NoError(t, target.Reachable(context.Background()))

	_, err = conformance.LoadTarget(context.Background(), write(t, "t.yaml", "apis:\n  emporix: {baseURL: "+down+", tenant: a, clientId: b}\n"), nil, env(nil))
	assert.ErrorContains(t, err, "cannot reach "+down)
}

// TestUnknownModesAreRefused wherever the mode comes from.
func TestUnknownModesAreRefused(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"quick", "safe", "full"} {
		assert.NoError(t, conformance.CheckMode(mode))
	}
	assert.ErrorContains(t, conformance.CheckMode("smoke"), `mode "smoke": want quick, safe or full`)
	assert.ErrorContains(t, (&conformance.Target{Mode: "fulll"}).Validate(), `mode "fulll"`)
	assert.NoError(t, (&conformance.Target{}).Validate(), `"" is full`)
	_, _, err := conformance.LoadTargetFile(write(t, "t.yaml", "mode: ${MODE}\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n"), nil,
		env(map[string]string{"MODE": "smoke"}))
	assert.ErrorContains(t, err, `mode "smoke"`, "from the environment")
}

func TestTargetFileTimeout(t *testing.T) {
	t.Parallel()
	tf, _, err := conformance.LoadTargetFile(write(t, "t.yaml", "timeout: 3s\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n"), nil, env(nil))
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, tf.Target(nil).Timeout)
	_, _, err = conformance.LoadTargetFile(write(t, "t.yaml", "timeout: -3s\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n"), nil, env(nil))
	assert.ErrorContains(t, err, "timeout -3s")
}
