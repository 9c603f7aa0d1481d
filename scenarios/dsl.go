// Package scenarios is doppel's behaviour written once, as data: each
// Scenario is a sequence of HTTP steps with expectations and captures, run
// by the conformance suite against any deployment (the in-process mock or a
// vendor's staging server). Nothing here talks HTTP or knows the mock.
//
// The DSL in five lines:
//
//	Scenario{ID, Description (one RFC 2119 sentence), Labels, Emails/Tenants (fresh per run), Steps}
//	Step = one request  GET/POST/PATCH/DELETE(path).As(tokenVar).Query(k,v).JSON(body)/.Form(fields)[.Invalid() | .Undocumented(why)]  or  Admin(method, path)
//	       or one mailbox read  MailToken(to, kind, var) / NoMail(to, kind) / MailCount(to, kind, n) (.In(tenantVar), .AnyTenant()),
//	       checked and captured like a response whose body is the newest message {to,kind,subject,token,identifier,link}
//	       or one customer the runner provides  Provide(Customer{Email, Password, Pending, ID, Secret, Disposable, Phone, Tenant, Kind, SameEmail})
//	       (variables it binds; Phone gets a fresh phone number, "+4850" and seven digits unique to the run)
//	.Expect(status, checks...) / .ExpectError(status, type, checks...) / .ExpectFault(errorcode, checks...) / .And(checks...)
//	doppel's choices, reported apart: label DoppelChoice (SHOULD), check.AsChoice(), .ChoiceWithin(lo, hi) on a status
//	checks: Equals / NotEquals / Present / Absent / Len / Matches / Includes / Excludes / InRange / HeaderHas / NoBody /
//	        Claim / Lifetime / SignedHS256;
//	.Capture(var, jsonPath) / .CaptureClaim(var, jsonPath, claim) bind a variable; "{var}" (or "{var:upper}") in any
//	string, JSON object keys included, expands it.
package scenarios

import "slices"

// Scenario is one behaviour: a sequence of steps run in order, sharing
// variables; the first failing step fails the scenario.
type Scenario struct {
	ID          string   // stable, e.g. EMP-AUTH-001
	Description string   // one line, RFC 2119: "A duplicate sign-up MUST be answered 409 …"
	Labels      []string // the API's name plus the capabilities it needs (see Capabilities)
	Emails      []string // variables bound to a fresh, unique e-mail address per run
	Fresh       []string // variables bound to a fresh, unique lower-case word per run
	Tenants     []string // variables bound to another tenant than the API's own (needs MultiTenant)
	Steps       []Step
}

// Has reports whether the scenario carries a label.
func (s Scenario) Has(label string) bool { return slices.Contains(s.Labels, label) }

// API is the API the scenario exercises: the one API name among its labels.
func (s Scenario) API() *API {
	for _, l := range s.Labels {
		if a := FindAPI(l); a != nil {
			return a
		}
	}
	return nil
}

// Step is one HTTP request, one mailbox read, or one customer the runner
// provides, with its expectations.
type Step struct {
	Name      string
	Request   *Request   // exactly one of Request, Mail and Provision is set
	Mail      *MailQuery //
	Provision *Customer  //
	Status    int        // expected HTTP status of Request
	Checks    []Check    // expectations on the response (or the mail)
	Captures  []Capture  // variables bound from the response
	Undo      []Step     // run after the scenario once this step has run, e.g. to undo a setting
	// VendorStatus, when set, is the range of statuses the vendor documents
	// for this answer; Status is then doppel's choice within it: a status
	// outside the range fails, another one inside it is a finding (ChoiceWithin).
	VendorStatus [2]int
}

// Request is an HTTP request; every string in it is a template.
type Request struct {
	Method      string
	Path        string  // e.g. /customer/{tenant}/me/addresses/{addressId}
	Query       []Param // in order
	Headers     []Param
	Token       string            // variable holding the bearer token to send; "" sends none
	JSON        any               // body, JSON-encoded after expansion (Var values keep their type)
	Form        map[string]string // body, form-encoded after expansion
	Raw         *string
	ContentType string
	Admin       bool // a call to doppel's admin API, not to the vendor API
	Invalid     bool // deliberately breaks the vendor's request schema (bad input): not checked against it
	// Undocumented says why the request goes beyond the vendor's current
	// documentation on purpose (see Step.Undocumented): not checked against it.
	Undocumented string
}

// Param is a query parameter or header.
type Param struct{ Name, Value string }

