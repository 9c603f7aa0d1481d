package emporix

import (
	"net/http"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func (f *Face) passwordReset(c *face.Call) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, c.R.PathValue("tenant"), in.Email)
		if err != nil {
			return nil // unknown e-mails are not revealed
		}
		cust, err := tx.Customer(acct.CustomerID)
		if err != nil {
			return nil
		}
		f.mail(tx, cust, acct, acct.Email, MailPasswordReset, resetTTL, nil)
		return nil
	})
}

func (f *Face) passwordResetUpdate(c *face.Call) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.Password == "" {
		return badRequest("'password' must not be empty.")
	}
	hash := f.id.HashPassword(in.Password)
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		code, err := tx.ConsumeCode(API, c.R.PathValue("tenant"), MailPasswordReset, in.Token)
		if err != nil {
			return badRequest("The password reset token is invalid, used or expired.")
		}
		return setPassword(tx, code.CustomerID, code.AccountID, hash)
	})
}

func setPassword(tx *identity.Tx, customerID, accountID, hash string) error {
	if err := tx.SetPassword(customerID, accountID, hash); err != nil {
		return badRequest("The account no longer exists.")
	}
	return nil
}

func (f *Face) passwordChange(c *face.Call) error {
	var in struct {
		CurrentPassword string `json:"currentPassword"`
		NewPassword     string `json:"newPassword"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.NewPassword == "" {
		return badRequest("'newPassword' must not be empty.")
	}
	tok := caller(c)
	if err := f.checkPassword(tok, tok.AccountID, in.CurrentPassword); err != nil {
		return err
	}
	hash := f.id.HashPassword(in.NewPassword)
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		return setPassword(tx, tok.CustomerID, tok.AccountID, hash)
	})
}

// checkPassword verifies a password of one of the caller's logins, outside
// any write transaction (hashing is slow).
func (f *Face) checkPassword(tok *store.Token, accountID, password string) error {
	return f.id.Read(func(tx *identity.Tx) error {
		acct, err := tx.Account(accountID)
		if err != nil || acct.CustomerID != tok.CustomerID || !f.id.VerifyPassword(acct, password) {
			return badRequest("The current e-mail or password is not valid.")
		}
		return nil
	})
}

func (f *Face) emailChange(c *face.Call) error {
	var in struct {
		Email            string `json:"email"`
		Password         string `json:"password"`
		NewEmail         string `json:"newEmail"`
		SyncContactEmail bool   `json:"syncContactEmail"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if err := emailField("newEmail", in.NewEmail); err != nil {
		return err
	}
	tok := caller(c)
	var accountID string
	if err := f.id.Read(func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, tok.Tenant, in.Email)
		if err == nil {
			accountID = acct.ID
		}
		return nil
	}); err != nil {
		return err
	}
	if err := f.checkPassword(tok, accountID, in.Password); err != nil {
		return err
	}
	payload := map[string]string{"newEmail": in.NewEmail}
	if in.SyncContactEmail {
		payload["syncContactEmail"] = "true"
	}
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		if _, err := tx.AccountByEmail(API, tok.Tenant, in.NewEmail); err == nil {
			return domainErrors.Answer(identity.ErrDuplicate, in.NewEmail, tok.Tenant)
		}
		cust, err := customerOf(tx, tok)
		if err != nil {
			return err
		}
		acct, err := tx.Account(accountID)
		if err != nil {
			return errInvalidToken
		}
		f.mail(tx, cust, acct, in.NewEmail, MailEmailChange, emailChangeTTL, payload)
		return nil
	})
}

func (f *Face) emailChangeConfirm(c *face.Call) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	tenant := c.R.PathValue("tenant")
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		code, err := tx.ConsumeCode(API, tenant, MailEmailChange, in.Token)
		if err != nil {
			return badRequest("The e-mail change token is invalid, used or expired.")
		}
		acct, err := tx.Account(code.AccountID)
		if err != nil {
			return badRequest("The account no longer exists.")
		}
		newEmail := code.Payload["newEmail"]
		cp := *acct
		cp.Email = newEmail
		if err := tx.SaveAccount(&cp); err != nil {
			return domainErrors.Answer(err, newEmail, tenant)
		}
		if code.Payload["syncContactEmail"] == "true" {
			_, err = tx.UpdateProfile(acct.CustomerID, nil, func(cust *store.Customer) error {
				cust.Profile = face.MergePatch(cust.Profile, map[string]any{"contactEmail": newEmail}, nil)
				return nil
			})
		}
		return err
	})
}
