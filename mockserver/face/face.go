// Package face is the mechanism every face shares: it mounts a face's routes,
// and runs each request through the same pipeline — body limit, content
// type, authentication, one contract validation pass, handler — turning every
// failure into a Problem that the face renders in its own dialect.
package face

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/contracts"
)

// DefaultBodyLimit is the largest request body accepted.
const DefaultBodyLimit = 1 << 20

// Problem is a failure to answer with; the face renders it in its dialect.
type Problem struct {
	Status int
	// Code names the failure, for every face alike: one of the pipeline's
	// codes below or one of the face's own (its errors.go). The face's
	// Render picks the body from it; some dialects also print it.
	Code       string
	Message    string
	Violations []contracts.Violation // for contract failures
	Allow      string                // for 405
}

// The pipeline's codes: the failures Mount answers before or around a
// handler. Faces use CodeBadRequest for their own bad input too.
const (
	CodeBadRequest           = "bad_request"
	CodePayloadTooLarge      = "payload_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeInternal             = "internal_error"
)

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Code, p.Message) }

// Errorf returns a Problem.
func Errorf(status int, code, format string, args ...any) *Problem {
	return &Problem{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorMap is a face's one map from the domain's errors (identity's) to its
// answers. An answer's Message is a format of the details a call site gives
// (e.g. the e-mail of a duplicate), or plain text when it gives none.
type ErrorMap map[error]*Problem

// Answer returns the answer to err when err is (errors.Is) one of m's
// domain errors, with its message formatted with details; else err itself —
// nil, a Problem already, or an unexpected error the pipeline answers with a
// 500. A domain error matches one entry: the entries are distinct sentinels.
func (m ErrorMap) Answer(err error, details ...any) error {
	if err == nil {
		return nil
	}
	for domain, p := range m {
		if errors.Is(err, domain) {
			if len(details) == 0 {
				return p
			}
			cp := *p
			cp.Message = fmt.Sprintf(p.Message, details...)
			return &cp
		}
	}
	return err
}

// Face is one vendor API.
type Face interface {
	// Name is the face's short name, also its contract's name.
	Name() string
	// Prefixes are the path prefixes the face owns, for its 404s.
	Prefixes() []string
	// Routes are the face's operations.
	Routes() []Route
	// Tenant is the tenant a request addresses, "" when it names none; the
	// request journal shows it.
	Tenant(r *http.Request) string
	// Render writes a Problem in the face's dialect.
	Render(w http.ResponseWriter, p *Problem)
}

// SlashTolerant is implemented by a face whose vendor gateway answers a path
// with one trailing slash as the path without it (Emporix's does): Mount then
// routes "/a/b/" to the operation of "/a/b", and the journal, the faults and
// the contract validation see the canonical "/a/b". A face that does not
// implement it, or answers false, serves its paths exactly.
type SlashTolerant interface {
	ToleratesTrailingSlash() bool
}

func toleratesSlash(f Face) bool {
	t, ok := f.(SlashTolerant)
	return ok && t.ToleratesTrailingSlash()
}

// Route binds a contract operation to its handler.
type Route struct {
	Method, Path string // as in the contract
	// Auth, when set, runs before validation: authentication failures win
	// over bad input, as behind the vendors' gateways.
	Auth   func(r *http.Request) (any, error)
	Handle func(c *Call) error
}

// Call is one request on its way through a handler.
type Call struct {
	W    http.ResponseWriter
	R    *http.Request
	Body []byte // the whole request body
	Auth any    // what Route.Auth returned
}

// Decode unmarshals the (already validated) body into v: JSON, or an
// application/x-www-form-urlencoded form read as the object FormObject makes.
func (c *Call) Decode(v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	body := c.Body
	if mediaType(c.R) == FormType {
		values, err := url.ParseQuery(string(c.Body))
		if err != nil {
			return Errorf(http.StatusBadRequest, CodeBadRequest, "request body is not a valid form: %v", err)
		}
		if body, err = json.Marshal(FormObject(values)); err != nil {
			return err
		}
	}
	if err := decodeJSON(body, v); err != nil {
		return Errorf(http.StatusBadRequest, CodeBadRequest, "request body is not valid JSON: %v", err)
	}
	return nil
}

// JSON writes v as the response body.
func (c *Call) JSON(status int, v any) error {
	WriteJSON(c.W, status, v)
	return nil
}

// Status answers with a status and no body.
func (c *Call) Status(status int) error {
	c.W.WriteHeader(status)
	return nil
}

// WriteJSON writes a JSON response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		slog.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Options tune Mount.
type Options struct {
	BodyLimit int64 // DefaultBodyLimit when 0
	// Wrap, when set, wraps every handler Mount registers — each route and
	// the face's 404/405 fallback — e.g. to inject faults and keep a journal.
	Wrap func(Face, http.Handler) http.Handler
}

// Note is what the pipeline learnt of a request.
type Note struct {
	Operation  string // the contract's operation id
	Body       []byte // the whole request body, as read
	Violations []contracts.Violation
}

// Noter is implemented by a ResponseWriter that wants the pipeline's Note
// of its request (the request journal's); the pipeline tells it once the
// request is answered.
type Noter interface {
	Note(Note)
}

// Mount registers a face's routes on mux, with its 404 and 405 answers
// under its prefixes. Every route must be an operation of the contract.
func Mount(mux *http.ServeMux, f Face, c *contracts.Contract, opts Options) error {
	if opts.BodyLimit == 0 {
		opts.BodyLimit = DefaultBodyLimit
	}
	wrap := func(h http.Handler) http.Handler {
		if opts.Wrap == nil {
			return h
		}
		return opts.Wrap(f, h)
	}
	slash := toleratesSlash(f)
	for _, rt := range f.Routes() {
		op := c.Operation(rt.Method, rt.Path)
		if op == nil {
			return fmt.Errorf("%s: route %s %s is not in the contract", f.Name(), rt.Method, rt.Path)
		}
		pattern := rt.Method + " " + rt.Path
		h := wrap(&pipeline{face: f, contract: c, op: op, route: rt, limit: opts.BodyLimit})
		mux.Handle(pattern, h)
		if slash {
			mux.Handle(pattern+"/{$}", canonical(pattern, h))
		}
	}
	fallback := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if slash {
			path = strings.TrimSuffix(path, "/")
		}
		if allow := allowed(c, path); allow != "" {
			f.Render(w, &Problem{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Allow: allow,
				Message: fmt.Sprintf("%s is not allowed on %s; allowed: %s.", r.Method, r.URL.Path, allow)})
			return
		}
		f.Render(w, Errorf(http.StatusNotFound, CodeNotFound, "No operation at %s %s.", r.Method, r.URL.Path))
	}))
	for _, p := range f.Prefixes() {
		mux.Handle(p, fallback)
	}
	return nil
}

