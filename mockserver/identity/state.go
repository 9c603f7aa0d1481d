package identity

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-memdb"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// Export returns every record of the state, each table in key order, from
// one consistent snapshot, with the reserves' customers not drawn yet as
// they would be drawn. The records are shared with the state: read-only.
func (s *Service) Export() *store.Records {
	var r *store.Records
	_ = s.Read(func(tx *Tx) error {
		r = &store.Records{
			Version:   store.Version,
			Tenants:   all[store.Tenant](tx, store.Tenants, store.ByID),
			Customers: all[store.Customer](tx, store.Customers, store.ByID),
			Accounts:  all[store.Account](tx, store.Accounts, store.ByID),
			Addresses: all[store.Address](tx, store.Addresses, store.ByID),
			Tokens:    all[store.Token](tx, store.Tokens, store.ByID),
			Codes:     all[store.Code](tx, store.Codes, store.ByID),
			Mail:      all[store.Message](tx, store.Mail, store.ByID),
		}
		n := len(r.Customers)
		if tx.undrawnRecords(r); len(r.Customers) > n {
			slices.SortFunc(r.Customers, func(a, b *store.Customer) int { return strings.Compare(a.ID, b.ID) })
			slices.SortFunc(r.Accounts, func(a, b *store.Account) int { return strings.Compare(a.ID, b.ID) })
			slices.SortFunc(r.Addresses, func(a, b *store.Address) int {
				return cmp.Or(strings.Compare(a.CustomerID, b.CustomerID), strings.Compare(a.ID, b.ID))
			})
		}
		return nil
	})
	return r
}

// Replace makes a new state of rec's records (none when rec is nil) and of
// what fn adds at the instant at, in one transaction: all of it or, on any
// error, nothing. Records of an API not in apis, dangling
// references and duplicate keys are errors. With baseline the new state is
// also what Reset returns to. The records become the state's: read-only.
func (s *Service) Replace(rec *store.Records, apis []string, at time.Time, fn func(*Tx) error, baseline bool) error {
	var tx *Tx
	err := s.db.Replace(func(txn *memdb.Txn) error {
		tx = &Tx{txn: txn, s: s, now: at, write: true}
		if rec != nil {
			if err := tx.restore(rec, apis); err != nil {
				return fmt.Errorf("state: %w", err)
			}
		}
		return fn(tx)
	}, baseline)
	if err != nil {
		return err
	}
	s.committed(tx)
	return nil
}

var errDuplicateKey = errors.New("a record with this key exists already")

