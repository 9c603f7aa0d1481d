package identity_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func TestChosenNumbersAreUniqueAndFoundAcrossTenants(t *testing.T) {
	s, _ := newService(t)
	add := func(tenant, email, number string) error {
		return s.Write(func(tx *identity.Tx) error {
			_, _, err := tx.CreateCustomer(identity.NewCustomer{API: "ol", Tenant: tenant, Number: number, Email: email})
			return err
		})
	}
	require.NoError(t, add("a", "ann@example.com", "n-1"))
	assert.ErrorIs(t, add("a", "bob@example.com", "n-1"), identity.ErrDuplicate)
	require.NoError(t, add("b", "bob@example.com", "n-2"))
	_ = s.Read(func(tx *identity.Tx) error {
		c, err := tx.CustomerByNumberInAPI("ol", "n-2")
		require.NoError(t, err)
		assert.Equal(t, "b", c.Tenant)
		_, err = tx.CustomerByNumberInAPI("other", "n-2")
		assert.ErrorIs(t, err, identity.ErrNotFound)
		return nil
	})
}

func TestCodesCanBeLookedAtWithoutUsingThem(t *testing.T) {
	s, clock := newService(t)
	c, a := create(t, s, "ann@example.com", "secret")
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		tx.IssueCode(store.Code{Value: "v", Kind: "reset", API: "emporix", Tenant: "acme", CustomerID: c.ID, AccountID: a.ID}, time.Hour)
		return nil
	}))
	look := func() (code, live error) {
		_ = s.Read(func(tx *identity.Tx) error {
			_, code = tx.Code("v")
			_, live = tx.LiveCode(c.ID, "reset")
			return nil
		})
		return code, live
	}
	code, live := look()
	assert.NoError(t, code)
	assert.NoError(t, live)
	code, _ = look()
	assert.NoError(t, code, "looking does not use it up")
	_ = s.Read(func(tx *identity.Tx) error {
		_, err := tx.LiveCode(c.ID, "other")
		assert.ErrorIs(t, err, identity.ErrNotFound, "another kind")
		_, err = tx.Code("nope")
		assert.ErrorIs(t, err, identity.ErrInvalidCode)
		return nil
	})
	clock.Advance(time.Hour)
	code, live = look()
	assert.ErrorIs(t, code, identity.ErrInvalidCode)
	assert.ErrorIs(t, live, identity.ErrNotFound)
}
