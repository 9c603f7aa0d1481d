package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/seed"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// served runs doppel serve with args until the test ends (or stop), and
// returns its base URL and its standard output so far.
func served(t *testing.T, args ...string) (base string, cmd *exec.Cmd, banner func() string) {
	t.Helper()
	addr := freeAddr(t)
	cmd = doppel(context.Background(), append([]string{"serve", "--addr", addr}, args...)...)
	out := &lockedBuffer{}
	cmd.Stdout = out
	start(t, cmd, "http://"+addr+"/__doppel/health")
	return "http://" + addr, cmd, out.String
}

// stop ends a doppel serve with sig and waits for it.
func stop(t *testing.T, cmd *exec.Cmd, sig os.Signal) error {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(sig))
	return cmd.Wait()
}

// lockedBuffer is a bytes.Buffer that a process writes while a test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// call sends a JSON request and returns the status and the decoded body.
func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// signUp signs an Emporix customer up in tenant shop, returning the status.
func signUp(t *testing.T, base, email string) int {
	t.Helper()
	_, anon := call(t, "GET", base+"/customerlogin/auth/anonymous/login?tenant=shop&client_id=test", "", nil)
	status, _ := call(t, "POST", base+"/customer/shop/signup", anon["access_token"].(string), map[string]string{"email": email, "password": "pw"})
	return status
}

// logIn logs an Emporix customer of tenant shop in, returning the status.
func logIn(t *testing.T, base, email string) int {
	t.Helper()
	_, anon := call(t, "GET", base+"/customerlogin/auth/anonymous/login?tenant=shop&client_id=test", "", nil)
	status, _ := call(t, "POST", base+"/customer/shop/login", anon["access_token"].(string), map[string]string{"email": email, "password": "pw"})
	return status
}

