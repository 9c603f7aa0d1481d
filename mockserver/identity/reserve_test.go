package identity_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
)

// reserve is a Reserve of emporix/acme whose customer i logs in as
// c<i>@example.com and whose numbers come from numbers, in turn.
func reserve(count int, numbers ...string) identity.Reserve {
	next := 0
	return identity.Reserve{
		API: "emporix", Tenant: "acme", Count: count,
		Logins: func(i int) []string { return []string{fmt.Sprintf("c%d@example.com", i)} },
		Number: func(*identity.Random) string { next++; return numbers[next-1] },
		Create: func(tx *identity.Tx, i int, number string) error {
			_, _, err := tx.CreateCustomer(identity.NewCustomer{
				API: "emporix", Tenant: "acme", Number: number, Email: fmt.Sprintf("c%d@example.com", i),
				Active: true, Profile: map[string]any{"i": i},
			})
			return err
		},
	}
}

func TestReserveKeepsNumbersAndLoginsFree(t *testing.T) {
	s, _ := newService(t)
	stored, _ := create(t, s, "ann@example.com", "secret")
	// The stored customer's number, then a number drawn twice: both skipped.
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		return tx.AddReserve(reserve(2, stored.Number, "20000000", "20000000", "30000000"))
	}))
	for i, want := range []string{"20000000", "30000000"} {
		require.NoError(t, s.Read(func(tx *identity.Tx) error {
			a, err := tx.AccountByEmail("emporix", "acme", fmt.Sprintf("C%d@Example.com", i))
			require.NoError(t, err)
			c, err := tx.Customer(a.CustomerID)
			require.NoError(t, err)
			assert.Equal(t, want, c.Number)
			assert.Equal(t, i, c.Profile["i"])
			return nil
		}))
	}
	err := s.Write(func(tx *identity.Tx) error {
		return tx.AddReserve(identity.Reserve{API: "emporix", Tenant: "other"})
	})
	assert.NoError(t, err, "one reserve per tenant")
	err = s.Write(func(tx *identity.Tx) error { return tx.AddReserve(reserve(0)) })
	assert.ErrorContains(t, err, "has drawn customers already")
}

func TestReserveRefusesATakenLogin(t *testing.T) {
	s, _ := newService(t)
	create(t, s, "c1@example.com", "secret")
	err := s.Write(func(tx *identity.Tx) error { return tx.AddReserve(reserve(2, "20000000", "30000000")) })
	assert.ErrorContains(t, err, `the login "c1@example.com" of drawn customer 1 is taken`)
}

func TestReserveCustomersAreFoundByNumber(t *testing.T) {
	s, _ := newService(t)
	require.NoError(t, s.Write(func(tx *identity.Tx) error { return tx.AddReserve(reserve(1, "20000000")) }))
	require.NoError(t, s.Read(func(tx *identity.Tx) error {
		c, err := tx.CustomerByNumber("emporix", "acme", "20000000")
		require.NoError(t, err)
		assert.Len(t, tx.AccountsOf(c.ID), 1)
		_, err = tx.CustomerByNumber("emporix", "acme", "20000001")
		assert.ErrorIs(t, err, identity.ErrNotFound)
		return nil
	}))
	rec := s.Export()
	require.Len(t, rec.Customers, 1)
	assert.Equal(t, "emporix/acme/20000000", rec.Customers[0].ID)
	assert.Len(t, rec.Accounts, 1)
}
