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

// Tx is one transaction of domain operations. Its time is fixed when it
// starts, so every expiry inside one request is judged against one instant.
type Tx struct {
	txn   *memdb.Txn
	s     *Service
	now   time.Time
	write bool
	sent  []*store.Message // mail sent in this transaction
	rand  *Random          // the random source when not the service's (drawing a reserve's customer)
	seq   *uint64          // the sequence when not the service's (drawing a reserve's customer)
}

// Now is the transaction's time.
func (t *Tx) Now() time.Time { return t.now }

// Random is the source of identifiers and secrets: the service's, or a
// reserve customer's own while it is drawn.
func (t *Tx) Random() *Random {
	if t.rand != nil {
		return t.rand
	}
	return t.s.Rand
}

// next is the next number of the sequence that orders addresses and mail.
func (t *Tx) next() uint64 {
	if t.seq != nil {
		*t.seq++
		return *t.seq - 1
	}
	return t.s.next()
}

func first[T any](t *Tx, table, index string, args ...any) (*T, error) {
	raw, err := t.txn.First(table, index, args...)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, ErrNotFound
	}
	return raw.(*T), nil
}

func all[T any](t *Tx, table, index string, args ...any) []*T {
	it, err := t.txn.Get(table, index, args...)
	if err != nil {
		panic("identity: bad index query: " + err.Error()) // indexes are fixed at compile time
	}
	var out []*T
	for raw := it.Next(); raw != nil; raw = it.Next() {
		out = append(out, raw.(*T))
	}
	return out
}

func (t *Tx) put(table string, rec any) {
	if err := t.txn.Insert(table, rec); err != nil {
		panic("identity: insert " + table + ": " + err.Error()) // records always carry their indexed fields
	}
}

func (t *Tx) del(table string, rec any) {
	if err := t.txn.Delete(table, rec); err != nil && err != memdb.ErrNotFound {
		panic("identity: delete " + table + ": " + err.Error())
	}
}

// ---- tenants ----

// Tenant returns the settings of a tenant, the defaults when it has none.
func (t *Tx) Tenant(api, name string) store.Tenant {
	if rec, err := first[store.Tenant](t, store.Tenants, store.ByID, api+"/"+name); err == nil {
		return *rec
	}
	return store.Tenant{ID: api + "/" + name, API: api, Name: name}
}

// Tenants lists the tenants of an API that have settings, by name.
func (t *Tx) Tenants(api string) []*store.Tenant {
	return all[store.Tenant](t, store.Tenants, store.ByIDPrefix, api+"/")
}

// SaveTenant stores a tenant's settings.
func (t *Tx) SaveTenant(ten store.Tenant) {
	ten.ID = ten.API + "/" + ten.Name
	t.put(store.Tenants, &ten)
}

// ---- customers and accounts ----

// NewCustomer describes a customer to create with its first login.
type NewCustomer struct {
	API, Tenant  string
	NumberDigits int    // length of the generated customer number
	Number       string // the customer number, when the face chooses it (else generated)
	Email        string // first login
	PasswordHash string // empty: no password login
	Role         string
	Active       bool
	Profile      map[string]any
}

// CreateCustomer creates a customer and its first login; ErrDuplicate when
// the e-mail (or a chosen number) is taken in the tenant.
func (t *Tx) CreateCustomer(n NewCustomer) (*store.Customer, *store.Account, error) {
	if _, err := t.AccountByEmail(n.API, n.Tenant, n.Email); err == nil {
		return nil, nil, ErrDuplicate
	}
	number, err := t.newNumber(n)
	if err != nil {
		return nil, nil, err
	}
	c := &store.Customer{
		ID: customerID(n.API, n.Tenant, number), API: n.API, Tenant: n.Tenant, Number: number,
		Active: n.Active, Version: 1, Profile: n.Profile, Created: t.now,
	}
	t.put(store.Customers, c)
	a, err := t.AddAccount(c, n.Email, n.PasswordHash, n.Role)
	return c, a, err
}

