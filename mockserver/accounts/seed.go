package accounts

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/seed"
)

// seedRetailer is a checked retailer of a seed document.
type seedRetailer struct {
	name      string   // "" when the first origin names it
	origins   []string // normalised
	customers []seedCustomer
	drawn     *seed.Drawn[seed.AccountsCustomer] // the default retailer's drawn customers
	drawnHash string                             // their password's hash
}

// seedCustomer is a checked customer with its password hashed.
type seedCustomer struct {
	seed.AccountsCustomer
	hash string
}

// Seed implements face.Seeder: the document's retailers gain the origins it
// gives them, and its customers are added to their retailer (the top-level
// ones to the default retailer), active ones with their password, pending
// ones with an activation mail. Customers whose e-mail exists already in
// their retailer are left as they are.
func (f *Face) Seed(all *seed.Document, hash func(string) string) (func(*identity.Tx) error, error) {
	doc := all.Accounts
	if doc == nil {
		return nil, nil
	}
	retailers, err := checkRetailers(doc, hash)
	if err != nil {
		return nil, err
	}
	return func(tx *identity.Tx) error {
		for _, r := range retailers {
			if err := f.seedRetailer(tx, r); err != nil {
				return fmt.Errorf("accounts: %w", err)
			}
		}
		return nil
	}, nil
}

// seedRetailer registers a retailer's origins and adds its customers.
func (f *Face) seedRetailer(tx *identity.Tx, r seedRetailer) error {
	name := r.name
	if name == "" {
		if owner, ok := retailerOf(tx, r.origins[0]); ok {
			name = owner.name
		} else {
			u, _ := url.Parse(r.origins[0])
			name = u.Host
		}
	}
	for _, o := range r.origins {
		if owner, ok := retailerOf(tx, o); ok && owner.name != name {
			return fmt.Errorf("origin %s is retailer %q's, not %q's", o, owner.name, name)
		}
	}
	t := tx.Tenant(API, name)
	if origins := union(t.Origins, r.origins); len(origins) > len(t.Origins) {
		t.Origins = origins
		tx.SaveTenant(t)
	}
	ret, ok := lookupRetailer(tx, name)
	if !ok {
		return fmt.Errorf("retailer %q has no origin: no request could reach it", name)
	}
	for _, c := range r.customers {
		if err := f.addCustomer(tx, ret, c, ""); err != nil {
			return err
		}
	}
	if d := r.drawn; d != nil {
		return tx.AddReserve(identity.Reserve{
			API: API, Tenant: name, Count: d.Count, Logins: d.Logins,
			Number: func(r *identity.Random) string { return r.Digits(numberDigits) },
			Create: func(tx *identity.Tx, i int, number string) error {
				c := d.Draw(i)
				if c.Status == seed.StatusPending {
					return errors.New("a drawn customer is pending: its activation mail would be sent when drawn")
				}
				return f.addCustomer(tx, ret, seedCustomer{c, r.drawnHash}, number)
			},
		})
	}
	return nil
}

// numberDigits is the length of a customer number.
const numberDigits = 14

// addCustomer stores a seed document's customer in a retailer, under number
// when not "" (else a fresh one); a pending one is sent its activation mail.
// A customer whose e-mail is taken is left out.
func (f *Face) addCustomer(tx *identity.Tx, ret retailer, c seedCustomer, number string) error {
	profile := face.Fields("name", c.Name, "address", c.Address, "address_town", c.AddressTown,
		"address_postcode", c.AddressPostcode, "address_region", c.AddressRegion, "country", c.Country,
		"phone", c.Phone, "mobile", c.Mobile)
	pending := c.Status == seed.StatusPending
	cust, acct, err := tx.CreateCustomer(identity.NewCustomer{
		API: API, Tenant: ret.name, NumberDigits: numberDigits, Number: number, Email: c.Email, PasswordHash: c.hash,
		Active: !pending, Profile: profile,
	})
	switch {
	case errors.Is(err, identity.ErrDuplicate):
		return nil
	case err != nil:
		return err
	case pending:
		f.mail(tx, cust, acct, acct.Email, MailActivation, appLink(ret.origins[0], MailActivation, cust.Number), nil)
	}
	return nil
}

