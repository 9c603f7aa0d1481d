package mockserver_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/seed"
)

// The churn tests run many clients against one mock at once, each doing a
// face's writes at random for a bounded time, then check the invariants a
// shared mock must keep whatever the interleaving. They are meant for -race.

const (
	churnClients = 50
	churnTime    = 1500 * time.Millisecond
	churnMaxOps  = 60 // per client: bounds the run on a slow machine
)

// churner is a goroutine-safe client of an in-process server.
type churner struct {
	t   *testing.T
	srv http.Handler
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (c churner) do(method, path, contentType, body string, out any, header ...string) int {
	req := httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	c.srv.ServeHTTP(w, req)
	if w.Code >= 500 {
		c.t.Errorf("%s %s: %d %s", method, path, w.Code, w.Body.String())
	}
	if out != nil && w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			c.t.Errorf("%s %s: %d, not JSON: %s", method, path, w.Code, w.Body.String())
		}
	}
	return w.Code
}

func (c churner) json(method, path string, body any, out any, header ...string) int {
	raw, _ := json.Marshal(body)
	if body == nil {
		raw = nil
	}
	return c.do(method, path, "application/json", string(raw), out, header...)
}

// expect reports a status other than one of want.
func (c churner) expect(what string, got int, want ...int) bool {
	for _, w := range want {
		if got == w {
			return true
		}
	}
	c.t.Errorf("%s: status %d, want one of %v", what, got, want)
	return false
}

// latestMail returns the newest mailbox token of a kind sent to an address.
func (c churner) latestMail(api, to, kind string) string {
	var mail []struct{ Token string }
	c.do("GET", "/__doppel/mailbox?"+url.Values{"api": {api}, "to": {to}, "kind": {kind}}.Encode(), "", "", &mail)
	if len(mail) == 0 {
		c.t.Errorf("no %s mail to %s", kind, to)
		return ""
	}
	return mail[len(mail)-1].Token
}

// churn runs work on n clients until the time or the operations run out.
func churn(n int, work func(client int, rng *rand.Rand)) {
	deadline := time.Now().Add(churnTime)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for op := 0; op < churnMaxOps && time.Now().Before(deadline); op++ {
				work(i, rng)
			}
		})
	}
	wg.Wait()
}

func bearerHeader(token string) []string { return []string{"Authorization", "Bearer " + token} }

