package openloyalty

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// MailTemporaryPassword is the mailbox kind of the mail that gives an
// admin-registered customer its temporary password (the framework's
// registration_with_temporary_password template).
const MailTemporaryPassword = "registration_with_temporary_password"

// profileTemporary marks, in a customer's profile, a password it has not
// changed since the service generated it (the framework's
// temporaryPasswordSetAt); its logins then answer errPasswordChange.
const profileTemporary = "temporaryPasswordSetAt"

// errPasswordChange is what a login or refresh of a customer with a
// temporary password adds to its tokens.
const errPasswordChange = "password change needed"

// Messages of the registration form: Symfony's constraints, the phone
// number rules and the service's uniqueness checks.
const (
	MsgInvalid     = "This value is not valid."
	MsgEmail       = "This value is not a valid email address."
	MsgPhone       = "This value is not a valid phone number."
	MsgPhoneFormat = "Incorrect phone number format, use +00000000000"
	MsgExtra       = "This form should not contain extra fields."
	MsgEmailTaken  = "customer with such email already exists"
	MsgPhoneTaken  = "customer with such phone already exists"
	MsgCardTaken   = "customer with such loyalty card number already exists"
)

var (
	addressFields = []string{"street", "address1", "address2", "postal", "city", "province", "country"}
	companyFields = []string{"name", "nip"}
	// emailPattern is Symfony's loose e-mail check.
	emailPattern = regexp.MustCompile(`^.+@\S+\.\S+$`)
	// phonePattern stands for libphonenumber's check without a default
	// region: a + and a country code, 8 to 15 digits in all.
	phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	// numericPattern is PHP's is_numeric.
	numericPattern = regexp.MustCompile(`^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// registrationForm lists the fields of the service's customer registration
// form (CustomerRegistrationFormType with e-mail activation, as the admin
// and seller controllers build it; sellers get no sellerId), compound
// fields' children as "address.street".
func registrationForm(bySeller bool) []string {
	fields := []string{"firstName", "lastName", "gender", "email", "phone", "birthDate", "createdAt", "address", "company"}
	for _, f := range addressFields {
		fields = append(fields, "address."+f)
	}
	for _, f := range companyFields {
		fields = append(fields, "company."+f)
	}
	fields = append(fields, "loyaltyCardNumber", "labels", "agreement1", "agreement2", "agreement3",
		"referral_customer_email", "levelId", "posId")
	if !bySeller {
		fields = append(fields, "sellerId")
	}
	return fields
}

// customerCheckboxes are the checkboxes of the customer form.
var customerCheckboxes = []string{"agreement1", "agreement2", "agreement3"}

// submission is a submitted Symfony form read field by field.
type submission struct {
	values     map[string]string // by field, as in the form's field list
	failed     map[string][]string
	checkboxes []string // the fields that are checkboxes
}

func newSubmission(checkboxes []string) *submission {
	return &submission{values: map[string]string{}, failed: map[string][]string{}, checkboxes: checkboxes}
}

func (g *submission) fail(field, msg string) { g.failed[field] = append(g.failed[field], msg) }

// text is a field's value as Symfony reads a scalar: nil is empty, true is
// "1", false is empty; an array or object is no valid value.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool:
		if v {
			return "1", true
		}
		return "", true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// read takes the fields of one (compound) form from in, reporting extra
// fields on the form itself (prefix "" is the root).
func (g *submission) read(prefix string, in map[string]any, fields []string) {
	for key, v := range in {
		name := prefix + key
		if !slices.Contains(fields, key) {
			g.fail(strings.TrimSuffix(prefix, "."), MsgExtra)
			continue
		}
		if key == "address" || key == "company" {
			sub, ok := v.(map[string]any)
			if !ok && v != nil {
				g.fail(name, MsgInvalid)
				continue
			}
			g.read(name+".", sub, map[string][]string{"address": addressFields, "company": companyFields}[key])
			continue
		}
		s, ok := text(v)
		if !ok {
			g.fail(name, MsgInvalid)
			continue
		}
		if slices.Contains(g.checkboxes, key) {
			if v != nil && v != false {
				s = "1" // a submitted checkbox is checked, whatever its value
			}
		}
		g.values[name] = s
	}
}

// required fails each field that is blank (NotBlank) and valid otherwise.
func (g *submission) required(fields ...string) {
	for _, f := range fields {
		if g.values[f] == "" && len(g.failed[f]) == 0 {
			g.fail(f, MsgBlank)
		}
	}
}

// contact checks the e-mail and phone number fields, as the customer and
// seller forms do.
func (g *submission) contact() {
	if e := g.values["email"]; e != "" && !emailPattern.MatchString(e) {
		g.fail("email", MsgEmail)
	}
	if p := g.values["phone"]; p != "" {
		if !phonePattern.MatchString(p) {
			g.fail("phone", MsgPhone)
		}
		if !numericPattern.MatchString(p) {
			g.fail("phone", MsgPhoneFormat)
		}
	}
}

// validate applies the customer form's constraints, every failure at once;
// levelId, posId and sellerId must name a level (the mock has none), a
// point of sale and a seller.
func (g *submission) validate(pos, sellers func(id string) bool) {
	g.required("firstName", "lastName", "email", "agreement1")
	g.contact()
	if v := g.values["gender"]; v != "" && v != "male" && v != "female" {
		g.fail("gender", MsgInvalid)
	}
	for field, layout := range map[string]string{"birthDate": time.DateOnly, "createdAt": time.RFC3339} {
		if v := g.values[field]; v != "" {
			if _, err := time.Parse(layout, v); err != nil {
				g.fail(field, MsgInvalid)
			}
		}
	}
	if g.values["levelId"] != "" { // a choice among the levels: the mock has none
		g.fail("levelId", MsgInvalid)
	}
	if id := g.values["posId"]; id != "" && !pos(id) {
		g.fail("posId", MsgInvalid)
	}
	if id := g.values["sellerId"]; id != "" && !sellers(id) {
		g.fail("sellerId", MsgInvalid)
	}
	address := false
	for _, f := range addressFields {
		address = address || g.values["address."+f] != ""
	}
	if address { // an address needs its street, post code and city
		for _, f := range []string{"street", "postal", "city"} {
			if g.values["address."+f] == "" {
				g.fail("address."+f, MsgBlank)
			}
		}
	}
}

// register serves the admin's (and seller's) customer registration: a
// customer[…] form that creates an active customer of the path's store with
// a generated temporary password, which it mails to the customer.
func (f *Face) register(c *face.Call) error {
	var in struct {
		Customer map[string]any `json:"customer"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	by := caller(c)
	fields := registrationForm(kindOf(by) == sellerKind)
	g := newSubmission(customerCheckboxes)
	if in.Customer == nil { // the form was not submitted: every field, no message
		return formProblem(fields, nil)
	}
	g.read("", in.Customer, fields)
	tenant := customerKind.tenant(c.R)
	if err := f.id.Read(func(tx *identity.Tx) error {
		g.validate(func(id string) bool { return hasPointOfSale(tx, id) }, func(id string) bool {
			u, err := tx.CustomerByNumber(API, SellerTenant, id)
			return err == nil && kindOf(u) == sellerKind
		})
		return nil
	}); err != nil {
		return err
	}
	if err := formError(fields, g.failed); err != nil {
		return err
	}
	v := g.values
	password := f.id.Rand.Alnum(10) + "-" + f.id.Rand.Digits(2) + "aB" // like the service's generated one, it meets the policy
	hash := f.id.HashPassword(password)
	var id string
	err := f.id.Write(func(tx *identity.Tx) error {
		if unique(tx, tenant, v, g); len(g.failed) > 0 {
			return formError(fields, g.failed)
		}
		profile := map[string]any{"email": v["email"], profileTemporary: tx.Now().UTC().Format(time.RFC3339)}
		for name, value := range v {
			if value != "" && name != "email" {
				profile[name] = value
			}
		}
		u, _, err := tx.CreateCustomer(identity.NewCustomer{
			API: API, Tenant: tenant, Number: tx.Random().UUID(), Email: v["email"], PasswordHash: hash,
			Role: RoleCustomer, Active: true, Profile: profile,
		})
		if err != nil {
			return err
		}
		if phone := v["phone"]; phone != "" {
			if _, err := tx.AddAccount(u, phone, hash, RoleCustomer); err != nil {
				return err
			}
		}
		id = u.Number
		tx.Send(store.Message{
			API: API, Tenant: tenant, To: v["email"], Kind: MailTemporaryPassword, Subject: "Account created",
			Body: fmt.Sprintf("Your loyalty account %s was created. Log in with the temporary password %s and change it.",
				v["email"], password),
			Token: password, Identifier: id,
		})
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"customerId": id, "email": v["email"]})
}

// unique adds the service's uniqueness failures in a store: the e-mail, the
// phone number and the loyalty card number of another customer.
func unique(tx *identity.Tx, tenant string, v map[string]string, g *submission) {
	if _, err := tx.AccountByEmail(API, tenant, v["email"]); err == nil {
		g.fail("email", MsgEmailTaken)
	}
	if p := v["phone"]; p != "" {
		if _, err := tx.AccountByEmail(API, tenant, p); err == nil {
			g.fail("phone", MsgPhoneTaken)
		}
	}
	if card := v["loyaltyCardNumber"]; card != "" {
		for _, u := range tx.Customers(API, tenant) {
			if u.Profile["loyaltyCardNumber"] == card {
				g.fail("loyaltyCardNumber", MsgCardTaken)
				break
			}
		}
	}
}

// temporary reports whether a customer still has the password the service
// generated for it.
func temporary(u *store.Customer) bool {
	_, ok := u.Profile[profileTemporary]
	return ok && kindOf(u) == customerKind
}

// keepPassword clears a customer's temporary password mark, as a password
// change does.
func keepPassword(tx *identity.Tx, userID string) {
	u, err := tx.Customer(userID)
	if err != nil || !temporary(u) {
		return
	}
	cp := *u
	cp.Profile = maps.Clone(u.Profile) // the stored record is never changed in place
	delete(cp.Profile, profileTemporary)
	tx.SaveCustomer(&cp)
}