// canonical serves a request to "/a/b/" as one to "/a/b", matched by pattern.
func canonical(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := new(http.Request)
		*r2 = *r // as http.StripPrefix does; the path values stay
		u := *r.URL
		u.Path, u.RawPath = strings.TrimSuffix(u.Path, "/"), strings.TrimSuffix(u.RawPath, "/")
		r2.URL, r2.Pattern = &u, pattern
		h.ServeHTTP(w, r2)
	})
}

// allowed lists the methods of the contract's operations on path.
func allowed(c *contracts.Contract, path string) string {
	var methods []string
	for _, op := range c.Operations() {
		if op.Matches(path) && !slices.Contains(methods, op.Method) {
			methods = append(methods, op.Method)
		}
	}
	return strings.Join(methods, ", ")
}

type pipeline struct {
	face     Face
	contract *contracts.Contract
	op       *contracts.Operation
	route    Route
	limit    int64
}

func (p *pipeline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	note := Note{Operation: p.op.ID}
	defer func() { // a bug answers a 500 in the dialect, not a dropped connection
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			slog.Error("handler panicked", "face", p.face.Name(), "op", p.op.ID, "panic", v, "stack", string(debug.Stack()))
			p.face.Render(w, Errorf(http.StatusInternalServerError, CodeInternal, "Internal error."))
		}
	}()
	if err := p.serve(w, r, &note); err != nil {
		var prob *Problem
		if !errors.As(err, &prob) {
			slog.Error("handler failed", "face", p.face.Name(), "op", p.op.ID, "err", err)
			prob = Errorf(http.StatusInternalServerError, CodeInternal, "Internal error.")
		}
		p.face.Render(w, prob)
	}
	if n, ok := w.(Noter); ok {
		n.Note(note)
	}
}

func (p *pipeline) serve(w http.ResponseWriter, r *http.Request, note *Note) error {
	body, err := readBody(http.MaxBytesReader(w, r.Body, p.limit), r.ContentLength, p.limit)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return Errorf(http.StatusRequestEntityTooLarge, CodePayloadTooLarge,
				"The request body exceeds %d bytes.", p.limit)
		}
		return Errorf(http.StatusBadRequest, CodeBadRequest, "The request body could not be read.")
	}
	note.Body = body
	if len(p.op.BodyTypes) > 0 && len(body) > 0 && !p.op.AcceptsBody(r.Header.Get("Content-Type")) {
		return Errorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"Content type %q is not supported; use %s.", r.Header.Get("Content-Type"), strings.Join(p.op.BodyTypes, " or "))
	}
	c := &Call{W: w, R: r, Body: body}
	if p.route.Auth != nil {
		if c.Auth, err = p.route.Auth(r); err != nil {
			return err
		}
	}
	if prob := checkDepth(r, body); prob != nil {
		return prob
	}
	r.Body = &bodyReader{r: bytes.NewReader(body)}
	if v := p.contract.ValidateRequest(withoutEmptyBodyType(r, body), p.op, len(body) == 0); len(v) > 0 {
		note.Violations = v
		return &Problem{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: summary(v), Violations: v}
	}
	return p.route.Handle(c)
}

// readBody is io.ReadAll into a buffer that fits the declared length (up to
// limit), so that a body of known length is read without growing it.
func readBody(r io.Reader, length, limit int64) ([]byte, error) {
	if length <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, min(length, limit)+1) // + 1: room to see the end without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// bodyReader gives the validator the body to read once. (It copies a body
// whose reader it can rewind, as io.NopCloser(bytes.NewReader(b)), before
// reading it.)
type bodyReader struct{ r *bytes.Reader }

func (b *bodyReader) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *bodyReader) Close() error               { return nil }

// withoutEmptyBodyType returns r without its Content-Type when the body is
// empty, for validation: no body has no media type to refuse. (axios posts a
// null body as application/x-www-form-urlencoded with no content.) An
// operation that needs a body still finds it missing.
func withoutEmptyBodyType(r *http.Request, body []byte) *http.Request {
	if len(body) > 0 || r.Header.Get("Content-Type") == "" {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.Header = r.Header.Clone()
	r2.Header.Del("Content-Type")
	return r2
}

func summary(v []contracts.Violation) string {
	msg := "Request was syntactically incorrect: " + v[0].String()
	if len(v) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(v)-1)
	}
	return msg
}
