package mockserver_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/seed"
)

// The fuzz targets send each face's operations arbitrary bodies, content
// types and query strings. Whatever arrives: no panic, no 5xx, a rejected
// request changes nothing, and the state an accepted one leaves loads back
// (PUT /__doppel/state) into the very same state. Their seed corpus is the
// contracts' request examples, and bodies nesting deeper than the state
// document could hold. A short run: go test ./mockserver -run '^$' -fuzz FuzzEmporix -fuzztime 10s
// (make fuzz runs every target; FUZZTIME=5m for a longer run).

// contentTypes are the content types a fuzz input picks from.
var contentTypes = []string{"application/json", "application/x-www-form-urlencoded", "application/merge-patch+json", "text/plain", ""}

// fuzzTarget is a server with a logged-in user of each face, and the
// concrete paths of one face's operations.
type fuzzTarget struct {
	srv    *mockserver.Server
	mirror *mockserver.Server // loads what srv exports
	ops    []*contracts.Operation
	paths  []string // ops' templates with their parameters filled in
	header map[string]string
}

func newFuzzTarget(f *testing.F, api string) *fuzzTarget {
	doc := &seed.Document{
		Emporix: &seed.Emporix{Tenants: map[string]seed.EmporixTenant{"fuzz": {Customers: []seed.EmporixCustomer{{Email: "fuzz@example.com", Password: "Fuzz-Passw0rd!"}}}}},
		OpenLoyalty: &seed.OpenLoyalty{Stores: map[string]seed.OpenLoyaltyStore{"FUZZ": {Customers: []seed.OpenLoyaltyCustomer{
			{Email: "fuzz@example.com", Password: "Fuzz-Passw0rd!"}}}}},
		Accounts: &seed.Accounts{Customers: []seed.AccountsCustomer{{Email: "fuzz@example.com", Password: "Fuzz-Passw0rd!", Status: seed.StatusActive}}},
	}
	srv, err := mockserver.New(mockserver.Options{Seed: doc})
	if err != nil {
		f.Fatal(err)
	}
	mirror, err := mockserver.New(mockserver.Options{})
	if err != nil {
		f.Fatal(err)
	}
	ft := &fuzzTarget{srv: srv, mirror: mirror, header: map[string]string{}}
	h := &harness{t: f, srv: srv}
	switch api {
	case "emporix":
		ft.header["Authorization"] = "Bearer " + h.login("fuzz", "fuzz@example.com", "Fuzz-Passw0rd!")
	case "openloyalty":
		w := h.do("POST", "/api/FUZZ/customer/login_check", map[string]string{"_username": "fuzz@example.com", "_password": "Fuzz-Passw0rd!"})
		ft.header["Authorization"] = "Bearer " + decode[map[string]any](f, w)["token"].(string)
	case "accounts":
		w := h.do("POST", "/customers/login", map[string]string{"email": "fuzz@example.com", "password": "Fuzz-Passw0rd!"})
		ft.header["Authorization"] = "Bearer " + decode[map[string]any](f, w)["token"].(string)
	}
	fill := strings.NewReplacer("{tenant}", "fuzz", "{storeCode}", "FUZZ", "{addressId}", "a0a0a0a0a0", "{token}", "t0k3n")
	c := contracts.MustLoad(api)
	for _, op := range c.Operations() {
		ft.ops = append(ft.ops, op)
		ft.paths = append(ft.paths, fill.Replace(op.Path))
		for _, ex := range op.Examples() {
			f.Add(uint8(len(ft.ops)-1), uint8(0), "", ex)
		}
		f.Add(uint8(len(ft.ops)-1), uint8(1), "x=1", []byte("a=b&reset[plainPassword]=x"))
		if testing.Short() { // the deep bodies are most of the seeds' time; make test runs them
			continue
		}
		if slices.Contains(op.BodyTypes, face.FormType) {
			f.Add(uint8(len(ft.ops)-1), uint8(1), "", []byte("a"+strings.Repeat("[x]", 9997)+"=1"))
		}
		if slices.Contains(op.BodyTypes, "application/json") {
			for _, body := range deepBodies(op) {
				f.Add(uint8(len(ft.ops)-1), uint8(0), "", body)
			}
		}
	}
	return ft
}

