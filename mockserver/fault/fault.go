// Package fault is doppel's transport fault injection: effects (latency, a
// forced status, a dropped connection), their one-line syntax for the
// X-Doppel-Fault header, and rules that apply them to matching requests.
// It knows no face: the server applies what it picks, in the face's dialect.
package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Header is the request header that applies a fault to one call.
const Header = "X-Doppel-Fault"

// MaxLatency bounds an injected delay.
const MaxLatency = 5 * time.Minute

// Effect is what a fault does to a request: wait, then answer Status in the
// face's dialect, drop the connection, or (neither) serve it as usual.
// (Rule.MarshalJSON writes it in the header syntax's terms.)
type Effect struct {
	Latency    time.Duration `json:"-"` // the delay, or the least delay of a range
	LatencyMax time.Duration `json:"-"` // when above Latency, the delay is drawn uniformly from [Latency, LatencyMax]
	Status     int           `json:"-"` // 400–599; 0: none
	Drop       bool          `json:"-"` // close the connection without an answer
}

// ParseEffect reads the header syntax: "latency=300ms", "latency=100ms-2s",
// "status=503", "drop", joined by ";" or "," (e.g. "latency=1s; status=504").
func ParseEffect(s string) (Effect, error) {
	var e Effect
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == ',' }) {
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		var err error
		switch {
		case key == "latency" && hasVal:
			err = e.setLatency(val)
		case key == "status" && hasVal:
			e.Status, err = strconv.Atoi(val)
			if err != nil {
				err = fmt.Errorf("status %q is not a number", val)
			}
		case key == "drop" && !hasVal:
			e.Drop = true
		case key == "":
			continue
		default:
			err = fmt.Errorf("unknown fault %q; use latency=300ms, latency=100ms-2s, status=503 or drop", strings.TrimSpace(part))
		}
		if err != nil {
			return Effect{}, err
		}
	}
	return e, e.Validate()
}

// setLatency reads "300ms" or "100ms-2s".
func (e *Effect) setLatency(s string) error {
	lo, hi, isRange := strings.Cut(s, "-")
	var err error
	if e.Latency, err = time.ParseDuration(strings.TrimSpace(lo)); err != nil {
		return fmt.Errorf("latency %q: %v", s, err)
	}
	e.LatencyMax = e.Latency
	if isRange {
		if e.LatencyMax, err = time.ParseDuration(strings.TrimSpace(hi)); err != nil {
			return fmt.Errorf("latency %q: %v", s, err)
		}
	}
	return nil
}

// Validate checks that an effect does something, and something possible.
func (e Effect) Validate() error {
	switch {
	case e.Latency == 0 && e.LatencyMax == 0 && e.Status == 0 && !e.Drop:
		return errors.New("a fault needs latency, status or drop")
	case e.Latency < 0 || e.LatencyMax < e.Latency:
		return fmt.Errorf("latency %s is not a delay or a range from low to high", e.latency())
	case e.LatencyMax > MaxLatency:
		return fmt.Errorf("latency %s is longer than %s", e.latency(), MaxLatency)
	case e.Status != 0 && (e.Status < 400 || e.Status > 599):
		return fmt.Errorf("status %d is not an error status (400–599)", e.Status)
	case e.Status != 0 && e.Drop:
		return errors.New("a dropped connection has no status: give status or drop, not both")
	}
	return nil
}

// Delay draws the delay to apply.
func (e Effect) Delay() time.Duration {
	if e.LatencyMax <= e.Latency {
		return e.Latency
	}
	return e.Latency + rand.N(e.LatencyMax-e.Latency+1)
}

func (e Effect) latency() string {
	if e.LatencyMax > e.Latency {
		return e.Latency.String() + "-" + e.LatencyMax.String()
	}
	return e.Latency.String()
}

// String writes the effect in the header syntax.
func (e Effect) String() string {
	var parts []string
	if e.LatencyMax > 0 {
		parts = append(parts, "latency="+e.latency())
	}
	if e.Status != 0 {
		parts = append(parts, "status="+strconv.Itoa(e.Status))
	}
	if e.Drop {
		parts = append(parts, "drop")
	}
	return strings.Join(parts, "; ")
}

// Rule applies an effect to the face requests it matches.
type Rule struct {
	ID     int    `json:"id"`
	API    string `json:"api"`    // a face's name; "": any
	Method string `json:"method"` // "": any
	Path   string `json:"path"`   // a glob (see Glob); "": any
	Effect
	Probability float64 `json:"probability"` // chance that a matching request is faulted
	Remaining   *int    `json:"remaining"`   // applications left before the rule expires; nil: no limit
	Applied     int     `json:"applied"`     // how many requests it faulted

	path *regexp.Regexp
}