// newNumber returns the chosen number if free, else a free generated one.
// Free means no customer has its id, whatever the tenant ("a/b" + "c" and
// "a" + "b/c" make the same id).
func (t *Tx) newNumber(n NewCustomer) (string, error) {
	taken := func(number string) bool {
		_, err := t.Customer(customerID(n.API, n.Tenant, number))
		return err == nil
	}
	if n.Number != "" {
		if taken(n.Number) {
			return "", ErrDuplicate
		}
		return n.Number, nil
	}
	number := t.Random().Digits(n.NumberDigits)
	for taken(number) {
		number = t.Random().Digits(n.NumberDigits)
	}
	return number, nil
}

// AddAccount adds a login to a customer; ErrDuplicate when the e-mail is taken.
func (t *Tx) AddAccount(c *store.Customer, email, passwordHash, role string) (*store.Account, error) {
	if _, err := t.AccountByEmail(c.API, c.Tenant, email); err == nil {
		return nil, ErrDuplicate
	}
	a := &store.Account{
		ID: t.Random().Hex(24), API: c.API, Tenant: c.Tenant, Email: email,
		PasswordHash: passwordHash, CustomerID: c.ID, Role: role, Created: t.now,
	}
	t.put(store.Accounts, a)
	return a, nil
}

// Customer returns a customer by its internal id.
func (t *Tx) Customer(id string) (*store.Customer, error) {
	c, err := first[store.Customer](t, store.Customers, store.ByID, id)
	if err == ErrNotFound && t.drawID(id) {
		return first[store.Customer](t, store.Customers, store.ByID, id)
	}
	return c, err
}

// customerID is a customer's internal key.
func customerID(api, tenant, number string) string { return api + "/" + tenant + "/" + number }

// CustomerByNumber returns a customer by its number within a tenant.
func (t *Tx) CustomerByNumber(api, tenant, number string) (*store.Customer, error) {
	c, err := t.Customer(customerID(api, tenant, number))
	if err != nil || c.API != api || c.Tenant != tenant { // the same id in a tenant whose name has a "/"
		return nil, ErrNotFound
	}
	return c, nil
}

// CustomerByNumberInAPI returns a customer by its number across all tenants
// of an API, for faces whose numbers are unique on their own (UUIDs).
func (t *Tx) CustomerByNumberInAPI(api, number string) (*store.Customer, error) {
	c, err := first[store.Customer](t, store.Customers, store.ByAPINumber, api, number)
	if err == ErrNotFound && t.drawNumber(api, number) {
		return first[store.Customer](t, store.Customers, store.ByAPINumber, api, number)
	}
	return c, err
}

// Customers lists the customers of a tenant in the store: those of its
// reserve drawn so far (Reserve), not the others.
func (t *Tx) Customers(api, tenant string) []*store.Customer {
	var out []*store.Customer
	for c := range each[store.Customer](t, store.Customers, store.ByIDPrefix, customerID(api, tenant, "")) {
		if c.API == api && c.Tenant == tenant {
			out = append(out, c)
		}
	}
	return out
}

// SaveCustomer stores a changed copy of a customer.
func (t *Tx) SaveCustomer(c *store.Customer) { t.put(store.Customers, c) }

// UpdateProfile applies change to a copy of the customer's profile under
// optimistic locking: when expect is not nil it must equal the current
// version (else ErrStaleVersion). The version is incremented.
func (t *Tx) UpdateProfile(id string, expect *int, change func(c *store.Customer) error) (*store.Customer, error) {
	cur, err := t.Customer(id)
	if err != nil {
		return nil, err
	}
	if expect != nil && *expect != cur.Version {
		return cur, ErrStaleVersion
	}
	c := *cur
	if err := change(&c); err != nil {
		return nil, err
	}
	c.Version++
	t.put(store.Customers, &c)
	return &c, nil
}

