package openloyalty

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// user is a seeded user: its first login, the other names it logs in with,
// and its profile.
type user struct {
	tenant, login string
	aliases       []string
	hash          string
	profile       map[string]any
}

// Seed implements face.Face: the document's admins and stores' customers.
// Users whose first login exists already are left as they are; an alias
// (admin e-mail, customer phone) taken by another user fails the seed.
// Seeded passwords need not meet the password policy.
func (f *Face) Seed(all *fixtures.Document, hash func(string) string) (func(*identity.Tx) error, error) {
	doc := all.OpenLoyalty
	if doc == nil {
		return nil, nil
	}
	var users []user
	for i, a := range doc.Admins {
		if a.Username == "" || a.Email == "" || a.Password == "" {
			return nil, fmt.Errorf("openloyalty: admin %d: username, email and password are required", i)
		}
		users = append(users, user{tenant: AdminTenant, login: a.Username, aliases: []string{a.Email},
			hash: hash(a.Password), profile: map[string]any{"username": a.Username, "email": a.Email}})
	}
	for _, code := range slices.Sorted(maps.Keys(doc.Stores)) { // sorted: ids are drawn in a stable order
		if !storePattern.MatchString(code) {
			return nil, fmt.Errorf("openloyalty: store %q does not match %s", code, storePattern)
		}
		for i, c := range doc.Stores[code].Customers {
			if c.Email == "" || c.Password == "" {
				return nil, fmt.Errorf("openloyalty: store %q customer %d: email and password are required", code, i)
			}
			profile := map[string]any{"email": c.Email}
			if c.Phone != "" {
				profile["phone"] = c.Phone
			}
			users = append(users, user{tenant: code, login: c.Email, aliases: []string{c.Phone},
				hash: hash(c.Password), profile: profile})
		}
	}
	return func(tx *identity.Tx) error {
		for _, u := range users {
			if err := create(tx, u); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// create adds a user with a UUID and one login per name.
func create(tx *identity.Tx, u user) error {
	role := RoleCustomer
	if u.tenant == AdminTenant {
		role = RoleAdmin
	}
	cust, _, err := tx.CreateCustomer(identity.NewCustomer{
		API: API, Tenant: u.tenant, Number: tx.Random().UUID(), Email: u.login, PasswordHash: u.hash,
		Role: role, Active: true, Profile: u.profile,
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
		if _, err := tx.AddAccount(cust, alias, u.hash, role); err != nil {
			return fmt.Errorf("openloyalty: %q of %s: %w", alias, u.login, err)
		}
	}
	return nil
}
