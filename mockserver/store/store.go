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

// byTenant indexes records by face and tenant; with a trailing field it is a
// natural key within the tenant.
func byTenant(extra ...memdb.Indexer) memdb.Indexer {
	return &memdb.CompoundIndex{Indexes: append([]memdb.Indexer{str("API"), str("Tenant")}, extra...)}
}

var schema = &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
	Customers: table(Customers,
		index("id", true, false, str("ID")),
		index("number", true, false, byTenant(str("Number"))),
		index("tenant", false, false, byTenant()),
		index("api_number", false, false, &memdb.CompoundIndex{Indexes: []memdb.Indexer{str("API"), str("Number")}}),
	),
	Accounts: table(Accounts,
		index("id", true, false, str("ID")),
		index("email", true, false, byTenant(&memdb.StringFieldIndex{Field: "Email", Lowercase: true})),
		index("customer", false, false, str("CustomerID")),
	),
	Addresses: table(Addresses,
		index("id", true, false, str("ID")),
		index("customer", false, false, str("CustomerID")),
	),
	Tokens: table(Tokens,
		index("id", true, false, str("Value")),
		index("customer", false, true, str("CustomerID")),
		index("expires", false, false, &timeIndex{Field: "Expires"}),
	),
	Codes: table(Codes,
		index("id", true, false, str("Value")),
		index("customer", false, true, str("CustomerID")),
		index("expires", false, false, &timeIndex{Field: "Expires"}),
	),
	Mail: table(Mail,
		index("id", true, false, &memdb.UintFieldIndex{Field: "Seq"}),
	),
	Tenants: table(Tenants,
		index("id", true, false, str("ID")),
	),
	Counters: table(Counters,
		index("id", true, false, str("Name")),
	),
}}

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
