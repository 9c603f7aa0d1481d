package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// idPattern is the shape of a scenario ID: the API's prefix, an area, a number.
var idPattern = regexp.MustCompile(`^([A-Z]+)-([A-Z]+)-[0-9]{3}$`)

var mustKeyword = regexp.MustCompile(`\b(MUST|SHALL|REQUIRED)\b`)

var rfc2119 = regexp.MustCompile(`\b(MUST|MUST NOT|REQUIRED|SHALL|SHALL NOT|SHOULD|SHOULD NOT|RECOMMENDED|MAY|OPTIONAL)\b`)

// Validate checks a scenario statically: its ID, description and labels, the
// shape of each step, that the labels declare what the steps need, and that
// every variable is bound before it is used.
func (s Scenario) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var apis []string
	for _, l := range s.Labels {
		if FindAPI(l) != nil {
			apis = append(apis, l)
		} else if !KnownLabel(l) {
			bad("unknown label %q", l)
		}
	}
	api := s.API()
	m := idPattern.FindStringSubmatch(s.ID)
	switch {
	case len(apis) != 1:
		bad("labels %v must name exactly one API", s.Labels)
	case m == nil || m[1] != api.Prefix || !slices.Contains(api.Areas, m[2]):
		bad("ID %q must be %s-<area>-<3 digits> with an area of %v", s.ID, api.Prefix, api.Areas)
	}
	d := s.Description
	switch {
	case d == "" || strings.ContainsAny(d, "\r\n"):
		bad("description must be one non-empty line")
	case !rfc2119.MatchString(d):
		bad("description %q has no RFC 2119 keyword", d)
	case !strings.HasSuffix(d, "."):
		bad("description %q must end with a full stop", d)
	}
	if s.Has(DoppelChoice) && mustKeyword.MatchString(d) {
		bad("a %s scenario pins what the vendor does not document: its description %q must say SHOULD, not MUST", DoppelChoice, d)
	}
	if len(s.Steps) == 0 {
		bad("no steps")
	}
	if len(s.Tenants) > 0 && !s.Has(MultiTenant) {
		bad("declares tenants %v but lacks the %q label", s.Tenants, MultiTenant)
	}
	bound := map[string]bool{}
	if api != nil {
		for _, v := range slices.Concat(api.Vars, slices.Collect(maps.Keys(api.Optional))) {
			bound[v] = true
		}
	}
	for _, v := range slices.Concat(s.Emails, s.Fresh, s.Tenants) {
		if bound[v] {
			bad("variable %q declared twice", v)
		}
		bound[v] = true
	}
	for i, st := range s.Steps {
		for _, e := range st.check(s, bound) {
			bad("step %d (%s): %v", i+1, st.Title(), e)
		}
		for _, c := range st.Captures {
			bound[c.Var] = true
		}
		if c := st.Provision; c != nil {
			for _, v := range []string{c.Email, c.Password, c.ID, c.Secret, c.Phone} {
				if v != "" {
					bound[v] = true
				}
			}
		}
		undone := maps.Clone(bound) // a step's cleanups run in order, each seeing what the ones before bound
		for j, cl := range st.Undo {
			for _, e := range cl.check(s, undone) {
				bad("step %d cleanup %d: %v", i+1, j+1, e)
			}
			for _, c := range cl.Captures {
				undone[c.Var] = true
			}
		}
	}
	return errors.Join(errs...)
}

// check validates one step against the variables bound before it.
func (st Step) check(s Scenario, bound map[string]bool) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	uses := func(where string, names ...string) {
		for _, n := range names {
			if !bound[n] {
				bad("%s uses variable %q before it is bound", where, n)
			}
		}
	}
	kinds := 0
	for _, set := range []bool{st.Request != nil, st.Mail != nil, st.Provision != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		bad("a step is exactly one request, one mailbox read or one provided customer")
		return errs
	case st.Provision != nil:
		c := st.Provision
		switch {
		case c.Email == "":
			bad("a provided customer needs a variable for its e-mail")
		case c.Pending != (c.Password == ""):
			bad("a provided customer has a password variable unless it is pending")
		case c.Secret != "" && !c.Pending:
			bad("only a pending customer has an activation secret")
		case c.Disposable && c.Pending:
			bad("a pending customer is used up by its activation: it needs no Disposable")
		case c.Kind != "" && c.Kind != KindSeller:
			bad("a provided user's kind is %q or none, not %q", KindSeller, c.Kind)
		case c.SameEmail && !bound[c.Email]:
			bad("a provided customer with the same e-mail needs %q bound before", c.Email)
		case c.SameEmail && c.Tenant == "":
			bad("a provided customer with the same e-mail is another customer only in another tenant: name it")
		}
		fresh := []string{c.Password, c.ID, c.Secret, c.Phone}
		if !c.SameEmail {
			fresh = append(fresh, c.Email)
		}
		for _, v := range fresh {
			if v != "" && bound[v] {
				bad("the provided customer's variable %q is bound already", v)
			}
		}
		uses("the provided customer's tenant", Placeholders(c.Tenant)...)
		if st.Status != 0 || len(st.Checks) > 0 || len(st.Captures) > 0 {
			bad("a provided customer has no status, checks or captures: its variables are bound")
		}
	case st.Mail != nil:
		if !s.Has(NeedsMailbox) {
			bad("reads the mailbox but the scenario lacks the %q label", NeedsMailbox)
		}
		if st.Mail.To == "" || st.Mail.Kind == "" {
			bad("a mailbox read needs To and Kind")
		}
		if (len(st.Captures) > 0 || len(st.Checks) > 0) && st.Mail.Count == 0 {
			bad("checks and captures need a message: expect AnyCount or a count above zero")
		}
		if st.Status != 0 {
			bad("a mailbox read has no status")
		}
	}
	for _, u := range st.uses() {
		uses(u.where, u.names...)
	}
	if st.Request != nil {
		errs = append(errs, st.checkRequest(s)...)
	}
	own := func(name string) bool { // checks may use the step's own captures
		for _, c := range st.Captures {
			if c.Var == name {
				return true
			}
		}
		return bound[name]
	}
	for _, c := range st.Checks {
		for _, n := range valueVars(c.Value) {
			if !own(n) {
				bad("%s uses variable %q before it is bound", c, n)
			}
		}
		if c.Op == OpMatches {
			if _, err := regexp.Compile(fmt.Sprint(c.Value)); err != nil {
				bad("%s: %v", c, err)
			}
		}
	}
	return errs
}

