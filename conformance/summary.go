package conformance

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/doppel-dev/doppel/scenarios"
)

// Outcome states.
const (
	StatePassed    = "passed"
	StateFailed    = "failed"    // strays from the vendor's documentation: fails the run
	StateChoice    = "choice"    // a doppel-choice scenario that the target answers otherwise: does not fail the run
	StateDeviation = "deviation" // a failure listed as known
	StateSkipped   = "skipped"
)

// Outcome is one scenario's result.
type Outcome struct {
	ID, Description, API string
	Labels               []string
	State                string   // one of the State… constants
	Message              string   // the failure, skip reason or deviation
	Evidence             string   // a failure's step trail and curl line
	Findings             []string // where the target differs from doppel's contract only (not failing)
	filtered             bool     // skipped by --focus, --label or the mode
}

// Tally counts outcomes.
type Tally struct {
	Name                                            string
	Passed, Failed, Choices, Deviations, Skipped, N int
	Filtered                                        int // skipped by a filter: not counted as could-run
}

func (t *Tally) add(o Outcome) {
	t.N++
	switch o.State {
	case StatePassed:
		t.Passed++
	case StateFailed:
		t.Failed++
	case StateChoice:
		t.Choices++
	case StateDeviation:
		t.Deviations++
	default:
		t.Skipped++
		if o.filtered {
			t.Filtered++
		}
	}
}

// Ran counts the scenarios that ran, whatever their result.
func (t Tally) Ran() int { return t.Passed + t.Failed + t.Choices + t.Deviations }

// Selected counts the scenarios the filters selected: those that ran, and
// those skipped for a capability the target lacks.
func (t Tally) Selected() int { return t.N - t.Filtered }

// Summary is a run's outcome for people: what ran where, totals per API and
// per capability, every failure with its evidence, every finding of
// doppel's contract, every skip with its reason.
type Summary struct {
	Target, Mode, Version string
	Endpoints             []Endpointed // each API's base URL
	Filters               string       // --focus and --label, "none" without
	Timeout               time.Duration
	Start                 time.Time
	Duration              time.Duration
	Total                 Tally
	APIs                  []*Tally
	Capabilities          []*Tally
	Failures              []Outcome
	Choices               []Outcome // doppel-choice scenarios answered otherwise
	Findings              []Outcome // scenarios with findings of doppel's contract
	Deviations            []Outcome
	Skips                 []Outcome
}

// Endpointed is an API with its base URL.
type Endpointed struct{ API, BaseURL string }

// Line is the run's result in one line.
func (s Summary) Line() string {
	return fmt.Sprintf("%d passed, %d failed, %d differ from doppel's choices, %d known deviations, %d skipped; %d of %d selected scenarios could run",
		s.Total.Passed, s.Total.Failed, s.Total.Choices, s.Total.Deviations, s.Total.Skipped, s.Total.Ran(), s.Total.Selected())
}

// Header says what a run is about to test: the doppel build, the target's
// base URLs, the mode, the request timeout and the filters.
func Header(t *Target, scenarios int) string {
	s := header(t)
	var b strings.Builder
	fmt.Fprintf(&b, "doppel conform (doppel %s): %s, %d scenarios\n", s.Version, s.Target, scenarios)
	for _, e := range s.Endpoints {
		fmt.Fprintf(&b, "  %-12s %s\n", e.API, e.BaseURL)
	}
	fmt.Fprintf(&b, "  mode %s, request timeout %s, filters: %s\n", s.Mode, s.Timeout, s.Filters)
	return b.String()
}

// header fills in the Summary fields that describe the run.
func header(t *Target) Summary {
	s := Summary{Target: t.Name, Mode: t.Mode, Version: Version(), Timeout: t.timeout(), Filters: strings.Join(t.Filters, " and ")}
	if s.Mode == "" {
		s.Mode = ModeFull
	}
	if s.Filters == "" {
		s.Filters = "none"
	}
	for _, api := range scenarios.APIs {
		if ep, ok := t.APIs[api.Name]; ok {
			s.Endpoints = append(s.Endpoints, Endpointed{api.Name, ep.BaseURL})
		}
	}
	return s
}

