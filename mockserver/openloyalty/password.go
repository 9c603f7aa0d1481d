package openloyalty

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	MsgLetter  = "Your password must include at least one letter."
	MsgCase    = "Your password must include both upper and lower case letters."
	MsgNumber  = "Your password must include at least one number."
	MsgSpecial = "Your password must contain at least one special character."
	MsgCurrent = "This value should be the user's current password."
)

// policy returns every rule a new password breaks, in the service's order.
// As the service's validator (PCRE without the u modifier), it works on
// bytes: each byte is the Latin-1 character of its value, so the UTF-8
// bytes of "Ä" are "Ã" (an upper-case letter) and a control character. The
// length counts bytes, '{' and '}' are not special characters (a missing
// backslash in its pattern), and the cases must meet within one line.
func policy(password string) []string {
	if password == "" {
		return []string{MsgBlank}
	}
	var letter, bothCases, number, special bool
	var lower, upper bool // in the current line
	for i := range len(password) {
		r := rune(password[i])
		switch {
		case r == '\n':
			lower, upper = false, false
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		}
		bothCases = bothCases || lower && upper
		letter = letter || unicode.IsLetter(r)
		number = number || unicode.IsNumber(r)
		special = special || !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '{' && r != '}'
	}
	var out []string
	for _, rule := range []struct {
		broken bool
		msg    string
	}{{len(password) < 8, MsgLength}, {!letter, MsgLetter}, {!bothCases, MsgCase}, {!number, MsgNumber}, {!special, MsgSpecial}} {
		if rule.broken {
			out = append(out, rule.msg)
		}
	}
	return out
}

var success = map[string]bool{"success": true}

// customerResetRequest serves the reset request of a store's customers, who
// name themselves by e-mail, phone or id.
func (f *Face) customerResetRequest(c *face.Call) error {
	tenant := customerKind.tenant(c.R)
	return f.resetRequest(c, func(tx *identity.Tx, name string) (*store.Account, error) {
		return tx.AccountByEmail(API, tenant, loginName(tx, customerKind, tenant, name))
	})
}

// anyResetRequest serves the reset request of every kind of user, as the
// service's all-users provider finds them by username or e-mail: admins,
// then sellers and DefaultStore's customers (by e-mail or id, not phone).
func (f *Face) anyResetRequest(c *face.Call) error {
	return f.resetRequest(c, func(tx *identity.Tx, name string) (*store.Account, error) {
		for _, k := range []kind{adminKind, sellerKind, customerKind} {
			tenant := k.tenant(c.R) // DefaultStore for customers: the path has no store code
			a, err := tx.AccountByEmail(API, tenant, loginName(tx, k, tenant, name))
			if err == nil && !isPhone(tx, a) {
				return a, nil
			}
		}
		return nil, identity.ErrNotFound
	})
}

// isPhone reports whether a login is a customer's phone number.
func isPhone(tx *identity.Tx, a *store.Account) bool {
	u, err := tx.Customer(a.CustomerID)
	if err != nil {
		return false
	}
	phone, _ := u.Profile["phone"].(string)
	return strings.EqualFold(a.Email, phone)
}

// resetRequest mails a reset token to the active user find designates,
// unless one was requested within ResetWindow.
func (f *Face) resetRequest(c *face.Call, find func(tx *identity.Tx, name string) (*store.Account, error)) error {
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
		acct, err := find(tx, in.Username)
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
		to, _ := u.Profile["email"].(string)
		tx.MailCode(identity.CodeMail{
			Customer: u, Account: acct, Kind: MailPasswordReset, To: to,
			Code: base64.RawURLEncoding.EncodeToString(tx.Random().Bytes(32)), TTL: ResetWindow,
			Subject: "Password reset requested", Compose: func(code *store.Code) (string, string) {
				link := fmt.Sprintf("https://openloyalty.doppel.test/%s/password/reset/%s", code.Tenant, code.Value)
				return link, fmt.Sprintf("To set a new password, open %s (or send the token %s to /api/password/reset).", link, code.Value)
			},
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
		if err := tx.SetPassword(code.CustomerID, "", hash); err != nil {
			return errNotFound // the user is gone
		}
		return nil
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
		if err := tx.SetPassword(u.ID, "", hash); errors.Is(err, identity.ErrNotFound) {
			return errUnknownUser // the user is gone
		}
		keepPassword(tx, u.ID)
		return nil
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