// MailQuery reads the mailbox: the messages of the scenario's API and tenant
// sent to To with Kind, oldest first. The step's checks and captures apply to
// the newest message.
type MailQuery struct {
	To, Kind  string
	Count     int    // expected number of messages; AnyCount: at least one
	Tenant    string // variable naming the tenant; "" for the API's own
	AnyTenant bool   // read every tenant's mail instead
}

// AnyCount in MailQuery.Count accepts any number of messages but zero.
const AnyCount = -1

// Capture binds a variable to the value at a JSON path of the response or,
// with Claim, to that claim of the JWT there.
type Capture struct{ Var, Path, Claim string }

// Var is a value that stands for a variable's value as it is (a captured
// number stays a number), inside JSON bodies and expected values.
type Var string

// Obj and Arr spell JSON bodies and expected values.
type (
	Obj = map[string]any
	Arr = []any
)

// Stepper is a Step or a sequence of them (the building blocks of Seq).
type Stepper interface{ steps() []Step }

// Steps is a sequence of steps, e.g. what a macro such as SignUp returns.
type Steps []Step

func (s Step) steps() []Step  { return []Step{s} }
func (s Steps) steps() []Step { return s }

// Seq flattens steps and sequences into one list.
func Seq(parts ...Stepper) []Step {
	var out []Step
	for _, p := range parts {
		out = append(out, p.steps()...)
	}
	return out
}

// ---- requests ----

func call(method, path string) Step {
	return Step{Request: &Request{Method: method, Path: path}}
}

// GET, POST, PATCH, DELETE and PUT start a request step.
func GET(path string) Step    { return call("GET", path) }
func POST(path string) Step   { return call("POST", path) }
func PATCH(path string) Step  { return call("PATCH", path) }
func DELETE(path string) Step { return call("DELETE", path) }
func PUT(path string) Step    { return call("PUT", path) }

// Admin starts a request to doppel's admin API (scenario needs NeedsAdmin,
// or Provisioning for POST SeedPath). Its answer is checked for Status
// only: it is no vendor operation.
func Admin(method, path string) Step {
	s := call(method, path)
	s.Request.Admin = true
	return s
}

// edit returns a copy of s whose request can be changed without touching s.
func (s Step) edit() (Step, *Request) {
	r := *s.Request
	r.Query, r.Headers = slices.Clone(r.Query), slices.Clone(r.Headers)
	s.Request = &r
	return s, &r
}

// Named gives the step a name for reports.
func (s Step) Named(name string) Step { s.Name = name; return s }

// As sends the token held by a variable as "Authorization: Bearer …".
func (s Step) As(tokenVar string) Step { s, r := s.edit(); r.Token = tokenVar; return s }

// Query adds a query parameter.
func (s Step) Query(name, value string) Step {
	s, r := s.edit()
	r.Query = append(r.Query, Param{name, value})
	return s
}

// Header adds a request header.
func (s Step) Header(name, value string) Step {
	s, r := s.edit()
	r.Headers = append(r.Headers, Param{name, value})
	return s
}

// JSON sets an application/json body.
func (s Step) JSON(body any) Step {
	s, r := s.edit()
	r.JSON, r.Form, r.Raw, r.ContentType = body, nil, nil, "application/json"
	return s
}

// Form sets an application/x-www-form-urlencoded body: each value is a
// template, encoded after expansion (so secrets with & or + survive).
func (s Step) Form(fields map[string]string) Step {
	s, r := s.edit()
	r.JSON, r.Form, r.Raw, r.ContentType = nil, fields, nil, "application/x-www-form-urlencoded"
	return s
}

// Raw sets a body sent as it is (after template expansion), with a content
// type ("" sends no Content-Type header).
func (s Step) Raw(contentType, body string) Step {
	s, r := s.edit()
	r.JSON, r.Form, r.Raw, r.ContentType = nil, nil, &body, contentType
	return s
}

// Invalid marks a request that deliberately breaks the vendor's documented
// request (malformed, missing or wrongly typed input), so that the check of
// every scenario's requests against the vendor's spec leaves it out.
func (s Step) Invalid() Step { s, r := s.edit(); r.Invalid = true; return s }

// Undocumented marks a request that goes beyond the vendor's current
// documentation on purpose, saying why: an operation (or a form of one) the
// seeds describe but the vendor's docs have dropped, or what a real client
// sends that the docs do not allow. The check of every scenario's requests
// against the vendor's spec leaves it out, and the scenario pins doppel's
// choice: it must be labelled DoppelChoice.
func (s Step) Undocumented(why string) Step { s, r := s.edit(); r.Undocumented = why; return s }

