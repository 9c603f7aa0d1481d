package conformance_test

import (
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/conformance"
)

// spec is a Ginkgo report of one scenario.
func spec(text string, labels []string, state types.SpecState, message string, entries ...types.ReportEntry) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels, State: state,
		Failure: types.Failure{Message: message}, ReportEntries: entries}
}

func entry(name, value string) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(value)}
}

// TestSummaryGolden pins summary.md and summary.html: the header (doppel's
// version, base URLs, mode, timeout, filters), "could run" per API, the
// failures with their evidence, the scenarios that differ from doppel's
// choices, the findings of doppel's contract, deviations and skips.
func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	target := &conformance.Target{Name: "acme staging", Mode: conformance.ModeSafe, Timeout: 5 * time.Second,
		Filters: []string{`--label "emporix || accounts"`},
		APIs:    map[string]conformance.Endpoint{"emporix": {BaseURL: "https://api.acme.example"}, "accounts": {BaseURL: "https://accounts.acme.example"}}}
	report := types.Report{StartTime: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), RunTime: 2500 * time.Millisecond, SpecReports: []types.SpecReport{
		spec("EMP-AUTH-001: An anonymous login MUST return a token.", []string{"emporix", "smoke"}, types.SpecStatePassed, "",
			entry("finding", `step 1 (GET /customerlogin/auth/anonymous/login): doppel's contract (emporix): body accessToken: missing property 'accessToken'`)),
		spec("EMP-AUTH-009: After a logout the token MUST be refused.", []string{"emporix"}, types.SpecStateFailed,
			"step 3 (GET /customer/{tenant}/me): expected status 401, got 200\n\nStep trail (3 exchanges, the failing one last; secrets redacted):\n\n1. step 1: …\n\ncurl -i -X GET 'https://api.acme.example/customer/acme/me' -H 'Authorization: Bearer '\"$TOK\""),
		spec("EMP-INPUT-004: A body over 1 MiB SHOULD be answered 413.", []string{"emporix", "doppel-choice"}, types.SpecStateSkipped,
			"differs from doppel's choice, which the vendor does not document (not failing): step 2 (POST /customer/{tenant}/signup): expected status 413, got 400",
			entry("choice", "EMP-INPUT-004")),
		spec("EMP-AUTH-003: A used anonymous refresh token SHOULD be refused.", []string{"emporix"}, types.SpecStateSkipped,
			"known deviation (reusable refresh tokens): step 3: expected status 401, got 200", entry("deviation", "reusable refresh tokens")),
		spec("EMP-CRED-001: A password reset MUST mail a token.", []string{"emporix", "mailbox"}, types.SpecStateSkipped,
			`needs a mailbox adapter to read the mail the target sends (capability "mailbox")`),
		spec("EMP-OPTIN-001: With double opt-in on, a customer MUST NOT log in.", []string{"emporix", "destructive"}, types.SpecStateSkipped,
			"mode safe: changes shared state (label destructive), runs in mode full only"),
		spec("ACC-AUTH-001: The test account MUST log in.", []string{"accounts"}, types.SpecStateSkipped, ""),
	}}
	s := conformance.Summarize(target, report)
	s.Version = "v1.2.3 (0123456789ab)"
	assert.Equal(t, 1, s.Total.Failed)
	assert.Equal(t, 4, s.Total.Ran(), "passed, failed, the choice and the deviation ran")
	golden(t, "summary.golden.md", string(s.Markdown()))
	golden(t, "summary.golden.html", string(s.HTML()))
}
