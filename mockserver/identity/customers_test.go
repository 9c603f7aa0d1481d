package identity_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func TestNewestCustomersAreBoundedAndCounted(t *testing.T) {
	s, clock := newService(t)
	add := func(api, tenant, email string) {
		require.NoError(t, s.Write(func(tx *identity.Tx) error {
			_, _, err := tx.CreateCustomer(identity.NewCustomer{API: api, Tenant: tenant, NumberDigits: 8, Email: email})
			return err
		}))
		clock.Advance(time.Second)
	}
	for i := range 5 {
		add("a", "one", fmt.Sprintf("c%d@example.com", i))
	}
	add("a", "two", "x@example.com")
	add("ab", "one", "y@example.com") // an API whose name starts like another's
	emails := func(tx *identity.Tx, cs []*store.Customer) (out []string) {
		for _, c := range cs {
			out = append(out, tx.AccountsOf(c.ID)[0].Email)
		}
		return out
	}
	tests := []struct {
		filter  identity.CustomerFilter
		limit   int
		want    []string
		tenants []identity.TenantCount
	}{
		{identity.CustomerFilter{}, 3, []string{"y@example.com", "x@example.com", "c4@example.com"},
			[]identity.TenantCount{{API: "a", Tenant: "one", Customers: 5}, {API: "a", Tenant: "two", Customers: 1}, {API: "ab", Tenant: "one", Customers: 1}}},
		{identity.CustomerFilter{API: "a"}, 2, []string{"x@example.com", "c4@example.com"},
			[]identity.TenantCount{{API: "a", Tenant: "one", Customers: 5}, {API: "a", Tenant: "two", Customers: 1}}},
		{identity.CustomerFilter{API: "a", Tenant: "one"}, 10,
			[]string{"c4@example.com", "c3@example.com", "c2@example.com", "c1@example.com", "c0@example.com"},
			[]identity.TenantCount{{API: "a", Tenant: "one", Customers: 5}}},
		{identity.CustomerFilter{Tenant: "one"}, 1, []string{"y@example.com"},
			[]identity.TenantCount{{API: "a", Tenant: "one", Customers: 5}, {API: "ab", Tenant: "one", Customers: 1}}},
		{identity.CustomerFilter{API: "a", Tenant: "none"}, 5, nil, []identity.TenantCount{}},
		{identity.CustomerFilter{API: "a"}, 0, nil,
			[]identity.TenantCount{{API: "a", Tenant: "one", Customers: 5}, {API: "a", Tenant: "two", Customers: 1}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v/%d", tt.filter, tt.limit), func(t *testing.T) {
			_ = s.Read(func(tx *identity.Tx) error {
				cs, tenants := tx.NewestCustomers(tt.filter, tt.limit)
				assert.Equal(t, tt.want, emails(tx, cs))
				assert.Equal(t, tt.tenants, tenants)
				return nil
			})
		})
	}
}

func TestNewestCustomersBreakTiesByID(t *testing.T) {
	s, _ := newService(t)
	require.NoError(t, s.WriteAt(time.Unix(0, 0), func(tx *identity.Tx) error {
		for _, n := range []string{"3", "1", "2"} {
			if _, _, err := tx.CreateCustomer(identity.NewCustomer{API: "a", Tenant: "t", Number: n, Email: n + "@example.com"}); err != nil {
				return err
			}
		}
		return nil
	}))
	_ = s.Read(func(tx *identity.Tx) error {
		cs, _ := tx.NewestCustomers(identity.CustomerFilter{}, 2)
		require.Len(t, cs, 2)
		assert.Equal(t, []string{"1", "2"}, []string{cs[0].Number, cs[1].Number})
		return nil
	})
}

func TestLiveTokensLeaveOutExpiredOnes(t *testing.T) {
	s, clock := newService(t)
	c, _ := create(t, s, "ann@example.com", "secret")
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		for i, ttl := range []time.Duration{2 * time.Hour, time.Hour, -time.Second} {
			tx.PutToken(&store.Token{Value: fmt.Sprint("t", i), Kind: store.TokenAccess, API: c.API, Tenant: c.Tenant,
				CustomerID: c.ID, Issued: tx.Now(), Expires: tx.Now().Add(ttl)})
		}
		return nil
	}))
	values := func() (out []string) {
		_ = s.Read(func(tx *identity.Tx) error {
			for _, tok := range tx.LiveTokens(c.ID) {
				out = append(out, tok.Value)
			}
			return nil
		})
		return out
	}
	assert.Equal(t, []string{"t1", "t0"}, values(), "soonest to expire first")
	clock.Advance(90 * time.Minute)
	assert.Equal(t, []string{"t0"}, values())
}
