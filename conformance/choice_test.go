package conformance_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/contracts"
	. "github.com/doppel-dev/doppel/scenarios"
)

// choiceTarget answers every login with status and body, its responses
// checked against testdata/marked.yaml.
func choiceTarget(t *testing.T, status int, body string) *conformance.Target {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	raw, err := os.ReadFile("testdata/marked.yaml")
	require.NoError(t, err)
	c, err := contracts.New("marked", raw)
	require.NoError(t, err)
	return &conformance.Target{Contracts: map[string]*contracts.Contract{"emporix": c},
		APIs: map[string]conformance.Endpoint{"emporix": {BaseURL: ts.URL, Vars: map[string]string{VarTenant: "acme", VarClientID: "c"}}}}
}

func login(checks ...Check) Step {
	return POST("/t/{tenant}/login").JSON(Obj{"email": "a@b.c"}).Expect(200, checks...)
}

func loginScenario(labels []string, steps ...Step) Scenario {
	return Scenario{ID: "EMP-AUTH-998", Description: "A login SHOULD answer so.", Labels: append([]string{"emporix"}, labels...), Steps: steps}
}

// TestVendorBarAndDoppelsChoices: a deployment fails only on what the
// vendor documents; what doppel's contract, a doppel-choice check or a
// status doppel chose pins beyond it is a finding.
func TestVendorBarAndDoppelsChoices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		step     Step
		fails    string   // "" when the run passes
		findings []string // what the findings say, in order
	}{
		{"conforms to both views", 200, `{"access_token":"t","accessToken":"t","expires_in":3599}`, login(), "", nil},
		{"a field only doppel requires is missing", 200, `{"access_token":"t"}`, login(), "",
			[]string{"step 1 (POST /t/{tenant}/login): doppel's contract (marked): response accessToken: missing property 'accessToken'"}},
		{"doppel's constraint on a field", 200, `{"access_token":"t","accessToken":"t","expires_in":86400}`, login(), "",
			[]string{"doppel's contract (marked): response expires_in: maximum: got 86,400, want 3,599"}},
		{"the vendor's required field is missing", 200, `{"accessToken":"t"}`, login(), "vendor documentation (contract marked): response access_token: missing property 'access_token'", nil},
		{"a check pinning doppel's choice", 200, `{"access_token":"t","accessToken":"t"}`, login(Equals("expires_in", 3599).AsChoice()), "",
			[]string{`doppel's choice: "expires_in" equals 3599: expected one value at "expires_in", found 0`}},
		{"a status doppel chose within the vendor's range", 400, `{}`,
			POST("/t/{tenant}/login").Raw("text/plain", "x").Expect(415).ChoiceWithin(400, 499), "",
			[]string{"doppel's choice: expected status 415, got 400 (the vendor documents 400–499)"}},
		{"a status outside the vendor's range", 500, `{}`,
			POST("/t/{tenant}/login").Raw("text/plain", "x").Expect(415).ChoiceWithin(400, 499), "expected status 415, got 500", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := loginScenario(nil, tt.step)
			require.NoError(t, s.Validate())
			r, err := choiceTarget(t, tt.status, tt.body).Run(context.Background(), s)
			if tt.fails == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.fails)
			}
			require.Len(t, r.Findings, len(tt.findings), "%v", r.Findings)
			for i, f := range tt.findings {
				assert.Contains(t, r.Findings[i], f)
			}
		})
	}
}

// TestDoppelChoiceScenarios must say SHOULD: a doppel-choice scenario
// pins what the vendor does not document.
func TestDoppelChoiceScenariosSaySHOULD(t *testing.T) {
	t.Parallel()
	s := loginScenario([]string{DoppelChoice}, login())
	require.NoError(t, s.Validate())
	s.Description = "A login MUST answer so."
	assert.ErrorContains(t, s.Validate(), "must say SHOULD, not MUST")
	assert.True(t, strings.Contains(s.Validate().Error(), DoppelChoice))
}
