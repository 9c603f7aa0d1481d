package emporix

import (
	"errors"
	"fmt"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// Settings are a tenant's settings as the admin API shows them.
type Settings struct {
	API         string `json:"api"`
	Tenant      string `json:"tenant"`
	DoubleOptIn bool   `json:"doubleOptIn"`
}

// Configure changes a tenant's settings; nil leaves a setting as it is.
func (f *Face) Configure(tenant string, doubleOptIn *bool) (Settings, error) {
	if !tenantPattern.MatchString(tenant) {
		return Settings{}, fmt.Errorf("tenant %q does not match ^[a-z][a-z0-9]+$ (3-16 characters)", tenant)
	}
	var out Settings
	err := f.id.Write(func(tx *identity.Tx) error {
		t := tx.Tenant(API, tenant)
		if doubleOptIn != nil {
			t.DoubleOptIn = *doubleOptIn
		}
		tx.SaveTenant(t)
		out = Settings{API: API, Tenant: tenant, DoubleOptIn: t.DoubleOptIn}
		return nil
	})
	return out, err
}

// Seed implements face.Face: the document's tenants and their customers.
// Customers whose e-mail exists already are left as they are.
func (f *Face) Seed(all *fixtures.Document) (func(*identity.Tx) error, error) {
	doc := all.Emporix
	if doc == nil {
		return nil, nil
	}
	type hashed struct {
		fixtures.EmporixCustomer
		hash string
	}
	byTenant := map[string][]hashed{}
	for tenant, t := range doc.Tenants {
		if !tenantPattern.MatchString(tenant) {
			return nil, fmt.Errorf("emporix: tenant %q does not match ^[a-z][a-z0-9]+$ (3-16 characters)", tenant)
		}
		for i, c := range t.Customers {
			if c.Email == "" || c.Password == "" {
				return nil, fmt.Errorf("emporix: tenant %q customer %d: email and password are required", tenant, i)
			}
			byTenant[tenant] = append(byTenant[tenant], hashed{c, f.id.HashPassword(c.Password)})
		}
	}
	return func(tx *identity.Tx) error {
		for tenant, t := range doc.Tenants {
			settings := tx.Tenant(API, tenant)
			settings.DoubleOptIn = t.DoubleOptIn
			tx.SaveTenant(settings)
			for _, c := range byTenant[tenant] {
				profile := map[string]any{"contactEmail": c.Email}
				if c.FirstName != "" {
					profile["firstName"] = c.FirstName
				}
				if c.LastName != "" {
					profile["lastName"] = c.LastName
				}
				_, _, err := tx.CreateCustomer(identity.NewCustomer{
					API: API, Tenant: tenant, NumberDigits: 8, Email: c.Email, PasswordHash: c.hash,
					Active: true, Profile: profile,
				})
				if err != nil && !errors.Is(err, identity.ErrDuplicate) {
					return err
				}
			}
		}
		return nil
	}, nil
}
