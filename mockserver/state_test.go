package mockserver_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/seed"
)

// seeded is a server started as doppel serve --seed seed --customers k.
func seeded(t testing.TB, seed uint64, k int) *harness {
	return newHarness(t, mockserver.Options{Seed: fixtures.Draw(seed, k), Random: fixtures.Source(seed)})
}

func (h *harness) state() string {
	h.t.Helper()
	w := h.do("GET", "/__doppel/state", nil)
	require.Equal(h.t, http.StatusOK, w.Code)
	assert.Equal(h.t, "application/json", w.Header().Get("Content-Type"))
	return w.Body.String()
}

// TestSameSeedSameState: ids, tokens, codes, hashes and timestamps all
// follow from the seed, byte for byte; the golden file pins them.
func TestSameSeedSameState(t *testing.T) {
	t.Parallel()
	got := seeded(t, 1, 1).state()
	assert.Equal(t, got, seeded(t, 1, 1).state(), "same seed, same state")
	assert.NotEqual(t, got, seeded(t, 2, 1).state(), "another seed, another state")

	persona := fixtures.Personas().Emporix.Tenants[fixtures.DemoTenant].Customers[0]
	assert.NotContains(t, got, persona.Password, "passwords are exported as hashes")
	assert.Contains(t, got, `"passwordHash":"$2a$04$`)

	golden := filepath.Join("testdata", "state-seed-1.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "run with -update to accept a change")
}

// TestSeedingCustomersPerFace: --customers K gives every face K more
// customers, who log in with the shared password.
func TestSeedingCustomersPerFace(t *testing.T) {
	t.Parallel()
	const k = 40
	doc := fixtures.Draw(9, k)
	h := newHarness(t, mockserver.Options{Seed: doc, Random: fixtures.Source(9)})
	rec := h.srv.ID.Export()
	count := map[string]int{}
	for _, c := range rec.Customers {
		count[c.API+"/"+c.Tenant]++
	}
	assert.Equal(t, map[string]int{"emporix/demo": 3 + k, "openloyalty/DEFAULT": 1 + k, "openloyalty/_admin": 1, "accounts/default": 2 + k, "accounts/demo": 2}, count)
	assert.GreaterOrEqual(t, len(rec.Addresses), k+1, "every generated Emporix customer has an address")

	emporix := doc.Emporix.Tenants[fixtures.DemoTenant].Drawn.Draw(k / 2)
	tok := h.login(fixtures.DemoTenant, emporix.Email, fixtures.CustomerPassword)
	me := decode[map[string]any](t, h.do("GET", "/customer/demo/me?expand=addresses", nil, "Authorization", "Bearer "+tok))
	assert.Equal(t, emporix.FirstName, me["firstName"])
	assert.Equal(t, emporix.ContactPhone, me["contactPhone"])
	addresses, _ := me["addresses"].([]any)
	require.Len(t, addresses, len(emporix.Addresses))
	assert.Equal(t, emporix.Addresses[0].City, addresses[0].(map[string]any)["city"])

	ol := doc.OpenLoyalty.Stores[fixtures.DemoStore].Drawn.Draw(k / 2)
	w := h.do("POST", "/api/DEFAULT/customer/login_check", map[string]string{"_username": ol.Phone, "_password": fixtures.CustomerPassword})
	assert.Equal(t, http.StatusOK, w.Code, "an Open Loyalty customer logs in with the phone number: %s", w.Body.String())

	acc := doc.Accounts.Drawn.Draw(k / 2)
	self := decode[map[string]any](t, h.do("GET", "/customers/self", nil, "Authorization", "Bearer "+h.accountsLogin(acc.Email, fixtures.CustomerPassword)))
	assert.Equal(t, acc.AddressTown, self["address_town"])
	assert.Equal(t, acc.Mobile, self["mobile"])
}

// activity leaves something in every table: tenant settings, customers,
// logins, addresses, tokens of every kind, codes and mail.
func activity(t *testing.T, h *harness) (emporixToken string) {
	t.Helper()
	require.Equal(t, http.StatusOK, h.do("PATCH", "/__doppel/tenants/emporix/shop", map[string]bool{"doubleOptIn": false}).Code)
	emporixToken = h.customer("shop", "ann@example.com", "s3cret!")
	w := h.do("POST", "/customer/shop/me/addresses", map[string]any{"street": "Main", "city": "Berlin", "country": "DE", "tags": []string{"HOME"}},
		"Authorization", "Bearer "+emporixToken)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	w = h.do("POST", "/customer/shop/password/reset", map[string]string{"email": "ann@example.com"}, "Authorization", "Bearer "+h.anonymous("shop"))
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	admin := fixtures.Personas().OpenLoyalty.Admins[0]
	w = h.do("POST", "/api/admin/login_check", map[string]string{"_username": admin.Username, "_password": admin.Password})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	return emporixToken
}

// TestStateExportImport: an export loaded into a fresh server exports the
// same bytes, and the server goes on from it: logins, tokens and codes work.
func TestStateExportImport(t *testing.T) {
	t.Parallel()
	a := seeded(t, 4, 2)
	token := activity(t, a)
	exported := a.state()
	for _, table := range []string{"tenants", "customers", "accounts", "addresses", "tokens", "codes", "mail"} {
		assert.Regexp(t, `"`+table+`":\[\n\{`, exported, "%s exported", table)
	}

	b := newHarness(t, mockserver.Options{})
	w := b.do("PUT", "/__doppel/state", exported)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	assert.Equal(t, exported, b.state(), "export, import, export: the same bytes")

	assert.Equal(t, http.StatusOK, b.do("GET", "/customer/shop/me", nil, "Authorization", "Bearer "+token).Code, "tokens survive")
	b.login("shop", "ann@example.com", "s3cret!")
	reset := decode[[]map[string]any](t, b.do("GET", "/__doppel/mailbox?kind=password_reset&to=ann@example.com", nil))
	require.Len(t, reset, 1)
	w = b.do("POST", "/customer/shop/password/reset/update", map[string]string{"token": reset[0]["token"].(string), "password": "n3w!"},
		"Authorization", "Bearer "+b.anonymous("shop"))
	assert.Equal(t, http.StatusNoContent, w.Code, "codes survive: %s", w.Body.String())
	b.customer("shop", "bob@example.com", "pw")
	mail := decode[[]map[string]any](t, b.do("GET", "/__doppel/mailbox", nil))
	assert.NotEqual(t, mail[len(mail)-2]["id"], mail[len(mail)-1]["id"], "new mail does not reuse an imported id")

	// What PUT loaded is what reset returns to.
	require.Equal(t, http.StatusNoContent, b.do("POST", "/__doppel/reset", nil).Code)
	assert.Equal(t, exported, b.state())
}

// TestSeedDocumentWithState: POST /__doppel/seed takes an export too; its
// state replaces the whole state, the faces' sections add to it, and reset
// still returns to the state at start.
func TestSeedDocumentWithState(t *testing.T) {
	t.Parallel()
	a := seeded(t, 4, 0)
	activity(t, a)
	exported := a.state()

	b := seeded(t, 5, 0)
	start := b.state()
	doc := strings.TrimSuffix(exported, "}\n") + `,"emporix":{"tenants":{"shop":{"customers":[{"email":"cy@example.com","password":"pw"}]}}}}`
	w := b.do("POST", "/__doppel/seed", doc)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	b.login("shop", "ann@example.com", "s3cret!")
	b.login("shop", "cy@example.com", "pw")
	require.Equal(t, http.StatusNoContent, b.do("POST", "/__doppel/reset", nil).Code)
	assert.Equal(t, start, b.state())
}

// TestPutStateWithoutState: a document without a state section makes a
// state of its faces' sections alone.
func TestPutStateWithoutState(t *testing.T) {
	t.Parallel()
	h := seeded(t, 4, 3)
	w := h.do("PUT", "/__doppel/state", `{"emporix":{"tenants":{"shop":{"customers":[{"email":"cy@example.com","password":"pw"}]}}}}`)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	rec := h.srv.ID.Export()
	require.Len(t, rec.Customers, 1)
	assert.Equal(t, "emporix", rec.Customers[0].API)
	assert.Equal(t, seed.Epoch, rec.Customers[0].Created, "seeded records are dated at the epoch")
}

// TestPutStateRefusesBadDocuments: a bad document is a 400 that says why,
// and changes nothing.
func TestPutStateRefusesBadDocuments(t *testing.T) {
	t.Parallel()
	const cust = `{"id":"emporix/shop/12345678","api":"emporix","tenant":"shop","number":"12345678","active":true,"version":1,"profile":{},"created":"2026-01-01T00:00:00Z"}`
	const acct = `{"id":"a1","api":"emporix","tenant":"shop","email":"ann@example.com","customer":"emporix/shop/12345678","created":"2026-01-01T00:00:00Z"}`
	state := func(tables string) string { return `{"state":{"version":1,` + tables + `}}` }
	tests := []struct{ name, doc, want string }{
		{"not JSON", `{"state":`, "unexpected EOF"},
		{"another version", `{"state":{"version":2,"customers":[]}}`, "state version 2 is not supported"},
		{"unknown field", state(`"customers":[{"id":"x","shoeSize":44}]`), `unknown field "shoeSize"`},
		{"null record", state(`"customers":[null]`), "customers[0] is null"},
		{"unknown api", state(`"customers":[{"id":"shopify/a/1","api":"shopify","tenant":"a","number":"1","version":1}]`), `api "shopify" is none of`},
		{"id not its parts", state(`"customers":[{"id":"emporix/shop/1","api":"emporix","tenant":"shop","number":"2","version":1}]`), `id must be "<api>/<tenant>/<number>"`},
		{"duplicate key", state(`"customers":[` + cust + `,` + cust + `]`), "a record with this key exists already"},
		{"dangling login", state(`"accounts":[` + acct + `]`), `customer "emporix/shop/12345678" does not exist`},
		{"e-mail twice", state(`"customers":[` + cust + `],"accounts":[` + acct + `,` + strings.Replace(acct, `"a1"`, `"a2"`, 1) + `]`), `e-mail "ann@example.com" is a login of account "a1" already`},
		{"bad token kind", state(`"tokens":[{"value":"t","kind":"magic","api":"emporix","tenant":"shop"}]`), `kind "magic" is none of`},
		{"token of another tenant", state(`"customers":[` + cust + `],"tokens":[{"value":"t","kind":"access","api":"emporix","tenant":"other","customer":"emporix/shop/12345678"}]`), "is not of emporix/other"},
		{"two default addresses", state(`"customers":[` + cust + `],"addresses":[{"id":"a","customer":"emporix/shop/12345678","seq":1,"default":true},{"id":"b","customer":"emporix/shop/12345678","seq":2,"default":true}]`), "has 2 default addresses, not 1"},
		{"bad seeded customer", `{"state":{"version":1},"emporix":{"tenants":{"shop":{"customers":[{"email":"x@example.com"}]}}}}`, "email and password are required"},
	}
	h := seeded(t, 4, 1)
	before := h.state()
	changes := h.srv.ID.Changes()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{"PUT /__doppel/state", "POST /__doppel/seed"} {
				m, path, _ := strings.Cut(method, " ")
				w := h.do(m, path, tt.doc)
				assert.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", method, w.Body.String())
				assert.Contains(t, decode[map[string]string](t, w)["error"], tt.want, method)
			}
		})
	}
	assert.Equal(t, before, h.state(), "nothing changed")
	assert.Equal(t, changes, h.srv.ID.Changes())
}

