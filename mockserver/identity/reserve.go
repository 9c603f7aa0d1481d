package identity

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// A Reserve is a tenant's customers who exist from the start but enter the
// store only when first needed: found by a login or a customer number,
// listed, or exported. Seeding a hundred thousand customers so costs a few
// maps instead of a million index entries. Drawing is pure: customer i gets
// the same number, ids and records whenever it is drawn, so the state tells
// no customer drawn from one never touched. Once drawn (claimed) the store's
// records are the customer's, whatever becomes of them.
//
// A scan of the stored customers (Customers) sees only those drawn so far:
// what it looks for must be something a reserve's customers do not have.
type Reserve struct {
	API, Tenant string
	Count       int
	// Logins are customer i's login names, lower-case (seed.Drawn.Logins).
	Logins func(i int) []string
	// Number draws a customer number in the face's form.
	Number func(r *Random) string
	// Create stores customer i under number, as seeding does, with the
	// transaction's clock and random source set for it. It sends no mail.
	Create func(tx *Tx, i int, number string) error
}

// reserve is a Reserve in the store, its numbers drawn and its logins
// indexed; read-only once stored.
type reserve struct {
	ID string // API + "/" + Tenant
	*Reserve
	key      [32]byte  // of the customers' random sources
	created  time.Time // the customers' creation
	seq      uint64    // the first of a block of sequence numbers for each customer's addresses
	numbers  []string  // customer i's number
	byNumber map[string]int32
	byLogin  map[string]int32
	order    []int32 // the customers by number, and so by id
}

// seqBlock is how many addresses a drawn customer may be created with.
const seqBlock = 1 << 10

// AddReserve stores a tenant's reserve of customers, drawing their numbers
// now: free among the tenant's customers, and in a stable order. A tenant
// has one reserve at most; its logins must be free.
func (t *Tx) AddReserve(r Reserve) error {
	res := &reserve{
		ID: r.API + "/" + r.Tenant, Reserve: &r, created: t.now, seq: t.s.seq.Add(seqBlock) - seqBlock + 1,
		numbers: make([]string, r.Count), byNumber: make(map[string]int32, r.Count), byLogin: make(map[string]int32, r.Count),
	}
	if _, err := first[reserve](t, store.Reserves, store.ByID, res.ID); err == nil {
		return fmt.Errorf("%s has drawn customers already", res.ID)
	}
	// The tenant's stored customers and logins, in one pass each.
	ids, logins := map[string]bool{}, map[string]bool{}
	for c := range each[store.Customer](t, store.Customers, store.ByIDPrefix, res.ID+"/") {
		ids[c.ID] = true
	}
	for a := range each[store.Account](t, store.Accounts, store.ByEmail+"_prefix", r.API, r.Tenant, "") {
		logins[strings.ToLower(a.Email)] = true
	}
	t.Random().fill(res.key[:])
	numbers := NewRandom(rand.NewChaCha8(res.key))
	taken := func(n string) bool {
		_, dup := res.byNumber[n]
		return dup || ids[customerID(r.API, r.Tenant, n)]
	}
	for i := range r.Count {
		n := r.Number(numbers)
		for taken(n) {
			n = r.Number(numbers)
		}
		res.numbers[i], res.byNumber[n] = n, int32(i)
		for _, login := range r.Logins(i) {
			if _, dup := res.byLogin[login]; dup || logins[login] {
				return fmt.Errorf("%s: the login %q of drawn customer %d is taken", res.ID, login, i)
			}
			res.byLogin[login] = int32(i)
		}
	}
	res.order = make([]int32, r.Count)
	for i := range res.order {
		res.order[i] = int32(i)
	}
	slices.SortFunc(res.order, func(a, b int32) int { return strings.Compare(res.numbers[a], res.numbers[b]) })
	t.put(store.Reserves, res)
	return nil
}

// random is customer i's own random source.
func (r *reserve) random(i int32) *Random {
	key := r.key
	binary.LittleEndian.PutUint64(key[24:], binary.LittleEndian.Uint64(key[24:])+uint64(i)+1)
	return NewRandom(rand.NewChaCha8(key))
}

func (r *reserve) id(i int32) string { return customerID(r.API, r.Tenant, r.numbers[i]) }

