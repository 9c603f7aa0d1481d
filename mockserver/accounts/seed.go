package accounts

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// Seed implements face.Face: the document's customers, active ones with
// their password, pending ones with an activation mail. Customers whose
// e-mail exists already are left as they are.
func (f *Face) Seed(all *fixtures.Document, hash func(string) string) (func(*identity.Tx) error, error) {
	doc := all.Accounts
	if doc == nil {
		return nil, nil
	}
	type hashed struct {
		fixtures.AccountsCustomer
		hash string
	}
	customers := make([]hashed, 0, len(doc.Customers))
	seen := map[string]bool{}
	for i, c := range doc.Customers {
		if err := check(c, seen); err != nil {
			return nil, fmt.Errorf("accounts: customer %d: %w", i, err)
		}
		h := hashed{AccountsCustomer: c}
		if c.Password != "" {
			h.hash = hash(c.Password)
		}
		customers = append(customers, h)
	}
	return func(tx *identity.Tx) error {
		for _, c := range customers {
			profile := face.Fields("name", c.Name, "address", c.Address, "address_town", c.AddressTown,
				"address_postcode", c.AddressPostcode, "address_region", c.AddressRegion, "country", c.Country,
				"phone", c.Phone, "mobile", c.Mobile)
			pending := c.Status == fixtures.StatusPending
			cust, acct, err := tx.CreateCustomer(identity.NewCustomer{
				API: API, Tenant: Tenant, NumberDigits: 14, Email: c.Email, PasswordHash: c.hash,
				Active: !pending, Profile: profile,
			})
			switch {
			case errors.Is(err, identity.ErrDuplicate):
				continue
			case err != nil:
				return err
			case pending:
				f.mail(tx, cust, acct, acct.Email, MailActivation, "", nil)
			}
		}
		return nil
	}, nil
}

// emailPattern is the contract's shape of an e-mail address.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// check validates one seeded customer; seen collects the e-mails so far.
func check(c fixtures.AccountsCustomer, seen map[string]bool) error {
	key := strings.ToLower(c.Email)
	switch {
	case !emailPattern.MatchString(c.Email):
		return fmt.Errorf("email %q is not an e-mail address", c.Email)
	case seen[key]:
		return fmt.Errorf("email %q appears twice", c.Email)
	case c.Status != "" && c.Status != fixtures.StatusActive && c.Status != fixtures.StatusPending:
		return fmt.Errorf("status %q is neither %q nor %q", c.Status, fixtures.StatusActive, fixtures.StatusPending)
	case c.Status == fixtures.StatusPending && c.Password != "":
		return fmt.Errorf("a pending customer has no password (activation sets it)")
	case c.Status != fixtures.StatusPending && c.Password == "":
		return fmt.Errorf("an active customer needs a password")
	}
	seen[key] = true
	return nil
}
