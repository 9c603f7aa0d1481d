// Package redact hides secrets — passwords, tokens, codes, keys — in what
// doppel shows people: the conformance suite's evidence and the mock's
// request journal share it, so both hide the same things.
package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Mask replaces a secret value.
const Mask = "[redacted]"

// secretKey matches the names of fields, parameters and headers whose values
// are secrets: passwords, tokens, codes and keys; aboutSecret those that only
// describe one (token_type, refresh_token_expires_in).
var (
	secretKey   = regexp.MustCompile(`(?i)password|token|secret|passphrase|authorization|^code$|^key$|cookie`)
	aboutSecret = regexp.MustCompile(`(?i)type|expir|_in$`)
)

// IsSecret reports whether a field, parameter or header of this name holds a secret.
func IsSecret(name string) bool { return secretKey.MatchString(name) && !aboutSecret.MatchString(name) }

// Body replaces the secret values of a JSON or form body. In anything else
// — malformed JSON, a form cut short — what looks like a secret's value
// ("password": "…", password=…) is masked too.
func Body(b []byte) []byte {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return b
	}
	if doc, ok := decodeJSON(trimmed); ok {
		out, err := json.Marshal(value(doc))
		if err == nil {
			return out
		}
	}
	if q, err := url.ParseQuery(string(trimmed)); err == nil && bytes.ContainsRune(trimmed, '=') && !bytes.ContainsAny(trimmed, " \n{") {
		return []byte(Values(q).Encode())
	}
	return maskPairs(maskPairs(b, jsonPair, `"`+Mask+`"`), formPair, Mask)
}

// decodeJSON decodes one JSON value, numbers as json.Number: shown again,
// an integer above 2^53 keeps its every digit.
func decodeJSON(b []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil, false
	}
	_, err := dec.Token()
	return doc, errors.Is(err, io.EOF)
}

// jsonPair is a "key": value pair of a text that may not be valid JSON: a
// string value (perhaps cut off) or a bare word; formPair a key=value pair.
var (
	jsonPair = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"\s*:\s*("(?:[^"\\]|\\.)*"?|[^\s"{}\[\],:][^\s{}\[\],]*)`)
	formPair = regexp.MustCompile(`([^\s&=?;,"{}]+)=([^\s&;,"{}]*)`)
)

// maskPairs replaces the value of every pair re finds whose key (re's
// first group) names a secret (IsSecret) by mask; the value is the second group.
func maskPairs(b []byte, re *regexp.Regexp, mask string) []byte {
	var out []byte
	last := 0
	for _, m := range re.FindAllSubmatchIndex(b, -1) {
		if !IsSecret(string(b[m[2]:m[3]])) {
			continue
		}
		out = append(append(out, b[last:m[4]]...), mask...)
		last = m[5]
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func value(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if _, isString := e.(string); isString && IsSecret(k) { // a number is a status (Open Loyalty's {"code":401}), a flag or nothing no secret; an object is walked
				out[k] = Mask
				continue
			}
			out[k] = value(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = value(e)
		}
		return out
	}
	return v
}

// Secret is a secret value found in a message, with the name of the field,
// parameter or header that held it.
type Secret struct{ Name, Value string }

// jwt matches a compact JWT, a secret wherever it appears.
var jwt = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)

// Find lists the secrets of a JSON or form body: the string values of
// secret fields, and every JWT.
func Find(b []byte) []Secret {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil
	}
	var doc any
	if json.Unmarshal(trimmed, &doc) == nil {
		var out []Secret
		find(doc, "", &out)
		return out
	}
	if q, err := url.ParseQuery(string(trimmed)); err == nil && bytes.ContainsRune(trimmed, '=') {
		return FindValues(q)
	}
	return nil
}

func find(v any, key string, out *[]Secret) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			find(e, k, out)
		}
	case []any:
		for _, e := range x {
			find(e, key, out)
		}
	case string:
		if x != "" && (IsSecret(key) || jwt.MatchString(x)) {
			*out = append(*out, Secret{Name: key, Value: x})
		}
	}
}

// FindValues lists the values of q's secret keys, and every JWT in it.
func FindValues(q url.Values) []Secret {
	var out []Secret
	for k, vs := range q {
		for _, v := range vs {
			if v != "" && (IsSecret(k) || jwt.MatchString(v)) {
				out = append(out, Secret{Name: k, Value: v})
			}
		}
	}
	return out
}

// FindHeader returns the secret of a header, an Authorization without its
// scheme; ok is false for a header that holds none.
func FindHeader(name, value string) (s Secret, ok bool) {
	if !IsSecret(name) || value == "" {
		return Secret{}, false
	}
	if scheme, rest, cut := strings.Cut(value, " "); cut && strings.EqualFold(name, "Authorization") && scheme != "" {
		value = strings.TrimSpace(rest)
	}
	return Secret{Name: name, Value: value}, value != ""
}

// Values returns a copy of q with the values of secret keys masked.
func Values(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if IsSecret(k) {
				v = Mask
			}
			out.Add(k, v)
		}
	}
	return out
}

// Query masks the secret parameters of a raw query string.
func Query(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return Mask // unparsable: nothing of it can be shown safely
	}
	return Values(q).Encode()
}

// URL masks the secret query parameters of a URL.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = Query(u.RawQuery)
	return u.String()
}

// Header returns a header's value with a secret masked; an Authorization
// keeps its scheme ("Bearer [redacted]").
func Header(name, value string) string {
	if !IsSecret(name) {
		return value
	}
	if scheme, _, ok := strings.Cut(value, " "); ok && strings.EqualFold(name, "Authorization") {
		return scheme + " " + Mask
	}
	return Mask
}

// Clip shortens b to at most max bytes of valid UTF-8, noting the full size
// when it cuts.
func Clip(b []byte, max int) string {
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(b)) + " bytes)"
}

func utf8Start(c byte) bool { return c&0xC0 != 0x80 }
