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

// values lists the tokens and codes left, by value.
func values(s *identity.Service) []string {
	var out []string
	r := s.Export()
	for _, t := range r.Tokens {
		out = append(out, t.Value)
	}
	for _, c := range r.Codes {
		out = append(out, c.Value)
	}
	return out
}

// TestSweepDeletesWhatExpiredLongAgo: a write, or Sweep after the clock
// moved, deletes the tokens and codes expired longer than SweepGrace ago;
// moving the clock back does not bring them back.
func TestSweepDeletesWhatExpiredLongAgo(t *testing.T) {
	s, clock := newService(t)
	c, a := create(t, s, "ann@example.com", "secret")
	now := s.Clock.Now()
	ages := map[string]time.Duration{"live": time.Hour, "just-expired": -time.Hour, "long-expired": -identity.SweepGrace - time.Minute}
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		for name, d := range ages {
			tx.PutToken(&store.Token{Value: "tok-" + name, Kind: store.TokenAnonymous, API: "emporix", Tenant: "acme", Expires: now.Add(d)})
			tx.IssueCode(store.Code{Value: "code-" + name, Kind: name, API: "emporix", Tenant: "acme", CustomerID: c.ID, AccountID: a.ID}, d)
		}
		return nil
	}))
	assert.ElementsMatch(t, []string{"tok-live", "tok-just-expired", "code-live", "code-just-expired"}, values(s),
		"the write itself swept what expired long ago")

	clock.Advance(identity.SweepGrace + 2*time.Hour)
	assert.Equal(t, 4, s.Sweep())
	assert.Empty(t, values(s))
	assert.Equal(t, 0, s.Sweep(), "nothing left: no change")
	before := s.Changes()
	s.Sweep()
	assert.Equal(t, before, s.Changes())

	clock.Reset()
	assert.Empty(t, values(s), "sweeping is final")
}

// TestMailboxKeepsTheNewest: beyond MaxMail, the oldest message goes.
func TestMailboxKeepsTheNewest(t *testing.T) {
	s := identity.New(identity.Options{MaxMail: 3})
	send := func(n int) {
		require.NoError(t, s.Write(func(tx *identity.Tx) error {
			for i := range n {
				tx.Send(store.Message{API: "emporix", To: fmt.Sprintf("%d@example.com", i)})
			}
			return nil
		}))
	}
	count := func() int {
		n := 0
		_ = s.Read(func(tx *identity.Tx) error { n = len(tx.Mail(identity.MailFilter{})); return nil })
		return n
	}
	send(5)
	assert.Equal(t, 3, count())
	assert.Equal(t, "2@example.com", s.Export().Mail[0].To, "the newest three")
	require.NoError(t, s.Write(func(tx *identity.Tx) error { tx.ClearMail(); return nil }))
	send(2)
	assert.Equal(t, 2, count(), "counted afresh after a clear")

	big := identity.New(identity.Options{})
	require.NoError(t, big.Write(func(tx *identity.Tx) error {
		for range 5 {
			tx.Send(store.Message{API: "emporix", To: "x@example.com"})
		}
		return nil
	}))
	require.NoError(t, s.Replace(big.Export(), []string{"emporix"}, time.Now(), func(*identity.Tx) error { return nil }, false))
	assert.Equal(t, 5, count(), "a state loads whole")
	send(1)
	assert.Equal(t, 3, count(), "the next mail trims it")
	s.Checkpoint()
	require.NoError(t, s.Write(func(tx *identity.Tx) error { tx.ClearMail(); return nil }))
	s.Reset()
	send(1)
	assert.Equal(t, 3, count(), "the count is part of the state: a reset restores it too")
}

func TestAddressRoom(t *testing.T) {
	s, _ := newService(t)
	c, _ := create(t, s, "ann@example.com", "secret")
	require.NoError(t, s.Write(func(tx *identity.Tx) error {
		for range identity.MaxAddresses - 1 {
			tx.AddAddress(store.Address{CustomerID: c.ID})
		}
		assert.True(t, tx.AddressRoom(c.ID), "room for the last one")
		tx.AddAddress(store.Address{CustomerID: c.ID})
		assert.False(t, tx.AddressRoom(c.ID))
		return nil
	}))
}
