package openloyalty

import (
	"net/http"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// MsgEmailTakenSeller is the seller form's answer to the e-mail of another
// seller (the framework's SellerRegistrationFormHandler).
const MsgEmailTakenSeller = "This email is already taken"

// sellerForm lists the fields of the service's seller registration form
// (SellerRegistrationFormType), and sellerCheckboxes its checkboxes.
var (
	sellerForm       = []string{"firstName", "lastName", "active", "email", "phone", "posId", "plainPassword", "allowPointTransfer"}
	sellerCheckboxes = []string{"active", "allowPointTransfer"}
)

// posPrefix starts the tenant record of a point of sale: points of sale are
// global, as admins and sellers are, and no store code starts with "_".
const posPrefix = "_pos/"

// hasPointOfSale reports whether id names a point of sale of the program.
func hasPointOfSale(tx *identity.Tx, id string) bool {
	for _, t := range tx.Tenants(API) {
		if t.Name == posPrefix+id {
			return true
		}
	}
	return false
}

// addPointOfSale records a point of sale.
func addPointOfSale(tx *identity.Tx, id string) {
	tx.SaveTenant(store.Tenant{API: API, Name: posPrefix + id})
}

// registerSeller serves an admin's seller registration: a seller[…] form that
// creates a seller of a point of sale with the password it names, active
// when the form checks active (else deactivated, as the service registers
// it), and answers its id, e-mail and password.
func (f *Face) registerSeller(c *face.Call) error {
	var in struct {
		Seller map[string]any `json:"seller"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.Seller == nil { // the form was not submitted: every field, no message
		return formProblem(sellerForm, nil)
	}
	g := newSubmission(sellerCheckboxes)
	g.read("", in.Seller, sellerForm)
	g.required("firstName", "lastName", "email", "posId", "plainPassword")
	g.contact()
	if err := f.id.Read(func(tx *identity.Tx) error {
		if id := g.values["posId"]; id != "" && !hasPointOfSale(tx, id) {
			g.fail("posId", MsgInvalid) // a choice among the points of sale
		}
		return nil
	}); err != nil {
		return err
	}
	if err := formError(sellerForm, g.failed); err != nil {
		return err
	}
	v := g.values
	hash := f.id.HashPassword(v["plainPassword"])
	var id string
	err := f.id.Write(func(tx *identity.Tx) error {
		if _, err := tx.AccountByEmail(API, SellerTenant, v["email"]); err == nil {
			g.fail("email", MsgEmailTakenSeller)
			return formError(sellerForm, g.failed)
		}
		profile := map[string]any{"email": v["email"]}
		for _, name := range []string{"firstName", "lastName", "phone", "posId", "allowPointTransfer"} {
			if v[name] != "" {
				profile[name] = v[name]
			}
		}
		u, _, err := tx.CreateCustomer(identity.NewCustomer{
			API: API, Tenant: SellerTenant, Number: tx.Random().UUID(), Email: v["email"], PasswordHash: hash,
			Role: RoleSeller, Active: v["active"] != "", Profile: profile,
		})
		if err != nil {
			return err
		}
		id = u.Number
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"sellerId": id, "password": v["plainPassword"], "email": v["email"]})
}

// activateSeller serves an admin's activation (or deactivation) of a
// seller: a deactivated seller's login is answered "Your account is not
// active" and its JWTs are refused.
func (f *Face) activateSeller(active bool) func(*face.Call) error {
	return func(c *face.Call) error {
		id := c.R.PathValue("seller")
		err := f.id.Write(func(tx *identity.Tx) error {
			u, err := tx.CustomerByNumber(API, SellerTenant, id)
			if err != nil {
				return errNotFound // the seller param converter's
			}
			cp := *u
			cp.Active = active
			tx.SaveCustomer(&cp)
			return nil
		})
		if err != nil {
			return err
		}
		return c.Status(http.StatusOK)
	}
}
