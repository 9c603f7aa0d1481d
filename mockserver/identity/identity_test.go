package identity_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func newService(t *testing.T) (*identity.Service, *identity.ShiftClock) {
	t.Helper()
	clock := &identity.ShiftClock{}
	return identity.New(identity.Options{Clock: clock}), clock
}

func create(t *testing.T, s *identity.Service, email, password string) (*store.Customer, *store.Account) {
	t.Helper()
	var c *store.Customer
	var a *store.Account
	require.NoError(t, s.Write(func(tx *identity.Tx) (err error) {
		c, a, err = tx.CreateCustomer(identity.NewCustomer{
			API: "emporix", Tenant: "acme", NumberDigits: 8, Email: email,
			PasswordHash: s.HashPassword(password), Active: true, Profile: map[string]any{},
		})
		return err
	}))
	return c, a
}

func TestCreateCustomerRejectsDuplicateEmailCaseInsensitively(t *testing.T) {
	s, _ := newService(t)
	c, _ := create(t, s, "Ann@Example.com", "secret")
	assert.Len(t, c.Number, 8)
	err := s.Write(func(tx *identity.Tx) error {
		_, _, err := tx.CreateCustomer(identity.NewCustomer{API: "emporix", Tenant: "acme", NumberDigits: 8, Email: "ann@example.COM"})
		return err
	})
	assert.ErrorIs(t, err, identity.ErrDuplicate)
	// Another tenant is another namespace.
	err = s.Write(func(tx *identity.Tx) error {
		_, _, err := tx.CreateCustomer(identity.NewCustomer{API: "emporix", Tenant: "other", NumberDigits: 8, Email: "ann@example.com"})
		return err
	})
	assert.NoError(t, err)
}

func TestAuthenticate(t *testing.T) {
	s, _ := newService(t)
	create(t, s, "ann@example.com", "secret")
	tests := []struct {
		name, tenant, email, password string
		want                          error
	}{
		{"right password", "acme", "ann@example.com", "secret", nil},
		{"e-mail in other case", "acme", "ANN@example.com", "secret", nil},
		{"wrong password", "acme", "ann@example.com", "Secret", identity.ErrBadCredentials},
		{"unknown e-mail", "acme", "bob@example.com", "secret", identity.ErrBadCredentials},
		{"other tenant", "other", "ann@example.com", "secret", identity.ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Read(func(tx *identity.Tx) error {
				_, _, err := tx.Authenticate("emporix", tt.tenant, tt.email, tt.password)
				return err
			})
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestLongPasswordsCountWhole(t *testing.T) {
	h := identity.Hasher{}
	long := string(make([]byte, 100))
	hash := h.Hash(long+"a", make([]byte, identity.SaltSize))
	assert.True(t, h.Verify(hash, long+"a"))
	assert.False(t, h.Verify(hash, long+"b"), "bytes past bcrypt's 72 must matter")
	assert.False(t, h.Verify("", ""), "an account without a password never verifies")
}

// The hashes made with a given salt are bcrypt's: x/crypto/bcrypt verifies
// them and, given the same salt, computes the same.
func TestHashIsBcrypt(t *testing.T) {
	for _, cost := range []int{0, 4, 6} {
		h := identity.Hasher{Cost: cost}
		salt := []byte("0123456789abcdef")
		hash := h.Hash("s3cret!", salt)
		assert.Equal(t, hash, h.Hash("s3cret!", salt), "same salt, same hash")
		assert.NotEqual(t, hash, h.Hash("s3cret!", []byte("0123456789abcdeF")), "another salt, another hash")
		assert.True(t, h.Verify(hash, "s3cret!"))
		assert.False(t, h.Verify(hash, "s3cret"))
		got, err := bcrypt.Cost([]byte(hash))
		require.NoError(t, err)
		assert.Equal(t, max(cost, bcrypt.MinCost), got)
	}
	// x/crypto/bcrypt's hash of the prehashed password, recomputed with its salt.
	sum := sha256.Sum256([]byte("s3cret!"))
	theirs, err := bcrypt.GenerateFromPassword([]byte(base64.RawStdEncoding.EncodeToString(sum[:])), 5)
	require.NoError(t, err)
	enc := base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)
	salt, err := enc.DecodeString(string(theirs[7:29]))
	require.NoError(t, err)
	assert.Equal(t, string(theirs), identity.Hasher{Cost: 5}.Hash("s3cret!", salt))
}

func TestCodesWorkOnceAndExpire(t *testing.T) {
	s, clock := newService(t)
	c, a := create(t, s, "ann@example.com", "secret")
	issue := func(value string) {
		require.NoError(t, s.Write(func(tx *identity.Tx) error {
			tx.IssueCode(store.Code{Value: value, Kind: "reset", API: "emporix", Tenant: "acme", CustomerID: c.ID, AccountID: a.ID}, time.Hour)
			return nil
		}))
	}
	consume := func(tenant, value string) error {
		return s.Write(func(tx *identity.Tx) error {
			_, err := tx.ConsumeCode("emporix", tenant, "reset", value)
			return err
		})
	}
	issue("one")
	assert.ErrorIs(t, consume("other", "one"), identity.ErrInvalidCode, "foreign tenant")
	assert.NoError(t, consume("acme", "one"))
	assert.ErrorIs(t, consume("acme", "one"), identity.ErrInvalidCode, "second use")

	issue("two")
	issue("three")
	assert.ErrorIs(t, consume("acme", "two"), identity.ErrInvalidCode, "replaced by a newer code")
	clock.Advance(time.Hour)
	assert.ErrorIs(t, consume("acme", "three"), identity.ErrInvalidCode, "expired")
}

func TestTokensExpireWithTheClock(t *testing.T) {
	s, clock := newService(t)
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		tx.PutToken(&store.Token{Value: "tok", Kind: store.TokenAnonymous, Expires: tx.Now().Add(time.Minute)})
		return nil
	}))
	lookup := func(kinds ...string) error {
		return s.Read(func(tx *identity.Tx) error { _, err := tx.Token("tok", kinds...); return err })
	}
	assert.NoError(t, lookup(store.TokenAnonymous))
	assert.ErrorIs(t, lookup(store.TokenAccess), identity.ErrInvalidToken, "wrong kind")
	clock.Advance(time.Minute)
	assert.ErrorIs(t, lookup(store.TokenAnonymous), identity.ErrExpiredToken)
}