// deepBodies are the operation's examples with one object or array field at
// a time — or a "mixins" field added — nesting 9 998 levels deep: within
// encoding/json's limit of 10 000, beyond it once in the state document.
func deepBodies(op *contracts.Operation) [][]byte {
	const depth = 9998
	deep := json.RawMessage(strings.Repeat(`{"a":`, depth-2) + "1" + strings.Repeat("}", depth-2))
	var out [][]byte
	for _, ex := range op.Examples() {
		var m map[string]json.RawMessage
		if json.Unmarshal(ex, &m) != nil {
			continue
		}
		keys := []string{"mixins"}
		for k, v := range m {
			if k != "mixins" && len(v) > 0 && (v[0] == '{' || v[0] == '[') {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			body := maps.Clone(m)
			body[k] = deep
			b, _ := json.Marshal(body)
			out = append(out, b)
		}
	}
	return out
}

// reloads checks that a state loads back into the very same state.
func (ft *fuzzTarget) reloads(t *testing.T, state []byte) {
	req := httptest.NewRequest("PUT", "http://127.0.0.1/__doppel/state", bytes.NewReader(state))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	ft.mirror.ServeHTTP(w, req)
	if w.Code != http.StatusNoContent {
		t.Fatalf("the exported state does not load: %d %s", w.Code, w.Body.String())
	}
	var again bytes.Buffer
	if err := ft.mirror.WriteState(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(state, again.Bytes()) {
		t.Fatalf("the exported state loads into another state:\n%s\n%s", state, again.Bytes())
	}
}

// state is the whole state, as GET /__doppel/state exports it.
func (ft *fuzzTarget) state(t *testing.T) []byte {
	var b bytes.Buffer
	if err := ft.srv.WriteState(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// check sends one input and checks the properties.
func (ft *fuzzTarget) check(t *testing.T, opIndex, ctIndex uint8, query string, body []byte) {
	i := int(opIndex) % len(ft.ops)
	op := ft.ops[i]
	target := ft.paths[i]
	if q, err := url.ParseQuery(query); err == nil && len(q) > 0 {
		target += "?" + q.Encode()
	}
	req := httptest.NewRequest(op.Method, target, bytes.NewReader(body))
	if ct := contentTypes[int(ctIndex)%len(contentTypes)]; ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range ft.header {
		req.Header.Set(k, v)
	}
	before := ft.state(t)
	w := httptest.NewRecorder()
	ft.srv.ServeHTTP(w, req)
	if w.Code >= 500 {
		t.Fatalf("%s %s with %q: %d %s", op.Method, target, body, w.Code, w.Body.String())
	}
	after := ft.state(t)
	if w.Code >= 400 && !bytes.Equal(before, after) {
		t.Fatalf("%s %s with %q: rejected (%d %s) but the state changed", op.Method, target, body, w.Code, w.Body.String())
	}
	if w.Code < 400 && !bytes.Equal(before, after) {
		ft.reloads(t, after)
	}
	if w.Body.Len() > 0 && !json.Valid(w.Body.Bytes()) {
		t.Fatalf("%s %s: the answer is not JSON: %s", op.Method, target, w.Body.String())
	}
}

func fuzzFace(f *testing.F, api string) {
	ft := newFuzzTarget(f, api)
	f.Fuzz(func(t *testing.T, op, ct uint8, query string, body []byte) { ft.check(t, op, ct, query, body) })
}

func FuzzEmporix(f *testing.F)     { fuzzFace(f, "emporix") }
func FuzzOpenLoyalty(f *testing.F) { fuzzFace(f, "openloyalty") }
func FuzzAccounts(f *testing.F)    { fuzzFace(f, "accounts") }

// FuzzSeedDocument sends arbitrary seed documents to POST /__doppel/seed and
// PUT /__doppel/state: a 204 or a 400, and a refused document changes nothing.
func FuzzSeedDocument(f *testing.F) {
	srv, err := mockserver.New(mockserver.Options{Seed: fixtures.Personas()})
	if err != nil {
		f.Fatal(err)
	}
	var state bytes.Buffer
	if err := srv.WriteState(&state); err != nil {
		f.Fatal(err)
	}
	generated, _ := json.Marshal(fixtures.Generate(2, 1))
	f.Add(true, generated)
	f.Add(false, state.Bytes())
	f.Add(true, []byte(`{"emporix":{"tenants":{"acme":{"customers":[{"email":"a@b.c","password":"p"}]}}}}`))
	f.Add(true, []byte(`{"accounts":{"customers":[{"email":"x@y.z","status":"pending"}]}}`))
	f.Add(true, []byte(`{"openloyalty":{"admins":[{"username":"a","email":"a@b.c","password":"p"}]}}`))
	f.Fuzz(func(t *testing.T, seed bool, doc []byte) {
		method, path := "PUT", "/__doppel/state"
		if seed {
			method, path = "POST", "/__doppel/seed"
		}
		var before bytes.Buffer
		if err := srv.WriteState(&before); err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		req := httptest.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(doc))
		req.Header.Set("Content-Type", "application/json")
		srv.ServeHTTP(w, req)
		switch {
		case w.Code == http.StatusNoContent:
		case w.Code == http.StatusBadRequest || w.Code == http.StatusRequestEntityTooLarge:
			var after bytes.Buffer
			if err := srv.WriteState(&after); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before.Bytes(), after.Bytes()) {
				t.Fatalf("%s %s refused (%s) but the state changed", method, path, w.Body.String())
			}
		default:
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body.String())
		}
	})
}

// The examples of the seed corpus come from the contracts; make sure there
// are some, or the fuzzers start from nothing.
func TestFuzzCorpusHasContractExamples(t *testing.T) {
	t.Parallel()
	for _, api := range contracts.Names() {
		n := 0
		for _, op := range contracts.MustLoad(api).Operations() {
			n += len(op.Examples())
		}
		if n == 0 {
			t.Errorf("%s: no request examples in the contract", api)
		}
		t.Logf("%s: %d request examples", api, n)
	}
}