// TestLoadedStateUnseedsTheIDSource: after a state is loaded, ids and
// tokens no longer follow the seed, which may have drawn them already.
func TestLoadedStateUnseedsTheIDSource(t *testing.T) {
	t.Parallel()
	a, b := seeded(t, 4, 0), seeded(t, 4, 0)
	require.Equal(t, http.StatusNoContent, b.do("PUT", "/__doppel/state", a.state()).Code)
	assert.NotEqual(t, a.anonymous("shop"), b.anonymous("shop"))
	c := seeded(t, 4, 0)
	assert.Equal(t, seeded(t, 4, 0).anonymous("shop"), c.anonymous("shop"), "without a load, the seed goes on")
}

// TestRefusedStateKeepsTheSeed: a refused PUT /__doppel/state changes
// nothing, the source of ids and tokens included.
func TestRefusedStateKeepsTheSeed(t *testing.T) {
	t.Parallel()
	a, b := seeded(t, 4, 0), seeded(t, 4, 0)
	bad := `{"state":{"version":1,"accounts":[{"id":"a","api":"emporix","tenant":"shop","email":"a@b","customer":"nobody"}]}}`
	require.Equal(t, http.StatusBadRequest, b.do("PUT", "/__doppel/state", bad).Code)
	assert.Equal(t, a.anonymous("shop"), b.anonymous("shop"), "b draws what a draws")
}