// restore inserts records, checking each against those before it.
func (t *Tx) restore(r *store.Records, apis []string) error {
	api := func(name string) error {
		if !slices.Contains(apis, name) {
			return fmt.Errorf("api %q is none of %s", name, strings.Join(apis, ", "))
		}
		return nil
	}
	// owner checks that a record of api/tenant belongs to an existing customer
	// of the same tenant, and to one of its logins when account is set.
	owner := func(apiName, tenant, customer, account string) error {
		c, err := t.Customer(customer)
		if err != nil {
			return fmt.Errorf("customer %q does not exist", customer)
		}
		if c.API != apiName || c.Tenant != tenant {
			return fmt.Errorf("customer %q is not of %s/%s", customer, apiName, tenant)
		}
		if account == "" {
			return nil
		}
		if a, err := t.Account(account); err != nil || a.CustomerID != customer {
			return fmt.Errorf("account %q is not a login of customer %q", account, customer)
		}
		return nil
	}
	err := restoreTable(t, store.Tenants, r.Tenants, func(x *store.Tenant) []any { return []any{x.ID} }, func(x *store.Tenant) error {
		if x.Name == "" || x.ID != x.API+"/"+x.Name {
			return errors.New(`id must be "<api>/<name>", name not empty`)
		}
		return api(x.API)
	})
	if err != nil {
		return err
	}
	err = restoreTable(t, store.Customers, r.Customers, func(x *store.Customer) []any { return []any{x.ID} }, func(x *store.Customer) error {
		switch {
		case x.Tenant == "" || x.Number == "" || x.ID != x.API+"/"+x.Tenant+"/"+x.Number:
			return errors.New(`id must be "<api>/<tenant>/<number>", tenant and number not empty`)
		case x.Version < 1:
			return errors.New("version must be at least 1")
		}
		return api(x.API)
	})
	if err != nil {
		return err
	}
	err = restoreTable(t, store.Accounts, r.Accounts, func(x *store.Account) []any { return []any{x.ID} }, func(x *store.Account) error {
		if x.ID == "" || x.Email == "" {
			return errors.New("id and email must not be empty")
		}
		if err := owner(x.API, x.Tenant, x.CustomerID, ""); err != nil {
			return err
		}
		if other, err := t.AccountByEmail(x.API, x.Tenant, x.Email); err == nil {
			return fmt.Errorf("e-mail %q is a login of account %q already", x.Email, other.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defaults := map[string]int{} // default addresses by customer
	err = restoreTable(t, store.Addresses, r.Addresses, func(x *store.Address) []any { return []any{x.CustomerID, x.ID} }, func(x *store.Address) error {
		if x.ID == "" || x.Seq == 0 {
			return errors.New("id must not be empty, seq not 0")
		}
		if _, err := t.Customer(x.CustomerID); err != nil {
			return fmt.Errorf("customer %q does not exist", x.CustomerID)
		}
		if x.Default {
			defaults[x.CustomerID]++
		}
		t.s.seqAtLeast(x.Seq)
		return nil
	})
	if err != nil {
		return err
	}
	for _, x := range r.Addresses {
		if defaults[x.CustomerID] != 1 {
			return fmt.Errorf("customer %q has %d default addresses, not 1", x.CustomerID, defaults[x.CustomerID])
		}
	}
	err = restoreTable(t, store.Tokens, r.Tokens, func(x *store.Token) []any { return []any{x.Value} }, func(x *store.Token) error {
		switch {
		case x.Value == "" || x.Tenant == "":
			return errors.New("value and tenant must not be empty")
		case !slices.Contains(store.TokenKinds, x.Kind):
			return fmt.Errorf("kind %q is none of %s", x.Kind, strings.Join(store.TokenKinds, ", "))
		case x.CustomerID != "":
			return owner(x.API, x.Tenant, x.CustomerID, x.AccountID)
		}
		return api(x.API)
	})
	if err != nil {
		return err
	}
	err = restoreTable(t, store.Codes, r.Codes, func(x *store.Code) []any { return []any{x.Value} }, func(x *store.Code) error {
		if x.Value == "" || x.Kind == "" {
			return errors.New("value and kind must not be empty")
		}
		return owner(x.API, x.Tenant, x.CustomerID, x.AccountID)
	})
	if err != nil {
		return err
	}
	err = restoreTable(t, store.Mail, r.Mail, func(x *store.Message) []any { return []any{x.Seq} }, func(x *store.Message) error {
		if x.Seq == 0 || x.ID == "" {
			return errors.New("seq must not be 0, id not empty")
		}
		t.s.seqAtLeast(x.Seq)
		return api(x.API)
	})
	t.setMailCount(len(r.Mail)) // a state larger than the cap loads whole; the next mail trims it
	return err
}

// restoreTable inserts the records of one table after check, refusing null
// records and duplicate keys.
func restoreTable[T any](t *Tx, table string, recs []*T, key func(*T) []any, check func(*T) error) error {
	for i, rec := range recs {
		if rec == nil {
			return fmt.Errorf("%s[%d] is null", table, i)
		}
		err := check(rec)
		k := key(rec)
		if err == nil {
			if raw, _ := t.txn.First(table, store.ByID, k...); raw != nil {
				err = errDuplicateKey
			}
		}
		if err != nil {
			return fmt.Errorf("%s[%d] (%v): %w", table, i, k[len(k)-1], err)
		}
		t.put(table, rec)
	}
	return nil
}

// seqAtLeast makes the next sequence number greater than n.
func (s *Service) seqAtLeast(n uint64) {
	for cur := s.seq.Load(); cur < n && !s.seq.CompareAndSwap(cur, n); cur = s.seq.Load() {
	}
}
