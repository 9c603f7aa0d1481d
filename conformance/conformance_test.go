package conformance_test

import (
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// The suite runs every scenario against the mock in-process, against the
// doppel deployment DOPPEL_TARGET names (a base URL), e.g. a `doppel serve`,
// or against the deployment a target file describes (DOPPEL_TARGET_FILE, as
// for `doppel conform --target`); DOPPEL_MODE sets the mode (quick, safe or
// full; any other word is refused). With the Ginkgo CLI, specs run in
// parallel processes:
//
//	DOPPEL_TARGET=http://127.0.0.1:4010 go test ./conformance
//	DOPPEL_TARGET_FILE=target.yaml go run github.com/onsi/ginkgo/v2/ginkgo -p ./conformance
func TestConformance(t *testing.T) {
	t.Parallel()
	RegisterFailHandler(Fail)
	RunSpecs(t, "doppel conformance")
}

var target *conformance.Target

var _ = BeforeSuite(func(ctx SpecContext) {
	target = load(ctx)
	if mode := os.Getenv("DOPPEL_MODE"); mode != "" {
		Expect(conformance.CheckMode(mode)).To(Succeed(), "DOPPEL_MODE")
		target.Mode = mode
	}
})

// load builds the target the environment names.
func load(ctx SpecContext) *conformance.Target {
	if file := os.Getenv("DOPPEL_TARGET_FILE"); file != "" {
		t, err := conformance.LoadTarget(ctx, file, nil, os.Getenv)
		Expect(err).NotTo(HaveOccurred())
		return t
	}
	base := strings.TrimSuffix(os.Getenv("DOPPEL_TARGET"), "/")
	if base == "" {
		srv, err := mockserver.New(mockserver.Options{})
		Expect(err).NotTo(HaveOccurred())
		ts := httptest.NewServer(srv)
		DeferCleanup(ts.Close)
		base = ts.URL
	}
	Expect(conformance.Setup(ctx, base, nil)).To(Succeed())
	return conformance.DoppelTarget(base)
}

// inProcess reports whether the suite runs against the mock in-process.
var inProcess = os.Getenv("DOPPEL_TARGET") == "" && os.Getenv("DOPPEL_TARGET_FILE") == ""

// choiceProbe is a doppel-choice scenario the mock answers otherwise: run
// in-process only, it must be reported as differing from doppel's choice,
// a skip, not a failure of the suite.
var choiceProbe = scenarios.Scenario{ID: "EMP-AUTH-997", Description: "An anonymous login SHOULD be answered 418 (a probe of the runner).",
	Labels: []string{"emporix", scenarios.DoppelChoice},
	Steps:  []scenarios.Step{scenarios.GET("/customerlogin/auth/anonymous/login").Query("tenant", "{tenant}").Query("client_id", "{clientId}").Expect(418)}}

func list() []scenarios.Scenario {
	if inProcess {
		return append(scenarios.All(), choiceProbe)
	}
	return scenarios.All()
}

var _ = conformance.Define(func() *conformance.Target { return target }, list())

// In-process, the mock must run every scenario and keep every choice of its
// own: a skip means broken wiring (a face missing from conformance/doppel.go
// skips all its scenarios), a choice answered otherwise or a finding of
// doppel's contract means the mock left its own documented behaviour. The
// probe alone differs.
var _ = ReportAfterSuite("the mock runs every scenario and keeps its choices", func(r Report) {
	if !inProcess || r.SuiteConfig.FocusStrings != nil || r.SuiteConfig.LabelFilter != "" {
		return
	}
	s := conformance.Summarize(target, r)
	Expect(outcomeLines(s.Skips)).To(BeEmpty(), "scenarios skipped against the mock in-process: wire the face into conformance/doppel.go and provision.go (docs/adding-a-face.md)")
	Expect(outcomeLines(s.Deviations)).To(BeEmpty(), "known deviations of the mock")
	Expect(outcomeLines(s.Findings)).To(BeEmpty(), "the mock's answers differ from its own contract")
	probe := slices.IndexFunc(s.Choices, func(o conformance.Outcome) bool { return o.ID == choiceProbe.ID })
	Expect(probe).NotTo(Equal(-1), "the probe differs from doppel's choice")
	Expect(s.Choices[probe].Message).To(ContainSubstring("expected status 418, got 200"))
	Expect(outcomeLines(slices.Delete(s.Choices, probe, probe+1))).To(BeEmpty(), "doppel-choice scenarios the mock answers otherwise")
})

// outcomeLines names each outcome with its reason, for a failure message.
func outcomeLines(os []conformance.Outcome) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ID+": "+firstLine(o.Message))
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