// TestKeysDoNotFollowTheSeed: the key that signs Emporix's saas_token is
// random whatever the seed, so knowing the seed forges nothing.
func TestKeysDoNotFollowTheSeed(t *testing.T) {
	t.Parallel()
	saas := func() string {
		h := newHarness(t, mockserver.Options{Seed: fixtures.Generate(4, 0), Random: fixtures.Source(4), Clock: fixedClock{}})
		persona := fixtures.Personas().Emporix.Tenants["demo"].Customers[0]
		w := h.do("POST", "/customer/demo/login", map[string]string{"email": persona.Email, "password": persona.Password},
			"Authorization", "Bearer "+h.anonymous("demo"))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		return decode[map[string]any](t, w)["saas_token"].(string)
	}
	assert.NotEqual(t, saas(), saas())
}

// TestReadsChangeNothing: only writes count as changes, so reads never
// make a state file be written.
func TestReadsChangeNothing(t *testing.T) {
	t.Parallel()
	h := seeded(t, 4, 0)
	token := h.customer("shop", "ann@example.com", "pw")
	before := h.srv.ID.Changes()
	for _, path := range []string{"/customer/shop/me", "/customer/shop/me/addresses", "/__doppel/state", "/__doppel/mailbox", "/__doppel/health"} {
		assert.Less(t, h.do("GET", path, nil, "Authorization", "Bearer "+token).Code, 300, path)
	}
	assert.Equal(t, before, h.srv.ID.Changes())
	h.do("DELETE", "/__doppel/mailbox", nil)
	assert.Equal(t, before+1, h.srv.ID.Changes())
}