// DeleteCustomer removes a customer with its logins, addresses, tokens and codes.
func (t *Tx) DeleteCustomer(id string) error {
	c, err := t.Customer(id)
	if err != nil {
		return err
	}
	for _, table := range []string{store.Accounts, store.Tokens, store.Codes} {
		if _, err := t.txn.DeleteAll(table, store.ByCustomer, id); err != nil {
			return err
		}
	}
	if _, err := t.txn.DeleteAll(store.Addresses, store.ByIDPrefix, id, ""); err != nil {
		return err
	}
	t.del(store.Customers, c)
	return nil
}

// AccountByEmail returns the login with this e-mail in a tenant.
func (t *Tx) AccountByEmail(api, tenant, email string) (*store.Account, error) {
	login := strings.ToLower(email)
	a, err := first[store.Account](t, store.Accounts, store.ByEmail, api, tenant, login)
	if err == ErrNotFound && t.drawLogin(api, tenant, login) {
		return first[store.Account](t, store.Accounts, store.ByEmail, api, tenant, login)
	}
	return a, err
}

// Account returns a login by id.
func (t *Tx) Account(id string) (*store.Account, error) {
	return first[store.Account](t, store.Accounts, store.ByID, id)
}

// AccountsOf lists a customer's logins, oldest first.
func (t *Tx) AccountsOf(customerID string) []*store.Account {
	out := all[store.Account](t, store.Accounts, store.ByCustomer, customerID)
	slices.SortFunc(out, func(a, b *store.Account) int { return a.Created.Compare(b.Created) })
	return out
}

// SaveAccount stores a changed copy of a login. Changing the e-mail checks
// for duplicates.
func (t *Tx) SaveAccount(a *store.Account) error {
	if other, err := t.AccountByEmail(a.API, a.Tenant, a.Email); err == nil && other.ID != a.ID {
		return ErrDuplicate
	}
	if old, err := t.Account(a.ID); err == nil && !strings.EqualFold(old.Email, a.Email) {
		t.del(store.Accounts, old) // drop the old e-mail's index entry
	}
	t.put(store.Accounts, a)
	return nil
}

// Authenticate finds an active login by e-mail and password. A login fault
// of its customer (SetLoginFault) fails it first: ErrBadCredentials while
// forced failures remain, else ErrLocked when the customer is locked and the
// password is right.
func (t *Tx) Authenticate(api, tenant, email, password string) (*store.Account, *store.Customer, error) {
	a, err := t.AccountByEmail(api, tenant, email)
	if err != nil {
		t.s.VerifyPassword(nil, password) // as long as for a known user: timing tells no e-mail apart
		return nil, nil, ErrBadCredentials
	}
	fault := t.s.loginFault(a.CustomerID)
	if !t.s.VerifyPassword(a, password) || errors.Is(fault, ErrBadCredentials) {
		return nil, nil, ErrBadCredentials
	}
	c, err := t.Customer(a.CustomerID)
	if err != nil {
		return nil, nil, ErrBadCredentials
	}
	if fault != nil {
		return a, c, fault
	}
	if !c.Active {
		return a, c, ErrInactive
	}
	return a, c, nil
}

// ---- tokens ----

// PutToken stores a token.
func (t *Tx) PutToken(tok *store.Token) { t.put(store.Tokens, tok) }

// Token returns a live token of one of the given kinds, ErrInvalidToken when
// unknown or of another kind, ErrExpiredToken when past its expiry.
func (t *Tx) Token(value string, kinds ...string) (*store.Token, error) {
	tok, err := first[store.Token](t, store.Tokens, store.ByID, value)
	if err != nil || !slices.Contains(kinds, tok.Kind) {
		return nil, ErrInvalidToken
	}
	if !t.now.Before(tok.Expires) {
		return tok, ErrExpiredToken
	}
	return tok, nil
}

// RevokeToken deletes a token.
func (t *Tx) RevokeToken(tok *store.Token) { t.del(store.Tokens, tok) }

