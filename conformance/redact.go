package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// secretKey matches the names of fields, parameters and headers whose values
// are secrets: passwords, tokens, codes and keys.
var secretKey = regexp.MustCompile(`(?i)password|token|secret|passphrase|authorization|^code$|^key$|cookie`)

const redacted = "[redacted]"

// redactBody replaces the secret values of a JSON or form body.
func redactBody(b []byte) []byte {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return b
	}
	var doc any
	if json.Unmarshal(trimmed, &doc) == nil {
		out, err := json.Marshal(redactValue(doc))
		if err == nil {
			return out
		}
	}
	if q, err := url.ParseQuery(string(trimmed)); err == nil && bytes.ContainsRune(trimmed, '=') && !bytes.ContainsAny(trimmed, " \n{") {
		return []byte(redactValues(q).Encode())
	}
	return b
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if _, nested := e.(map[string]any); !nested && secretKey.MatchString(k) && e != nil {
				out[k] = redacted
			} else {
				out[k] = redactValue(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactValue(e)
		}
		return out
	}
	return v
}

func redactValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if secretKey.MatchString(k) {
				v = redacted
			}
			out.Add(k, v)
		}
	}
	return out
}

// redactURL replaces the secret query parameters of a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.RawQuery != "" {
		u.RawQuery = redactValues(u.Query()).Encode()
	}
	return u.String()
}

// clip shortens a body for a report.
func clip(b []byte) string {
	const max = 2048
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > max {
		return s[:max] + "… (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return s
}

// redact replaces the target's secrets wherever they appear.
func (t *Target) redact(s string) string {
	for _, secret := range t.Secrets {
		if len(secret) >= 4 { // shorter values would blank out ordinary text
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	return s
}

// String shows an exchange as a short transcript, secrets redacted.
func (x *Exchange) String() string {
	return fmt.Sprintf("→ %s %s\n%s\n← %d (%s)\n%s", x.Method, redactURL(x.URL), clip(redactBody(x.RequestBody)),
		x.Status, x.Duration.Round(time.Millisecond), clip(redactBody(x.ResponseBody)))
}

// Curl is a command line repeating the exchange's request; secrets become
// shell variables to fill in.
func (x *Exchange) Curl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -i -X %s %s", x.Method, shellQuote(redactURL(x.URL)))
	names := make([]string, 0, len(x.RequestHeader))
	for name := range x.RequestHeader {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := x.RequestHeader.Get(name)
		if secretKey.MatchString(name) {
			scheme, _, _ := strings.Cut(v, " ")
			v = scheme + " $TOKEN"
		}
		fmt.Fprintf(&b, " -H %s", shellQuote(name+": "+v))
	}
	if len(x.RequestBody) > 0 {
		body := redactBody(x.RequestBody)
		if len(body) > 4096 {
			body = []byte(fmt.Sprintf("<%d bytes>", len(x.RequestBody)))
		}
		fmt.Fprintf(&b, " --data-raw %s", shellQuote(string(body)))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
