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

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// officialSpec is Emporix's own specification, beside the project (CI has
// it); it is reference data, read at test time and never copied in.
var officialSpec = filepath.Join("..", "..", "shared", "reference", "emporix-customer-managed.openapi.yml")

// offender is a scenario step whose request the official spec refuses.
type offender struct {
	ID     string `yaml:"id"`
	Step   string `yaml:"step"`   // the step's title
	Reason string `yaml:"reason"` // what the spec says is wrong
}

func (o offender) key() string { return o.ID + " " + o.Step }

// TestRequestsMatchTheOfficialSpec runs every Emporix scenario against the
// mock in-process and checks each request it sends against Emporix's
// official specification, except the steps marked Invalid (deliberately
// bad input). The known offenders are listed in
// testdata/official-request-offenders.yaml, for the scenario authors to
// empty: the test fails on an offender not listed, and on a listed entry
// that no longer offends.
func TestRequestsMatchTheOfficialSpec(t *testing.T) {
	raw, err := os.ReadFile(officialSpec)
	if os.IsNotExist(err) {
		t.Skipf("needs Emporix's official spec at %s (CI has shared/ beside the project)", officialSpec)
	}
	require.NoError(t, err)
	official, err := contracts.New("emporix (official)", raw)
	require.NoError(t, err)

	var mu sync.Mutex
	found := map[string]offender{}
	srv, err := mockserver.New(mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	require.NoError(t, conformance.Setup(context.Background(), ts.URL, nil))
	target := conformance.DoppelTarget(ts.URL)
	target.Inspect = func(s scenarios.Scenario, st scenarios.Step, x conformance.Exchange) {
		if st.Request == nil || st.Request.Admin || st.Request.Invalid {
			return
		}
		if reason := refusal(official, x); reason != "" {
			mu.Lock()
			defer mu.Unlock()
			o := offender{ID: s.ID, Step: st.Title(), Reason: reason}
			if _, seen := found[o.key()]; !seen {
				found[o.key()] = o
			}
		}
	}
	for _, s := range scenarios.All() {
		if s.API().Name == "emporix" {
			_, err := target.Run(context.Background(), s)
			require.NoError(t, err, "%s must pass against the mock", s.ID)
		}
	}

	listed := map[string]offender{}
	text, err := os.ReadFile(filepath.Join("testdata", "official-request-offenders.yaml"))
	require.NoError(t, err)
	var doc struct{ Offenders []offender }
	require.NoError(t, yaml.Unmarshal(text, &doc))
	for _, o := range doc.Offenders {
		listed[o.key()] = o
	}
	var news, gone []string
	for _, k := range slices.Sorted(maps.Keys(found)) {
		if _, ok := listed[k]; !ok {
			o := found[k]
			news = append(news, fmt.Sprintf("  - {id: %s, step: %q, reason: %q}", o.ID, o.Step, o.Reason))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(listed)) {
		if _, ok := found[k]; !ok {
			gone = append(gone, "  "+k)
		}
	}
	if len(news) > 0 {
		t.Errorf("requests the official spec refuses (fix the scenario, mark deliberate bad input .Invalid(), or list it):\n%s", strings.Join(news, "\n"))
	}
	if len(gone) > 0 {
		t.Errorf("listed offenders that no longer offend: remove them from testdata/official-request-offenders.yaml:\n%s", strings.Join(gone, "\n"))
	}
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
