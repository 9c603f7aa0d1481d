package identity

import (
	"cmp"
	"slices"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// CustomerFilter selects customers; empty fields match anything.
type CustomerFilter struct{ API, Tenant string }

// TenantCount is how many customers a tenant of an API has.
type TenantCount struct {
	API, Tenant string
	Customers   int
}

// NewestCustomers returns the newest limit customers f selects, newest
// first (those created at the same instant by id), and how many customers
// each selected tenant has, by API and tenant.
func (t *Tx) NewestCustomers(f CustomerFilter, limit int) ([]*store.Customer, []TenantCount) {
	var it func(yield func(*store.Customer) bool)
	switch {
	case f.API != "" && f.Tenant != "":
		it = each[store.Customer](t, store.Customers, store.ByIDPrefix, customerID(f.API, f.Tenant, ""))
	case f.API != "":
		it = each[store.Customer](t, store.Customers, store.ByIDPrefix, f.API+"/")
	default:
		it = each[store.Customer](t, store.Customers, store.ByID)
	}
	limit = max(limit, 0)
	newer := func(a, b *store.Customer) int { return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.ID, b.ID)) }
	counts := map[TenantCount]int{}
	var out []*store.Customer // the newest so far, in order, at most limit
	for c := range it {
		if f.Tenant != "" && c.Tenant != f.Tenant {
			continue
		}
		counts[TenantCount{API: c.API, Tenant: c.Tenant}]++
		if len(out) == limit && (limit == 0 || newer(c, out[limit-1]) > 0) {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, c, newer)
		out = slices.Insert(out, i, c)
		if len(out) > limit {
			out = out[:limit]
		}
	}
	// The reserves' undrawn customers count too, and those of them that make
	// the list are drawn: all were created at one instant, so they come by id.
	prefix := f.API
	if f.API != "" {
		prefix += "/" + f.Tenant
	}
	picks := map[*reserve][]int32{}
	for r := range t.reserves(prefix) {
		if f.Tenant != "" && r.Tenant != f.Tenant { // the prefix matches longer names too
			continue
		}
		if n := t.undrawn(r); n > 0 {
			counts[TenantCount{API: r.API, Tenant: r.Tenant}] += n
		}
		for _, i := range r.order {
			c := &store.Customer{ID: r.id(i), Created: r.created}
			if len(out) == limit && (limit == 0 || newer(c, out[limit-1]) > 0) {
				break
			}
			if t.claimed(c.ID) {
				continue
			}
			picks[r] = append(picks[r], i)
			j, _ := slices.BinarySearchFunc(out, c, newer)
			out = slices.Insert(out, j, c)
			if len(out) > limit {
				out = out[:limit]
			}
		}
	}
	for r, is := range picks {
		t.draw(r, is)
	}
	if len(picks) > 0 {
		for j, c := range out {
			if c.API == "" { // a pick: now drawn
				out[j], _ = t.Customer(c.ID)
			}
		}
		out = slices.DeleteFunc(out, func(c *store.Customer) bool { return c == nil })
	}
	tenants := make([]TenantCount, 0, len(counts))
	for k, n := range counts {
		k.Customers = n
		tenants = append(tenants, k)
	}
	slices.SortFunc(tenants, func(a, b TenantCount) int {
		return cmp.Or(cmp.Compare(a.API, b.API), cmp.Compare(a.Tenant, b.Tenant))
	})
	return out, tenants
}

// LiveTokens lists a customer's unexpired tokens, soonest to expire first.
func (t *Tx) LiveTokens(customerID string) []*store.Token {
	var out []*store.Token
	for tok := range each[store.Token](t, store.Tokens, store.ByCustomer, customerID) {
		if t.now.Before(tok.Expires) {
			out = append(out, tok)
		}
	}
	slices.SortFunc(out, func(a, b *store.Token) int {
		return cmp.Or(a.Expires.Compare(b.Expires), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// each iterates over the records of an index query without collecting them.
func each[T any](t *Tx, table, index string, args ...any) func(yield func(*T) bool) {
	it, err := t.txn.Get(table, index, args...)
	if err != nil {
		panic("identity: bad index query: " + err.Error()) // indexes are fixed at compile time
	}
	return func(yield func(*T) bool) {
		for raw := it.Next(); raw != nil; raw = it.Next() {
			if !yield(raw.(*T)) {
				return
			}
		}
	}
}
