package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// conform runs the conformance suite and reports whether everything that
// ran passed.
func conform(args []string, out io.Writer) (bool, error) {
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: doppel conform [flags]

Runs every scenario against a deployment (doppel in-process by default) and
writes reports. A deployment fails only for what the vendor documents; where
doppel's contract or choices pin more, the difference is reported apart. It
exits 0 only when something ran and everything that ran passed: an unknown
mode, filters that select nothing, and an unreachable target are errors.
Every secret seen in the run is redacted from the output and the reports.

`)
		fs.PrintDefaults()
	}
	targetArg := fs.String("target", "mock", `target file (YAML), or "mock" for doppel in-process`)
	var overrides repeated
	fs.Var(&overrides, "set", "override a target file field, e.g. --set apis.emporix.tenant=acme (repeatable)")
	mode := fs.String("mode", "", "quick (smoke), safe (nothing destructive) or full; overrides the target file; any other word is refused")
	timeout := fs.Duration("timeout", 0, "bound each request, its answer read whole (default: the target file's timeout, else 10s)")
	expect := fs.String("expect", "", "deviations file: scenario IDs expected to fail, with reasons")
	focus := fs.String("focus", "", "run only scenarios whose ID or description matches this regular expression (selecting none is an error)")
	label := fs.String("label", "", `Ginkgo label filter, e.g. "emporix && !mailbox" or "!doppel-choice" (selecting none is an error)`)
	reports := fs.String("reports", "reports", "directory for junit.xml, ginkgo.json, summary.md and summary.html (every secret seen in the run redacted)")
	verbose := fs.Bool("v", false, "print every scenario as it runs")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if *mode != "" {
		if err := conformance.CheckMode(*mode); err != nil {
			return false, fmt.Errorf("--mode: %w", err)
		}
	}
	if *timeout < 0 {
		return false, fmt.Errorf("--timeout %s: want a positive duration, e.g. 10s", *timeout)
	}
	list := scenarios.All()
	target, stop, err := loadTarget(*targetArg, overrides)
	if err != nil {
		return false, err
	}
	defer stop()
	if *mode != "" {
		target.Mode = *mode
	}
	if *timeout > 0 {
		target.Timeout = *timeout
	}
	if *expect != "" {
		if target.Deviations, err = conformance.LoadDeviations(*expect, list); err != nil {
			return false, err
		}
	}
	if err := os.MkdirAll(*reports, 0o755); err != nil {
		return false, err
	}
	suite, reporter := ginkgo.GinkgoConfiguration()
	if *focus != "" {
		suite.FocusStrings = []string{*focus}
	}
	suite.LabelFilter = *label
	for name, value := range map[string]string{"--focus": *focus, "--label": *label} {
		if value != "" {
			target.Filters = append(target.Filters, fmt.Sprintf("%s %q", name, value))
		}
	}
	slices.Sort(target.Filters)
	reporter.JSONReport = filepath.Join(*reports, "ginkgo.json")
	reporter.Verbose = *verbose
	reporter.NoColor = !isTerminal(os.Stdout)
	conformance.Define(func() *conformance.Target { return target }, list)
	var ran, selected int
	ginkgo.ReportAfterSuite("doppel summary", func(r ginkgo.Report) {
		s := conformance.Summarize(target, r)
		if err := errors.Join(s.WriteSummary(*reports), conformance.WriteJUnit(r, filepath.Join(*reports, "junit.xml"))); err != nil {
			ginkgo.Fail("writing the reports: " + err.Error())
		}
		ran, selected = s.Total.Ran(), r.PreRunStats.SpecsThatWillRun
		fmt.Fprintf(out, "\n%s; reports in %s\n", s.Line(), *reports)
	})
	fmt.Fprint(out, conformance.Header(target, len(list)))
	passed := ginkgo.RunSpecs(&failer{}, "doppel conformance", suite, reporter)
	switch {
	case ran > 0:
		return passed, nil
	case selected == 0:
		return false, fmt.Errorf("nothing ran: %s select(s) no scenario", strings.Join(target.Filters, " and "))
	default:
		return false, fmt.Errorf("nothing ran: the %d scenario(s) selected were all skipped (the summary says why)", selected)
	}
}

// failer is the testing.T stand-in Ginkgo reports the suite's failure to;
// RunSpecs' result says the same.
type failer struct{}

func (*failer) Fail() {}

// loadTarget reads a target file, or starts doppel in-process for "mock";
// stop releases what it started.
func loadTarget(arg string, overrides []string) (*conformance.Target, func(), error) {
	if arg != "mock" {
		t, err := conformance.LoadTarget(context.Background(), arg, overrides, os.Getenv)
		return t, func() {}, err
	}
	if len(overrides) > 0 {
		return nil, nil, fmt.Errorf("--set needs a target file, not mock")
	}
	srv, err := mockserver.New(mockserver.Options{})
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	hs := &http.Server{Handler: srv}
	go func() { _ = hs.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	stop := func() { _ = hs.Close() }
	if err := conformance.Setup(context.Background(), base, nil); err != nil {
		stop()
		return nil, nil, err
	}
	t := conformance.DoppelTarget(base)
	t.Name, t.Mode = "doppel in-process", conformance.ModeFull
	return t, stop, nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
