package identity

import (
	"time"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// SweepGrace is how long an expired token or one-time code is kept. Every
// write, and every move of the clock (Sweep), deletes those expired longer
// ago by the clock: moving the clock back by less than SweepGrace brings an
// expired one back to life, by more it does not — sweeping is final.
const SweepGrace = 24 * time.Hour

// MaxAddresses is how many addresses a customer may have through the API.
const MaxAddresses = 100

// Sweep deletes the tokens and codes expired longer than SweepGrace ago by
// the clock, and returns how many. Writes sweep as they go; Sweep is for
// when the clock moved.
func (s *Service) Sweep() int {
	n := 0
	_ = s.Write(func(tx *Tx) error {
		if n = tx.sweep(); n == 0 {
			return ErrNotFound // nothing to commit
		}
		return nil
	})
	return n
}

// sweep deletes what Sweep does, at the transaction's time, earliest expiry
// first: it costs what it deletes, not the size of the tables.
func (t *Tx) sweep() int {
	cutoff := t.now.Add(-SweepGrace)
	return sweepTable(t, store.Tokens, cutoff, func(x *store.Token) time.Time { return x.Expires }) +
		sweepTable(t, store.Codes, cutoff, func(x *store.Code) time.Time { return x.Expires })
}

func sweepTable[T any](t *Tx, table string, cutoff time.Time, expires func(*T) time.Time) int {
	if earliest, err := first[T](t, table, store.ByExpires); err != nil || !expires(earliest).Before(cutoff) {
		return 0 // the usual case, in one lookup
	}
	var old []*T
	for rec := range each[T](t, table, store.ByExpires) {
		if !expires(rec).Before(cutoff) {
			break
		}
		old = append(old, rec)
	}
	for _, rec := range old { // not while iterating: go-memdb forbids it
		t.del(table, rec)
	}
	return len(old)
}

// AddressRoom reports whether a customer may have one more address: fewer
// than MaxAddresses. Faces check it before AddAddress.
func (t *Tx) AddressRoom(customerID string) bool {
	n := 0
	for range t.addressesOf(customerID) {
		if n++; n >= MaxAddresses {
			return false
		}
	}
	return true
}

// mailCount returns the number of messages in the mailbox.
func (t *Tx) mailCount() int {
	c, err := first[store.Counter](t, store.Counters, store.ByID, store.MailCount)
	if err != nil {
		return 0
	}
	return c.N
}

func (t *Tx) setMailCount(n int) { t.put(store.Counters, &store.Counter{Name: store.MailCount, N: n}) }

// capMail drops the oldest messages while the mailbox holds more than the
// service's MaxMail.
func (t *Tx) capMail() {
	limit := t.s.maxMail
	n := t.mailCount()
	for ; limit > 0 && n > limit; n-- {
		oldest, err := first[store.Message](t, store.Mail, store.ByID)
		if err != nil {
			break
		}
		t.del(store.Mail, oldest)
	}
	t.setMailCount(n)
}
