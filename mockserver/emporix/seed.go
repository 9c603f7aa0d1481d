package emporix

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
	"github.com/doppel-dev/doppel/seed"
)

// Settings are a tenant's settings as the admin API shows them.
type Settings struct {
	API         string `json:"api"`
	Tenant      string `json:"tenant"`
	DoubleOptIn bool   `json:"doubleOptIn"`
}

// ConfigureTenant implements face.TenantSettings: patch may set
// doubleOptIn.
func (f *Face) ConfigureTenant(tenant string, patch io.Reader) (any, error) {
	var in struct {
		DoubleOptIn *bool `json:"doubleOptIn"`
	}
	dec := json.NewDecoder(patch)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("tenant settings: %w", err)
	}
	return f.Configure(tenant, in.DoubleOptIn)
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

// Seed implements face.Seeder: the document's tenants and their customers
// with their addresses. Customers whose e-mail exists already are left as
// they are.
func (f *Face) Seed(all *seed.Document, hash func(string) string) (func(*identity.Tx) error, error) {
	doc := all.Emporix
	if doc == nil {
		return nil, nil
	}
	tenants := slices.Sorted(maps.Keys(doc.Tenants)) // sorted: salts and ids are drawn in a stable order
	hashes := map[string][]string{}
	for _, tenant := range tenants {
		if !tenantPattern.MatchString(tenant) {
			return nil, fmt.Errorf("emporix: tenant %q does not match ^[a-z][a-z0-9]+$ (3-16 characters)", tenant)
		}
		for i, c := range doc.Tenants[tenant].Customers {
			if c.Email == "" || c.Password == "" {
				return nil, fmt.Errorf("emporix: tenant %q customer %d: email and password are required", tenant, i)
			}
			hashes[tenant] = append(hashes[tenant], hash(c.Password))
		}
	}
	drawnHash := map[string]string{}
	for _, tenant := range tenants {
		if d := doc.Tenants[tenant].Drawn; d != nil {
			drawnHash[tenant] = hash(d.Password)
		}
	}
	return func(tx *identity.Tx) error {
		for _, tenant := range tenants {
			t := doc.Tenants[tenant]
			settings := tx.Tenant(API, tenant)
			settings.DoubleOptIn = t.DoubleOptIn
			tx.SaveTenant(settings)
			for i, c := range t.Customers {
				if err := createCustomer(tx, tenant, c, hashes[tenant][i], ""); err != nil {
					return err
				}
			}
			if d := t.Drawn; d != nil {
				err := tx.AddReserve(identity.Reserve{
					API: API, Tenant: tenant, Count: d.Count, Logins: d.Logins,
					Number: func(r *identity.Random) string { return r.Digits(numberDigits) },
					Create: func(tx *identity.Tx, i int, number string) error {
						return createCustomer(tx, tenant, d.Draw(i), drawnHash[tenant], number)
					},
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

// numberDigits is the length of a customer number.
const numberDigits = 8

// createCustomer stores a seed document's customer with its addresses,
// under number when not "" (else a fresh one); a customer whose e-mail is
// taken is left out.
func createCustomer(tx *identity.Tx, tenant string, c seed.EmporixCustomer, hash, number string) error {
	cust, _, err := tx.CreateCustomer(identity.NewCustomer{
		API: API, Tenant: tenant, NumberDigits: numberDigits, Number: number, Email: c.Email, PasswordHash: hash,
		Active: true, Profile: face.Fields("contactEmail", c.Email, "title", c.Title, "firstName", c.FirstName,
			"lastName", c.LastName, "contactPhone", c.ContactPhone, "company", c.Company),
	})
	if errors.Is(err, identity.ErrDuplicate) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, a := range c.Addresses {
		tx.AddAddress(store.Address{CustomerID: cust.ID, Tags: a.Tags, Fields: face.Fields(
			"contactName", a.ContactName, "companyName", a.CompanyName, "street", a.Street,
			"streetNumber", a.StreetNumber, "zipCode", a.ZipCode, "city", a.City, "state", a.State,
			"country", a.Country, "contactPhone", a.ContactPhone)})
	}
	return nil
}