// TestPersist: the state file is written at once, after a burst of changes
// once it is quiet, and at Close; it always loads.
func TestPersist(t *testing.T) {
	t.Parallel()
	h := seeded(t, 4, 0)
	path := filepath.Join(t.TempDir(), "state.json")
	p, err := h.srv.Persist(path, 0)
	require.NoError(t, err)
	file := func() string {
		doc, err := persist.ReadStateFile(path)
		require.NoError(t, err)
		require.NotNil(t, doc)
		b := newHarness(t, mockserver.Options{Seed: &doc.Document, State: doc.State})
		return b.state()
	}
	assert.Equal(t, h.state(), file(), "written at once")

	stat := func() time.Time {
		info, err := os.Stat(path)
		require.NoError(t, err)
		return info.ModTime()
	}
	written := stat()
	h.customer("shop", "ann@example.com", "pw")
	assert.Eventually(t, func() bool { return file() == h.state() }, 5*time.Second, 20*time.Millisecond, "written after the changes")
	assert.NotEqual(t, written, stat())

	h.customer("shop", "bob@example.com", "pw")
	require.NoError(t, p.Close())
	assert.Equal(t, h.state(), file(), "written at Close")
	tmp, err := filepath.Glob(path + ".*.tmp")
	require.NoError(t, err)
	assert.Empty(t, tmp, "no temporary file left")
}

