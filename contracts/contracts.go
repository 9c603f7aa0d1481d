// Package contracts holds doppel's OpenAPI 3.1 documents, one per face, and
// validates requests and responses against them. The mock validates every
// request it receives against doppel's view of a contract; the conformance
// client every response against both the vendor's view and doppel's (see
// views.go for the marks that tell them apart).
package contracts

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

//go:embed *.yaml
var files embed.FS

// Names lists the embedded contracts.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// Raw returns the YAML text of a contract.
func Raw(name string) ([]byte, error) { return files.ReadFile(name + ".yaml") }

// Contract is a parsed document with its validators, built once per process.
type Contract struct {
	Name  string
	Model *v3.Document // the document, without its responses
	ops   []*Operation
	// requests validates requests. It is built from a copy of the document
	// without responses, so that starting the mock does not compile the many
	// response schemas only the conformance client needs, and on first use
	// or Warm, so that the mock can listen before it is compiled.
	requests func() validator.Validator
	// valid remembers the bodiless requests found valid (see ValidateRequest).
	valid      sync.Map
	validCount atomic.Int64
	// responses validates responses against doppel's view, vendorResponses
	// against the vendor's; each built from the whole document on first use.
	responses, vendorResponses func() (validator.Validator, error)
}

// Operation is one method on one path of a contract.
type Operation struct {
	ID        string
	Method    string // upper case
	Path      string // the contract's template, e.g. /customer/{tenant}/me
	BodyTypes []string
	Statuses  []string // documented response codes
	// Vendor reports whether the vendor documents the operation, and
	// VendorStatuses the codes it documents (those not marked x-doppel-choice).
	Vendor         bool
	VendorStatuses []string
	pathItem       *v3.PathItem
	inputs         []string // "header:Name" and "cookie:Name" parameters, for the memo key
}

// Violation is one way a request or response breaks its contract.
type Violation struct {
	In      string `json:"in"`              // path, query, header, body, response…
	Field   string `json:"field,omitempty"` // the parameter or JSON field
	Message string `json:"message"`
}

func (v Violation) String() string {
	if v.Field == "" {
		return v.In + ": " + v.Message
	}
	return v.In + " " + v.Field + ": " + v.Message
}

// cache holds one func() (*Contract, error) per name, so that contracts load
// once each, and several at the same time.
var cache sync.Map

// Load returns the named contract, parsing it and building its request
// validator on first use only.
func Load(name string) (*Contract, error) {
	once, _ := cache.LoadOrStore(name, sync.OnceValues(func() (*Contract, error) { return load(name) }))
	return once.(func() (*Contract, error))()
}

func load(name string) (*Contract, error) {
	raw, err := Raw(name)
	if err != nil {
		return nil, fmt.Errorf("contract %q: %w", name, err)
	}
	return build(name, raw)
}

// New builds a contract from a document that is not embedded, e.g. a
// vendor's own specification to check requests against.
func New(name string, raw []byte) (*Contract, error) { return build(name, raw) }

// build derives a document's views, parses doppel's and prepares its operations.
func build(name string, raw []byte) (*Contract, error) {
	v, err := derive(raw)
	if err != nil {
		return nil, fmt.Errorf("contract %q: %w", name, err)
	}
	model, err := parse(name, v.doppel)
	if err != nil {
		return nil, err
	}
	validatorOf := func(view []byte) func() (validator.Validator, error) {
		return sync.OnceValues(func() (validator.Validator, error) {
			whole, err := parse(name, view)
			if err != nil {
				return nil, err
			}
			return newValidator(whole), nil
		})
	}
	c := &Contract{Name: name, Model: model, responses: validatorOf(v.doppel), vendorResponses: validatorOf(v.vendor)}
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			o := &Operation{ID: op.OperationId, Method: strings.ToUpper(method), Path: path, pathItem: item}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.In == "header" || p.In == "cookie" {
					o.inputs = append(o.inputs, p.In+":"+p.Name)
				}
			}
			if op.RequestBody != nil {
				for mt := range op.RequestBody.Content.KeysFromOldest() {
					o.BodyTypes = append(o.BodyTypes, mt)
				}
			}
			if op.Responses != nil {
				for code := range op.Responses.Codes.KeysFromOldest() {
					o.Statuses = append(o.Statuses, code)
					if !v.vendorLacks[o.Method+" "+path+" "+code] {
						o.VendorStatuses = append(o.VendorStatuses, code)
					}
				}
			}
			o.Vendor = !v.vendorLacks[o.Method+" "+path]
			op.Responses = nil // this copy validates requests only
			c.ops = append(c.ops, o)
		}
	}
	c.requests = sync.OnceValue(func() validator.Validator { return newValidator(model) })
	return c, nil
}