// Glob compiles a path pattern: "*" stands for any run of characters within
// a segment, "**" for any run across segments, "?" for one character other
// than "/"; everything else is literal, and the pattern spans the whole path.
func Glob(pattern string) (*regexp.Regexp, error) {
	if pattern != "" && pattern[0] != '/' && pattern[0] != '*' {
		return nil, fmt.Errorf("path %q must start with / or *", pattern)
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch {
		case strings.HasPrefix(pattern[i:], "**"):
			b.WriteString(".*")
			i++
		case pattern[i] == '*':
			b.WriteString("[^/]*")
		case pattern[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func (r *Rule) matches(api, method, path string) bool {
	return (r.API == "" || r.API == api) && (r.Method == "" || r.Method == method) &&
		(r.path == nil || r.path.MatchString(path))
}

// MarshalJSON writes the rule with its effect in the header syntax's terms.
func (r Rule) MarshalJSON() ([]byte, error) {
	type plain Rule // without this method
	out := struct {
		plain
		Latency string `json:"latency,omitempty"`
		Status  int    `json:"status,omitempty"`
		Drop    bool   `json:"drop,omitempty"`
	}{plain: plain(r), Status: r.Status, Drop: r.Drop}
	if r.LatencyMax > 0 {
		out.Latency = r.latency()
	}
	return json.Marshal(out)
}

// NewRule is a rule as the admin API receives it.
type NewRule struct {
	API         string   `json:"api"`
	Method      string   `json:"method"`
	Path        string   `json:"path"`
	Latency     string   `json:"latency"` // "300ms" or "100ms-2s"
	Status      int      `json:"status"`
	Drop        bool     `json:"drop"`
	Count       *int     `json:"count"`       // applies this many times, then expires; nil: no limit
	Probability *float64 `json:"probability"` // 1 when nil
}

// Rules is the set of rules in force, tried oldest first.
type Rules struct {
	mu    sync.Mutex
	rules []*Rule
	last  int
	n     atomic.Int32 // len(rules), read without the lock
}

// Add checks and adds a rule; apis are the faces' names.
func (rs *Rules) Add(in NewRule, apis []string) (Rule, error) {
	r := Rule{API: in.API, Method: strings.ToUpper(in.Method), Path: in.Path, Probability: 1}
	if r.API != "" && !slices.Contains(apis, r.API) {
		return Rule{}, fmt.Errorf("api %q is not one of %s", r.API, strings.Join(apis, ", "))
	}
	var err error
	if r.path, err = Glob(r.Path); err != nil {
		return Rule{}, err
	}
	if r.Path == "" {
		r.path = nil
	}
	if in.Latency != "" {
		if err := r.setLatency(in.Latency); err != nil {
			return Rule{}, err
		}
	}
	r.Status, r.Drop = in.Status, in.Drop
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	if in.Count != nil {
		if *in.Count < 1 {
			return Rule{}, fmt.Errorf("count %d is not a positive number", *in.Count)
		}
		n := *in.Count
		r.Remaining = &n
	}
	if p := in.Probability; p != nil {
		if *p < 0 || *p > 1 {
			return Rule{}, fmt.Errorf("probability %v is not between 0 and 1", *p)
		}
		r.Probability = *p
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.last++
	r.ID = rs.last
	rs.rules = append(rs.rules, &r)
	rs.n.Store(int32(len(rs.rules)))
	return r.copy(), nil
}

// copy is a snapshot of the rule, safe to read outside the lock.
func (r *Rule) copy() Rule {
	out := *r
	if r.Remaining != nil {
		n := *r.Remaining
		out.Remaining = &n
	}
	return out
}

// List returns the rules in force, oldest first.
func (rs *Rules) List() []Rule {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]Rule, 0, len(rs.rules))
	for _, r := range rs.rules {
		out = append(out, r.copy())
	}
	return out
}

// Delete removes a rule; false when there is none with this id.
func (rs *Rules) Delete(id int) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	i := slices.IndexFunc(rs.rules, func(r *Rule) bool { return r.ID == id })
	if i < 0 {
		return false
	}
	rs.remove(i)
	return true
}

// Clear removes every rule.
func (rs *Rules) Clear() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.rules = nil
	rs.n.Store(0)
}

func (rs *Rules) remove(i int) {
	rs.rules = slices.Delete(rs.rules, i, i+1)
	rs.n.Store(int32(len(rs.rules)))
}

// Match returns the first rule that matches a request and fires (by its
// probability), counting the application; a rule whose count is spent
// expires. ok is false when none fires.
func (rs *Rules) Match(api, method, path string) (r Rule, ok bool) {
	if rs.n.Load() == 0 {
		return Rule{}, false
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, r := range rs.rules {
		if !r.matches(api, method, path) || r.Probability < 1 && rand.Float64() >= r.Probability {
			continue
		}
		r.Applied++
		if r.Remaining != nil {
			if *r.Remaining--; *r.Remaining == 0 {
				rs.remove(i)
			}
		}
		return r.copy(), true
	}
	return Rule{}, false
}
