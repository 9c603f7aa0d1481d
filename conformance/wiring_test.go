package conformance

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
	"github.com/doppel-dev/doppel/seed"
)

// TestEveryFaceIsWired checks the places docs/adding-a-face.md lists outside
// a face's package, for every face the mock mounts and every API the
// scenarios name, and fails naming each place a face is missing from.
func TestEveryFaceIsWired(t *testing.T) {
	srv, err := mockserver.New(mockserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var faces []string
	for _, f := range srv.Faces() {
		faces = append(faces, f.Name())
	}
	readme := read(t, "../README.md")
	missing := wiringGaps(faces, readme, func(path string) bool {
		_, err := os.Stat("../" + path)
		return err == nil
	})
	for _, m := range missing {
		t.Error(m)
	}
}

// wiringGaps lists what the faces named (and the scenarios' APIs) lack.
func wiringGaps(faces []string, readme string, exists func(path string) bool) []string {
	var out []string
	gap := func(name, format string, args ...any) {
		out = append(out, fmt.Sprintf("face %q: %s", name, fmt.Sprintf(format, args...)))
	}
	docFields := jsonFields(reflect.TypeFor[seed.Document]())
	personas, generated := fixtures.Personas(), fixtures.Generate(1, 1)
	all := scenarios.All()
	for _, name := range faces {
		if _, err := contracts.Load(name); err != nil {
			gap(name, "no contract contracts/%s.yaml (contracts.Load: %v)", name, err)
		}
		api := scenarios.FindAPI(name)
		if api == nil {
			gap(name, "not in scenarios.APIs (scenarios/labels.go)")
		} else {
			if !slices.ContainsFunc(all, func(s scenarios.Scenario) bool { return s.Has(name) }) {
				gap(name, "no scenario in scenarios.All (scenarios/all.go) carries its label")
			}
			d, ok := doppelAPIs[name]
			if !ok {
				gap(name, "not in doppelAPIs (conformance/doppel.go): the suite skips all its scenarios against doppel")
			}
			for _, v := range api.Vars {
				if _, set := d.Vars[v]; ok && !set {
					gap(name, "doppelAPIs (conformance/doppel.go) sets no value of its variable %q", v)
				}
			}
		}
		if len(routes[name]) == 0 {
			gap(name, "no routes to a fresh customer (conformance/provision.go)")
		}
		if !slices.Contains(docFields, name) {
			gap(name, "the seed document has no part %q (seed.Document, seed/seed.go)", name)
		} else {
			if part(personas, name).IsNil() {
				gap(name, "no personas (fixtures/personas.json)")
			}
			if part(generated, name).IsNil() {
				gap(name, "fixtures.Generate makes no customers of it (fixtures/generate.go)")
			}
		}
		doc := "docs/" + name + ".md"
		if !exists(doc) {
			gap(name, "no reference %s", doc)
		}
		if !strings.Contains(readme, "| ["+doc+"]("+doc+") |") {
			gap(name, "not in the README's table of faces (a row ending | [%s](%s) |)", doc, doc)
		}
		if !hasHeading(readme, "]("+doc+"))") {
			gap(name, "no section of its own under the README's \"Where the docs are silent\" (### … ([%s](%s)))", doc, doc)
		}
	}
	for _, api := range scenarios.APIs {
		if !slices.Contains(faces, api.Name) {
			gap(api.Name, "in scenarios.APIs but not a face of the mock (mockserver/server.go)")
		}
	}
	for name := range doppelAPIs {
		if !slices.Contains(faces, name) {
			gap(name, "in doppelAPIs (conformance/doppel.go) but not a face of the mock")
		}
	}
	slices.Sort(out)
	return out
}

// hasHeading reports whether a level-3 heading of the README ends with suffix.
func hasHeading(readme, suffix string) bool {
	for line := range strings.Lines(readme) {
		if strings.HasPrefix(line, "### ") && strings.HasSuffix(strings.TrimSpace(line), suffix) {
			return true
		}
	}
	return false
}

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// part is the field of doc whose JSON name is name.
func part(doc *seed.Document, name string) reflect.Value {
	v := reflect.ValueOf(doc).Elem()
	for i := range v.NumField() {
		if n, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); n == name {
			return v.Field(i)
		}
	}
	panic("no field " + name)
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWiringGaps: a face missing from each place is named, with the place.
func TestWiringGaps(t *testing.T) {
	readme := read(t, "../README.md")
	none := func(string) bool { return false }
	got := strings.Join(wiringGaps([]string{"emporix", "loyaltyplus"}, readme, none), "\n")
	for _, want := range []string{
		`face "loyaltyplus": no contract contracts/loyaltyplus.yaml`,
		`face "loyaltyplus": not in scenarios.APIs (scenarios/labels.go)`,
		`face "loyaltyplus": no routes to a fresh customer (conformance/provision.go)`,
		`face "loyaltyplus": the seed document has no part "loyaltyplus"`,
		`face "loyaltyplus": no reference docs/loyaltyplus.md`,
		`face "loyaltyplus": not in the README's table of faces`,
		`face "loyaltyplus": no section of its own under the README's "Where the docs are silent"`,
		`face "emporix": no reference docs/emporix.md`,
		`face "openloyalty": in scenarios.APIs but not a face of the mock`,
		`face "accounts": in doppelAPIs (conformance/doppel.go) but not a face of the mock`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, `face "emporix": not in`) {
		t.Errorf("emporix is wired, yet:\n%s", got)
	}
}