// parse builds a contract's model.
func parse(name string, raw []byte) (*v3.Document, error) {
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("contract %q: %w", name, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("contract %q: %w", name, err)
	}
	return &model.Model, nil
}

func newValidator(model *v3.Document) validator.Validator {
	return validator.NewValidatorFromV3Model(model,
		config.WithoutSecurityValidation(), // the faces authenticate, in their own dialect
		config.WithURLEncodedBodyValidation(),
		config.WithRegexCache(&sync.Map{})) // else path regexes are compiled per request
}

// MustLoad is Load for contracts that are embedded and tested.
func MustLoad(name string) *Contract {
	c, err := Load(name)
	if err != nil {
		panic(err)
	}
	return c
}

// Warm compiles the request validator now instead of at the first request.
func (c *Contract) Warm() { c.requests() }

// Operations lists every operation of the contract.
func (c *Contract) Operations() []*Operation { return c.ops }

// Operation returns the operation for a method and path template.
func (c *Contract) Operation(method, path string) *Operation {
	for _, o := range c.ops {
		if o.Method == method && o.Path == path {
			return o
		}
	}
	return nil
}

// Match returns the operation a concrete request path resolves to, or nil.
func (c *Contract) Match(method, path string) *Operation {
	for _, o := range c.ops {
		if o.Method == method && o.Matches(path) {
			return o
		}
	}
	return nil
}

// Matches reports whether a concrete path fits the operation's template,
// each {parameter} standing for one non-empty segment.
func (o *Operation) Matches(path string) bool {
	ts, ps := strings.Split(o.Path, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") {
			if ps[i] == "" {
				return false
			}
		} else if t != ps[i] {
			return false
		}
	}
	return true
}