func TestExactlyOneDefaultAddress(t *testing.T) {
	s, _ := newService(t)
	c, _ := create(t, s, "ann@example.com", "secret")
	var ids []string
	defaults := func() (out []string) {
		_ = s.Read(func(tx *identity.Tx) error {
			for _, a := range tx.Addresses(c.ID) {
				if a.Default {
					out = append(out, a.ID)
				}
			}
			return nil
		})
		return out
	}
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		for i := 0; i < 3; i++ {
			ids = append(ids, tx.AddAddress(store.Address{CustomerID: c.ID}).ID)
		}
		return nil
	}))
	assert.Equal(t, []string{ids[0]}, defaults(), "the first address is the default")

	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		a, err := tx.Address(c.ID, ids[2])
		require.NoError(t, err)
		cp := *a
		cp.Default = true
		tx.SaveAddress(&cp)
		return nil
	}))
	assert.Equal(t, []string{ids[2]}, defaults(), "a new default clears the old one")

	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		a, _ := tx.Address(c.ID, ids[2])
		tx.DeleteAddress(a)
		return nil
	}))
	assert.Equal(t, []string{ids[0]}, defaults(), "deleting the default promotes the oldest")
}

func TestFailedWriteChangesNothing(t *testing.T) {
	s, _ := newService(t)
	boom := errors.New("boom")
	err := s.Write(func(tx *identity.Tx) error {
		_, _, err := tx.CreateCustomer(identity.NewCustomer{API: "emporix", Tenant: "acme", NumberDigits: 8, Email: "x@example.com"})
		require.NoError(t, err)
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.NoError(t, s.Read(func(tx *identity.Tx) error {
		assert.Empty(t, tx.Customers("emporix", "acme"))
		return nil
	}))
}

func TestResetReturnsToCheckpoint(t *testing.T) {
	s, _ := newService(t)
	create(t, s, "kept@example.com", "secret")
	s.Checkpoint()
	create(t, s, "dropped@example.com", "secret")
	s.Reset()
	_ = s.Read(func(tx *identity.Tx) error {
		_, err := tx.AccountByEmail("emporix", "acme", "kept@example.com")
		assert.NoError(t, err)
		_, err = tx.AccountByEmail("emporix", "acme", "dropped@example.com")
		assert.ErrorIs(t, err, identity.ErrNotFound)
		return nil
	})
}

func TestChangingALoginEmailMovesIt(t *testing.T) {
	s, _ := newService(t)
	_, a := create(t, s, "old@example.com", "secret")
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		cp := *a
		cp.Email = "new@example.com"
		return tx.SaveAccount(&cp)
	}))
	_ = s.Read(func(tx *identity.Tx) error {
		_, err := tx.AccountByEmail("emporix", "acme", "old@example.com")
		assert.ErrorIs(t, err, identity.ErrNotFound)
		got, err := tx.AccountByEmail("emporix", "acme", "new@example.com")
		assert.NoError(t, err)
		assert.Equal(t, a.ID, got.ID)
		return nil
	})
}

func TestRandomFormats(t *testing.T) {
	r := identity.NewRandom(nil)
	assert.Regexp(t, `^[A-Za-z0-9]{28}$`, r.Alnum(28))
	assert.Regexp(t, `^[1-9][0-9]{7}$`, r.Digits(8))
	assert.Regexp(t, `^[0-9a-f]{10}$`, r.Hex(10))
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.UUID())
	assert.NotEqual(t, r.Alnum(32), r.Alnum(32))
}