func state(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/__doppel/state")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestServeKeepsStateAcrossRestarts: a customer created before a SIGTERM
// logs in after the restart.
func TestServeKeepsStateAcrossRestarts(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	base, cmd, _ := served(t, "--state-file", file)
	require.Equal(t, http.StatusCreated, signUp(t, base, "ann@example.com"))
	require.NoError(t, stop(t, cmd, syscall.SIGTERM), "a clean exit")

	base, _, banner := served(t, "--state-file", file, "--customers", "5")
	assert.Equal(t, http.StatusOK, logIn(t, base, "ann@example.com"))
	assert.Contains(t, banner(), "state loaded from "+file)
	assert.NotContains(t, state(t, base), "@example.com2", "no customers generated over a loaded state")
}

// TestServeRefusesABadStateFile: a state file that cannot be loaded stops
// doppel serve with the reason, and is left as it was.
func TestServeRefusesABadStateFile(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, content, want string }{
		{"not JSON", `{"state":{"version":1,"customers":[`, "unexpected EOF"},
		{"empty", ``, "EOF"},
		{"another version", `{"state":{"version":9}}`, "state version 9 is not supported"},
		{"no state section", `{"emporix":{"tenants":{}}}`, `not a doppel state file: it has no "state" section`},
		{"a dangling record", `{"state":{"version":1,"accounts":[{"id":"a","api":"emporix","tenant":"shop","email":"a@b","customer":"nobody"}]}}`, `customer "nobody" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			require.NoError(t, os.WriteFile(file, []byte(tt.content), 0o600))
			before, err := os.Stat(file)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := doppel(ctx, "serve", "--addr", freeAddr(t), "--state-file", file).CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "%s", out)
			assert.Equal(t, 1, exit.ExitCode())
			assert.Contains(t, string(out), "state file "+file+" cannot be loaded (left as it is; fix or remove it)")
			assert.Contains(t, string(out), tt.want)
			content, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(content))
			after, err := os.Stat(file)
			require.NoError(t, err)
			assert.Equal(t, before.ModTime(), after.ModTime())
		})
	}
}

// TestServeStateFileSurvivesKill kills doppel serve while it writes its
// state file, during a stream of sign-ups: the file still loads.
func TestServeStateFileSurvivesKill(t *testing.T) {
	t.Parallel()
	skipShort(t, "killing doppel serve three times amid 300 customers")
	file := filepath.Join(t.TempDir(), "state.json")
	for round := range 3 {
		base, cmd, _ := served(t, "--state-file", file, "--seed", "1", "--customers", "300")
		var stopped atomic.Bool
		done := make(chan struct{})
		go func() { // the stream of writes
			defer close(done)
			for i := 0; !stopped.Load(); i++ {
				req, _ := http.NewRequest("GET", base+"/customerlogin/auth/anonymous/login?tenant=shop&client_id=test", nil)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}()
		writing := func() bool { tmp, _ := filepath.Glob(file + ".*.tmp"); return len(tmp) > 0 }
		deadline := time.Now().Add(20 * time.Second)
		for !writing() && time.Now().Before(deadline) { // kill while a write is under way: its temporary file exists
			time.Sleep(100 * time.Microsecond)
		}
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
		stopped.Store(true)
		<-done
		t.Logf("round %d: killed while writing: %v", round, writing())

		doc, err := persist.ReadStateFile(file)
		require.NoError(t, err, "round %d", round)
		require.NotNil(t, doc)
		_, err = mockserver.New(mockserver.Options{Seed: &doc.Document, State: doc.State})
		require.NoError(t, err, "round %d", round)
	}
}

// TestServeRefusesAStateFileInUse: a second doppel serve on the same state
// file stops at once with the reason, and the first one's file stays
// loadable.
func TestServeRefusesAStateFileInUse(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	base, first, _ := served(t, "--state-file", file)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := doppel(ctx, "serve", "--addr", freeAddr(t), "--state-file", file).CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Contains(t, string(out), fmt.Sprintf("state file %s is in use by another doppel (pid %d", file, first.Process.Pid))
	assert.Contains(t, string(out), "give each its own --state-file")

	require.Equal(t, http.StatusCreated, signUp(t, base, "ann@example.com"))
	require.NoError(t, stop(t, first, syscall.SIGTERM))
	base, _, _ = served(t, "--state-file", file)
	assert.Equal(t, http.StatusOK, logIn(t, base, "ann@example.com"), "the lock went with the first process")
}

// TestServeSameSeedSameState: two starts with the same seed serve the same
// state; without --seed, the printed seed repeats the state.
func TestServeSameSeedSameState(t *testing.T) {
	t.Parallel()
	base1, _, _ := served(t, "--seed", "5", "--customers", "3")
	base2, _, _ := served(t, "--seed", "5", "--customers", "3")
	assert.Equal(t, state(t, base1), state(t, base2))

	base3, _, banner := served(t, "--customers", "2")
	var seed string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`seed (\d+) \(--seed \d+ gives this state again\)`).FindStringSubmatch(banner())
		if m != nil {
			seed = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond, "the random seed is printed")
	base4, _, _ := served(t, "--seed", seed, "--customers", "2")
	assert.Equal(t, state(t, base3), state(t, base4))
	assert.NotEqual(t, state(t, base1), state(t, base3))
}

// TestServeSeedsTheDataNotTheTokens: the same seed gives the same state at
// start, but the tokens issued after it are new on every start — unless
// --deterministic-tokens asks otherwise.
func TestServeSeedsTheDataNotTheTokens(t *testing.T) {
	t.Parallel()
	base1, _, _ := served(t, "--seed", "5")
	base2, _, _ := served(t, "--seed", "5")
	assert.Equal(t, state(t, base1), state(t, base2))
	assert.NotEqual(t, anonymousToken(t, base1), anonymousToken(t, base2), "yesterday's token is no token today")

	base3, _, banner := served(t, "--seed", "5", "--deterministic-tokens")
	base4, _, _ := served(t, "--seed", "5", "--deterministic-tokens")
	assert.Equal(t, anonymousToken(t, base3), anonymousToken(t, base4))
	assert.Contains(t, banner(), "--deterministic-tokens: tokens and codes follow the seed too")
}

// TestFixturesCommand: doppel fixtures writes the same document for the
// same seed, the one the golden file holds, and it is a valid seed document.
func TestFixturesCommand(t *testing.T) {
	t.Parallel()
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := doppel(ctx, append([]string{"fixtures"}, args...)...).Output()
		require.NoError(t, err)
		return string(out)
	}
	got := run("--seed", "7", "--customers", "2")
	assert.Equal(t, got, run("--customers", "2", "--seed", "7"))
	assert.NotEqual(t, got, run("--seed", "8", "--customers", "2"))
	doc, err := seed.Parse([]byte(got))
	require.NoError(t, err)
	assert.Equal(t, fixtures.Generate(7, 2), doc)
	assert.True(t, strings.HasSuffix(got, "}\n"))

	golden := filepath.Join("testdata", "fixtures-seed-7.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "run with -update to accept a change")
}
