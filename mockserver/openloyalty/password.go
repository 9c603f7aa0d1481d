package openloyalty

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"unicode"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// Messages of the password policy (Open Loyalty's "advanced" level) and of
// Symfony's constraints.
const (
	MsgBlank   = "This value should not be blank."
	MsgLength  = "Your password must be at least 8 characters long."
	MsgCase    = "Your password must include both upper and lower case letters."
	MsgNumber  = "Your password must include at least one number."
	MsgSpecial = "Your password must contain at least one special character."
	MsgCurrent = "This value should be the user's current password."
)

// policy returns every rule a new password breaks, in the service's order.
// As in the service, length counts bytes, and '{' and '}' are not special
// characters (a missing backslash in its pattern).
func policy(password string) []string {
	if password == "" {
		return []string{MsgBlank}
	}
	var lower, upper, number, special bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsNumber(r):
			number = true
		case unicode.IsLetter(r), r == '{', r == '}':
		default:
			special = true
		}
	}
	var out []string
	for _, rule := range []struct {
		broken bool
		msg    string
	}{{len(password) < 8, MsgLength}, {!lower || !upper, MsgCase}, {!number, MsgNumber}, {!special, MsgSpecial}} {
		if rule.broken {
			out = append(out, rule.msg)
		}
	}
	return out
}

var success = map[string]bool{"success": true}

func (f *Face) customerResetRequest(c *face.Call) error {
	return f.resetRequest(c, c.R.PathValue("storeCode"))
}

func (f *Face) adminResetRequest(c *face.Call) error { return f.resetRequest(c, AdminTenant) }

// resetRequest mails a reset token to a user of tenant found by any of its
// logins, unless one was requested within ResetWindow.
func (f *Face) resetRequest(c *face.Call, tenant string) error {
	var in struct {
		Username string `json:"username"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.Username == "" {
		return emptyField("username")
	}
	err := f.id.Write(func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, tenant, in.Username)
		if err != nil {
			return errNotFound
		}
		u, err := tx.Customer(acct.CustomerID)
		if err != nil || !u.Active {
			return errNotFound
		}
		if _, err := tx.LiveCode(u.ID, MailPasswordReset); err == nil {
			return errRequested
		}
		code := tx.IssueCode(store.Code{
			Value: base64.RawURLEncoding.EncodeToString(tx.Random().Bytes(32)), Kind: MailPasswordReset,
			API: API, Tenant: tenant, CustomerID: u.ID, AccountID: acct.ID,
		}, ResetWindow)
		to, _ := u.Profile["email"].(string)
		link := fmt.Sprintf("https://openloyalty.doppel.test/%s/password/reset/%s", tenant, code.Value)
		tx.Send(store.Message{
			API: API, Tenant: tenant, To: to, Kind: MailPasswordReset, Subject: "Password reset requested",
			Body:  fmt.Sprintf("To set a new password, open %s (or send the token %s to /api/password/reset).", link, code.Value),
			Token: code.Value, Identifier: u.Number, Link: link,
		})
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, success)
}

// reset sets a new password with a mailed token, which it uses up.
func (f *Face) reset(c *face.Call) error {
	var in struct {
		Token string `json:"token"`
		Reset struct {
			PlainPassword string `json:"plainPassword"`
		} `json:"reset"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.Token == "" {
		in.Token = c.R.URL.Query().Get("token")
	}
	if in.Token == "" {
		return emptyField("token")
	}
	var code *store.Code
	if err := f.id.Read(func(tx *identity.Tx) (err error) {
		code, err = tx.Code(in.Token)
		if err != nil || code.API != API || code.Kind != MailPasswordReset {
			return errNotFound
		}
		return nil
	}); err != nil {
		return err
	}
	if err := formError([]string{"plainPassword"}, failures("plainPassword", policy(in.Reset.PlainPassword))); err != nil {
		return err
	}
	hash := f.id.HashPassword(in.Reset.PlainPassword)
	err := f.id.Write(func(tx *identity.Tx) error {
		if _, err := tx.ConsumeCode(API, code.Tenant, MailPasswordReset, in.Token); err != nil {
			return errNotFound // used meanwhile
		}
		return setPassword(tx, code.CustomerID, hash)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, success)
}

// change sets the caller's new password, given the current one.
func (f *Face) change(c *face.Call) error {
	var in struct {
		CurrentPassword string `json:"currentPassword"`
		PlainPassword   string `json:"plainPassword"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	u := caller(c)
	current := false
	if err := f.id.Read(func(tx *identity.Tx) error {
		if accounts := tx.AccountsOf(u.ID); len(accounts) > 0 {
			current = f.id.VerifyPassword(accounts[0], in.CurrentPassword)
		}
		return nil
	}); err != nil {
		return err
	}
	failed := failures("plainPassword", policy(in.PlainPassword))
	if !current {
		failed["currentPassword"] = []string{MsgCurrent}
	}
	if err := formError([]string{"currentPassword", "plainPassword"}, failed); err != nil {
		return err
	}
	hash := f.id.HashPassword(in.PlainPassword)
	err := f.id.Write(func(tx *identity.Tx) error {
		err := setPassword(tx, u.ID, hash)
		if errors.Is(err, errNotFound) {
			return errInvalidJWT // the user is gone
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, success)
}

// failures maps a field to its messages, when there are any.
func failures(field string, msgs []string) map[string][]string {
	out := map[string][]string{}
	if len(msgs) > 0 {
		out[field] = msgs
	}
	return out
}

// setPassword gives every login of a user the new password hash.
func setPassword(tx *identity.Tx, userID, hash string) error {
	accounts := tx.AccountsOf(userID)
	if len(accounts) == 0 {
		return errNotFound
	}
	for _, a := range accounts {
		cp := *a
		cp.PasswordHash = hash
		if err := tx.SaveAccount(&cp); err != nil {
			return err
		}
	}
	return nil
}
