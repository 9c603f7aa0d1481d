// Package journal keeps the latest face requests in a bounded ring, and
// shows them with their secrets redacted. Recording is cheap — bodies are
// kept as they are and redacted only when someone looks.
package journal

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/internal/redact"
)

// What the journal keeps of a request, however large it was: each body,
// the path and the query up to MaxBody, the headers up to MaxHeaders in
// all, MaxViolations contract violations. An entry so takes a few dozen
// KiB at most, and the journal its size times that.
const (
	MaxBody       = 4 << 10
	MaxHeaders    = 8 << 10
	MaxViolations = 20
)

// Entry is one request as recorded: raw, secrets included.
type Entry struct {
	Time       time.Time
	API        string
	Tenant     string
	Operation  string // the contract's operation id; "" when no route matched
	Pattern    string // the pattern the request matched (http.Request.Pattern)
	Method     string
	Path       string
	Query      string
	Header     http.Header // the request's own map: the server never changes it once the handler returned
	Status     int         // 0: no answer (the connection was dropped)
	Duration   time.Duration
	Violations []contracts.Violation
	Fault      string // the fault applied, "" when none
	Request    Body
	Response   Body
}

// Body is a request or response body as the journal keeps it.
type Body struct {
	raw   []byte // the body when it fits MaxBody, redacted only when shown
	shown string // else what is shown, prepared when recorded
}

// NewBody keeps b, a body of size bytes of which b is all that was read.
// A body larger than MaxBody is redacted and clipped now, while it is whole.
func NewBody(b []byte, size int) Body {
	switch {
	case size <= MaxBody:
		return Body{raw: b}
	case len(b) < size:
		return Body{shown: fmt.Sprintf("(%d bytes, not kept)", size)}
	}
	return Body{shown: redact.Clip(redact.Body(b), MaxBody)}
}

func (b Body) String() string {
	if b.raw == nil {
		return b.shown
	}
	return redact.Clip(redact.Body(b.raw), MaxBody)
}

// Journal is the ring. A nil *Journal is off: it records nothing.
type Journal struct {
	mu   sync.Mutex
	ring []Entry
	seq  uint64 // entries recorded; entry i of all time is in ring[i%len(ring)]
	base uint64 // seq at the last Clear
}

// New returns a journal keeping the last size requests; nil (off) when size < 1.
func New(size int) *Journal {
	if size < 1 {
		return nil
	}
	return &Journal{ring: make([]Entry, size)}
}

// Add records a request, clipped to the journal's bounds.
func (j *Journal) Add(e Entry) {
	clipEntry(&e)
	j.mu.Lock()
	j.ring[j.seq%uint64(len(j.ring))] = e
	j.seq++
	j.mu.Unlock()
}

// Clear forgets every request.
func (j *Journal) Clear() {
	j.mu.Lock()
	clear(j.ring)
	j.base = j.seq
	j.mu.Unlock()
}

// Filter selects requests; zero fields match anything.
type Filter struct {
	API, Tenant, Method string
	Path                string // a substring of the path
	Status              int    // an exact status, or with Class a status class
	Class               bool   // Status is a class: 4 for 4xx
	Limit               int    // at most this many, newest first
}

// DefaultLimit is the number of requests listed when no limit is given.
const DefaultLimit = 100

var statusPattern = regexp.MustCompile(`^[1-5](?:[0-9]{2}|[xX]{2})$`)

// ParseFilter reads a Filter from a query string: api, tenant, method, path,
// status ("401" or "4xx") and limit. Anything else is an error.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Limit: DefaultLimit}
	for key, vals := range q {
		v := vals[len(vals)-1]
		switch key {
		case "api":
			f.API = v
		case "tenant":
			f.Tenant = v
		case "method":
			f.Method = strings.ToUpper(v)
		case "path":
			f.Path = v
		case "status":
			if !statusPattern.MatchString(v) {
				return Filter{}, fmt.Errorf("status %q is neither a status (401) nor a class (4xx)", v)
			}
			f.Status, _ = strconv.Atoi(v[:1])
			if f.Class = strings.EqualFold(v[1:], "xx"); !f.Class {
				f.Status, _ = strconv.Atoi(v)
			}
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return Filter{}, fmt.Errorf("limit %q is not a positive number", v)
			}
			f.Limit = n
		default:
			return Filter{}, fmt.Errorf("unknown parameter %q; filter by api, tenant, method, path, status, limit", key)
		}
	}
	return f, nil
}

func (f Filter) match(e *Entry) bool {
	return (f.API == "" || f.API == e.API) && (f.Tenant == "" || f.Tenant == e.Tenant) &&
		(f.Method == "" || f.Method == e.Method) && (f.Path == "" || strings.Contains(e.Path, f.Path)) &&
		(f.Status == 0 || f.Class && e.Status/100 == f.Status || !f.Class && e.Status == f.Status)
}

