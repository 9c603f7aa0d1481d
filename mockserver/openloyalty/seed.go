package openloyalty

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/seed"
)

// user is a seeded user: its first login, the other names it logs in with,
// and its profile.
type user struct {
	tenant, login, role string
	number              string // the customer number (a UUID); "" for a fresh one
	aliases             []string
	hash                string
	profile             map[string]any
}

// Seed implements face.Seeder: the document's admins, sellers, stores'
// customers and points of sale.
// Users whose first login exists already are left as they are; an alias
// (admin e-mail, customer phone) taken by another user fails the seed.
// Seeded passwords need not meet the password policy.
func (f *Face) Seed(all *seed.Document, hash func(string) string) (func(*identity.Tx) error, error) {
	doc := all.OpenLoyalty
	if doc == nil {
		return nil, nil
	}
	var users []user
	for i, a := range doc.Admins {
		if a.Username == "" || a.Email == "" || a.Password == "" {
			return nil, fmt.Errorf("openloyalty: admin %d: username, email and password are required", i)
		}
		profile := map[string]any{"username": a.Username, "email": a.Email}
		if a.SuperAdmin {
			profile["superAdmin"] = true
		}
		perms, err := realPermissions(a.Permissions)
		if err != nil {
			return nil, fmt.Errorf("openloyalty: admin %d: %w", i, err)
		}
		if len(perms) > 0 {
			profile["permissions"] = perms
		}
		users = append(users, user{tenant: AdminTenant, login: a.Username, role: RoleAdmin, aliases: []string{a.Email},
			hash: hash(a.Password), profile: profile})
	}
	for i, sl := range doc.Sellers {
		if sl.Email == "" || sl.Password == "" {
			return nil, fmt.Errorf("openloyalty: seller %d: email and password are required", i)
		}
		users = append(users, user{tenant: SellerTenant, login: sl.Email, role: RoleSeller,
			hash: hash(sl.Password), profile: map[string]any{"email": sl.Email}})
	}
	for _, code := range slices.Sorted(maps.Keys(doc.Stores)) { // sorted: ids are drawn in a stable order
		if !storePattern.MatchString(code) {
			return nil, fmt.Errorf("openloyalty: store %q does not match %s", code, storePattern)
		}
		for i, c := range doc.Stores[code].Customers {
			if c.Email == "" || c.Password == "" {
				return nil, fmt.Errorf("openloyalty: store %q customer %d: email and password are required", code, i)
			}
			users = append(users, customer(code, c, hash(c.Password)))
		}
	}
	var reserves []identity.Reserve
	for _, code := range slices.Sorted(maps.Keys(doc.Stores)) {
		d := doc.Stores[code].Drawn
		if d == nil {
			continue
		}
		h := hash(d.Password)
		reserves = append(reserves, identity.Reserve{
			API: API, Tenant: code, Count: d.Count, Logins: d.Logins,
			Number: func(r *identity.Random) string { return r.UUID() },
			Create: func(tx *identity.Tx, i int, number string) error {
				u := customer(code, d.Draw(i), h)
				u.number = number
				return create(tx, u)
			},
		})
	}
	for i, id := range doc.PointsOfSale {
		if id == "" {
			return nil, fmt.Errorf("openloyalty: point of sale %d: an id is required", i)
		}
	}
	return func(tx *identity.Tx) error {
		for _, id := range doc.PointsOfSale {
			addPointOfSale(tx, id)
		}
		for _, u := range users {
			if err := create(tx, u); err != nil {
				return err
			}
		}
		for _, r := range reserves {
			if err := tx.AddReserve(r); err != nil {
				return fmt.Errorf("openloyalty: %w", err)
			}
		}
		return nil
	}, nil
}

// customer is a store's customer as a user.
func customer(store string, c seed.OpenLoyaltyCustomer, hash string) user {
	profile := map[string]any{"email": c.Email}
	if c.Phone != "" {
		profile["phone"] = c.Phone
	}
	return user{tenant: store, login: c.Email, role: RoleCustomer, aliases: []string{c.Phone}, hash: hash, profile: profile}
}

// realPermissions are an admin's permissions as the service reports them
// (Role::getRealPermissions): each access in order, MODIFY followed by the
// VIEW it implies, without repeats; JSON-shaped, as the profile is.
func realPermissions(in map[string][]string) (map[string]any, error) {
	out := map[string]any{}
	for resource, accesses := range in {
		if resource == "" {
			return nil, errors.New("a permission's resource is empty")
		}
		var list []any
		add := func(a string) {
			if !slices.Contains(list, any(a)) {
				list = append(list, a)
			}
		}
		for _, a := range accesses {
			if a != "VIEW" && a != "MODIFY" {
				return nil, fmt.Errorf("permission %q of %s is not VIEW or MODIFY", a, resource)
			}
			add(a)
			if a == "MODIFY" {
				add("VIEW")
			}
		}
		if len(list) > 0 {
			out[resource] = list
		}
	}
	return out, nil
}

// create adds a user with a UUID and one login per name.
func create(tx *identity.Tx, u user) error {
	if u.number == "" {
		u.number = tx.Random().UUID()
	}
	cust, _, err := tx.CreateCustomer(identity.NewCustomer{
		API: API, Tenant: u.tenant, Number: u.number, Email: u.login, PasswordHash: u.hash,
		Role: u.role, Active: true, Profile: u.profile,
	})
	if errors.Is(err, identity.ErrDuplicate) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, alias := range u.aliases {
		if alias == "" || strings.EqualFold(alias, u.login) {
			continue
		}
		if _, err := tx.AddAccount(cust, alias, u.hash, u.role); err != nil {
			return fmt.Errorf("openloyalty: %q of %s: %w", alias, u.login, err)
		}
	}
	return nil
}