func (t *Tx) reserves(prefix string) func(yield func(*reserve) bool) {
	return each[reserve](t, store.Reserves, store.ByIDPrefix, prefix)
}

func (t *Tx) claimed(id string) bool {
	_, err := first[store.Claim](t, store.Claims, store.ByID, id)
	return err == nil
}

// drawLogin draws the customer of a tenant's reserve with this lower-cased
// login, unless drawn already; it reports whether it drew.
func (t *Tx) drawLogin(api, tenant, login string) bool {
	r, err := first[reserve](t, store.Reserves, store.ByID, api+"/"+tenant)
	if err != nil {
		return false
	}
	i, ok := r.byLogin[login]
	return ok && t.draw(r, []int32{i})
}

// drawID draws the reserve customer with this id unless drawn already; it
// reports whether it drew.
func (t *Tx) drawID(id string) bool {
	api, _, _ := strings.Cut(id, "/")
	for r := range t.reserves(api + "/") {
		if number, ok := strings.CutPrefix(id, r.ID+"/"); ok {
			if i, ok := r.byNumber[number]; ok {
				return t.draw(r, []int32{i})
			}
		}
	}
	return false
}

// drawNumber draws the reserve customer of api with this number, in any
// tenant, unless drawn already; it reports whether it drew.
func (t *Tx) drawNumber(api, number string) bool {
	for r := range t.reserves(api + "/") {
		if i, ok := r.byNumber[number]; ok && r.API == api {
			return t.draw(r, []int32{i})
		}
	}
	return false
}

// draw takes customers of r into the store but those drawn already, and
// reports whether it took any. A read transaction draws them in a write
// transaction of its own, then reads on from the state that made.
func (t *Tx) draw(r *reserve, is []int32) bool {
	is = slices.DeleteFunc(slices.Clone(is), func(i int32) bool { return t.claimed(r.id(i)) })
	if len(is) == 0 {
		return false
	}
	if !t.write {
		_ = t.s.Write(func(w *Tx) error {
			if live, err := first[reserve](w, store.Reserves, store.ByID, r.ID); err == nil && live == r {
				w.draw(r, is)
			}
			return nil
		})
		t.txn = t.s.db.Txn(false)
		return true
	}
	for _, i := range is {
		t.put(store.Claims, &store.Claim{ID: r.id(i)})
		r.create(t, i)
	}
	return true
}

// create has customer i created in a write transaction, with the clock,
// random source and sequence that make it the same whenever it is drawn.
func (r *reserve) create(t *Tx, i int32) {
	now, random, seq := t.now, t.rand, t.seq
	defer func() { t.now, t.rand, t.seq = now, random, seq }()
	next := r.seq
	t.now, t.rand, t.seq = r.created, r.random(i), &next
	if err := r.Create(t, int(i), r.numbers[i]); err != nil {
		panic("identity: drawing customer " + r.id(i) + ": " + err.Error()) // its number and logins were kept free
	}
}

// undrawnRecords adds to rec the records of the reserves' customers not
// drawn yet. Each is drawn alone in an empty store (not the state: that
// would grow by all of them at once), so its records come out just as it
// would be drawn into the state.
func (t *Tx) undrawnRecords(rec *store.Records) {
	scratch := store.New()
	for r := range t.reserves("") {
		for i := range int32(r.Count) {
			if t.claimed(r.id(i)) {
				continue
			}
			txn := scratch.Txn(true)
			tx := &Tx{txn: txn, s: t.s, write: true}
			r.create(tx, i)
			rec.Customers = append(rec.Customers, all[store.Customer](tx, store.Customers, store.ByID)...)
			rec.Accounts = append(rec.Accounts, all[store.Account](tx, store.Accounts, store.ByID)...)
			rec.Addresses = append(rec.Addresses, all[store.Address](tx, store.Addresses, store.ByID)...)
			txn.Abort()
		}
	}
}

// undrawn counts a reserve's customers not drawn yet.
func (t *Tx) undrawn(r *reserve) int {
	n := r.Count
	for range each[store.Claim](t, store.Claims, store.ByIDPrefix, r.ID+"/") {
		n--
	}
	return n
}
