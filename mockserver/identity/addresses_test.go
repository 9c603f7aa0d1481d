package identity_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// TestAddressRoomSinceACount: a count taken before a write answers the
// writer's room check only while the customer's addresses are the ones
// counted; any change to them in between, a reset included, makes the
// writer count again.
func TestAddressRoomSinceACount(t *testing.T) {
	for _, tc := range []struct {
		name    string
		have    int                                           // addresses at the checkpoint
		before  func(tx *identity.Tx, cust, other string)     // a write before the count
		between func(s *identity.Service, cust, other string) // what happens after the count
		room    bool
	}{
		{name: "unchanged, room", have: identity.MaxAddresses - 1, room: true},
		{name: "unchanged, full", have: identity.MaxAddresses, room: false},
		{name: "another customer's address added", have: identity.MaxAddresses - 1, room: true,
			between: func(s *identity.Service, _, other string) { add(t, s, other) }},
		{name: "the last room taken meanwhile", have: identity.MaxAddresses - 1, room: false,
			between: func(s *identity.Service, cust, _ string) { add(t, s, cust) }},
		{name: "one deleted meanwhile", have: identity.MaxAddresses, room: true,
			between: func(s *identity.Service, cust, _ string) {
				require.NoError(t, s.Write(func(tx *identity.Tx) error {
					tx.DeleteAddress(tx.Addresses(cust)[0])
					return nil
				}))
			}},
		{name: "a reset to a full customer", have: identity.MaxAddresses, room: false,
			before:  func(tx *identity.Tx, cust, _ string) { tx.DeleteAddress(tx.Addresses(cust)[0]) },
			between: func(s *identity.Service, _, _ string) { s.Reset() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			c, _ := create(t, s, "ann@example.com", "secret")
			o, _ := create(t, s, "bob@example.com", "secret")
			require.NoError(t, s.Write(func(tx *identity.Tx) error {
				for range tc.have {
					tx.AddAddress(store.Address{CustomerID: c.ID})
				}
				return nil
			}))
			s.Checkpoint()
			if tc.before != nil {
				require.NoError(t, s.Write(func(tx *identity.Tx) error { tc.before(tx, c.ID, o.ID); return nil }))
			}
			var seen identity.AddressCount
			require.NoError(t, s.Read(func(tx *identity.Tx) error { seen = tx.CountAddresses(c.ID); return nil }))
			if tc.between != nil {
				tc.between(s, c.ID, o.ID)
			}
			require.NoError(t, s.Read(func(tx *identity.Tx) error {
				assert.Equal(t, tc.room, tx.AddressRoomSince(seen, c.ID))
				assert.Equal(t, tc.room, tx.AddressRoom(c.ID), "what a count says")
				return nil
			}))
		})
	}
}

// TestAddressRoomSinceNoCount: without a count the writer counts.
func TestAddressRoomSinceNoCount(t *testing.T) {
	s, _ := newService(t)
	c, _ := create(t, s, "ann@example.com", "secret")
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		for range identity.MaxAddresses {
			tx.AddAddress(store.Address{CustomerID: c.ID})
		}
		assert.False(t, tx.AddressRoomSince(identity.AddressCount{}, c.ID))
		return nil
	}))
}

func add(t *testing.T, s *identity.Service, customerID string) {
	t.Helper()
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		tx.AddAddress(store.Address{CustomerID: customerID})
		return nil
	}))
}