// checkRequest validates a request step.
func (st Step) checkRequest(s Scenario) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	r := st.Request
	if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}, r.Method) {
		bad("unknown method %q", r.Method)
	}
	if !strings.HasPrefix(r.Path, "/") {
		bad("path %q must start with /", r.Path)
	}
	if st.Status < 100 || st.Status > 599 {
		bad("expected status %d is not set or not an HTTP status", st.Status)
	}
	if lo, hi := st.VendorStatus[0], st.VendorStatus[1]; (lo != 0 || hi != 0) && (lo < 100 || hi > 599 || st.Status < lo || st.Status > hi) {
		bad("the vendor's status range [%d, %d] must hold the expected status %d", lo, hi, st.Status)
	}
	switch {
	case r.Admin && r.Method == "POST" && r.Path == SeedPath:
		if !s.Has(Provisioning) {
			bad("provisions through %s but the scenario lacks the %q label", SeedPath, Provisioning)
		}
	case r.Admin && !s.Has(NeedsAdmin):
		bad("calls the admin API but the scenario lacks the %q label", NeedsAdmin)
	}
	if !r.Admin && strings.HasPrefix(r.Path, "/__doppel/") {
		bad("admin path %q must be called with Admin()", r.Path)
	}
	if r.Undocumented != "" && !s.Has(DoppelChoice) {
		bad("goes beyond the vendor's documentation (%s): the scenario pins doppel's choice and needs the %q label", r.Undocumented, DoppelChoice)
	}
	return errs
}

// use is a part of a step that refers to variables.
type use struct {
	where string
	names []string
}

// uses lists where a step's request or mailbox read refers to variables
// (its checks are apart: they may use the step's own captures).
func (st Step) uses() []use {
	var out []use
	if m := st.Mail; m != nil {
		out = append(out, use{"mail recipient", Placeholders(m.To)})
		if m.Tenant != "" {
			out = append(out, use{"mail tenant", []string{m.Tenant}})
		}
	}
	r := st.Request
	if r == nil {
		return out
	}
	out = append(out, use{"path", Placeholders(r.Path)})
	for _, p := range r.Query {
		out = append(out, use{"query " + p.Name, Placeholders(p.Value)})
	}
	for _, p := range r.Headers {
		out = append(out, use{"header " + p.Name, Placeholders(p.Value)})
	}
	if r.Token != "" {
		out = append(out, use{"token", []string{r.Token}})
	}
	out = append(out, use{"body", valueVars(r.JSON)})
	for _, name := range slices.Sorted(maps.Keys(r.Form)) {
		out = append(out, use{"form field " + name, Placeholders(r.Form[name])})
	}
	if r.Raw != nil {
		out = append(out, use{"body", Placeholders(*r.Raw)})
	}
	return out
}

// Uses reports whether a step of the scenario, or a cleanup, refers to the
// variable v.
func (s Scenario) Uses(v string) bool {
	for _, st := range s.Steps {
		for _, x := range append([]Step{st}, st.Undo...) {
			for _, u := range x.uses() {
				if slices.Contains(u.names, v) {
					return true
				}
			}
			for _, c := range x.Checks {
				if slices.Contains(valueVars(c.Value), v) {
					return true
				}
			}
		}
	}
	return false
}

// Title names a step in reports.
func (st Step) Title() string {
	switch {
	case st.Name != "":
		return st.Name
	case st.Request != nil:
		return st.Request.Method + " " + st.Request.Path
	case st.Mail != nil:
		return "mailbox " + st.Mail.Kind + " to " + st.Mail.To
	case st.Provision != nil:
		return "provide " + st.Provision.State() + " {" + st.Provision.Email + "}"
	}
	return "empty step"
}