// RevokeSession deletes every token of a customer's login session.
func (t *Tx) RevokeSession(customerID, sessionID string) {
	for _, tok := range all[store.Token](t, store.Tokens, store.ByCustomer, customerID) {
		if tok.SessionID == sessionID {
			t.del(store.Tokens, tok)
		}
	}
}

// RevokeCustomerTokens deletes every token of a customer.
func (t *Tx) RevokeCustomerTokens(customerID string) {
	if _, err := t.txn.DeleteAll(store.Tokens, store.ByCustomer, customerID); err != nil {
		panic("identity: revoke tokens: " + err.Error())
	}
}

// ---- one-time codes ----

// IssueCode stores a one-time code of kind for an account, replacing that
// account's earlier codes of the same kind.
func (t *Tx) IssueCode(c store.Code, ttl time.Duration) *store.Code {
	for _, old := range all[store.Code](t, store.Codes, store.ByCustomer, c.CustomerID) {
		if old.Kind == c.Kind && old.AccountID == c.AccountID {
			t.del(store.Codes, old)
		}
	}
	c.Expires = t.now.Add(ttl)
	t.put(store.Codes, &c)
	return &c
}

// Code returns a live code by value without using it up; ErrInvalidCode
// when it is unknown or expired.
func (t *Tx) Code(value string) (*store.Code, error) {
	c, err := first[store.Code](t, store.Codes, store.ByID, value)
	if err != nil || !t.now.Before(c.Expires) {
		return nil, ErrInvalidCode
	}
	return c, nil
}

// LiveCode returns a customer's unexpired code of kind; ErrNotFound when
// there is none.
func (t *Tx) LiveCode(customerID, kind string) (*store.Code, error) {
	for _, c := range all[store.Code](t, store.Codes, store.ByCustomer, customerID) {
		if c.Kind == kind && t.now.Before(c.Expires) {
			return c, nil
		}
	}
	return nil, ErrNotFound
}

// ConsumeCode returns and deletes a live code of kind in a tenant;
// ErrInvalidCode when it is unknown, used, expired or of another tenant.
func (t *Tx) ConsumeCode(api, tenant, kind, value string) (*store.Code, error) {
	c, err := first[store.Code](t, store.Codes, store.ByID, value)
	if err != nil || c.Kind != kind || c.API != api || c.Tenant != tenant {
		return nil, ErrInvalidCode
	}
	t.del(store.Codes, c)
	if !t.now.Before(c.Expires) {
		return nil, ErrInvalidCode
	}
	return c, nil
}

// ---- addresses ----