// TestStateFileLock: one process at a time holds a state file; the second
// is told who has it.
func TestStateFileLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	lock, err := persist.LockStateFile(path)
	require.NoError(t, err)
	_, err = persist.LockStateFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("state file %s is in use by another doppel (pid %d, lock %s.lock)", path, os.Getpid(), path))
	require.NoError(t, lock.Release())
	again, err := persist.LockStateFile(path)
	require.NoError(t, err, "released, it can be taken again")
	require.NoError(t, again.Release())
}

// TestPersistFailureShowsInHealth: while the state file cannot be written,
// GET /__doppel/health answers 503 with the reason; once a retry succeeds,
// 200 again.
func TestPersistFailureShowsInHealth(t *testing.T) {
	t.Parallel()
	h := seeded(t, 4, 0)
	dir := filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "state.json")
	p, err := h.srv.Persist(path, 20*time.Millisecond)
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, http.StatusOK, h.do("GET", "/__doppel/health", nil).Code)

	require.NoError(t, os.RemoveAll(dir))
	h.customer("shop", "ann@example.com", "pw")
	var health map[string]string
	require.Eventually(t, func() bool {
		w := h.do("GET", "/__doppel/health", nil)
		health = decode[map[string]string](t, w)
		return w.Code == http.StatusServiceUnavailable
	}, 10*time.Second, 10*time.Millisecond, "health tells")
	assert.Equal(t, "failing", health["status"])
	assert.Contains(t, health["reason"], "state file: open "+path)
	assert.NotEmpty(t, health["since"])

	require.NoError(t, os.Mkdir(dir, 0o700))
	require.Eventually(t, func() bool { return h.do("GET", "/__doppel/health", nil).Code == http.StatusOK }, 10*time.Second, 10*time.Millisecond,
		"retried without a further change")
	doc, err := persist.ReadStateFile(path)
	require.NoError(t, err)
	assert.Equal(t, h.state(), newHarness(t, mockserver.Options{Seed: &doc.Document, State: doc.State}).state())
}

// TestDocumentLimit: a seed or state document over the limit is a 413 and
// changes nothing.
func TestDocumentLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{DocumentLimit: 1 << 10})
	before := h.state()
	big := `{"emporix":{"tenants":{"acme":{"customers":[{"email":"a@example.com","password":"` + strings.Repeat("x", 2<<10) + `"}]}}}}`
	for _, call := range [][2]string{{"POST", "/__doppel/seed"}, {"PUT", "/__doppel/state"}} {
		w := h.do(call[0], call[1], big)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code, call)
		assert.Contains(t, w.Body.String(), "document larger than 1024 bytes")
	}
	assert.Equal(t, before, h.state())
}

// TestPersistBoundsTheDelay: changes that never pause long enough are
// written at least every flush interval. The quiet time outlasts the test,
// so only the bound can write.
func TestPersistBoundsTheDelay(t *testing.T) {
	t.Parallel()
	h := seeded(t, 4, 0)
	path := filepath.Join(t.TempDir(), "state.json")
	p, err := h.srv.PersistQuietly(path, 50*time.Millisecond, time.Hour)
	require.NoError(t, err)
	defer p.Close()
	info, err := os.Stat(path)
	require.NoError(t, err)
	written := func() bool {
		now, err := os.Stat(path)
		require.NoError(t, err)
		return now.ModTime().After(info.ModTime())
	}
	for deadline := time.Now().Add(20 * time.Second); !written() && time.Now().Before(deadline); {
		h.do("DELETE", "/__doppel/mailbox", nil) // a change every few milliseconds
		time.Sleep(time.Millisecond)
	}
	assert.True(t, written(), "written while the changes went on")
}
