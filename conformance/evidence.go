package conformance

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/doppel-dev/doppel/internal/redact"
	"github.com/doppel-dev/doppel/scenarios"
)

// evidenceMarker starts the evidence of a failure message: the summary
// splits a message there, so that the evidence is shown once.
const evidenceMarker = "Step trail"

// clip shortens a body for a report.
func clip(b []byte) string { return redact.Clip(b, 2048) }

// trail shows every exchange of the run, in order, bodies as received,
// then a curl line repeating the last request; every secret redacted.
func (r *Run) trail() string {
	if len(r.Exchanges) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d exchanges, the failing one last; secrets redacted):\n", evidenceMarker, len(r.Exchanges))
	for i := range r.Exchanges {
		x := &r.Exchanges[i]
		fmt.Fprintf(&b, "\n%d. %s: %s\n", i+1, x.At, x.Step)
		if x.Method == "" { // a mailbox read
			fmt.Fprintf(&b, "→ %s\n← %s\n", x.URL, clip(x.ResponseBody))
			continue
		}
		fmt.Fprintf(&b, "→ %s %s\n", x.Method, x.URL)
		if len(x.RequestBody) > 0 {
			fmt.Fprintf(&b, "%s\n", clip(x.RequestBody))
		}
		if x.Err != "" {
			fmt.Fprintf(&b, "← no response: %s\n", x.Err)
			continue
		}
		fmt.Fprintf(&b, "← %d\n", x.Status)
		if len(x.ResponseBody) > 0 {
			fmt.Fprintf(&b, "%s\n", clip(x.ResponseBody))
		}
	}
	for _, x := range slices.Backward(r.Exchanges) {
		if x.Method != "" {
			fmt.Fprintf(&b, "\n%s\n", r.curl(&x))
			break
		}
	}
	return r.target.redact(strings.TrimRight(b.String(), "\n"))
}

// curl is a command line that repeats an exchange's request as printed:
// shell-quoted, each secret a shell variable named after the scenario
// variable (or field) that held it, listed in a comment above.
func (r *Run) curl(x *Exchange) string {
	known := r.target.secrets()
	vars := map[string]string{} // a secret's spelling → its scenario variable
	for name, v := range r.Vars {
		if s, ok := v.(string); ok {
			vars[s] = name
		}
	}
	shell := map[string]string{} // a secret's spelling → its shell variable
	var order []string
	word := func(s string) string {
		var out strings.Builder
		for _, seg := range known.split(s) {
			if seg.Secret == "" {
				out.WriteString(shellQuote(seg.Text))
				continue
			}
			name, ok := shell[seg.Secret]
			if !ok {
				from := vars[seg.Secret]
				if from == "" {
					from = known.name(seg.Secret)
				}
				name = shellName(from)
				for n := 2; slices.Contains(order, name); n++ {
					name = fmt.Sprintf("%s_%d", shellName(from), n)
				}
				shell[seg.Secret] = name
				order = append(order, name)
			}
			out.WriteString(`"$` + name + `"`)
		}
		return out.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "curl -i -X %s %s", x.Method, word(x.URL))
	names := make([]string, 0, len(x.RequestHeader))
	for name := range x.RequestHeader {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, " -H %s", word(name+": "+x.RequestHeader.Get(name)))
	}
	switch {
	case len(x.RequestBody) > 4096:
		fmt.Fprintf(&b, " --data-binary @body # the %d-byte body is not shown: save it as the file body", len(x.RequestBody))
	case len(x.RequestBody) > 0:
		fmt.Fprintf(&b, " --data-raw %s", word(string(x.RequestBody)))
	}
	if len(order) == 0 {
		return b.String()
	}
	return "# set first, with the values of this run (redacted here): " + strings.Join(order, ", ") + "\n" + b.String()
}

// shellName turns a variable or field name into a shell variable's:
// tokRefresh → TOK_REFRESH, reset[plainPassword] → RESET_PLAIN_PASSWORD.
func shellName(s string) string {
	var b strings.Builder
	prev := '_'
	for i, c := range s {
		switch {
		case unicode.IsUpper(c) && i > 0 && prev != '_' && !unicode.IsUpper(prev):
			b.WriteByte('_')
			b.WriteRune(c)
		case unicode.IsLetter(c) || unicode.IsDigit(c) && i > 0:
			b.WriteRune(unicode.ToUpper(c))
		default:
			if prev != '_' {
				b.WriteByte('_')
			}
			c = '_'
		}
		prev = c
	}
	name := strings.Trim(b.String(), "_")
	if name == "" {
		return "SECRET"
	}
	return name
}

// shellQuote quotes s for a POSIX shell; "" for an empty s, which joins the
// words around it.
func shellQuote(s string) string {
	if s == "" {
		return ""
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// learn remembers the secrets of a step's captures: a token bound from a
// JWT's claim (a passphrase) is no field of the body.
func (r *Run) learn(st scenarios.Step) {
	for _, c := range st.Captures {
		if s, ok := r.Vars[c.Var].(string); ok && (redact.IsSecret(c.Var) || redact.IsSecret(c.Path) || redact.IsSecret(c.Claim)) {
			r.target.secrets().add(c.Var, s)
		}
	}
}