// WithContentType overrides the Content-Type of the body.
func (s Step) WithContentType(contentType string) Step {
	s, r := s.edit()
	r.ContentType = contentType
	return s
}

// ---- expectations ----

// Expect sets the expected status and adds checks on the response.
func (s Step) Expect(status int, checks ...Check) Step {
	s.Status = status
	return s.And(checks...)
}

// ChoiceWithin says that the expected status is doppel's choice and the
// vendor documents only a status in [lo, hi] (e.g. "a 4xx"): another status
// in the range is a finding of doppel's choices, not a failure.
func (s Step) ChoiceWithin(lo, hi int) Step {
	s.VendorStatus = [2]int{lo, hi}
	return s
}

// And adds checks and keeps the expected status, e.g. on a mailbox read,
// which has none.
func (s Step) And(checks ...Check) Step {
	s.Checks = append(slices.Clone(s.Checks), checks...)
	return s
}

// ExpectError expects an error in the {status,type,message} dialect.
func (s Step) ExpectError(status int, typ string, checks ...Check) Step {
	return s.Expect(status, append([]Check{Equals("status", status), Equals("type", typ), Present("message")}, checks...)...)
}

// ExpectFault expects a 401 in the gateway fault dialect with an error code.
func (s Step) ExpectFault(errorcode string, checks ...Check) Step {
	return s.Expect(401, append([]Check{Equals("fault.detail.errorcode", errorcode), Present("fault.faultstring")}, checks...)...)
}

// Capture binds a variable to the value at a JSON path of the response.
func (s Step) Capture(varName, path string) Step {
	s.Captures = append(slices.Clone(s.Captures), Capture{Var: varName, Path: path})
	return s
}

// CaptureClaim binds a variable to a claim of the JWT at a JSON path of the
// response (its payload is read, its signature not checked).
func (s Step) CaptureClaim(varName, path, claim string) Step {
	s.Captures = append(slices.Clone(s.Captures), Capture{Var: varName, Path: path, Claim: claim})
	return s
}

// Cleanup registers steps to run after the scenario, pass or fail, once this
// step has run.
func (s Step) Cleanup(steps ...Step) Step {
	s.Undo = append(slices.Clone(s.Undo), steps...)
	return s
}

// ---- provisioning ----

// Customer is a fresh customer (or, with Kind, another kind of user) of the
// scenario's API that the runner provides by the best route the target
// has: doppel's seed API, the vendor's own API (Emporix sign-up, Open
// Loyalty's admin registration of customers and sellers), or the next
// unused pre-provisioned account of the target file. A target with no route
// for it has the scenario skipped, with the reason.
type Customer struct {
	Email    string // variable bound to its e-mail
	Password string // variable bound to its password ("" for a pending customer)
	Pending  bool   // not activated yet: its activation mail is sent
	ID       string // variable bound to its id, where the route learns it ("" for none)
	// Secret is the variable bound to a pending customer's activation
	// secret ("" for none): the route reads it from the activation mail, or
	// takes it from the pre-provisioned account.
	Secret string
	// Disposable says the scenario uses the customer up — deletes it, or
	// leaves it a password it cannot set back — so that a pre-provisioned
	// account serving it must be one the target file marks disposable.
	Disposable bool
	Phone      string // variable bound to a fresh phone number it has ("" for none)
	Tenant     string // template naming its tenant, e.g. "{other}" or "DEFAULT" ("" for the API's own)
	Kind       string // the kind of user: "" for a customer, KindSeller
	// SameEmail gives it the e-mail Email holds already instead of a fresh
	// one: the same person in another tenant, which Tenant names.
	SameEmail bool
}

// KindSeller is an Open Loyalty seller, the staff of a point of sale.
const KindSeller = "seller"

// State is "an active customer", "a pending customer" or "an active seller".
func (c Customer) State() string {
	state := "an active "
	if c.Pending {
		state = "a pending "
	}
	if c.Kind != "" {
		return state + c.Kind
	}
	return state + "customer"
}

// Provide is a step that has the runner create a customer and bind its
// variables.
func Provide(c Customer) Step { return Step{Provision: &c} }

// ---- mailbox ----

// MailToken expects at least one message to "to" of kind and binds the
// newest one's token to a variable.
func MailToken(to, kind, tokenVar string) Step {
	return Step{Mail: &MailQuery{To: to, Kind: kind, Count: AnyCount}}.Capture(tokenVar, "token")
}

// MailCount expects exactly n messages to "to" of kind.
func MailCount(to, kind string, n int) Step {
	return Step{Mail: &MailQuery{To: to, Kind: kind, Count: n}}
}