// Page is what the admin API lists.
type Page struct {
	Capacity int    `json:"capacity"` // requests the journal keeps; 0: the journal is off
	Recorded uint64 `json:"recorded"` // requests recorded since start or the last clear
	Requests []View `json:"requests"` // newest first
}

// View is an entry as shown, secrets redacted.
type View struct {
	ID         uint64                `json:"id"` // 1 for the first request recorded, in order
	Time       time.Time             `json:"time"`
	API        string                `json:"api"`
	Tenant     string                `json:"tenant"`
	Operation  string                `json:"operation"`
	Method     string                `json:"method"`
	Path       string                `json:"path"`
	Query      string                `json:"query"`
	Status     int                   `json:"status"`
	DurationMS float64               `json:"durationMs"`
	Violations []contracts.Violation `json:"violations"`
	Fault      string                `json:"fault"`
	Request    Message               `json:"request"`
	Response   Message               `json:"response"`
}

// Message is the shown part of a request or response.
type Message struct {
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body"`
}

// List returns the requests f selects, newest first.
func (j *Journal) List(f Filter) Page {
	page := Page{Requests: []View{}}
	if j == nil {
		return page
	}
	type hit struct {
		id uint64
		e  Entry
	}
	var hits []hit
	j.mu.Lock()
	page.Capacity, page.Recorded = len(j.ring), j.seq-j.base
	for seq := j.seq; seq > j.base && seq+uint64(len(j.ring)) > j.seq && len(hits) < f.Limit; seq-- {
		if e := &j.ring[(seq-1)%uint64(len(j.ring))]; f.match(e) {
			hits = append(hits, hit{seq, *e})
		}
	}
	j.mu.Unlock()
	for _, h := range hits { // redaction happens outside the lock
		page.Requests = append(page.Requests, view(h.id, &h.e))
	}
	return page
}

func view(id uint64, e *Entry) View {
	v := View{
		ID: id, Time: e.Time, API: e.API, Tenant: e.Tenant, Operation: e.Operation, Method: e.Method,
		Path: redactPath(e.Pattern, e.Path), Query: redact.Query(e.Query), Status: e.Status,
		DurationMS: float64(e.Duration.Microseconds()) / 1000, Violations: e.Violations, Fault: e.Fault,
		Request:  Message{Headers: map[string]string{}, Body: e.Request.String()},
		Response: Message{Body: e.Response.String()},
	}
	if v.Violations == nil {
		v.Violations = []contracts.Violation{}
	}
	for name, vals := range e.Header {
		v.Request.Headers[name] = redact.Header(name, strings.Join(vals, ", "))
	}
	return v
}

// redactPath masks the segments of path that fill a secret wildcard of the
// pattern it matched, such as the {token} of an opt-in link.
func redactPath(pattern, path string) string {
	if !strings.Contains(pattern, "{") {
		return path
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 { // "GET /customer/…": drop the method
		pattern = pattern[i:]
	}
	ts, ps := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return path
	}
	changed := false
	for i, t := range ts {
		if name, ok := strings.CutPrefix(t, "{"); ok && redact.IsSecret(strings.TrimSuffix(name, "}")) {
			ps[i], changed = redact.Mask, true
		}
	}
	if !changed {
		return path
	}
	return strings.Join(ps, "/")
}

// clipEntry bounds what an entry keeps. A long path or query is redacted
// before it is clipped: clipped, it could no longer be.
func clipEntry(e *Entry) {
	if len(e.Path) > MaxBody {
		e.Path = redact.Clip([]byte(redactPath(e.Pattern, e.Path)), MaxBody)
	}
	if len(e.Query) > MaxBody {
		e.Query = redact.Clip([]byte(redact.Query(e.Query)), MaxBody)
	}
	if n := len(e.Violations); n > MaxViolations {
		e.Violations = append(e.Violations[:MaxViolations:MaxViolations],
			contracts.Violation{In: "journal", Message: fmt.Sprintf("%d more violations not kept", n-MaxViolations)})
	}
	e.Header = clipHeader(e.Header)
}

// clipHeader returns h, or when its names and values exceed MaxHeaders a
// copy of the first of them (by name) that fit, each value clipped to what
// is left, and a "…" entry saying how much was left out.
func clipHeader(h http.Header) http.Header {
	size := 0
	for name, vals := range h {
		for _, v := range vals {
			size += len(name) + len(v)
		}
	}
	if size <= MaxHeaders {
		return h
	}
	out := http.Header{}
	room := MaxHeaders
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			if room <= len(name) {
				break
			}
			v = redact.Clip([]byte(redact.Header(name, v)), room-len(name))
			out[name] = append(out[name], v)
			room -= len(name) + len(v)
		}
	}
	out["…"] = []string{fmt.Sprintf("headers of %d bytes, %d kept", size, MaxHeaders-room)}
	return out
}
