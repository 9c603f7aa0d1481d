package identity_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
)

// A customer's id joins API, tenant and number with "/": tenant "a/b" with
// number "c" and tenant "a" with number "b/c" would share one. The second is
// refused rather than overwriting the first, and lookups by number or
// tenant do not see a customer of the other tenant.
func TestCustomerIDsOfSlashedNamesDoNotMix(t *testing.T) {
	s, _ := newService(t)
	add := func(tenant, email, number string) error {
		return s.Write(func(tx *identity.Tx) error {
			_, _, err := tx.CreateCustomer(identity.NewCustomer{API: "ol", Tenant: tenant, Number: number, Email: email})
			return err
		})
	}
	require.NoError(t, add("a/b", "ann@example.com", "c"))
	assert.ErrorIs(t, add("a", "bob@example.com", "b/c"), identity.ErrDuplicate)
	require.NoError(t, add("a", "bob@example.com", "d"))
	_ = s.Read(func(tx *identity.Tx) error {
		_, err := tx.CustomerByNumber("ol", "a", "b/c")
		assert.ErrorIs(t, err, identity.ErrNotFound)
		c, err := tx.CustomerByNumber("ol", "a/b", "c")
		require.NoError(t, err)
		assert.Equal(t, "ann@example.com", tx.AccountsOf(c.ID)[0].Email)
		var numbers []string
		for _, c := range tx.Customers("ol", "a") {
			numbers = append(numbers, c.Number)
		}
		assert.Equal(t, []string{"d"}, numbers)
		newest, _ := tx.NewestCustomers(identity.CustomerFilter{API: "ol", Tenant: "a"}, 10)
		assert.Len(t, newest, 1)
		return nil
	})
}