// TestEmporixChurn: racing sign-ups, versioned and unversioned profile
// writes, addresses and their default, logouts, password changes and resets.
func TestEmporixChurn(t *testing.T) {
	t.Parallel()
	skipShort(t, "50 concurrent clients for 1.5 s")
	srv, err := mockserver.New(mockserver.Options{})
	require.NoError(t, err)
	c := churner{t, srv}
	const tenant, group = "churn", 5 // clients share a customer in groups of five
	base := "/customer/" + tenant
	anon := func() string {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		c.do("GET", "/customerlogin/auth/anonymous/login?tenant="+tenant+"&client_id=churn", "", "", &tok)
		return tok.AccessToken
	}
	login := func(email, password string) (string, int) {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		code := c.json("POST", base+"/login", map[string]string{"email": email, "password": password}, &tok, bearerHeader(anon())...)
		return tok.AccessToken, code
	}
	signup := func(email, password string) int {
		return c.json("POST", base+"/signup", map[string]string{"email": email, "password": password}, nil, bearerHeader(anon())...)
	}
	shared := func(g int) string { return fmt.Sprintf("group-%d@example.com", g) }
	for g := 0; g < churnClients/group; g++ {
		require.Equal(t, http.StatusCreated, signup(shared(g), "shared-pw"))
	}

	var mu sync.Mutex
	winners := map[string]string{}         // racing e-mail → the password of its one 201
	versions := map[string]bool{}          // "group/version" accepted by a versioned PATCH
	addresses := map[int]map[string]bool{} // group → address ids acknowledged and not deleted
	var dead []string                      // logged-out tokens
	for g := 0; g < churnClients/group; g++ {
		addresses[g] = map[string]bool{}
	}

	churn(churnClients, func(i int, rng *rand.Rand) {
		g := i / group
		tok, code := login(shared(g), "shared-pw")
		if !c.expect("shared login", code, http.StatusOK) {
			return
		}
		auth := bearerHeader(tok)
		switch rng.IntN(7) {
		case 0: // racing sign-up: one 201 per e-mail, 409 for the rest
			email, pw := fmt.Sprintf("race-%d@example.com", rng.IntN(10)), fmt.Sprintf("pw-%d", i)
			if code := signup(email, pw); code == http.StatusCreated {
				mu.Lock()
				if winners[email] != "" {
					t.Errorf("%s signed up twice", email)
				}
				winners[email] = pw
				mu.Unlock()
			} else {
				c.expect("racing sign-up", code, http.StatusConflict)
			}
		case 1: // versioned PATCH: a version is accepted once, a stale one is a 409
			var me struct{ Metadata struct{ Version int } }
			c.do("GET", base+"/me", "", "", &me, auth...)
			v := me.Metadata.Version
			code := c.json("PATCH", base+"/me", map[string]any{"company": fmt.Sprint(i), "metadata": map[string]any{"version": v}}, nil, auth...)
			if code == http.StatusOK {
				mu.Lock()
				key := fmt.Sprintf("%d/%d", g, v)
				if versions[key] {
					t.Errorf("group %d: version %d accepted twice", g, v)
				}
				versions[key] = true
				mu.Unlock()
			} else {
				c.expect("versioned PATCH", code, http.StatusConflict)
			}
		case 2: // unversioned PATCH: no locking, always applies
			c.expect("PATCH", c.json("PATCH", base+"/me", map[string]any{"firstName": fmt.Sprint(i)}, nil, auth...), http.StatusOK)
		case 3: // add an address
			var out struct{ ID string }
			if c.expect("add address", c.json("POST", base+"/me/addresses", map[string]any{"street": fmt.Sprint(i), "city": "Berlin"}, &out, auth...), http.StatusCreated) {
				mu.Lock()
				addresses[g][out.ID] = true
				mu.Unlock()
			}
		case 4: // make an address the default, or delete one
			mu.Lock()
			var id string
			for a := range addresses[g] {
				id = a
				break
			}
			mu.Unlock()
			if id == "" {
				return
			}
			if rng.IntN(2) == 0 {
				c.expect("set default", c.json("PATCH", base+"/me/addresses/"+id, map[string]any{"isDefault": true}, nil, auth...), http.StatusOK, http.StatusNotFound)
			} else if code := c.do("DELETE", base+"/me/addresses/"+id, "", "", nil, auth...); code == http.StatusNoContent {
				mu.Lock()
				delete(addresses[g], id)
				mu.Unlock()
			} else {
				c.expect("delete address", code, http.StatusNotFound)
			}
		case 5: // log out: the token is refused at once
			c.expect("logout", c.do("GET", base+"/logout?accessToken="+tok, "", "", nil, auth...), http.StatusNoContent)
			c.expect("logged-out token", c.do("GET", base+"/me", "", "", nil, auth...), http.StatusUnauthorized)
			mu.Lock()
			dead = append(dead, tok)
			mu.Unlock()
		case 6: // a private customer's password: change, then reset through the mailbox
			email := fmt.Sprintf("own-%d-%d@example.com", i, rng.Uint32())
			c.expect("own sign-up", signup(email, "first"), http.StatusCreated)
			own, _ := login(email, "first")
			c.expect("change", c.json("POST", base+"/password/change", map[string]string{"currentPassword": "first", "newPassword": "second"}, nil, bearerHeader(own)...), http.StatusNoContent)
			_, old := login(email, "first")
			c.expect("old password", old, http.StatusUnauthorized)
			c.expect("reset", c.json("POST", base+"/password/reset", map[string]string{"email": email}, nil, bearerHeader(anon())...), http.StatusNoContent)
			reset := c.latestMail("emporix", email, "password_reset")
			c.expect("reset update", c.json("POST", base+"/password/reset/update", map[string]string{"token": reset, "password": "third"}, nil, bearerHeader(anon())...), http.StatusNoContent)
			c.expect("reset reuse", c.json("POST", base+"/password/reset/update", map[string]string{"token": reset, "password": "fourth"}, nil, bearerHeader(anon())...), http.StatusBadRequest)
			_, code := login(email, "third")
			c.expect("new password", code, http.StatusOK)
		}
	})

	for email, pw := range winners {
		_, code := login(email, pw)
		c.expect("the racing winner logs in: "+email, code, http.StatusOK)
	}
	for _, tok := range dead {
		c.expect("no token outlives its logout", c.do("GET", base+"/me", "", "", nil, bearerHeader(tok)...), http.StatusUnauthorized)
	}
	for g, want := range addresses {
		tok, _ := login(shared(g), "shared-pw")
		var got []struct {
			ID        string
			IsDefault bool
		}
		c.do("GET", base+"/me/addresses", "", "", &got, bearerHeader(tok)...)
		defaults := 0
		for _, a := range got {
			if !want[a.ID] {
				t.Errorf("group %d: address %s listed, but deleted or never acknowledged", g, a.ID)
			}
			delete(want, a.ID)
			if a.IsDefault {
				defaults++
			}
		}
		if len(want) > 0 {
			t.Errorf("group %d: acknowledged addresses lost: %v", g, want)
		}
		if len(got) > 0 && defaults != 1 {
			t.Errorf("group %d: %d default addresses among %d", g, defaults, len(got))
		}
	}
}

