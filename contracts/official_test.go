package contracts

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// officialEmporix is Emporix's own specification, beside the project (CI
// has it): reference data, read at test time and never copied in.
var officialEmporix = filepath.Join("..", "..", "shared", "reference", "emporix-customer-managed.openapi.yml")

// TestEmporixVendorViewIsNoStricterThanTheOfficialSpec compares the vendor
// view of contracts/emporix.yaml with Emporix's official specification,
// operation by operation: every operation it keeps, every status it
// documents, every response property it requires and every type it gives
// one must be the official spec's too, or a deployment could fail for what
// only doppel pins. doppel's own view, unmarked, pins more: the comparison
// must see that.
func TestEmporixVendorViewIsNoStricterThanTheOfficialSpec(t *testing.T) {
	raw, err := os.ReadFile(officialEmporix)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("needs Emporix's official spec at %s (CI has shared/ beside the project)", officialEmporix)
	}
	require.NoError(t, err)
	official, err := parse("emporix (official)", raw)
	require.NoError(t, err)
	ours, err := Raw("emporix")
	require.NoError(t, err)
	v, err := derive(ours)
	require.NoError(t, err)
	vendor, err := parse("emporix (vendor view)", v.vendor)
	require.NoError(t, err)
	doppel, err := parse("emporix (doppel view)", v.doppel)
	require.NoError(t, err)

	assert.Empty(t, stricter(vendor, official), "the vendor view of contracts/emporix.yaml pins more than the official spec: mark it x-doppel-choice or x-doppel-required")
	pinned := strings.Join(stricter(doppel, official), "\n")
	for _, want := range []string{
		"DELETE /customer/{tenant}/me: the official spec has no such operation",
		"POST /customer/{tenant}/signup: status 413",
		"GET /customer/{tenant}/refreshauthtoken 200 application/json: requires saas_token",
		"POST /customer/{tenant}/login 200 application/json: initialPassword is boolean",
	} {
		assert.Contains(t, pinned, want, "doppel's view pins more than the vendor: the comparison must see it")
	}
}

// stricter lists what ours pins beyond the official document: operations,
// statuses, required response properties and property types.
func stricter(ours, official *v3.Document) []string {
	var out []string
	for path, item := range ours.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			at := strings.ToUpper(method) + " " + path
			var theirs *v3.Operation
			if it, ok := official.Paths.PathItems.Get(path); ok {
				theirs = it.GetOperations().GetOrZero(method)
			}
			if theirs == nil {
				out = append(out, at+": the official spec has no such operation")
				continue
			}
			if op.Responses == nil {
				continue
			}
			for code, resp := range op.Responses.Codes.FromOldest() {
				other := response(theirs, code)
				if other == nil {
					out = append(out, fmt.Sprintf("%s: status %s is not documented", at, code))
					continue
				}
				if resp.Content == nil {
					continue
				}
				for mt, media := range resp.Content.FromOldest() {
					var theirSchema *base.SchemaProxy
					if other.Content != nil {
						if m, ok := other.Content.Get(mt); ok {
							theirSchema = m.Schema
						}
					}
					out = append(out, compare(fmt.Sprintf("%s %s %s", at, code, mt), media.Schema, theirSchema)...)
				}
			}
		}
	}
	return out
}

// response is the official operation's response for a status code (or its
// range, or default), nil when it documents none.
func response(op *v3.Operation, code string) *v3.Response {
	if op.Responses == nil {
		return nil
	}
	for _, c := range []string{code, code[:1] + "XX"} {
		if r, ok := op.Responses.Codes.Get(c); ok {
			return r
		}
	}
	return op.Responses.Default
}

// compare lists the required properties and property types of our response
// schema that the official one does not have.
func compare(at string, ours, theirs *base.SchemaProxy) []string {
	var out []string
	mine, others := shape{}, shape{}
	mine.walk(ours, "", 0)
	if theirs != nil {
		others.walk(theirs, "", 0)
	}
	for _, p := range slices.Sorted(maps.Keys(mine)) {
		m, o := mine[p], others[p]
		if m.required && !o.required {
			out = append(out, fmt.Sprintf("%s: requires %s", at, p))
		}
		for _, typ := range o.types {
			if len(m.types) > 0 && !slices.Contains(m.types, typ) && !(typ == "integer" && slices.Contains(m.types, "number")) {
				out = append(out, fmt.Sprintf("%s: %s is %s, the official spec says %s", at, p, strings.Join(m.types, "|"), typ))
			}
		}
	}
	return out
}

// shape is what a schema says of each property path ("a.b", "items[].id").
type shape map[string]property

type property struct {
	required bool
	types    []string
}

// walk records a schema's properties: required where the schema or one of
// its allOf parts requires them, or every anyOf/oneOf branch does.
func (sh shape) walk(proxy *base.SchemaProxy, at string, depth int) {
	if proxy == nil || depth > 12 {
		return
	}
	s := proxy.Schema()
	if s == nil {
		return
	}
	join := func(name string) string { return strings.TrimPrefix(at+"."+name, ".") }
	for _, name := range s.Required {
		p := sh[join(name)]
		p.required = true
		sh[join(name)] = p
	}
	if s.Properties != nil {
		for name, child := range s.Properties.FromOldest() {
			p := sh[join(name)]
			if cs := child.Schema(); cs != nil {
				p.types = append(p.types, cs.Type...)
			}
			sh[join(name)] = p
			sh.walk(child, join(name), depth+1)
		}
	}
	for _, part := range s.AllOf {
		sh.walk(part, at, depth+1)
	}
	if branches := slices.Concat(s.AnyOf, s.OneOf); len(branches) > 0 {
		var every shape
		for _, b := range branches {
			one := shape{}
			one.walk(b, at, depth+1)
			if every == nil {
				every = one
				continue
			}
			for p, v := range every {
				if !one[p].required {
					v.required = false
					every[p] = v
				}
			}
		}
		for p, v := range every {
			if v.required {
				q := sh[p]
				q.required = true
				sh[p] = q
			}
		}
	}
	if s.Items != nil && s.Items.IsA() {
		sh.walk(s.Items.A, at+"[]", depth+1)
	}
}
