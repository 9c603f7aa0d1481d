package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// TestMain lets the test binary double as doppel: with DOPPEL_MAIN=1 it
// runs main, so the tests start `doppel serve` and `doppel conform` as
// separate processes without building another binary.
func TestMain(m *testing.M) {
	if os.Getenv("DOPPEL_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// doppel returns a command running this binary as doppel with args.
func doppel(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DOPPEL_MAIN=1")
	return cmd
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// skipShort skips a slow end-to-end test under -short (make test-short);
// make test runs it.
func skipShort(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: %s runs in make test", what)
	}
}

// start runs a long-lived process until the test ends and waits until url
// answers.
func start(t *testing.T, cmd *exec.Cmd, url string) {
	t.Helper()
	logs := new(lockedBuffer)
	if cmd.Stdout == nil {
		cmd.Stdout = logs
	}
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("%s:\n%s", cmd.Args, logs.String())
		}
	})
	// Bounded generously: with the race detector and every test in
	// parallel on two cores, a start-up can take many seconds.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
	}
	t.Fatalf("%s did not answer at %s:\n%s", cmd.Args, url, logs.String())
}

// conformRun runs doppel conform with a target file and returns its exit
// code, its output and the Markdown summary it wrote.
func conformRun(t *testing.T, target string, extra ...string) (int, string, string) {
	t.Helper()
	return conformRunEnv(t, nil, target, extra...)
}

// conformRunEnv is conformRun with environment variables (KEY=value) added
// to doppel conform's.
func conformRunEnv(t *testing.T, env []string, target string, extra ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "target.yaml")
	require.NoError(t, os.WriteFile(file, []byte(target), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"conform", "--target", file, "--reports", filepath.Join(dir, "reports")}, extra...)
	cmd := doppel(ctx, args...)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "reports", "summary.md"))
	for _, f := range []string{"junit.xml", "ginkgo.json", "summary.html"} {
		if len(summary) > 0 {
			assert.FileExists(t, filepath.Join(dir, "reports", f))
		}
	}
	return code, string(out), string(summary)
}

// targetFile is a target file for a doppel deployment at base serving
// every API.
func targetFile(base, mailbox string) string {
	doc := fmt.Sprintf("name: e2e\ndoppel: true\nmode: full\ncapabilities: [admin, multi-tenant, destructive, social-login, provisioning]\nmailbox: %s\napis:\n", mailbox)
	for _, api := range scenarios.APIs {
		doc += fmt.Sprintf("  %s: {baseURL: %q}\n", api.Name, base)
	}
	return doc
}

// mailpit finds the Mailpit binary: on PATH or in GOPATH/bin.
func mailpit(t *testing.T) string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "mailpit")
	if _, err := os.Stat(p); err != nil {
		t.Skip("needs Mailpit: go install github.com/axllent/mailpit@v1.33.1 (.ci/run installs it)")
	}
	return p
}

// TestConformAgainstServeWithRealMail runs the whole suite against `doppel
// serve` in another process that delivers its mail over SMTP to Mailpit,
// reading every secret back from Mailpit.
func TestConformAgainstServeWithRealMail(t *testing.T) {
	t.Parallel()
	skipShort(t, "the whole suite through Mailpit")
	smtpAddr, mailpitAddr, doppelAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	start(t, exec.Command(mailpit(t), "--smtp", smtpAddr, "--listen", mailpitAddr, "--disable-version-check"),
		"http://"+mailpitAddr+"/api/v1/info")
	start(t, doppel(context.Background(), "serve", "--addr", doppelAddr, "--smtp", smtpAddr),
		"http://"+doppelAddr+"/__doppel/health")

	mailbox := fmt.Sprintf("{adapter: mailpit, url: %q, wait: 20s, quiet: 1s}", "http://"+mailpitAddr)
	code, out, summary := conformRun(t, targetFile("http://"+doppelAddr, mailbox))
	require.Equal(t, 0, code, out)
	assert.Contains(t, summary, " 0 failed")
	assert.Contains(t, summary, " 0 skipped")
	assert.Regexp(t, `\| mailbox \| [1-9][0-9]* \| 0 \| 0 \| 0 \|`, summary, "mail scenarios ran, through Mailpit")
}