// TestOpenLoyaltyChurn: logins, refreshes, revokes, password changes and
// resets of many customers (and admins, who alone may revoke) at once.
func TestOpenLoyaltyChurn(t *testing.T) {
	t.Parallel()
	skipShort(t, "50 concurrent clients for 1.5 s")
	doc := &seed.Document{OpenLoyalty: &seed.OpenLoyalty{Stores: map[string]seed.OpenLoyaltyStore{"CHURN": {}}}}
	store := doc.OpenLoyalty.Stores["CHURN"]
	for i := range churnClients {
		store.Customers = append(store.Customers, seed.OpenLoyaltyCustomer{Email: fmt.Sprintf("ol-%d@example.com", i), Password: "Start-Passw0rd!"})
		doc.OpenLoyalty.Admins = append(doc.OpenLoyalty.Admins, seed.OpenLoyaltyAdmin{
			Username: fmt.Sprintf("ol-admin-%d", i), Email: fmt.Sprintf("ol-admin-%d@example.com", i), Password: "Start-Passw0rd!"})
	}
	doc.OpenLoyalty.Stores["CHURN"] = store
	srv, err := mockserver.New(mockserver.Options{Seed: doc})
	require.NoError(t, err)
	c := churner{t, srv}
	form := func(path string, v url.Values, out any, header ...string) int {
		return c.do("POST", path, "application/x-www-form-urlencoded", v.Encode(), out, header...)
	}
	type tokens struct {
		Token        string `json:"token"`
		RefreshToken string `json:"refresh_token"`
	}
	login := func(email, pw string) (tokens, int) {
		var out tokens
		code := form("/api/CHURN/customer/login_check", url.Values{"_username": {email}, "_password": {pw}}, &out)
		return out, code
	}
	passwords := make([]string, churnClients) // each client's own customer: no other writer
	for i := range passwords {
		passwords[i] = "Start-Passw0rd!"
	}
	var mu sync.Mutex
	var revoked []string // refresh tokens issued before a revoke of their user

	churn(churnClients, func(i int, rng *rand.Rand) {
		email := fmt.Sprintf("ol-%d@example.com", i)
		tok, code := login(email, passwords[i])
		if !c.expect("login", code, http.StatusOK) {
			return
		}
		auth := bearerHeader(tok.Token)
		switch rng.IntN(4) {
		case 0: // refresh: a new JWT, the same refresh token
			var out tokens
			c.expect("refresh", form("/api/token/refresh", url.Values{"refresh_token": {tok.RefreshToken}}, &out), http.StatusOK)
			if out.RefreshToken != tok.RefreshToken {
				t.Errorf("refresh rotated the refresh token")
			}
		case 1: // revoke, an admin's: every refresh token of the admin is refused from now on
			c.expect("customer revoke", c.do("GET", "/api/token/revoke", "", "", nil, auth...), http.StatusUnauthorized)
			var adm tokens
			if !c.expect("admin login", form("/api/admin/login_check", url.Values{"_username": {fmt.Sprintf("ol-admin-%d", i)}, "_password": {"Start-Passw0rd!"}}, &adm), http.StatusOK) {
				return
			}
			c.expect("revoke", c.do("GET", "/api/token/revoke", "", "", nil, bearerHeader(adm.Token)...), http.StatusOK)
			c.expect("refresh after revoke", form("/api/token/refresh", url.Values{"refresh_token": {adm.RefreshToken}}, nil), http.StatusUnauthorized)
			c.expect("the customer's refresh", form("/api/token/refresh", url.Values{"refresh_token": {tok.RefreshToken}}, nil), http.StatusOK)
			mu.Lock()
			revoked = append(revoked, adm.RefreshToken)
			mu.Unlock()
		case 2: // change: the old password is refused, the new one works
			next := fmt.Sprintf("Next-%d-Passw0rd!", rng.Uint32())
			c.expect("change", form("/api/CHURN/customer/password/change", url.Values{"currentPassword": {passwords[i]}, "plainPassword": {next}}, nil, auth...), http.StatusOK)
			_, old := login(email, passwords[i])
			c.expect("old password", old, http.StatusUnauthorized)
			passwords[i] = next
		case 3: // reset through the mailbox, once per 24 h window: the clock does not move here
			code := form("/api/CHURN/customer/password/reset/request", url.Values{"username": {email}}, nil)
			if code == http.StatusBadRequest { // already requested in this window
				return
			}
			c.expect("reset request", code, http.StatusOK)
			reset := c.latestMail("openloyalty", email, "password_reset")
			next := fmt.Sprintf("Reset-%d-Passw0rd!", rng.Uint32())
			c.expect("reset", form("/api/password/reset", url.Values{"token": {reset}, "reset[plainPassword]": {next}}, nil), http.StatusOK)
			c.expect("reset reuse", form("/api/password/reset", url.Values{"token": {reset}, "reset[plainPassword]": {next}}, nil), http.StatusNotFound)
			passwords[i] = next
		}
	})
	for _, r := range revoked {
		c.expect("no refresh token outlives its revoke", form("/api/token/refresh", url.Values{"refresh_token": {r}}, nil), http.StatusUnauthorized)
	}
	for i, pw := range passwords {
		_, code := login(fmt.Sprintf("ol-%d@example.com", i), pw)
		c.expect("the last acknowledged password logs in", code, http.StatusOK)
	}
}