// Summarize builds a Summary from a Ginkgo report of the suite's specs.
func Summarize(t *Target, r types.Report) Summary {
	s := header(t)
	s.Start, s.Duration, s.Total = r.StartTime, r.RunTime, Tally{Name: "all"}
	byName := map[string]*Tally{}
	tally := func(list *[]*Tally, name string) *Tally {
		if byName[name] == nil {
			byName[name] = &Tally{Name: name}
			*list = append(*list, byName[name])
		}
		return byName[name]
	}
	for _, api := range scenarios.APIs {
		tally(&s.APIs, api.Name)
	}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		o := outcome(sr)
		s.Total.add(o)
		for _, l := range o.Labels {
			if scenarios.FindAPI(l) != nil {
				tally(&s.APIs, l).add(o)
			} else if _, ok := scenarios.Capabilities[l]; ok {
				tally(&s.Capabilities, l).add(o)
			}
		}
		switch o.State {
		case StateFailed:
			s.Failures = append(s.Failures, o)
		case StateChoice:
			s.Choices = append(s.Choices, o)
		case StateDeviation:
			s.Deviations = append(s.Deviations, o)
		case StateSkipped:
			s.Skips = append(s.Skips, o)
		}
		if len(o.Findings) > 0 {
			s.Findings = append(s.Findings, o)
		}
	}
	s.APIs = slices.DeleteFunc(s.APIs, func(t *Tally) bool { return t.N == 0 })
	slices.SortFunc(s.Capabilities, func(a, b *Tally) int { return strings.Compare(a.Name, b.Name) })
	return s
}

func outcome(sr types.SpecReport) Outcome {
	id, desc, _ := strings.Cut(sr.LeafNodeText, ": ")
	o := Outcome{ID: id, Description: desc, Labels: sr.Labels(), Message: strings.TrimSpace(sr.Failure.Message)}
	for _, l := range o.Labels {
		if scenarios.FindAPI(l) != nil {
			o.API = l
		}
	}
	for _, e := range sr.ReportEntries {
		switch e.Name {
		case entryDeviation:
			o.State = StateDeviation
		case entryChoice:
			o.State = StateChoice
		case entryFinding:
			o.Findings = append(o.Findings, e.StringRepresentation())
		}
	}
	switch {
	case o.State != "":
	case sr.State == types.SpecStatePassed:
		o.State = StatePassed
	case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
		o.State = StateSkipped
		if o.Message == "" {
			o.Message, o.filtered = "filtered out (--focus or --label)", true
		}
		o.filtered = o.filtered || strings.HasPrefix(o.Message, modeSkip)
	default:
		o.State = StateFailed
	}
	if msg, evidence, found := strings.Cut(o.Message, evidenceMarker); found { // the evidence has its own section
		o.Message, o.Evidence = strings.TrimSpace(msg), evidenceMarker+evidence
	}
	return o
}

//go:embed summary.md.tmpl
var markdownTemplate string

//go:embed summary.html.tmpl
var htmlTemplate string

var (
	markdown = texttemplate.Must(texttemplate.New("md").Parse(markdownTemplate))
	page     = htmltemplate.Must(htmltemplate.New("html").Parse(htmlTemplate))
)

// Markdown renders the summary for a CI log or a pull request.
func (s Summary) Markdown() []byte {
	var b bytes.Buffer
	if err := markdown.Execute(&b, s); err != nil {
		panic("conformance: markdown template: " + err.Error()) // the template is fixed and tested
	}
	return b.Bytes()
}

// HTML renders the summary as a self-contained page a vendor can attach.
func (s Summary) HTML() []byte {
	var b bytes.Buffer
	if err := page.Execute(&b, s); err != nil {
		panic("conformance: html template: " + err.Error())
	}
	return b.Bytes()
}

// WriteJUnit writes a Ginkgo report as JUnit XML with each failure's
// message and evidence once: in the failure's text, not again in its
// message attribute or a timeline.
func WriteJUnit(r types.Report, path string) error {
	return reporters.GenerateJUnitReportWithConfig(r, path, reporters.JunitReportConfig{OmitFailureMessageAttr: true,
		OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped | types.SpecStateFailed | types.SpecStatePending})
}

// WriteSummary writes summary.md and summary.html into dir.
func (s Summary) WriteSummary(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), s.Markdown(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "summary.html"), s.HTML(), 0o644)
}