// TestConformFailsOnABrokenTarget puts a proxy that drops one field in front
// of the mock: the run fails, and the report names the scenario and shows
// the evidence. Listed as a known deviation, the same failure passes.
func TestConformFailsOnABrokenTarget(t *testing.T) {
	t.Parallel()
	skipShort(t, "three doppel conform runs")
	srv, err := mockserver.New(mockserver.Options{})
	require.NoError(t, err)
	mock := httptest.NewServer(srv)
	defer mock.Close()
	u, _ := url.Parse(mock.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var tokens []string // every token the target handed out
	var mu sync.Mutex
	proxy.ModifyResponse = func(resp *http.Response) error {
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		mu.Lock()
		tokens = append(tokens, regexp.MustCompile(`"(?:access|refresh)_token":"([^"]+)"`).FindAllString(body.String(), -1)...)
		mu.Unlock()
		if resp.Request.URL.Path != "/customerlogin/auth/anonymous/login" {
			resp.Body = io.NopCloser(body)
			return nil
		}
		b := bytes.Replace(body.Bytes(), []byte(`"scope":"tenant=`), []byte(`"scope":"tenants=`), 1)
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		resp.Header.Set("Content-Length", fmt.Sprint(len(b)))
		return nil
	}
	broken := httptest.NewServer(proxy)
	defer broken.Close()
	target := targetFile(broken.URL, "{adapter: doppel}")

	reports := t.TempDir()
	code, out, _ := conformRun(t, target, "--focus", "EMP-AUTH-00[12]", "--reports", reports) // the last --reports wins
	assert.Equal(t, 1, code, out)
	b, err := os.ReadFile(filepath.Join(reports, "summary.md"))
	require.NoError(t, err)
	summary := string(b)
	assert.Contains(t, summary, "EMP-AUTH-001")
	assert.Contains(t, summary, `expected "tenant=`, "the failed check")
	assert.Contains(t, summary, "→ GET "+broken.URL+"/customerlogin/auth/anonymous/login", "the request")
	assert.Contains(t, summary, `"scope":"tenants=`, "the response")
	assert.Contains(t, summary, "curl -i -X GET", "a line that repeats it")
	// Every report shows the evidence once, and no token the target handed out.
	require.NotEmpty(t, tokens)
	for _, f := range []string{"junit.xml", "ginkgo.json", "summary.md", "summary.html", "stdout"} {
		text := out
		if f != "stdout" {
			b, err := os.ReadFile(filepath.Join(reports, f))
			require.NoError(t, err)
			text = string(b)
		}
		assert.Equal(t, 1, strings.Count(text, "Step trail"), "%s shows the evidence once", f)
		for _, tok := range tokens {
			_, value, _ := strings.Cut(tok, `":"`)
			assert.NotContains(t, text, strings.TrimSuffix(value, `"`), "%s shows a token", f)
		}
	}

	dir := t.TempDir()
	deviations := filepath.Join(dir, "deviations.yaml")
	require.NoError(t, os.WriteFile(deviations, []byte("deviations:\n  - id: EMP-AUTH-001\n    reason: staging answers scope tenants=\n"), 0o644))
	code, out, summary = conformRun(t, target, "--focus", "EMP-AUTH-00[12]", "--expect", deviations)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, summary, "1 known deviations")

	// Against the unbroken mock the deviation is an unexpected pass.
	code, out, _ = conformRun(t, targetFile(mock.URL, "{adapter: doppel}"), "--focus", "EMP-AUTH-001", "--expect", deviations)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "unexpected pass")
}

func TestConformRefusesABadTargetFile(t *testing.T) {
	t.Parallel()
	code, out, _ := conformRun(t, "mode: fast\napis:\n  emporix: {baseURL: ftp://x, tenant: a}\n  shopify: {}\nmailbox: {adapter: mailpit}\n")
	assert.Equal(t, 1, code)
	for _, want := range []string{`mode "fast"`, "apis.emporix.baseURL", "apis.emporix.clientId: required", "apis.shopify: unknown API", "mailbox.url"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "Ran ", "no spec runs")
}

// TestServePrintsPersonasAndAnswers starts doppel serve and reads its banner.
func TestServePrintsPersonasAndAnswers(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	cmd := doppel(context.Background(), "serve", "--addr", addr, "--seed", "3")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	start(t, cmd, "http://"+addr+"/__doppel/health")
	sc := bufio.NewScanner(stdout)
	var banner []string
	for sc.Scan() && len(banner) < 8 {
		banner = append(banner, sc.Text())
	}
	text := strings.Join(banner, "\n")
	assert.Contains(t, text, "doppel listening on http://"+addr)
	assert.Contains(t, text, "dashboard: http://"+addr+"/__doppel/ ")
	assert.Contains(t, text, "tenant \"demo\"")
}

// TestServeJournalFlag sizes the request journal, or turns it off.
func TestServeJournalFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ flag, capacity string }{{"2", `"capacity":2`}, {"0", `"capacity":0`}} {
		t.Run(tt.flag, func(t *testing.T) {
			addr := freeAddr(t)
			start(t, doppel(context.Background(), "serve", "--addr", addr, "--journal", tt.flag), "http://"+addr+"/__doppel/health")
			resp, err := http.Get("http://" + addr + "/__doppel/requests")
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Contains(t, string(body), tt.capacity)
		})
	}
	out, err := doppel(context.Background(), "serve", "--journal", "-1").CombinedOutput()
	assert.Error(t, err)
	assert.Contains(t, string(out), "--journal -1: give 0 (off) or more")
}

// TestHelpExitsZero: asking for help is no error; a flag that does not
// exist still is.
func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "doppel serve [flags]"},
		{[]string{"help"}, 0, "doppel serve [flags]"},
		{[]string{"serve", "-h"}, 0, "-state-file"},
		{[]string{"serve", "--help"}, 0, "-state-file"},
		{[]string{"conform", "-h"}, 0, "Usage: doppel conform [flags]"},
		{[]string{"fixtures", "-h"}, 0, "-customers"},
		{[]string{"serve", "--nope"}, 1, "flag provided but not defined: -nope"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := doppel(ctx, tt.args...).CombinedOutput()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.code, code, "%s", out)
			assert.Contains(t, string(out), tt.want)
		})
	}
}