// TestAccountsChurn: profile writes, racing e-mail changes (an address
// changes hands as its holders move on), resets and deletions of many
// customers at once.
func TestAccountsChurn(t *testing.T) {
	t.Parallel()
	skipShort(t, "50 concurrent clients for 1.5 s")
	doc := &seed.Document{Accounts: &seed.Accounts{}}
	for i := range churnClients {
		doc.Accounts.Customers = append(doc.Accounts.Customers, seed.AccountsCustomer{
			Email: fmt.Sprintf("acc-%d@example.com", i), Password: "start", Status: seed.StatusActive})
	}
	srv, err := mockserver.New(mockserver.Options{Seed: doc})
	require.NoError(t, err)
	c := churner{t, srv}
	login := func(email, pw string) (string, int) {
		var out struct{ Token string }
		code := c.json("POST", "/customers/login", map[string]string{"email": email, "password": pw}, &out)
		return out.Token, code
	}
	type account struct {
		email, password string
		gone            bool
	}
	accounts := make([]account, churnClients)
	for i := range accounts {
		accounts[i] = account{email: fmt.Sprintf("acc-%d@example.com", i), password: "start"}
	}
	var mu sync.Mutex
	var dead []string

	churn(churnClients, func(i int, rng *rand.Rand) {
		a := &accounts[i]
		if a.gone {
			return
		}
		tok, code := login(a.email, a.password)
		if !c.expect("login "+a.email, code, http.StatusOK) {
			return
		}
		auth := bearerHeader(tok)
		switch rng.IntN(10) {
		case 0, 1, 2, 3: // a profile write is read back
			phone := fmt.Sprint(rng.Uint32())
			c.expect("patch", c.json("PATCH", "/customers/self", map[string]any{"phone": phone}, nil, auth...), http.StatusOK)
			var me struct{ Phone string }
			c.do("GET", "/customers/self", "", "", &me, auth...)
			if me.Phone != phone {
				t.Errorf("%s: wrote phone %s, read %s", a.email, phone, me.Phone)
			}
		case 4, 5: // race for an address: exactly one confirmation wins it
			target := fmt.Sprintf("race-%d@example.com", rng.IntN(5))
			code := c.json("PATCH", "/customers/self", map[string]any{"email": target}, nil, auth...)
			if code == http.StatusConflict { // taken already
				return
			}
			c.expect("email change", code, http.StatusOK)
			var mail []struct{ Token, Identifier string }
			c.do("GET", "/__doppel/mailbox?api=accounts&kind=email_change&to="+url.QueryEscape(target), "", "", &mail)
			var key, id string
			var me struct{ ID string }
			c.do("GET", "/customers/self", "", "", &me, auth...)
			for _, m := range mail { // the newest mail of this customer to that address
				if m.Identifier == me.ID {
					key, id = m.Token, m.Identifier
				}
			}
			code = c.json("POST", "/customers/newemail_confirm", map[string]string{"identifier": id, "key": key}, nil)
			if code == http.StatusOK {
				a.email = target
			} else {
				c.expect("losing confirmation", code, http.StatusConflict, http.StatusBadRequest)
			}
		case 6, 7, 8: // reset: the passphrase becomes the password
			c.expect("reset", c.json("POST", "/customers/password_reset", map[string]string{"email": a.email, "reset_uri": "/reset"}, nil), http.StatusOK)
			code := c.latestMail("accounts", a.email, "password_reset")
			var out struct{ Token string }
			c.expect("do_reset", c.json("POST", "/customers/do_reset", map[string]string{"email": a.email, "code": code}, &out), http.StatusOK)
			c.expect("code reuse", c.json("POST", "/customers/do_reset", map[string]string{"email": a.email, "code": code}, nil), http.StatusBadRequest)
			a.password = passphraseOf(t, out.Token)
		case 9: // delete: the token and the login stop working
			c.expect("delete", c.do("DELETE", "/customers/self", "", "", nil, auth...), http.StatusOK)
			c.expect("deleted token", c.do("GET", "/customers/self", "", "", nil, auth...), http.StatusUnauthorized)
			a.gone = true
			mu.Lock()
			dead = append(dead, tok)
			mu.Unlock()
		}
	})
	for _, tok := range dead {
		c.expect("no token outlives its account", c.do("GET", "/customers/self", "", "", nil, bearerHeader(tok)...), http.StatusUnauthorized)
	}
	live := map[string]bool{} // the addresses of the accounts left
	for _, a := range accounts {
		live[a.email] = live[a.email] || !a.gone
	}
	for _, a := range accounts {
		_, code := login(a.email, a.password)
		if a.gone {
			if !live[a.email] { // else another account took the address over, perhaps with the same password
				c.expect("a deleted account cannot log in", code, http.StatusUnauthorized)
			}
		} else {
			c.expect("the last acknowledged e-mail and password log in: "+a.email, code, http.StatusOK)
		}
	}
	holders := map[string]int{} // however the races went, one account per address
	for i, a := range accounts {
		if h, taken := holders[a.email]; taken && !a.gone && !accounts[h].gone {
			t.Errorf("%s is the login of clients %d and %d", a.email, h, i)
		}
		holders[a.email] = i
	}
}

// passphraseOf reads the new password out of a do_reset token.
func passphraseOf(t *testing.T, token string) string {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Errorf("do_reset token: %v", err)
	}
	p, _ := claims["passphrase"].(string)
	return p
}
