package conformance

import (
	"bytes"
	_ "embed"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/doppel-dev/doppel/scenarios"
)

// Outcome is one scenario's result.
type Outcome struct {
	ID, Description, API string
	Labels               []string
	State                string // passed, failed, skipped or deviation
	Message              string // the failure, skip reason or deviation
	Evidence             string // a failure's request, response and curl line
}

// Tally counts outcomes.
type Tally struct {
	Name                                   string
	Passed, Failed, Skipped, Deviations, N int
}

func (t *Tally) add(state string) {
	t.N++
	switch state {
	case "passed":
		t.Passed++
	case "failed":
		t.Failed++
	case "deviation":
		t.Deviations++
	default:
		t.Skipped++
	}
}

// Summary is a run's outcome for people: totals per API and per capability,
// every failure with its evidence, every skip with its reason.
type Summary struct {
	Target, Mode string
	Start        time.Time
	Duration     time.Duration
	Total        Tally
	APIs         []*Tally
	Capabilities []*Tally
	Failures     []Outcome
	Deviations   []Outcome
	Skips        []Outcome
}

// Summarize builds a Summary from a Ginkgo report of the suite's specs.
func Summarize(t *Target, r types.Report) Summary {
	s := Summary{Target: t.Name, Mode: t.Mode, Start: r.StartTime, Duration: r.RunTime, Total: Tally{Name: "all"}}
	if s.Mode == "" {
		s.Mode = ModeFull
	}
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
		s.Total.add(o.State)
		for _, l := range o.Labels {
			if scenarios.FindAPI(l) != nil {
				tally(&s.APIs, l).add(o.State)
			} else if _, ok := scenarios.Capabilities[l]; ok {
				tally(&s.Capabilities, l).add(o.State)
			}
		}
		switch o.State {
		case "failed":
			s.Failures = append(s.Failures, o)
		case "deviation":
			s.Deviations = append(s.Deviations, o)
		case "skipped":
			s.Skips = append(s.Skips, o)
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
		if e.Name == entryDeviation {
			o.State = "deviation"
		}
	}
	switch {
	case o.State == "deviation":
	case sr.State == types.SpecStatePassed:
		o.State = "passed"
	case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
		o.State = "skipped"
		if o.Message == "" {
			o.Message = "filtered out (--focus, --label or mode)"
		}
	default:
		o.State = "failed"
		if msg, evidence, found := strings.Cut(o.Message, evidenceMarker); found { // the evidence has its own section
			o.Message, o.Evidence = strings.TrimSpace(msg), evidenceMarker+evidence
		}
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
