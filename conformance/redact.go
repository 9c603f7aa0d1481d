package conformance

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
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
