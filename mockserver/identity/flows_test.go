package identity_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// TestBearerJudgesAsAGateway: kind first, then expiry, then API and tenant.
func TestBearerJudgesAsAGateway(t *testing.T) {
	s, clock := newService(t)
	c, a := create(t, s, "ann@example.com", "secret")
	tok := &store.Token{Value: "tok-1", Kind: store.TokenAccess, API: "emporix", Tenant: "acme",
		CustomerID: c.ID, AccountID: a.ID, Issued: clock.Now(), Expires: clock.Now().Add(time.Hour)}
	require.NoError(t, s.Write(func(tx *identity.Tx) error { tx.PutToken(tok); return nil }))
	bearer := func(api, tenant, value string, kinds ...string) error {
		return s.Read(func(tx *identity.Tx) error { _, err := tx.Bearer(api, tenant, value, kinds...); return err })
	}
	assert.NoError(t, bearer("emporix", "acme", "tok-1", store.TokenAccess))
	assert.ErrorIs(t, bearer("emporix", "acme", "tok-2", store.TokenAccess), identity.ErrInvalidToken, "unknown")
	assert.ErrorIs(t, bearer("emporix", "acme", "tok-1", store.TokenAnonymous), identity.ErrInvalidToken, "another kind")
	assert.ErrorIs(t, bearer("emporix", "other", "tok-1", store.TokenAccess), identity.ErrInvalidToken, "another tenant")
	assert.ErrorIs(t, bearer("accounts", "acme", "tok-1", store.TokenAccess), identity.ErrInvalidToken, "another API")
	clock.Advance(time.Hour)
	assert.ErrorIs(t, bearer("emporix", "acme", "tok-1", store.TokenAccess), identity.ErrExpiredToken)
	assert.ErrorIs(t, bearer("emporix", "other", "tok-1", store.TokenAccess), identity.ErrExpiredToken, "expiry is judged before the tenant")
}

// TestSetPassword sets one login's password or all of a customer's, and
// refuses a login of another customer.
func TestSetPassword(t *testing.T) {
	s, _ := newService(t)
	c, a := create(t, s, "ann@example.com", "secret")
	other, _ := create(t, s, "bob@example.com", "secret")
	var phone *store.Account
	require.NoError(t, s.Write(func(tx *identity.Tx) (err error) {
		phone, err = tx.AddAccount(c, "+48123456789", a.PasswordHash, "")
		return err
	}))
	set := func(customerID, accountID, password string) error {
		hash := s.HashPassword(password)
		return s.Write(func(tx *identity.Tx) error { return tx.SetPassword(customerID, accountID, hash) })
	}
	login := func(email, password string) error {
		return s.Read(func(tx *identity.Tx) error {
			_, _, err := tx.Authenticate("emporix", "acme", email, password)
			return err
		})
	}
	require.NoError(t, set(c.ID, a.ID, "one"))
	assert.NoError(t, login(a.Email, "one"))
	assert.NoError(t, login(phone.Email, "secret"), "the other login keeps its password")
	require.NoError(t, set(c.ID, "", "both"))
	assert.NoError(t, login(a.Email, "both"))
	assert.NoError(t, login(phone.Email, "both"))
	err := set(other.ID, a.ID, "theirs")
	assert.ErrorIs(t, err, identity.ErrNotFound, "a login of another customer")
	assert.NoError(t, login(a.Email, "both"), "unchanged")
}