// Examples are the operation's request body examples, JSON-encoded.
func (o *Operation) Examples() [][]byte {
	op := o.pathItem.GetOperations().GetOrZero(strings.ToLower(o.Method))
	if op == nil || op.RequestBody == nil {
		return nil
	}
	var nodes []*yaml.Node
	for mt := range op.RequestBody.Content.ValuesFromOldest() {
		if mt.Example != nil {
			nodes = append(nodes, mt.Example)
		}
		for ex := range mt.Examples.ValuesFromOldest() {
			if ex.Value != nil {
				nodes = append(nodes, ex.Value)
			}
		}
	}
	var out [][]byte
	for _, n := range nodes {
		var v any
		if n.Decode(&v) != nil {
			continue
		}
		if b, err := json.Marshal(v); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// AcceptsBody reports whether contentType is one of the operation's request
// media types (parameters such as charset ignored). Operations without a
// body accept anything.
func (o *Operation) AcceptsBody(contentType string) bool {
	if len(o.BodyTypes) == 0 {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	for _, t := range o.BodyTypes {
		if strings.EqualFold(t, mt) {
			return true
		}
	}
	return false
}

// Documents reports whether the operation documents a response status in
// doppel's contract.
func (o *Operation) Documents(status int) bool { return documents(o.Statuses, status) }

// VendorDocuments reports whether the vendor documents the operation and
// the response status.
func (o *Operation) VendorDocuments(status int) bool {
	return o.Vendor && documents(o.VendorStatuses, status)
}

func documents(statuses []string, status int) bool {
	code := fmt.Sprint(status)
	for _, s := range statuses {
		if s == code || s == code[:1]+"XX" || s == "default" {
			return true
		}
	}
	return false
}

// maxValid bounds the memo of valid requests; it starts afresh when full.
const maxValid = 4096

// ValidateRequest checks a request against one operation in one pass
// (parameters and body); the body stays readable afterwards. A request
// without a body is valid or not by its path, query, content type and the
// operation's header and cookie parameters alone, so one found valid is
// remembered and its repeats (a storefront's GET /me) are not validated again.
func (c *Contract) ValidateRequest(r *http.Request, o *Operation, bodiless bool) []Violation {
	var key string
	if bodiless {
		key = o.memoKey(r)
		if _, ok := c.valid.Load(key); ok {
			return nil
		}
	}
	if ok, errs := c.requests().ValidateHttpRequestSyncWithPathItem(r, o.pathItem, o.Path); !ok {
		return violations(errs)
	}
	if bodiless {
		if c.validCount.Add(1) > maxValid {
			c.valid.Clear()
			c.validCount.Store(1)
		}
		c.valid.Store(key, struct{}{})
	}
	return nil
}

// memoKey is everything of a bodiless request that its validity depends on,
// each part prefixed by its length so that no two requests share a key.
func (o *Operation) memoKey(r *http.Request) string {
	var b strings.Builder
	add := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	for _, s := range []string{o.ID, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type")} {
		add(s)
	}
	for _, in := range o.inputs {
		where, name, _ := strings.Cut(in, ":")
		if where == "header" {
			values := r.Header.Values(name)
			add(strconv.Itoa(len(values)))
			for _, v := range values {
				add(v)
			}
		} else if ck, err := r.Cookie(name); err == nil {
			add("=" + ck.Value)
		} else {
			add("")
		}
	}
	return b.String()
}

// ValidateResponse checks a response (status, headers, body) against the
// operation the request resolves to, in doppel's view.
func (c *Contract) ValidateResponse(r *http.Request, resp *http.Response) []Violation {
	return validateResponse(c.responses, r, resp)
}

// Verdict is a response checked against both views of a contract.
type Verdict struct {
	Vendor []Violation // breaks what the vendor documents: fails a deployment
	Doppel []Violation // breaks only what doppel's contract pins beyond it: a finding
}

// CheckResponse checks a response against the vendor's view and doppel's:
// a status or an operation the vendor does not document is checked
// against doppel's view only.
func (c *Contract) CheckResponse(r *http.Request, o *Operation, status int, header http.Header, body []byte) Verdict {
	response := func() *http.Response {
		return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: r}
	}
	var v Verdict
	if o.VendorDocuments(status) {
		v.Vendor = validateResponse(c.vendorResponses, r, response())
	}
	for _, d := range validateResponse(c.responses, r, response()) {
		if !slices.ContainsFunc(v.Vendor, func(x Violation) bool { return x == d }) {
			v.Doppel = append(v.Doppel, d)
		}
	}
	return v
}

func validateResponse(build func() (validator.Validator, error), r *http.Request, resp *http.Response) []Violation {
	v, err := build()
	if err != nil {
		return []Violation{{In: "contract", Message: err.Error()}}
	}
	if ok, errs := v.ValidateHttpResponse(r, resp); !ok {
		return violations(errs)
	}
	return nil
}

func violations(errs []*verrors.ValidationError) []Violation {
	var out []Violation
	for _, e := range errs {
		in := e.ValidationType
		switch {
		case strings.Contains(in, "Body") || strings.Contains(in, "body"):
			in = "body"
		case e.ValidationSubType != "" && e.ParameterName != "":
			in = e.ValidationSubType
		}
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, Violation{In: in, Field: e.ParameterName, Message: message(e)})
			continue
		}
		for _, f := range e.SchemaValidationErrors {
			field := strings.TrimPrefix(strings.TrimPrefix(f.FieldPath, "$"), ".")
			if m := missingProperty.FindStringSubmatch(f.Reason); m != nil {
				field = strings.TrimPrefix(field+"."+m[1], ".")
			}
			if field == "" {
				field = e.ParameterName
			}
			out = append(out, Violation{In: in, Field: field, Message: f.Reason})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

var missingProperty = regexp.MustCompile(`^missing propert(?:y|ies) '([^']+)'`)

func message(e *verrors.ValidationError) string {
	if e.Reason != "" && e.Reason != e.Message {
		return e.Message + ": " + e.Reason
	}
	return e.Message
}
