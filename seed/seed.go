// Package seed is doppel's seed document: the JSON that fills the mock at
// start (doppel serve --fixtures), through POST /__doppel/seed and
// PUT /__doppel/state, and that the conformance suite seeds a doppel
// deployment with. It holds the document's types and nothing of the mock.
package seed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Document is a seed document: each face has its own top-level key. The
// mock's documents may also hold a whole state under "state" (its
// persist.Document), which is the mock's own.
type Document struct {
	Emporix     *Emporix     `json:"emporix,omitempty"`
	OpenLoyalty *OpenLoyalty `json:"openloyalty,omitempty"`
	Accounts    *Accounts    `json:"accounts,omitempty"`
}

// Emporix seeds the Emporix face, by tenant.
type Emporix struct {
	Tenants map[string]EmporixTenant `json:"tenants"`
}

// EmporixTenant is one tenant's settings and customers.
type EmporixTenant struct {
	DoubleOptIn bool                    `json:"doubleOptIn"`
	Customers   []EmporixCustomer       `json:"customers"`
	Drawn       *Drawn[EmporixCustomer] `json:"-"` // more customers, drawn when needed
}

// EmporixCustomer is an active customer with a password login, its profile
// and its addresses (the first is the default).
type EmporixCustomer struct {
	Email        string           `json:"email"`
	Password     string           `json:"password"`
	Title        string           `json:"title,omitempty"`
	FirstName    string           `json:"firstName,omitempty"`
	LastName     string           `json:"lastName,omitempty"`
	ContactPhone string           `json:"contactPhone,omitempty"`
	Company      string           `json:"company,omitempty"`
	Addresses    []EmporixAddress `json:"addresses,omitempty"`
}

// EmporixAddress is a postal address of an Emporix customer.
type EmporixAddress struct {
	ContactName  string   `json:"contactName,omitempty"`
	CompanyName  string   `json:"companyName,omitempty"`
	Street       string   `json:"street,omitempty"`
	StreetNumber string   `json:"streetNumber,omitempty"`
	ZipCode      string   `json:"zipCode,omitempty"`
	City         string   `json:"city,omitempty"`
	State        string   `json:"state,omitempty"`
	Country      string   `json:"country,omitempty"`
	ContactPhone string   `json:"contactPhone,omitempty"`
	Tags         []string `json:"tags,omitempty"`
}

// Parse decodes a seed document strictly (Decode).
func Parse(data []byte) (*Document, error) {
	var doc Document
	if err := Decode(data, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// Decode decodes one seed document — a Document, or a type that embeds
// one — strictly: unknown keys are errors, so a typo is reported instead of
// silently seeding nothing; numbers are json.Number.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber() // profiles and addresses keep every digit of their numbers
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("seed document: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("seed document: trailing data after the JSON object")
	}
	return nil
}

// Epoch is the instant every seeded record is dated at (creation, mail,
// codes), so that the same seed gives the same state on every start.
var Epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
