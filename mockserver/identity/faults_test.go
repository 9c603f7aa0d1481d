package identity_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func TestLoginFaults(t *testing.T) {
	s, _ := newService(t)
	c, _ := create(t, s, "ann@example.com", "secret")
	login := func(password string) error {
		return s.Read(func(tx *identity.Tx) error {
			_, _, err := tx.Authenticate("emporix", "acme", "ann@example.com", password)
			return err
		})
	}
	tests := []struct {
		name  string
		fault identity.LoginFault
		want  []error // successive logins with the right password
	}{
		{"none", identity.LoginFault{}, []error{nil, nil}},
		{"locked", identity.LoginFault{Locked: true}, []error{identity.ErrLocked, identity.ErrLocked}},
		{"next two fail", identity.LoginFault{FailNext: 2}, []error{identity.ErrBadCredentials, identity.ErrBadCredentials, nil, nil}},
		{"fail, then locked", identity.LoginFault{FailNext: 1, Locked: true}, []error{identity.ErrBadCredentials, identity.ErrLocked}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fault.CustomerID = c.ID
			s.SetLoginFault(tt.fault)
			defer s.ClearLoginFaults()
			for i, want := range tt.want {
				err := login("secret")
				if want == nil {
					assert.NoError(t, err, "login %d", i+1)
				} else {
					assert.ErrorIs(t, err, want, "login %d", i+1)
				}
			}
		})
	}

	s.SetLoginFault(identity.LoginFault{CustomerID: c.ID, Locked: true})
	assert.ErrorIs(t, login("wrong"), identity.ErrBadCredentials, "a wrong password stays a wrong password")

	s.SetLoginFault(identity.LoginFault{CustomerID: c.ID, FailNext: 1})
	assert.ErrorIs(t, login("wrong"), identity.ErrBadCredentials)
	assert.NoError(t, login("secret"), "a failed attempt uses up a forced failure")
	assert.Empty(t, s.LoginFaults(), "a spent fault is gone")

	s.SetLoginFault(identity.LoginFault{CustomerID: c.ID, API: "emporix", Email: "ann@example.com", Locked: true})
	assert.Equal(t, []identity.LoginFault{{CustomerID: c.ID, API: "emporix", Email: "ann@example.com", Locked: true}}, s.LoginFaults())
	s.Reset()
	assert.True(t, s.LoginFault(c.ID).Locked, "a reset of the state keeps the faults")
	s.SetLoginFault(identity.LoginFault{CustomerID: c.ID})
	assert.Empty(t, s.LoginFaults(), "a fault that does nothing is removed")
}

func TestExpireTokens(t *testing.T) {
	s, _ := newService(t)
	c, _ := create(t, s, "ann@example.com", "secret")
	other, _ := create(t, s, "bob@example.com", "secret")
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		for _, tok := range []store.Token{
			{Value: "access", Kind: store.TokenAccess, CustomerID: c.ID},
			{Value: "refresh", Kind: store.TokenRefresh, CustomerID: c.ID},
			{Value: "bob", Kind: store.TokenAccess, CustomerID: other.ID},
		} {
			tok.Expires = tx.Now().Add(time.Hour)
			tx.PutToken(&tok)
		}
		return nil
	}))
	lookup := func(value, kind string) error {
		return s.Read(func(tx *identity.Tx) error { _, err := tx.Token(value, kind); return err })
	}
	expire := func(keepRefresh bool) (n int) {
		require.NoError(t, s.Write(func(tx *identity.Tx) (err error) {
			n, err = tx.ExpireTokens(c.ID, keepRefresh)
			return err
		}))
		return n
	}

	assert.Equal(t, 1, expire(true))
	assert.ErrorIs(t, lookup("access", store.TokenAccess), identity.ErrExpiredToken)
	assert.NoError(t, lookup("refresh", store.TokenRefresh), "kept")
	assert.NoError(t, lookup("bob", store.TokenAccess), "another customer's token lives on")
	assert.Equal(t, 1, expire(false), "only the live ones count")
	assert.ErrorIs(t, lookup("refresh", store.TokenRefresh), identity.ErrExpiredToken)
	assert.ErrorIs(t, s.Write(func(tx *identity.Tx) error { _, err := tx.ExpireTokens("nobody", false); return err }), identity.ErrNotFound)
}

// A self-contained token is judged at whole seconds: one issued before the
// expiry is refused even within the same second, one issued after it never.
func TestSelfContainedTokensAtWholeSeconds(t *testing.T) {
	base := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name            string
		expired, issued time.Time // zero expired: never expired
		wantIat         time.Time
		wantRefused     bool
	}{
		{"never expired", time.Time{}, at(300), base, false},
		{"issued in an earlier second", at(2500), at(900), base, true},
		{"issued earlier in the same second", at(700), at(300), base, true},
		{"issued later in the same second", at(300), at(700), at(1000), false},
		{"issued in a later second", at(300), at(1500), at(1000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &store.Customer{TokensExpired: tt.expired}
			var iat time.Time
			if tt.wantRefused { // issued before the expiry: no cut-off yet
				iat = identity.IssuedAt(&store.Customer{}, tt.issued)
			} else {
				iat = identity.IssuedAt(c, tt.issued)
			}
			assert.Equal(t, tt.wantIat, iat)
			assert.Equal(t, tt.wantRefused, identity.SelfContainedExpired(c, iat))
		})
	}
}

func TestShiftClock(t *testing.T) {
	var c identity.ShiftClock
	near := func(want time.Time) { assert.WithinDuration(t, want, c.Now(), 5*time.Second) }
	near(time.Now())
	c.Advance(25 * time.Hour)
	assert.Equal(t, 25*time.Hour, c.Offset())
	near(time.Now().Add(25 * time.Hour))
	c.Advance(-time.Hour)
	assert.Equal(t, 24*time.Hour, c.Offset())
	target := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(target)
	near(target)
	assert.False(t, c.Now().Before(target), "the set time runs on")
	c.Reset()
	assert.Zero(t, c.Offset())
	near(time.Now())
}
