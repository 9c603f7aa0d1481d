package accounts

import (
	"net/http"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// isProfileField tells the profile fields of a PATCH from email, which is
// only mailed (the contract refuses any other field).
func isProfileField(key string) bool { return key != "email" }

// customerResponse is the seed's CustomerResponse: every field present.
type customerResponse struct {
	Address         *string `json:"address"`
	Mobile          *string `json:"mobile"`
	Phone           *string `json:"phone"`
	Name            *string `json:"name"`
	Country         *string `json:"country"`
	AddressTown     *string `json:"address_town"`
	AddressPostcode *string `json:"address_postcode"`
	Email           string  `json:"email"`
	ID              string  `json:"id"`
	Subscriptions   []any   `json:"subscriptions"`
	AddressRegion   *string `json:"address_region"`
}

// render is a customer as GET /customers/self shows it.
func render(cust *store.Customer, acct *store.Account) customerResponse {
	field := func(key string) *string {
		if s, ok := cust.Profile[key].(string); ok {
			return &s
		}
		return nil
	}
	return customerResponse{
		Address: field("address"), Mobile: field("mobile"), Phone: field("phone"), Name: field("name"),
		Country: field("country"), AddressTown: field("address_town"), AddressPostcode: field("address_postcode"),
		Email: acct.Email, ID: cust.Number, Subscriptions: []any{}, AddressRegion: field("address_region"),
	}
}

// self loads the caller's customer and login inside a transaction.
func self(tx *identity.Tx, s *scope) (*store.Customer, *store.Account, error) {
	tok := s.token
	cust, err := tx.Customer(tok.CustomerID)
	if err != nil {
		return nil, nil, domainErrors.Answer(err) // deleted meanwhile
	}
	acct, err := tx.Account(tok.AccountID)
	if err != nil {
		return nil, nil, domainErrors.Answer(err)
	}
	return cust, acct, nil
}

func (f *Face) login(c *face.Call) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	s := caller(c)
	var token string
	_, err := f.id.Login(API, s.name, in.Email, in.Password, func(tx *identity.Tx, l *identity.Session) error {
		token = tx.Random().Hex(32)
		tx.PutToken(&store.Token{
			Value: token, Kind: store.TokenAccess, API: API, Tenant: s.name, CustomerID: l.Customer.ID,
			AccountID: l.Account.ID, Issued: tx.Now(), Expires: tx.Now().Add(TokenTTL),
		})
		return nil
	})
	if err != nil {
		return domainErrors.Answer(err)
	}
	return c.JSON(http.StatusOK, map[string]string{"token": token})
}

func (f *Face) getSelf(c *face.Call) error {
	var out customerResponse
	err := f.id.Read(func(tx *identity.Tx) error {
		cust, acct, err := self(tx, caller(c))
		if err == nil {
			out = render(cust, acct)
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (f *Face) patchSelf(c *face.Call) error {
	var patch map[string]any
	if err := c.Decode(&patch); err != nil {
		return err
	}
	newEmail, _ := patch["email"].(string)
	s := caller(c)
	var out customerResponse
	err := f.id.Write(func(tx *identity.Tx) error {
		cust, acct, err := self(tx, s)
		if err != nil {
			return err
		}
		if newEmail != "" && !strings.EqualFold(newEmail, acct.Email) {
			if _, err := tx.AccountByEmail(API, s.name, newEmail); err == nil {
				return errEmailTaken
			}
			f.mail(tx, cust, acct, newEmail, MailEmailChange, appLink(s.origin, MailEmailChange, cust.Number), map[string]string{"email": newEmail})
		}
		cust, err = tx.UpdateProfile(cust.ID, nil, func(cust *store.Customer) error {
			cust.Profile = face.MergePatch(cust.Profile, patch, isProfileField)
			return nil
		})
		if err != nil {
			return domainErrors.Answer(err)
		}
		out = render(cust, acct)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (f *Face) deleteSelf(c *face.Call) error {
	err := f.id.Write(func(tx *identity.Tx) error {
		return domainErrors.Answer(tx.DeleteCustomer(caller(c).token.CustomerID)) // deleted meanwhile
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, result("deleted"))
}

// result is the seed's SuccessResponse.
func result(verb string) map[string]string { return map[string]string{"result": verb} }