// In reads the mail of another tenant, named by a variable.
func (s Step) In(tenantVar string) Step {
	m := *s.Mail
	m.Tenant, m.AnyTenant = tenantVar, false
	s.Mail = &m
	return s
}

// AnyTenant reads the mail of every tenant, e.g. of users outside any
// tenant (Open Loyalty's admins); the fresh recipient keeps it apart.
func (s Step) AnyTenant() Step {
	m := *s.Mail
	m.Tenant, m.AnyTenant = "", true
	s.Mail = &m
	return s
}

// NoMail expects no message to "to" of kind.
func NoMail(to, kind string) Step { return MailCount(to, kind, 0) }

// ---- checks ----

// Check is one expectation on a response. Paths are dot-separated JSON paths
// ("fault.detail.errorcode", "accounts.0.id", "" for the whole body); a "*"
// segment fans out over an array ("details.*.field").
type Check struct {
	Op    string // one of the Op… constants
	Path  string // JSON path, or header name for OpHeader
	Value any    // expected value; strings are templates
	Max   any    // upper bound of OpRange
	Claim string // the JWT claim of OpClaim
	// Choice marks a check that pins doppel's choice where the vendor's
	// documentation is silent: its failure is a finding, not a failure.
	Choice bool
}

// AsChoice marks a check as pinning doppel's choice (see Check.Choice).
func (c Check) AsChoice() Check { c.Choice = true; return c }

// Check operations.
const (
	OpEquals    = "equals"     // exactly one value, equal to Value
	OpNotEquals = "not-equals" // exactly one value, different from Value
	OpPresent   = "present"    // the path exists
	OpAbsent    = "absent"     // the path does not exist
	OpLen       = "len"        // exactly one array, object or string, of length Value
	OpMatches   = "matches"    // exactly one string (or number) matching the regexp Value
	OpIncludes  = "includes"   // one of the values (or the elements of the one array) equals Value
	OpExcludes  = "excludes"   // none of them equals Value
	OpRange     = "range"      // exactly one number in [Value, Max]
	OpHeader    = "header"     // the response header Path contains Value
	OpCORS      = "cors"       // Access-Control-Allow-Origin allows the origin Value: "*" or Value itself
	OpNoBody    = "no-body"    // the response has an empty body
	OpLifetime  = "lifetime"   // exactly one string, a JWT whose exp minus iat is Value seconds
	OpClaim     = "claim"      // exactly one string, a JWT whose payload's Claim equals Value
	OpHS256     = "hs256"      // exactly one string, a JWT signed with HS256 keyed by the bytes of Value
)

func Equals(path string, v any) Check    { return Check{Op: OpEquals, Path: path, Value: v} }
func NotEquals(path string, v any) Check { return Check{Op: OpNotEquals, Path: path, Value: v} }
func Present(path string) Check          { return Check{Op: OpPresent, Path: path} }
func Absent(path string) Check           { return Check{Op: OpAbsent, Path: path} }
func Len(path string, n int) Check       { return Check{Op: OpLen, Path: path, Value: n} }
func Matches(path, re string) Check      { return Check{Op: OpMatches, Path: path, Value: re} }
func Includes(path string, v any) Check  { return Check{Op: OpIncludes, Path: path, Value: v} }
func Excludes(path string, v any) Check  { return Check{Op: OpExcludes, Path: path, Value: v} }
func InRange(path string, lo, hi float64) Check {
	return Check{Op: OpRange, Path: path, Value: lo, Max: hi}
}
func HeaderHas(name, substring string) Check {
	return Check{Op: OpHeader, Path: name, Value: substring}
}
func NoBody() Check { return Check{Op: OpNoBody} }

// AllowsOrigin expects the response to let a page of origin read it:
// Access-Control-Allow-Origin is "*" or the origin (a template).
func AllowsOrigin(origin string) Check { return Check{Op: OpCORS, Value: origin} }

// Lifetime expects the string at path to be a JWT valid for seconds: its
// exp claim minus its iat claim.
func Lifetime(path string, seconds int) Check {
	return Check{Op: OpLifetime, Path: path, Value: seconds}
}

// Claim expects the string at path to be a JWT whose payload has claim equal
// to v. The signature is not checked: the key is the target's secret.
func Claim(path, claim string, v any) Check {
	return Check{Op: OpClaim, Path: path, Claim: claim, Value: v}
}

// SignedHS256 expects the string at path to be a JWT whose header says
// HS256 and whose signature verifies with key (a template) as the secret.
func SignedHS256(path, key string) Check { return Check{Op: OpHS256, Path: path, Value: key} }
