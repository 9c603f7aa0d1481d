// Package store is doppel's state: the go-memdb schema, transactions, and the
// baseline snapshot that /__doppel/reset returns to.
package store

import (
	"sync/atomic"

	"github.com/hashicorp/go-memdb"
)

// Table names.
const (
	Customers = "customers"
	Accounts  = "accounts"
	Addresses = "addresses"
	Tokens    = "tokens"
	Codes     = "codes"
	Mail      = "mail"
	Tenants   = "tenants"
	Counters  = "counters"
	Reserves  = "reserves" // customers drawn when first needed (identity.Reserve)
	Claims    = "claims"   // the reserves' customers drawn so far
)

// Index names. Every table has ByID, its primary key; go-memdb answers
// ByIDPrefix (ByID + "_prefix") on string keys too.
const (
	ByID        = "id"
	ByIDPrefix  = ByID + "_prefix"
	ByAPINumber = "api_number" // customers: API, number
	ByEmail     = "email"      // accounts: API, tenant, lower-cased e-mail (unique)
	ByCustomer  = "customer"   // accounts, tokens, codes: customer id (addresses: ByID's prefix)
	ByExpires   = "expires"    // tokens, codes: expiry, earliest first
)

func str(field string) memdb.Indexer { return &memdb.StringFieldIndex{Field: field} }

func index(name string, unique, allowMissing bool, idx memdb.Indexer) *memdb.IndexSchema {
	return &memdb.IndexSchema{Name: name, Unique: unique, AllowMissing: allowMissing, Indexer: idx}
}

func table(name string, indexes ...*memdb.IndexSchema) *memdb.TableSchema {
	t := &memdb.TableSchema{Name: name, Indexes: map[string]*memdb.IndexSchema{}}
	for _, i := range indexes {
		t.Indexes[i.Name] = i
	}
	return t
}

// tenantKey indexes records by face and tenant; with a trailing field it is a
// natural key within the tenant.
func tenantKey(extra ...memdb.Indexer) memdb.Indexer {
	return &memdb.CompoundIndex{Indexes: append([]memdb.Indexer{str("API"), str("Tenant")}, extra...)}
}

// A customer's id is "<api>/<tenant>/<number>": the id index answers the
// lookups by number in a tenant, and its prefix form the tenant's customers,
// without two more index trees (each entry of a go-memdb index costs some
// 300 bytes: nodes, leaves and their change channels).
var schema = &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
	Customers: table(Customers,
		index(ByID, true, false, str("ID")),
		index(ByAPINumber, false, false, &memdb.CompoundIndex{Indexes: []memdb.Indexer{str("API"), str("Number")}}),
	),
	Accounts: table(Accounts,
		index(ByID, true, false, str("ID")),
		index(ByEmail, true, false, tenantKey(&memdb.StringFieldIndex{Field: "Email", Lowercase: true})),
		index(ByCustomer, false, false, str("CustomerID")),
	),
	// An address's key is its customer's id and its own: a customer's
	// addresses are the key's prefix, without a tree of their own.
	Addresses: table(Addresses,
		index(ByID, true, false, &memdb.CompoundIndex{Indexes: []memdb.Indexer{str("CustomerID"), str("ID")}}),
	),
	Tokens: table(Tokens,
		index(ByID, true, false, str("Value")),
		index(ByCustomer, false, true, str("CustomerID")),
		index(ByExpires, false, false, &timeIndex{Field: "Expires"}),
	),
	Codes: table(Codes,
		index(ByID, true, false, str("Value")),
		index(ByCustomer, false, true, str("CustomerID")),
		index(ByExpires, false, false, &timeIndex{Field: "Expires"}),
	),
	Mail: table(Mail,
		index(ByID, true, false, &memdb.UintFieldIndex{Field: "Seq"}),
	),
	Tenants: table(Tenants,
		index(ByID, true, false, str("ID")),
	),
	Counters: table(Counters,
		index(ByID, true, false, str("Name")),
	),
	Reserves: table(Reserves,
		index(ByID, true, false, str("ID")),
	),
	Claims: table(Claims,
		index(ByID, true, false, str("ID")),
	),
}}

// Schema returns the database's schema, for tests and tools: read-only.
func Schema() *memdb.DBSchema { return schema }

// DB is the live database plus the baseline that Reset returns to.
type DB struct {
	live atomic.Pointer[memdb.MemDB]
	base atomic.Pointer[memdb.MemDB]
}

func empty() *memdb.MemDB {
	db, err := memdb.NewMemDB(schema)
	if err != nil {
		panic("store: invalid schema: " + err.Error()) // a programming error, caught by every test
	}
	return db
}

// New returns an empty database whose baseline is empty.
func New() *DB {
	db := empty()
	d := &DB{}
	d.live.Store(db)
	d.base.Store(db.Snapshot())
	return d
}

// Txn starts a transaction on the live database. Write transactions are
// serialised by go-memdb; read transactions see a consistent snapshot.
func (d *DB) Txn(write bool) *memdb.Txn { return d.live.Load().Txn(write) }

// Copy returns a private copy of the live database, in O(1): what is written
// to it stays there.
func (d *DB) Copy() *memdb.MemDB { return d.live.Load().Snapshot() }

// Checkpoint makes the current state the baseline that Reset returns to.
func (d *DB) Checkpoint() { d.base.Store(d.live.Load().Snapshot()) }

// Reset replaces the live state by a copy of the baseline, in O(1).
func (d *DB) Reset() { d.live.Store(d.base.Load().Snapshot()) }

// Replace fills a new, empty database in one write transaction and makes it
// the live state, and with baseline also what Reset returns to. When fill
// fails nothing changes.
func (d *DB) Replace(fill func(*memdb.Txn) error, baseline bool) error {
	db := empty()
	txn := db.Txn(true)
	if err := fill(txn); err != nil {
		txn.Abort()
		return err
	}
	txn.Commit()
	d.live.Store(db)
	if baseline {
		d.base.Store(db.Snapshot())
	}
	return nil
}
