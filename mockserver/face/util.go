package face

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// FormType is the media type of HTML form bodies.
const FormType = "application/x-www-form-urlencoded"

// FormObject reads form values as PHP does: a bracketed key nests
// (reset[plainPassword]=x is {"reset":{"plainPassword":"x"}}) and of a
// repeated key the last value wins. Values stay strings.
func FormObject(values url.Values) map[string]any {
	out := map[string]any{}
	for _, key := range slices.Sorted(maps.Keys(values)) { // a fixed order for clashes like a=1&a[b]=2
		path := strings.FieldsFunc(key, func(r rune) bool { return r == '[' || r == ']' })
		if len(path) == 0 {
			continue
		}
		m := out
		for _, k := range path[:len(path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		vals := values[key]
		m[path[len(path)-1]] = vals[len(vals)-1]
	}
	return out
}

// BearerToken returns the credential of an Authorization header whose scheme
// is one of schemes (case-insensitive), or "".
func BearerToken(r *http.Request, schemes ...string) string {
	h := r.Header.Get("Authorization")
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok {
		return ""
	}
	for _, s := range schemes {
		if strings.EqualFold(s, scheme) {
			return strings.TrimSpace(cred)
		}
	}
	return ""
}

// MergePatch returns a copy of doc with patch applied as in RFC 7396: a null
// removes a key, an object merges into an object, anything else replaces.
// Only keys for which keep returns true are applied. doc is not changed.
func MergePatch(doc, patch map[string]any, keep func(key string) bool) map[string]any {
	out := make(map[string]any, len(doc)+len(patch))
	for k, v := range doc {
		out[k] = v
	}
	for k, v := range patch {
		if keep != nil && !keep(k) {
			continue
		}
		switch pv := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			cur, _ := out[k].(map[string]any)
			out[k] = MergePatch(cur, pv, nil)
		default:
			out[k] = v
		}
	}
	return out
}

// Fields returns a document of the non-empty values among key, value pairs
// (a seeded profile or address).
func Fields(kv ...string) map[string]any {
	out := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}
