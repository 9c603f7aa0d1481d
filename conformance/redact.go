package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/doppel-dev/doppel/internal/redact"
)

// Below these lengths a value is not redacted wherever it appears: shorter
// ones would blank out ordinary text. A value the target file names a
// secret is redacted from 4 characters; one a run sees from 6, so that a
// scenario's deliberately wrong password "other" does not blank out
// "another".
const (
	minSecret     = 4
	minSeenSecret = 6
)

// secrets remembers every secret value a run has seen — the target file's
// ${ENV} values, and each token, code, password and JWT sent or received —
// so that no log or report shows one, wherever it turns up. Safe for
// concurrent use.
type secrets struct {
	mu    sync.Mutex
	names map[string]string // each spelling of a secret → the name it was first seen under
	repl  *strings.Replacer // nil when a secret was added since it was built
}

// add remembers a secret seen in the run, spelled as it is and as JSON, a
// query and a path escape it.
func (s *secrets) add(name, value string) {
	if len(value) >= minSeenSecret {
		s.remember(name, value)
	}
}

// remember remembers a secret of any length from minSecret on.
func (s *secrets) remember(name, value string) {
	if len(value) < minSecret {
		return
	}
	quoted, _ := json.Marshal(value)
	spellings := []string{value, string(quoted[1 : len(quoted)-1]), url.QueryEscape(value), url.PathEscape(value)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.names = map[string]string{}
	}
	for _, v := range spellings {
		if _, known := s.names[v]; !known {
			s.names[v] = name
			s.repl = nil
		}
	}
}

// addAll remembers every secret of a list.
func (s *secrets) addAll(found []redact.Secret) {
	for _, f := range found {
		s.add(f.Name, f.Value)
	}
}

// addHeader remembers the secrets of request or response headers.
func (s *secrets) addHeader(h http.Header) {
	for name, values := range h {
		for _, v := range values {
			if f, ok := redact.FindHeader(name, v); ok {
				s.add(f.Name, f.Value)
			}
		}
	}
}

// sorted lists the spellings, longest first, so that a secret containing
// another is replaced whole.
func (s *secrets) sorted() []string {
	out := make([]string, 0, len(s.names))
	for v := range s.names {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return out
}

// redact replaces every secret seen so far in text.
func (s *secrets) redact(text string) string {
	s.mu.Lock()
	if s.repl == nil {
		var pairs []string
		for _, v := range s.sorted() {
			pairs = append(pairs, v, redact.Mask)
		}
		s.repl = strings.NewReplacer(pairs...)
	}
	r := s.repl
	s.mu.Unlock()
	return r.Replace(text)
}

// segment is a part of a text: literal, or a secret (Secret is the value as
// the text spells it).
type segment struct{ Text, Secret string }

// split cuts text into literal parts and the secrets in it.
func (s *secrets) split(text string) []segment {
	s.mu.Lock()
	spellings := s.sorted()
	s.mu.Unlock()
	var out []segment
	for len(text) > 0 {
		at, which := len(text), ""
		for _, v := range spellings {
			if i := strings.Index(text, v); i >= 0 && i < at {
				at, which = i, v
			}
		}
		if at > 0 {
			out = append(out, segment{Text: text[:at]})
		}
		if which == "" {
			break
		}
		out = append(out, segment{Secret: which})
		text = text[at+len(which):]
	}
	return out
}

// name is the name a secret was first seen under.
func (s *secrets) name(spelling string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[spelling]
}
