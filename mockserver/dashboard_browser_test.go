package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/admin"
)

// chromium finds a Chromium to drive, or skips the test.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("needs Chromium: apt-get install chromium (.ci/run installs it)")
	return ""
}

// browser starts a headless Chromium with a fresh profile for the test and
// returns a tab's context; every wait in it is bounded by the test's timeout.
func browser(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium(t)), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1024),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		// This machine's network is closed: no background connections.
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	return tab
}

// waitFor polls a JavaScript predicate in the tab's page until it holds, for
// 15 s at most.
func waitFor(t *testing.T, tab context.Context, what, predicate string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate, chromedp.WithPollingInterval(100*time.Millisecond)))
	require.NoError(t, err, "waiting for %s", what)
}

// TestDashboardInChromium loads the dashboard in a real browser, signs up
// through the API and sees the customer and its mail appear, then resets
// the state from the page and sees them go.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	skipShort(t, "a headless Chromium")
	tab := browser(t)
	srv, err := mockserver.New(mockserver.Options{Seed: fixtures.Personas()})
	require.NoError(t, err)
	mock := httptest.NewServer(srv)
	defer mock.Close()
	started := time.Now()
	defer func() { t.Logf("browser test took %s", time.Since(started).Round(time.Millisecond)) }()

	api := func(method, path string, body any, token string) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, err := http.NewRequest(method, mock.URL+path, bytes.NewReader(raw))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Less(t, resp.StatusCode, 500, path)
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	wait := func(what, predicate string) { waitFor(t, tab, what, predicate) }
	click := func(id string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, 15*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID(id))), "clicking #%s", id)
	}
	text := func(id, s string) string { // "#id's text contains s"
		return `document.getElementById(` + strconv.Quote(id) + `).textContent.includes(` + strconv.Quote(s) + `)`
	}

	require.NoError(t, chromedp.Do(tab), "starting Chromium")
	var mu sync.Mutex
	var thrown []string // the page's uncaught exceptions
	exceptions := chromedp.Events(tab, runtime.ExceptionThrown)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			msg := ev.ExceptionDetails.Text
			if e := ev.ExceptionDetails.Exception; e != nil {
				msg = e.Description
			}
			mu.Lock()
			thrown = append(thrown, msg)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		assert.Empty(t, thrown, "uncaught exceptions in the page")
	}()
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(mock.URL+"/__doppel/")))
	t.Logf("Chromium up and the page loaded in %s", time.Since(started).Round(time.Millisecond))
	wait("the personas", text("customers", "zachary.byrd@example.com"))

	// A sign-up in a tenant with double opt-in: an inactive customer and a mail.
	api("PATCH", "/__doppel/tenants/emporix/shop", map[string]bool{"doubleOptIn": true}, "")
	anon := api("GET", "/customerlogin/auth/anonymous/login?tenant=shop&client_id=storefront", nil, "")["access_token"].(string)
	name := `<b id="injected">Ann</b>` // shown as text, never parsed
	api("POST", "/customer/shop/signup", map[string]any{"email": "dash@example.com", "password": "s3cret!",
		"customerDetails": map[string]any{"firstName": name, "contactEmail": "dash@example.com"}}, anon)
	click("refresh") // or wait for the next refresh, at most 2 s
	wait("the new customer", text("customers", "dash@example.com")+" && "+text("customers", "shop"))
	wait("its name as text", text("customers", name)+` && !document.getElementById("injected")`)
	wait("its mail", text("mailbox", "dash@example.com")+" && "+text("mailbox", "signup_optin"))
	resp, err := http.Get(mock.URL + "/__doppel/mailbox?to=dash@example.com")
	require.NoError(t, err)
	var box []struct{ Token, Link string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&box))
	resp.Body.Close()
	require.Len(t, box, 1)
	mail := box[0]
	wait("the clickable link with its token", `[...document.querySelectorAll("#mailbox a")].some(a => a.href === `+
		strconv.Quote(mail.Link)+`) && `+text("mailbox", mail.Token))

	// A request that breaks the contract is highlighted.
	api("POST", "/customer/shop/login", map[string]any{"email": "dash@example.com", "password": 7}, anon)
	click("refresh")
	wait("the violation", `!!document.querySelector("#journal tr.violation")`)

	// The clock moves from the page, and back.
	click("clock-25h")
	wait("the shifted clock", text("clock-offset", "25h0m0s"))
	click("clock-real")
	wait("real time", text("clock-offset", "real time"))

	click("reset-state")
	wait("the customer and the mail gone", "!"+text("customers", "dash@example.com")+" && !"+text("mailbox", "dash@example.com")+
		" && "+text("customers", "zachary.byrd@example.com"))
	page := api("GET", "/__doppel/customers?api=emporix&tenant=shop", nil, "")
	require.EqualValues(t, 0, page["total"])
}

// TestDashboardWithAdminToken: with an admin token the page asks for it,
// takes it from the address's fragment too (and drops it from there), and
// shows when the state file cannot be written.
func TestDashboardWithAdminToken(t *testing.T) {
	t.Parallel()
	skipShort(t, "a headless Chromium")
	tab := browser(t)
	const token = "dashboard-s3cret-token"
	srv, err := mockserver.New(mockserver.Options{Seed: fixtures.Personas(), Admin: admin.Options{Token: token}})
	require.NoError(t, err)
	mock := httptest.NewServer(srv)
	defer mock.Close()
	wait := func(what, predicate string) { waitFor(t, tab, what, predicate) }
	personas := `document.getElementById("customers").textContent.includes("zachary.byrd@example.com")`

	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(mock.URL+"/__doppel/")))
	wait("the token form", `!document.getElementById("token-form").hidden && !`+personas)
	require.NoError(t, chromedp.Do(tab, chromedp.SendKeys("#token-input", token), chromedp.Click("#token-form button")))
	wait("the personas, with the token typed in", personas+` && document.getElementById("token-form").hidden`)

	_, err = chromedp.Run(tab, chromedp.Evaluate[bool](`sessionStorage.clear(), true`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(mock.URL+"/__doppel/#token="+token)))
	wait("the personas, with the token from the fragment", personas+` && location.hash === "" && !location.href.includes("token")`)

	dir := filepath.Join(t.TempDir(), "gone")
	require.NoError(t, os.Mkdir(dir, 0o700))
	p, err := srv.Persist(filepath.Join(dir, "state.json"), 50*time.Millisecond)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, os.RemoveAll(dir))
	srv.ID.Reset() // a change to write
	wait("the health alarm", `!document.getElementById("health").hidden && document.getElementById("health").textContent.includes("state file")`)
}
