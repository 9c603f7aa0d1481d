package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/internal/redact"
	"github.com/doppel-dev/doppel/scenarios"
)

// maxBody bounds how much of a response is read.
const maxBody = 8 << 20

// Exchange is one request with its response, or one mailbox read (Method
// "", URL naming what was read, ResponseBody what was found): the evidence
// of a step.
type Exchange struct {
	At             string // where in the scenario: "step 3", "cleanup 1"
	Step           string // the step's title
	Method, URL    string
	RequestHeader  http.Header
	RequestBody    []byte
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
	Duration       time.Duration
	Err            string // why no response came, e.g. a timeout
}

// StepError is a scenario's first failure, with the exchange that shows it.
type StepError struct {
	Index    int // 1-based
	Step     string
	Err      error
	Exchange *Exchange // nil for mailbox reads and failures before sending
	run      *Run
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %d (%s): %v", e.Index, e.Step, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// Run is one run of a scenario against a target.
type Run struct {
	Scenario  scenarios.Scenario
	Vars      scenarios.Vars
	Exchanges []Exchange
	// Findings are where the target differs from what doppel's contract or
	// choices pin beyond the vendor's documentation: reported, not failing.
	Findings []string
	target   *Target
	endpoint Endpoint
	contract *contracts.Contract
	undo     []scenarios.Step
	seen     map[MailFilter]int           // messages earlier reads of the run found, by filter
	old      map[MailFilter]map[Mail]bool // messages sent before the run to a pre-provisioned account (ignoreOldMail)
	at       string                       // the step running, e.g. "step 3"
	locals   int                          // variables routes made (see local)
}

// Run runs a scenario: its steps in order until the first failure, then the
// cleanups of the steps that ran. The error is a *StepError, joined with any
// cleanup failures.
func (t *Target) Run(ctx context.Context, s scenarios.Scenario) (*Run, error) {
	api := s.API()
	if api == nil {
		return nil, fmt.Errorf("%s: no API label", s.ID)
	}
	c := t.Contracts[api.Name]
	if c == nil {
		var err error
		if c, err = contracts.Load(api.Name); err != nil {
			return nil, err
		}
	}
	ep := t.APIs[api.Name]
	r := &Run{Scenario: s, Vars: scenarios.Vars{}, target: t, endpoint: ep, contract: c}
	for _, v := range api.Vars {
		r.Vars[v] = ep.Vars[v]
	}
	for v := range api.Optional {
		if ep.Vars[v] != "" {
			r.Vars[v] = ep.Vars[v]
		}
	}
	for _, v := range s.Emails {
		r.Vars[v] = "doppel-" + t.unique() + "@" + r.domain()
	}
	for _, v := range s.Fresh {
		r.Vars[v] = "w" + t.unique()
	}
	for i, v := range s.Tenants {
		if i < len(ep.OtherTenants) {
			r.Vars[v] = ep.OtherTenants[i]
		} else {
			r.Vars[v] = "c" + t.unique()
		}
	}
	var failure error
	for i, st := range s.Steps {
		r.at = fmt.Sprintf("step %d", i+1)
		if err := r.step(ctx, st); err != nil {
			failure = r.fail(i+1, st, err)
			break
		}
		r.undo = append(st.Undo, r.undo...)
	}
	for i, st := range r.undo {
		r.at = fmt.Sprintf("cleanup %d", i+1)
		if err := r.step(ctx, st); err != nil {
			failure = errors.Join(failure, fmt.Errorf("cleanup %d: %w", i+1, r.fail(i+1, st, err)))
		}
	}
	return r, failure
}

// domain is the domain of the run's fresh e-mail addresses.
func (r *Run) domain() string {
	if r.target.EmailDomain == "" {
		return "example.com"
	}
	return r.target.EmailDomain
}

func (r *Run) fail(index int, st scenarios.Step, err error) *StepError {
	e := &StepError{Index: index, Step: st.Title(), Err: err, run: r}
	if st.Request != nil && len(r.Exchanges) > 0 && r.Exchanges[len(r.Exchanges)-1].At == r.at {
		e.Exchange = &r.Exchanges[len(r.Exchanges)-1]
	}
	return e
}

func (r *Run) step(ctx context.Context, st scenarios.Step) error {
	if st.Provision != nil {
		return r.provide(ctx, *st.Provision)
	}
	if st.Mail != nil {
		newest, err := r.mail(ctx, st.Mail)
		if err != nil || newest == nil {
			return err
		}
		body, _ := json.Marshal(newest)
		r.target.secrets().addAll(redact.Find(body))
		x := &r.Exchanges[len(r.Exchanges)-1]
		x.ResponseBody = append(x.ResponseBody, "; the newest: "+string(body)...)
		return r.expect(st, scenarios.Response{Body: body, JSON: scenarios.Normalize(newest)})
	}
	resp, err := r.send(ctx, st)
	if err != nil {
		return err
	}
	var problems []error
	if lo, hi := st.VendorStatus[0], st.VendorStatus[1]; resp.Status != st.Status {
		if lo != 0 && lo <= resp.Status && resp.Status <= hi {
			r.find(st, fmt.Sprintf("doppel's choice: expected status %d, got %d (the vendor documents %d–%d)", st.Status, resp.Status, lo, hi))
		} else {
			problems = append(problems, fmt.Errorf("expected status %d, got %d", st.Status, resp.Status))
		}
	}
	if !st.Request.Admin {
		problems = append(problems, r.conforms(st, resp)...)
	}
	return errors.Join(append(problems, r.expect(st, resp))...)
}

// find records a finding of doppel's contract or choices at a step.
func (r *Run) find(st scenarios.Step, msg string) {
	r.Findings = append(r.Findings, fmt.Sprintf("%s (%s): %s", r.at, st.Title(), msg))
}

// expect binds the step's captures, then evaluates its checks.
func (r *Run) expect(st scenarios.Step, resp scenarios.Response) error {
	for _, c := range st.Captures {
		v, err := c.Extract(resp)
		if err != nil {
			return err
		}
		r.Vars[c.Var] = v
	}
	r.learn(st)
	var problems []error
	for _, c := range st.Checks {
		switch err := c.Eval(resp, r.Vars); {
		case err == nil:
		case c.Choice:
			r.find(st, "doppel's choice: "+err.Error())
		default:
			problems = append(problems, err)
		}
	}
	return errors.Join(problems...)
}

// send builds the step's request from its templates and records the exchange.
func (r *Run) send(ctx context.Context, st scenarios.Step) (scenarios.Response, error) {
	rq := st.Request
	path, err := scenarios.Expand(rq.Path, r.Vars)
	if err != nil {
		return scenarios.Response{}, err
	}
	q := url.Values{}
	for _, p := range rq.Query {
		v, err := scenarios.Expand(p.Value, r.Vars)
		if err != nil {
			return scenarios.Response{}, err
		}
		q.Add(p.Name, v)
	}
	target := r.endpoint.BaseURL + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var body []byte
	switch {
	case rq.Raw != nil:
		s, err := scenarios.Expand(*rq.Raw, r.Vars)
		if err != nil {
			return scenarios.Response{}, err
		}
		body = []byte(s)
	case rq.Form != nil:
		form := url.Values{}
		for name, tmpl := range rq.Form {
			v, err := scenarios.Expand(tmpl, r.Vars)
			if err != nil {
				return scenarios.Response{}, err
			}
			form.Set(name, v)
		}
		body = []byte(form.Encode())
	case rq.JSON != nil:
		v, err := scenarios.ExpandValue(rq.JSON, r.Vars)
		if err != nil {
			return scenarios.Response{}, err
		}
		if body, err = json.Marshal(v); err != nil {
			return scenarios.Response{}, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, target, bytes.NewReader(body))
	if err != nil {
		return scenarios.Response{}, err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if rq.ContentType != "" {
		req.Header.Set("Content-Type", rq.ContentType)
	}
	req.Header.Set("Accept", "application/json")
	if rq.Token != "" {
		req.Header.Set("Authorization", "Bearer "+scenarios.Text(r.Vars[rq.Token]))
	}
	headers := rq.Headers
	if !rq.Admin {
		headers = append(slices.Clone(r.Scenario.API().Headers), headers...)
	}
	for _, h := range headers {
		v, err := scenarios.Expand(h.Value, r.Vars)
		if err != nil {
			return scenarios.Response{}, err
		}
		req.Header.Set(h.Name, v)
		if v == "" {
			req.Header.Del(h.Name)
		}
	}
	x := Exchange{At: r.at, Step: st.Title(), Method: rq.Method, URL: target, RequestHeader: req.Header.Clone(), RequestBody: body}
	if r.target.Inspect != nil {
		r.target.Inspect(r.Scenario, st, x)
	}
	known := r.target.secrets()
	known.addHeader(req.Header)
	known.addAll(redact.FindValues(q))
	known.addAll(redact.Find(body))
	raw, resp, err := r.target.do(ctx, req, &x)
	r.Exchanges = append(r.Exchanges, x)
	if err != nil {
		return scenarios.Response{}, err
	}
	known.addAll(redact.Find(raw))
	out := scenarios.Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		out.JSON, _ = scenarios.Decode(raw)
	}
	return out, nil
}

// do sends a request within the target's timeout and reads the answer
// whole, recording both in x; a request that gets no answer in time is an
// error naming the URL and the timeout.
func (t *Target) do(ctx context.Context, req *http.Request, x *Exchange) ([]byte, *http.Response, error) {
	reqCtx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	start := time.Now()
	fail := func(what string, err error) ([]byte, *http.Response, error) {
		x.Duration = time.Since(start)
		if ctx.Err() == nil && errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
			x.Err = fmt.Sprintf("%s within the request timeout of %s (raise it with --timeout or the target file's timeout)", what, t.timeout())
		} else {
			var ue *url.Error
			if errors.As(err, &ue) { // its message repeats the method and URL
				err = ue.Err
			}
			x.Err = err.Error()
		}
		return nil, nil, fmt.Errorf("%s %s: %s", req.Method, req.URL, x.Err)
	}
	resp, err := t.client().Do(req.WithContext(reqCtx))
	if err != nil {
		return fail("no answer", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fail("the answer was not read whole", err)
	}
	x.Duration = time.Since(start)
	x.Status, x.ResponseHeader, x.ResponseBody = resp.StatusCode, resp.Header, raw
	return raw, resp, nil
}

// conforms checks a vendor response against the contract: never a 5xx, a
// documented status, and headers and body as the contract says. What only
// doppel's view of the contract requires is a finding, not a problem.
func (r *Run) conforms(st scenarios.Step, resp scenarios.Response) []error {
	var problems []error
	if resp.Status >= 500 {
		problems = append(problems, fmt.Errorf("server error %d", resp.Status))
	}
	x := r.Exchanges[len(r.Exchanges)-1]
	u, _ := url.Parse(x.URL)
	path := strings.TrimPrefix(u.Path, basePath(r.endpoint.BaseURL))
	op := r.contract.Match(x.Method, path)
	if op == nil {
		return problems // an unknown route or method: nothing to validate against
	}
	switch undocumented := fmt.Sprintf("status %d is not documented for %s %s (%s)", resp.Status, op.Method, op.Path, op.ID); {
	case !op.Documents(resp.Status) && op.Vendor:
		return append(problems, fmt.Errorf("vendor documentation (contract %s): %s", r.contract.Name, undocumented))
	case !op.Documents(resp.Status):
		r.find(st, fmt.Sprintf("doppel's contract (%s): %s, an operation the vendor does not document", r.contract.Name, undocumented))
		return problems
	}
	req, _ := http.NewRequest(x.Method, path+"?"+u.RawQuery, nil)
	req.Header = x.RequestHeader
	v := r.contract.CheckResponse(req, op, resp.Status, resp.Header, resp.Body)
	for _, p := range v.Vendor {
		problems = append(problems, fmt.Errorf("vendor documentation (contract %s): %s", r.contract.Name, p))
	}
	for _, p := range v.Doppel {
		r.find(st, fmt.Sprintf("doppel's contract (%s): %s", r.contract.Name, p))
	}
	return problems
}

// tenantOf names a mail filter's tenant, if it has one.
func tenantOf(f MailFilter) string {
	if f.Tenant == "" {
		return ""
	}
	return ", tenant " + f.Tenant
}

// basePath is the path part of a base URL, "" for a host root.
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// mail reads the mailbox, waiting up to MailWait for the expected messages,
// and returns the newest one (nil when none is expected). A read of AnyCount
// waits for a message that no earlier such read of the run has taken, so
// that a read right after a second request gets the second mail, however
// slowly the target delivers it.
func (r *Run) mail(ctx context.Context, m *scenarios.MailQuery) (*Mail, error) {
	f, err := r.filter(m)
	if err != nil {
		return nil, err
	}
	to := f.To
	r.Exchanges = append(r.Exchanges, Exchange{At: r.at, Step: fmt.Sprintf("mailbox %s to %s", m.Kind, to),
		URL: fmt.Sprintf("mailbox: %s mail to %s (%s)", m.Kind, to, f.API+tenantOf(f))})
	wait := r.target.MailWait
	if m.Count == 0 {
		wait = r.target.QuietWait
	}
	deadline := time.Now().Add(wait)
	for poll := 20 * time.Millisecond; ; poll = min(2*poll, 200*time.Millisecond) { // a local mailbox has it at once, a mail server soon after
		readCtx, cancel := context.WithTimeout(ctx, r.target.timeout())
		got, err := r.target.Mailbox.Messages(readCtx, f)
		cancel()
		if err != nil {
			return nil, err
		}
		got = slices.DeleteFunc(got, func(m Mail) bool { return r.old[f][m] })
		arrived := len(got) > 0 && len(got) >= m.Count
		if m.Count == scenarios.AnyCount {
			arrived = len(got) > r.seen[f]
		}
		if arrived || !time.Now().Before(deadline) {
			r.Exchanges[len(r.Exchanges)-1].ResponseBody = fmt.Appendf(nil, "%d message(s)", len(got))
			seen := r.seen[f]
			if m.Count == scenarios.AnyCount { // reads of a count only assert; these take the message
				if r.seen == nil {
					r.seen = map[MailFilter]int{}
				}
				r.seen[f] = len(got)
			}
			switch {
			case m.Count == scenarios.AnyCount && len(got) == 0:
				return nil, fmt.Errorf("no %s mail to %s", m.Kind, to)
			case m.Count == scenarios.AnyCount && len(got) == seen:
				return nil, fmt.Errorf("no new %s mail to %s: still the %d read before", m.Kind, to, seen)
			case m.Count != scenarios.AnyCount && len(got) != m.Count:
				return nil, fmt.Errorf("expected %d %s mail(s) to %s, found %d", m.Count, m.Kind, to, len(got))
			case len(got) == 0:
				return nil, nil
			}
			return &got[len(got)-1], nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// filter is the mail a mailbox read selects: the scenario's API and tenant
// (or the tenant the read names, or any), the recipient and the kind.
func (r *Run) filter(m *scenarios.MailQuery) (MailFilter, error) {
	to, err := scenarios.Expand(m.To, r.Vars)
	if err != nil {
		return MailFilter{}, err
	}
	api := r.Scenario.API()
	f := MailFilter{API: api.Name, To: to, Kind: m.Kind}
	switch {
	case m.AnyTenant:
	case m.Tenant != "":
		f.Tenant = scenarios.Text(r.Vars[m.Tenant])
	case api.Tenant != "":
		f.Tenant = scenarios.Text(r.Vars[api.Tenant])
	}
	return f, nil
}
