package identity

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// TestLoginsHashEvenForUnknownUsers: every failed login costs one password
// verification, as a successful one does, so that the time of an answer
// does not tell which e-mails have an account.
func TestLoginsHashEvenForUnknownUsers(t *testing.T) {
	s := New(Options{})
	verified := 0
	s.verify = func(hash, password string) bool { verified++; return s.hasher.Verify(hash, password) }
	require.NoError(t, s.Write(func(tx *Tx) error {
		_, _, err := tx.CreateCustomer(NewCustomer{API: "accounts", Tenant: "default", NumberDigits: 8, Email: "ann@example.com",
			PasswordHash: s.HashPassword("secret"), Active: true})
		if err == nil {
			_, _, err = tx.CreateCustomer(NewCustomer{API: "accounts", Tenant: "default", NumberDigits: 8, Email: "pending@example.com"})
		}
		return err
	}))
	for _, tt := range []struct {
		email, password string
		err             error
	}{
		{"ann@example.com", "secret", nil},
		{"ann@example.com", "wrong", ErrBadCredentials},
		{"nobody@example.com", "secret", ErrBadCredentials},
		{"pending@example.com", "secret", ErrBadCredentials},
	} {
		verified = 0
		err := s.Read(func(tx *Tx) error {
			_, _, err := tx.Authenticate("accounts", "default", tt.email, tt.password)
			return err
		})
		assert.ErrorIs(t, err, tt.err, tt.email)
		if tt.err == nil {
			assert.NoError(t, err)
		}
		assert.Equal(t, 1, verified, "%s: one verification", tt.email)
	}
	assert.False(t, s.VerifyPassword(&store.Account{}, ""), "no password, no login")
}