// union is a fresh list of the origins of a, then those of b not in a.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, o := range b {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// checkRetailers validates a document's retailers and customers — the
// top-level customers are the default retailer's — and hashes the
// passwords, in the document's order.
func checkRetailers(doc *seed.Accounts, hash func(string) string) ([]seedRetailer, error) {
	type entry struct {
		seed.AccountsRetailer
		where string
	}
	entries := make([]entry, 0, len(doc.Retailers)+1)
	def := -1
	for i, r := range doc.Retailers {
		if r.Name == DefaultRetailer && def < 0 {
			def = len(entries)
		}
		entries = append(entries, entry{r, fmt.Sprintf("accounts: retailer %d", i)})
	}
	if def < 0 {
		entries = append([]entry{{seed.AccountsRetailer{Name: DefaultRetailer}, "accounts"}}, entries...)
		def = 0
	}
	entries[def].Customers = append(slices.Clone(doc.Customers), entries[def].Customers...)
	emails := map[string]map[string]bool{} // by retailer key: its e-mails so far
	owners := map[string]string{}          // by origin: the key of the retailer listing it
	out := make([]seedRetailer, 0, len(entries))
	for n, e := range entries {
		where := e.where
		r := seedRetailer{name: e.Name}
		if n == def && doc.Drawn != nil {
			r.drawn, r.drawnHash = doc.Drawn, hash(doc.Drawn.Password)
		}
		if e.Name != "" && !namePattern.MatchString(e.Name) {
			return nil, fmt.Errorf("%s: name %q is not 1-100 lower-case letters, digits, '.', '-', '_' or ':'", where, e.Name)
		}
		for _, o := range e.Origins {
			n, ok := normalizeOrigin(o)
			if !ok {
				return nil, fmt.Errorf("%s: origin %q is not an http(s) origin, scheme://host[:port]", where, o)
			}
			r.origins = append(r.origins, n)
		}
		if r.name == "" && len(r.origins) == 0 {
			return nil, fmt.Errorf("%s: a retailer needs a name or an origin", where)
		}
		key := r.name
		if key == "" {
			key = "origin " + r.origins[0]
		}
		for _, o := range r.origins {
			if other, ok := owners[o]; ok && other != key {
				return nil, fmt.Errorf("%s: origin %s is listed for two retailers", where, o)
			}
			owners[o] = key
		}
		if emails[key] == nil {
			emails[key] = map[string]bool{}
		}
		for _, c := range e.Customers {
			if err := check(c, emails[key]); err != nil {
				return nil, fmt.Errorf("%s: customer %q: %w", where, c.Email, err)
			}
			sc := seedCustomer{AccountsCustomer: c}
			if c.Password != "" {
				sc.hash = hash(c.Password)
			}
			r.customers = append(r.customers, sc)
		}
		out = append(out, r)
	}
	return out, nil
}

// namePattern is the shape of a retailer's name.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._:-]{0,99}$`)

// emailPattern is the contract's shape of an e-mail address.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// check validates one seeded customer; seen collects its retailer's e-mails so far.
func check(c seed.AccountsCustomer, seen map[string]bool) error {
	key := strings.ToLower(c.Email)
	switch {
	case !emailPattern.MatchString(c.Email):
		return fmt.Errorf("email %q is not an e-mail address", c.Email)
	case seen[key]:
		return fmt.Errorf("email %q appears twice", c.Email)
	case c.Status != "" && c.Status != seed.StatusActive && c.Status != seed.StatusPending:
		return fmt.Errorf("status %q is neither %q nor %q", c.Status, seed.StatusActive, seed.StatusPending)
	case c.Status == seed.StatusPending && c.Password != "":
		return fmt.Errorf("a pending customer has no password (activation sets it)")
	case c.Status != seed.StatusPending && c.Password == "":
		return fmt.Errorf("an active customer needs a password")
	}
	seen[key] = true
	return nil
}
