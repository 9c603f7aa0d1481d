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
