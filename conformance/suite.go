package conformance

import (
	"errors"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/doppel-dev/doppel/scenarios"
)

// ScenarioTimeout bounds one scenario.
const ScenarioTimeout = 2 * time.Minute

// Define registers one Ginkgo spec per scenario, grouped by API and labelled
// with the scenario's labels. target is called when a spec runs, so a
// BeforeSuite may build it.
func Define(target func() *Target, list []scenarios.Scenario) bool {
	for _, api := range scenarios.APIs {
		ginkgo.Describe(api.Title, ginkgo.Label(api.Name), func() {
			for _, s := range list {
				if s.API() != api {
					continue
				}
				ginkgo.It(s.ID+": "+s.Description, ginkgo.Label(s.Labels...), func(ctx ginkgo.SpecContext) {
					t := target()
					if reason := t.Skip(s); reason != "" {
						ginkgo.Skip(reason)
					}
					if _, err := t.Run(ctx, s); err != nil {
						ginkgo.Fail(Explain(err))
					}
				}, ginkgo.NodeTimeout(ScenarioTimeout))
			}
		})
	}
	return true
}

// Explain renders a run's failure with its evidence: the request and the
// response of the failing step, secrets redacted.
func Explain(err error) string {
	msg := err.Error()
	var se *StepError
	if errors.As(err, &se) && se.Exchange != nil {
		msg += "\n\n" + se.Exchange.String()
	}
	return msg
}

// String shows an exchange as a short transcript, secrets redacted.
func (x *Exchange) String() string {
	return fmt.Sprintf("→ %s %s\n%s\n← %d (%s)\n%s", x.Method, redactURL(x.URL), clip(redactBody(x.RequestBody)),
		x.Status, x.Duration.Round(time.Millisecond), clip(redactBody(x.ResponseBody)))
}
