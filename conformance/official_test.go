package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// officialSpec is Emporix's own specification, beside the project (CI has
// it); it is reference data, read at test time and never copied in.
var officialSpec = filepath.Join("..", "..", "shared", "reference", "emporix-customer-managed.openapi.yml")

// TestRequestsMatchTheOfficialSpec runs every Emporix scenario against the
// mock in-process and checks each request it sends against Emporix's
// official specification. A request the spec refuses must be marked: Invalid
// (deliberately bad input) or Undocumented (beyond the vendor's current
// documentation on purpose, with the reason). The test fails on a refused
// request that is not marked, and on a marked one the spec accepts (a stale
// mark would hide the next real offence).
func TestRequestsMatchTheOfficialSpec(t *testing.T) {
	t.Parallel()
	skipShort(t, "every Emporix scenario again, against the official spec")
	raw, err := os.ReadFile(officialSpec)
	if os.IsNotExist(err) {
		t.Skipf("needs Emporix's official spec at %s (CI has shared/ beside the project)", officialSpec)
	}
	require.NoError(t, err)
	official, err := contracts.New("emporix (official)", raw)
	require.NoError(t, err)

	var mu sync.Mutex
	offenders, stale := map[string]string{}, map[string]string{}
	srv, err := mockserver.New(mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	require.NoError(t, conformance.Setup(context.Background(), ts.URL, nil))
	target := conformance.DoppelTarget(ts.URL)
	target.Inspect = func(s scenarios.Scenario, st scenarios.Step, x conformance.Exchange) {
		if st.Request == nil || st.Request.Admin {
			return
		}
		reason := refusal(official, x)
		marked := st.Request.Invalid || st.Request.Undocumented != ""
		mu.Lock()
		defer mu.Unlock()
		switch key := fmt.Sprintf("%s %s (%s)", s.ID, x.At, st.Title()); {
		case reason != "" && !marked:
			offenders[key] = reason
		case reason == "" && marked:
			stale[key] = "the official spec accepts it"
		}
	}
	for _, s := range scenarios.All() {
		if s.API().Name == "emporix" {
			_, err := target.Run(context.Background(), s)
			require.NoError(t, err, "%s must pass against the mock", s.ID)
		}
	}
	list := func(m map[string]string) string {
		var out []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, fmt.Sprintf("  %s: %s", k, m[k]))
		}
		return strings.Join(out, "\n")
	}
	assert.Empty(t, offenders, "requests the official spec refuses: fix the scenario, or mark the step .Invalid() (bad input on purpose) or .Undocumented(why):\n%s", list(offenders))
	assert.Empty(t, stale, "steps marked Invalid or Undocumented whose requests the official spec accepts: drop the mark:\n%s", list(stale))
}

// refusal is why the official spec refuses a request, or "".
func refusal(spec *contracts.Contract, x conformance.Exchange) string {
	u, err := url.Parse(x.URL)
	if err != nil {
		return err.Error()
	}
	op := spec.Match(x.Method, u.Path)
	if op == nil {
		return "the official spec documents no " + x.Method + " " + templated(u.Path)
	}
	req, err := http.NewRequest(x.Method, u.RequestURI(), bytes.NewReader(x.RequestBody))
	if err != nil {
		return err.Error()
	}
	req.Header = x.RequestHeader.Clone()
	var reasons []string
	for _, v := range spec.ValidateRequest(req, op, len(x.RequestBody) == 0) {
		reasons = append(reasons, v.String())
	}
	return strings.Join(reasons, "; ")
}

// templated hides a path's variable segments, which differ run by run.
func templated(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if i == 2 && len(parts) > 2 && parts[1] == "customer" || len(p) > 20 {
			parts[i] = "{…}"
		}
	}
	return strings.Join(parts, "/")
}
