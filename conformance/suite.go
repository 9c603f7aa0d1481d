package conformance

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/doppel-dev/doppel/scenarios"
)

// ScenarioTimeout bounds one scenario.
const ScenarioTimeout = 2 * time.Minute

// Report entry names the suite attaches to specs, read by the summary.
const (
	entryDeviation = "deviation" // the known deviation a failure was expected as
	entryChoice    = "choice"    // a doppel-choice scenario the target answers otherwise
	entryFinding   = "finding"   // a difference from doppel's contract or choices only
)

// Define registers one Ginkgo spec per scenario, grouped by API and labelled
// with the scenario's labels. target is called when a spec runs, so a
// BeforeSuite may build it. Scenarios that change shared state run serially.
func Define(target func() *Target, list []scenarios.Scenario) bool {
	for _, api := range scenarios.APIs {
		ginkgo.Describe(api.Title, ginkgo.Label(api.Name), func() {
			for _, s := range list {
				if s.API() != api {
					continue
				}
				args := []any{ginkgo.Label(s.Labels...), ginkgo.NodeTimeout(ScenarioTimeout)}
				if s.Has(scenarios.Destructive) {
					args = append(args, ginkgo.Serial)
				}
				args = append(args, func(ctx ginkgo.SpecContext) { target().spec(ctx, s) })
				ginkgo.It(s.ID+": "+s.Description, args...)
			}
		})
	}
	return true
}

// spec runs one scenario as a Ginkgo spec: skipped with the reason when the
// target cannot run it, failed with the evidence, or — when it is a known
// deviation — skipped if it fails as expected and failed if it passes.
func (t *Target) spec(ctx ginkgo.SpecContext, s scenarios.Scenario) {
	if err := t.Validate(); err != nil {
		ginkgo.Fail(err.Error())
	}
	if reason := t.Skip(s); reason != "" {
		ginkgo.Skip(reason)
	}
	run, err := t.Run(ctx, s)
	if run != nil {
		for _, f := range run.Findings {
			ginkgo.AddReportEntry(entryFinding, t.redact(f))
		}
	}
	reason, known := t.Deviations[s.ID]
	switch {
	case errors.Is(err, errNoAccount):
		ginkgo.Skip(t.redact(err.Error()))
	case known && err != nil:
		ginkgo.AddReportEntry(entryDeviation, reason)
		ginkgo.Skip("known deviation (" + reason + "): " + firstLine(t.redact(err.Error())))
	case known:
		ginkgo.Fail(fmt.Sprintf("unexpected pass: %s is listed as a known deviation (%s) but conforms; remove it from the deviations file", s.ID, reason))
	case differsFromChoice(s, err):
		msg, evidence := t.Explain(err)
		ginkgo.AddReportEntry(entryChoice, s.ID)
		ginkgo.Skip(strings.TrimSpace("differs from doppel's choice, which the vendor does not document (not failing): " + msg + "\n\n" + evidence))
	case err != nil:
		msg, evidence := t.Explain(err)
		ginkgo.Fail(strings.TrimSpace(msg + "\n\n" + evidence))
	}
}

// differsFromChoice reports whether err only says the target differs from
// doppel's choice: a failure of a doppel-choice scenario's own steps, not
// of the runner's work for it.
func differsFromChoice(s scenarios.Scenario, err error) bool {
	return err != nil && s.Has(scenarios.DoppelChoice) && !errors.As(err, new(provideError))
}

// Explain splits a run's failure into its message and its evidence: the
// scenario's every exchange up to the failure, bodies as received, and a
// curl line that repeats the last request; every secret redacted.
func (t *Target) Explain(err error) (msg, evidence string) {
	msg = t.redact(err.Error())
	var se *StepError
	if errors.As(err, &se) && se.run != nil {
		evidence = se.run.trail()
	}
	return msg, evidence
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
