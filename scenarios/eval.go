package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Vars are a run's variables: strings, or JSON values as captured.
type Vars map[string]any

// placeholder is {name} or {name:upper}; JSON object keys are always quoted,
// so a raw JSON body never looks like one.
var placeholder = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9_]*)(:upper)?\}`)

// Placeholders lists the variables a template refers to.
func Placeholders(tmpl string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		out = append(out, m[1])
	}
	return out
}

// Expand replaces every {var} of a template by the variable's text.
func Expand(tmpl string, vars Vars) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, ok := vars[sub[1]]
		if !ok {
			missing = append(missing, sub[1])
			return m
		}
		s := Text(v)
		if sub[2] == ":upper" {
			s = strings.ToUpper(s)
		}
		return s
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("undefined variable(s) %s in %q", strings.Join(missing, ", "), tmpl)
	}
	return out, nil
}

// Text is a variable's value as it appears inside a template.
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return "null"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// ExpandValue expands the templates inside a JSON-like value: strings and
// object keys are templates, Var stands for a variable's value as it is.
func ExpandValue(v any, vars Vars) (any, error) {
	switch x := v.(type) {
	case string:
		return Expand(x, vars)
	case Var:
		val, ok := vars[string(x)]
		if !ok {
			return nil, fmt.Errorf("undefined variable %s", string(x))
		}
		return val, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ek, err := Expand(k, vars)
			if err != nil {
				return nil, err
			}
			ev, err := ExpandValue(e, vars)
			if err != nil {
				return nil, err
			}
			out[ek] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := ExpandValue(e, vars)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := Expand(e, vars)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	default:
		return v, nil
	}
}

// valueVars lists the variables a JSON-like value refers to.
func valueVars(v any) []string {
	switch x := v.(type) {
	case string:
		return Placeholders(x)
	case Var:
		return []string{string(x)}
	case map[string]any:
		var out []string
		for k, e := range x {
			out = append(out, Placeholders(k)...)
			out = append(out, valueVars(e)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, valueVars(e)...)
		}
		return out
	case []string:
		var out []string
		for _, e := range x {
			out = append(out, Placeholders(e)...)
		}
		return out
	}
	return nil
}

// Decode parses a JSON document keeping numbers exact (json.Number).
func Decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// Normalize turns a Go value into the shape Decode produces.
func Normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := Decode(b)
	if err != nil {
		return v
	}
	return out
}

// Resolve returns the values at a path of a decoded document: none when the
// path does not exist, several when it fans out over "*".
func Resolve(doc any, path string) []any {
	cur := []any{doc}
	if path == "" {
		return cur
	}
	for _, seg := range strings.Split(path, ".") {
		var next []any
		for _, v := range cur {
			switch x := v.(type) {
			case map[string]any:
				if seg == "*" {
					for _, e := range x {
						next = append(next, e)
					}
				} else if e, ok := x[seg]; ok {
					next = append(next, e)
				}
			case []any:
				if seg == "*" {
					next = append(next, x...)
				} else if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(x) {
					next = append(next, x[i])
				}
			}
		}
		cur = next
	}
	return cur
}

// Equal compares two normalized JSON values; numbers by value.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, err1 := x.Float64()
		fy, err2 := y.Float64()
		return err1 == nil && err2 == nil && fx == fy
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

// Response is what a check looks at.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   any // the decoded body; nil when empty or not JSON
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func (c Check) String() string {
	switch c.Op {
	case OpPresent, OpAbsent:
		return fmt.Sprintf("%s %q", c.Op, c.Path)
	case OpNoBody:
		return "no body"
	case OpRange:
		return fmt.Sprintf("%q in [%v, %v]", c.Path, c.Value, c.Max)
	case OpHeader:
		return fmt.Sprintf("header %s contains %q", c.Path, c.Value)
	case OpCORS:
		return fmt.Sprintf("CORS allows origin %q", c.Value)
	case OpLifetime:
		return fmt.Sprintf("%q JWT lifetime %vs", c.Path, c.Value)
	case OpClaim:
		return fmt.Sprintf("%q claim %s = %s", c.Path, c.Claim, show(c.Value))
	case OpHS256:
		return fmt.Sprintf("%q signed HS256 with %s", c.Path, show(c.Value))
	}
	return fmt.Sprintf("%q %s %s", c.Path, c.Op, show(c.Value))
}

// Eval checks a response; the error says what was expected and found.
func (c Check) Eval(r Response, vars Vars) error {
	want, err := ExpandValue(c.Value, vars)
	if err != nil {
		return err
	}
	want = Normalize(want)
	switch c.Op {
	case OpNoBody:
		if len(bytes.TrimSpace(r.Body)) > 0 {
			return fmt.Errorf("expected no body, got %d bytes", len(r.Body))
		}
		return nil
	case OpHeader:
		got := strings.Join(r.Header.Values(c.Path), ", ")
		if !strings.Contains(got, Text(want)) {
			return fmt.Errorf("expected header %s to contain %q, got %q", c.Path, Text(want), got)
		}
		return nil
	case OpCORS:
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" && got != Text(want) {
			return fmt.Errorf(`expected Access-Control-Allow-Origin "*" or %q, got %q`, Text(want), got)
		}
		return nil
	}
	if r.JSON == nil {
		return fmt.Errorf("%s: the response has no JSON body", c)
	}
	got := Resolve(r.JSON, c.Path)
	one := func() (any, error) {
		if len(got) != 1 {
			return nil, fmt.Errorf("%s: expected one value at %q, found %d", c, c.Path, len(got))
		}
		return got[0], nil
	}
	jwtClaims := func() (map[string]any, error) { // of the one value, a JWT
		v, err := one()
		if err != nil {
			return nil, err
		}
		claims, err := jwtPayload(v)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", c.Path, err)
		}
		return claims, nil
	}
	switch c.Op {
	case OpPresent:
		if len(got) == 0 {
			return fmt.Errorf("expected %q to be present", c.Path)
		}
	case OpAbsent:
		if len(got) > 0 {
			return fmt.Errorf("expected %q to be absent, got %s", c.Path, show(got[0]))
		}
	case OpEquals, OpNotEquals:
		v, err := one()
		if err != nil {
			return err
		}
		if eq := Equal(want, v); eq != (c.Op == OpEquals) {
			return fmt.Errorf("%q: expected %s%s, got %s", c.Path, map[bool]string{true: "", false: "not "}[c.Op == OpEquals], show(want), show(v))
		}
	case OpLen:
		v, err := one()
		if err != nil {
			return err
		}
		n := -1
		switch x := v.(type) {
		case []any:
			n = len(x)
		case map[string]any:
			n = len(x)
		case string:
			n = len(x)
		}
		if !Equal(Normalize(n), want) {
			return fmt.Errorf("%q: expected length %s, got %d (%s)", c.Path, show(want), n, show(v))
		}
	case OpMatches:
		v, err := one()
		if err != nil {
			return err
		}
		re, err := regexp.Compile(Text(want))
		if err != nil {
			return fmt.Errorf("%s: bad regexp: %v", c, err)
		}
		s, ok := v.(string)
		if n, isNum := v.(json.Number); isNum {
			s, ok = n.String(), true
		}
		if !ok || !re.MatchString(s) {
			return fmt.Errorf("%q: expected a match of %s, got %s", c.Path, re, show(v))
		}
	case OpIncludes, OpExcludes:
		var pool []any
		if len(got) == 1 {
			if arr, ok := got[0].([]any); ok {
				pool = arr
			}
		}
		if pool == nil {
			pool = got
		}
		found := false
		for _, v := range pool {
			found = found || Equal(want, v)
		}
		if found != (c.Op == OpIncludes) {
			return fmt.Errorf("%q: expected %s %s, got %s", c.Path, map[bool]string{true: "to include", false: "to exclude"}[c.Op == OpIncludes], show(want), show(pool))
		}
	case OpRange:
		v, err := one()
		if err != nil {
			return err
		}
		n, ok := v.(json.Number)
		f, ferr := n.Float64()
		lo, _ := want.(json.Number).Float64()
		hi, _ := Normalize(c.Max).(json.Number).Float64()
		if !ok || ferr != nil || f < lo || f > hi {
			return fmt.Errorf("%q: expected a number in [%v, %v], got %s", c.Path, lo, hi, show(v))
		}
	case OpLifetime:
		claims, err := jwtClaims()
		if err != nil {
			return err
		}
		var times [2]float64 // iat, exp
		for i, name := range []string{"iat", "exp"} {
			n, isNumber := claims[name].(json.Number)
			f, err := n.Float64()
			if !isNumber || err != nil {
				return fmt.Errorf("%q: the JWT's claim %s is not a number: %s", c.Path, name, show(claims))
			}
			times[i] = f
		}
		if got := Normalize(times[1] - times[0]); !Equal(want, got) {
			return fmt.Errorf("%q: expected a JWT valid %ss (exp - iat), got %ss", c.Path, show(want), show(got))
		}
	case OpClaim:
		claims, err := jwtClaims()
		if err != nil {
			return err
		}
		got, ok := claims[c.Claim]
		if !ok || !Equal(want, got) {
			return fmt.Errorf("%q: expected claim %s = %s, got %s", c.Path, c.Claim, show(want), show(got))
		}
	case OpHS256:
		v, err := one()
		if err != nil {
			return err
		}
		if err := verifyHS256(v, Text(want)); err != nil {
			return fmt.Errorf("%q: %v", c.Path, err)
		}
	default:
		return fmt.Errorf("unknown check %q", c.Op)
	}
	return nil
}

// jwtPayload reads the claims of a compact JWT without verifying it (the
// suite does not know the key); numbers stay json.Number, as Decode keeps them.
func jwtPayload(v any) (map[string]any, error) {
	s, _ := v.(string)
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser(jwt.WithJSONNumber()).ParseUnverified(s, claims); err != nil {
		return nil, fmt.Errorf("expected a JWT, got %s (%v)", show(v), err)
	}
	return claims, nil
}

// verifyHS256 checks that v is a JWT whose header says HS256 and whose
// signature verifies with key; its claims (exp, nbf) are not checked: the
// target's clock may be travelled. The error never shows the key.
func verifyHS256(v any, key string) error {
	s, _ := v.(string)
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithoutClaimsValidation()).
		Parse(s, func(*jwt.Token) (any, error) { return []byte(key), nil })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("expected a JWT, got %s (%v)", show(v), err)
	}
	return fmt.Errorf("the JWT does not verify as HS256 with the expected key: %v", err)
}

// Extract returns the value a capture binds.
func (c Capture) Extract(r Response) (any, error) {
	if r.JSON == nil {
		return nil, fmt.Errorf("capture %s: the response has no JSON body", c.Var)
	}
	got := Resolve(r.JSON, c.Path)
	if len(got) != 1 {
		return nil, fmt.Errorf("capture %s: expected one value at %q, found %d", c.Var, c.Path, len(got))
	}
	if c.Claim == "" {
		return got[0], nil
	}
	claims, err := jwtPayload(got[0])
	if err != nil {
		return nil, fmt.Errorf("capture %s: %q: %v", c.Var, c.Path, err)
	}
	v, ok := claims[c.Claim]
	if !ok {
		return nil, fmt.Errorf("capture %s: the JWT at %q has no claim %s", c.Var, c.Path, c.Claim)
	}
	return v, nil
}