// Addresses lists a customer's addresses in creation order.
func (t *Tx) Addresses(customerID string) []*store.Address {
	out := slices.Collect(t.addressesOf(customerID))
	slices.SortFunc(out, func(a, b *store.Address) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// Address returns one of a customer's addresses.
func (t *Tx) Address(customerID, id string) (*store.Address, error) {
	return first[store.Address](t, store.Addresses, store.ByID, customerID, id)
}

// AddressCount is what a transaction saw of a customer's addresses: how
// many, up to MaxAddresses, and the watch channel of the index node they
// hang from. go-memdb never changes a committed node: a node with the same
// channel holds the same addresses.
type AddressCount struct {
	n     int
	watch <-chan struct{}
}

// CountAddresses counts a customer's addresses, up to MaxAddresses. Counted
// in a read transaction before a write, it spares the writer the count
// (AddressRoomSince) while every other writer waits.
func (t *Tx) CountAddresses(customerID string) AddressCount {
	it := t.addressIndex(customerID)
	c := AddressCount{watch: it.WatchCh()}
	for raw := it.Next(); raw != nil && c.n < MaxAddresses; raw = it.Next() {
		c.n++
	}
	return c
}

// AddressRoomSince is AddressRoom, which it answers from seen when the
// customer's addresses are still the ones counted there: one index lookup
// instead of a count.
func (t *Tx) AddressRoomSince(seen AddressCount, customerID string) bool {
	if seen.watch != nil && t.addressIndex(customerID).WatchCh() == seen.watch {
		return seen.n < MaxAddresses
	}
	return t.AddressRoom(customerID)
}

// addressesOf iterates over a customer's addresses, in key order: those
// whose key starts with the customer's id.
func (t *Tx) addressesOf(customerID string) func(yield func(*store.Address) bool) {
	return each[store.Address](t, store.Addresses, store.ByIDPrefix, customerID, "")
}

func (t *Tx) addressIndex(customerID string) memdb.ResultIterator {
	it, err := t.txn.Get(store.Addresses, store.ByIDPrefix, customerID, "")
	if err != nil {
		panic("identity: bad index query: " + err.Error()) // indexes are fixed at compile time
	}
	return it
}

// AddAddress stores a new address with a fresh id; the first address of a
// customer, or one marked Default, becomes the default.
func (t *Tx) AddAddress(a store.Address) *store.Address {
	for a.ID = t.Random().Hex(10); ; a.ID = t.Random().Hex(10) {
		if _, err := first[store.Address](t, store.Addresses, store.ByID, a.CustomerID, a.ID); err == ErrNotFound {
			break
		}
	}
	a.Seq = t.next()
	if t.addressIndex(a.CustomerID).Next() == nil {
		a.Default = true
	}
	t.SaveAddress(&a)
	return &a
}

// SaveAddress stores a changed copy of an address; when it is the default,
// any other default of the customer is cleared.
func (t *Tx) SaveAddress(a *store.Address) {
	if a.Default {
		var was []*store.Address // the other default, not changed while iterating: go-memdb forbids it
		for other := range t.addressesOf(a.CustomerID) {
			if other.ID != a.ID && other.Default {
				was = append(was, other)
			}
		}
		for _, other := range was {
			cp := *other
			cp.Default = false
			t.put(store.Addresses, &cp)
		}
	}
	t.put(store.Addresses, a)
}

// DeleteAddress removes an address; deleting the default promotes the oldest
// remaining address.
func (t *Tx) DeleteAddress(a *store.Address) {
	t.del(store.Addresses, a)
	if !a.Default {
		return
	}
	var oldest *store.Address
	for other := range t.addressesOf(a.CustomerID) {
		if oldest == nil || other.Seq < oldest.Seq {
			oldest = other
		}
	}
	if oldest != nil {
		cp := *oldest
		cp.Default = true
		t.put(store.Addresses, &cp)
	}
}

// ---- mailbox ----

// Send records a mail.
func (t *Tx) Send(m store.Message) *store.Message {
	m.Seq = t.s.next()
	m.ID = fmt.Sprintf("msg-%06d", m.Seq)
	m.SentAt = t.now
	t.put(store.Mail, &m)
	t.setMailCount(t.mailCount() + 1)
	t.capMail()
	t.sent = append(t.sent, &m)
	return &m
}

// MailFilter selects mail; empty fields match anything.
type MailFilter struct{ API, Tenant, To, Kind string }

// Mail lists the mail matching f, oldest first.
func (t *Tx) Mail(f MailFilter) []*store.Message {
	var out []*store.Message
	for _, m := range all[store.Message](t, store.Mail, store.ByID) {
		if (f.API == "" || f.API == m.API) && (f.Tenant == "" || f.Tenant == m.Tenant) &&
			(f.To == "" || strings.EqualFold(f.To, m.To)) && (f.Kind == "" || f.Kind == m.Kind) {
			out = append(out, m)
		}
	}
	return out
}

// ClearMail deletes all mail.
func (t *Tx) ClearMail() {
	if _, err := t.txn.DeleteAll(store.Mail, store.ByID); err != nil {
		panic("identity: clear mail: " + err.Error())
	}
	t.setMailCount(0)
}
