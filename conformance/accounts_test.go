package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/scenarios"
)

// refusing stands for a Greedbag deployment that refuses in its own way:
// doppel behind a proxy that answers every refusal of the customers API
// with a 422, another body and no challenge — all of which the seed leaves
// open.
func refusing(t *testing.T, base string) string {
	u, err := url.Parse(base)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Request.URL.Path, "/customers") || resp.StatusCode < 400 || resp.StatusCode > 499 {
			return nil
		}
		resp.Body.Close()
		b := []byte(`{"message":"The request was refused."}`)
		resp.StatusCode, resp.Status = http.StatusUnprocessableEntity, "422 Unprocessable Entity"
		resp.Header.Del("WWW-Authenticate")
		resp.Header.Set("Content-Length", fmt.Sprint(len(b)))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		return nil
	}
	ts := httptest.NewServer(proxy)
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestAccountsScenariosLeaveRefusalsToGreedbag: every Customer Accounts
// scenario that is not doppel's choice passes against a deployment whose
// refusals differ from doppel's in status, body and headers; the
// differences are findings of doppel's choices, not failures.
func TestAccountsScenariosLeaveRefusalsToGreedbag(t *testing.T) {
	t.Parallel()
	skipShort(t, "every Customer Accounts scenario again, behind other refusals")
	base := mock(t)
	target := conformance.DoppelTarget(refusing(t, base))
	target.Mailbox = conformance.DoppelMailbox{BaseURL: base}
	ran := 0
	for _, s := range scenarios.All() {
		if s.API() == nil || s.API().Name != "accounts" || s.Has(scenarios.DoppelChoice) {
			continue
		}
		r, err := target.Run(context.Background(), s)
		if !assert.NoError(t, err, s.ID) {
			continue
		}
		ran++
		if strings.Contains(exchangedStatuses(r), "422") {
			assert.NotEmpty(t, r.Findings, "%s: the refusals differ from doppel's choices", s.ID)
		}
	}
	assert.Greater(t, ran, 10)
}

// exchangedStatuses lists the statuses of a run's answers.
func exchangedStatuses(r *conformance.Run) string {
	var out []string
	for _, x := range r.Exchanges {
		out = append(out, fmt.Sprint(x.Status))
	}
	return strings.Join(out, " ")
}

// greedbagPool seeds, as a Greedbag staging's owner would before a run,
// the accounts a full Customer Accounts run uses at doppel at base —
// reusable ones, disposable ones (re-created once used up) and pending
// ones — and returns them as a target file lists them, the pending ones
// with the identifier and secret of their newest activation mail.
func greedbagPool(t *testing.T, base string) []conformance.Account {
	var seeded []string
	var pool []conformance.Account
	for i := range 40 {
		email := fmt.Sprintf("pool%02d@qa.example.net", i)
		switch {
		case i < 4:
			seeded = append(seeded, fmt.Sprintf(`{"email":%q,"status":"pending"}`, email))
		default:
			seeded = append(seeded, fmt.Sprintf(`{"email":%q,"password":"Po0l-account!","status":"active"}`, email))
			pool = append(pool, conformance.Account{Email: email, Password: "Po0l-account!", Disposable: i < 14})
		}
	}
	seed(t, base, `{"accounts":{"retailers":[{"origins":["https://conformance.doppel.test"],"customers":[`+strings.Join(seeded, ",")+`]}]}}`)
	for i := range 4 {
		m := lastMail(t, base, "activation", fmt.Sprintf("pool%02d@qa.example.net", i))
		pool = append(pool, conformance.Account{Email: m.To, Pending: true, Identifier: m.Identifier, Secret: m.Token})
	}
	return pool
}

// TestAccountsWithoutAdmin: against doppel seen as a Greedbag deployment —
// no admin API, the target file's accounts, a second retailer, a mailbox —
// nine in ten Customer Accounts scenarios run and pass, twice over the same
// accounts (the second run finds the first one's mail and re-created
// accounts); only those that move doppel's clock or seed another retailer
// are skipped.
func TestAccountsWithoutAdmin(t *testing.T) {
	t.Parallel()
	skipShort(t, "every Customer Accounts scenario twice again, without the admin API")
	base := mock(t)
	for run := 1; run <= 2; run++ {
		target := withoutAdmin(base, greedbagPool(t, base)...)
		target.Capabilities = append(target.Capabilities, scenarios.MultiTenant, scenarios.Destructive)
		var ran, all int
		var skipped []string
		for _, s := range scenarios.All() {
			if s.API() == nil || s.API().Name != "accounts" {
				continue
			}
			all++
			if why := target.Skip(s); why != "" {
				skipped = append(skipped, s.ID)
				assert.True(t, s.Has(scenarios.NeedsAdmin) || s.Has(scenarios.Provisioning), "%s: %s", s.ID, why)
				continue
			}
			_, err := target.Run(context.Background(), s)
			if assert.NoError(t, err, "run %d: %s", run, s.ID) {
				ran++
			}
		}
		assert.GreaterOrEqual(t, float64(ran)/float64(all), 0.9, "run %d: %d of %d ran and passed; skipped %v", run, ran, all, skipped)
	}
}
