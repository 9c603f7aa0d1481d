package accounts

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// codeKinds are the one-time codes of this face, shaped like the seed's
// examples (MBMRDTVTD5, J32NA974R4F7N1HB, 8KY0CX0LAR).
var codeKinds = map[string]struct {
	subject, param string // param: the code's name in the mail
	length         int
	ttl            time.Duration
}{
	MailActivation:    {"Activate your account", "secret", 10, ActivationTTL},
	MailEmailChange:   {"Confirm your new e-mail address", "key", 16, EmailChangeTTL},
	MailPasswordReset: {"Reset your password", "code", 10, ResetTTL},
}

// mail issues a one-time code of kind for a login and mails it to "to",
// with the link that link makes of the code. The code and the mail belong
// to the customer's retailer.
func (f *Face) mail(tx *identity.Tx, cust *store.Customer, acct *store.Account, to, kind string, link func(code string) string, payload map[string]string) {
	k := codeKinds[kind]
	tx.MailCode(identity.CodeMail{
		Customer: cust, Account: acct, Kind: kind, To: to, Code: tx.Random().Upper(k.length), TTL: k.ttl, Payload: payload,
		Subject: k.subject, Compose: func(code *store.Code) (string, string) {
			href := link(code.Value)
			return href, fmt.Sprintf("%s: identifier %s, %s %s; open %s (valid until %s).",
				k.subject, cust.Number, k.param, code.Value, href, code.Expires.Format(time.RFC3339))
		},
	})
}

// appLink links a code of kind to the page of that name of the retailer's
// application at origin (the seed names no such pages), with the
// customer's identifier: {origin}/activation?identifier=…&secret=….
func appLink(origin, kind, identifier string) func(code string) string {
	return func(code string) string {
		return origin + "/" + kind + "?identifier=" + url.QueryEscape(identifier) +
			"&" + codeKinds[kind].param + "=" + url.QueryEscape(code)
	}
}

// SignPassphrase is the do_reset token: a JWT with header exactly
// {"alg":"HS256"} and payload {"passphrase":…}, keyed by the code's bytes,
// as the seed's example token is built.
func SignPassphrase(code, passphrase string) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"passphrase": passphrase})
	delete(t.Header, "typ")
	return t.SignedString([]byte(code))
}

// passphraseLength is the length of a generated password (the seed's
// example passphrase, Y6ZuXXsf0ojfeU, has 14 characters).
const passphraseLength = 14

func (f *Face) passwordReset(c *face.Call) error {
	var in struct {
		Email    string `json:"email"`
		ResetURI string `json:"reset_uri"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	s := caller(c)
	base, ok := resetBase(s, in.ResetURI)
	if !ok {
		return errBadResetURI
	}
	err := f.id.Write(func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, s.name, in.Email)
		if err != nil {
			return nil // unknown e-mails are not revealed
		}
		if cust, err := tx.Customer(acct.CustomerID); err == nil && cust.Active {
			link := func(code string) string { return resetLink(base, acct.Email, code) }
			f.mail(tx, cust, acct, acct.Email, MailPasswordReset, link, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, result("email_sent"))
}

func (f *Face) doReset(c *face.Call) error {
	var in struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	passphrase := f.id.Rand.Alnum(passphraseLength)
	hash := f.id.HashPassword(passphrase)
	err := f.id.Write(func(tx *identity.Tx) error {
		code, err := tx.ConsumeCode(API, caller(c).name, MailPasswordReset, in.Code)
		if err != nil {
			return errBadCode
		}
		acct, err := tx.Account(code.AccountID)
		if err != nil || !strings.EqualFold(acct.Email, in.Email) {
			return errBadCode // the failed write leaves the code unused
		}
		return tx.SetPassword(acct.CustomerID, acct.ID, hash)
	})
	if err != nil {
		return err
	}
	token, err := SignPassphrase(in.Code, passphrase)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"token": token})
}

func (f *Face) confirmNewEmail(c *face.Call) error {
	var in struct {
		Identifier string `json:"identifier"`
		Key        string `json:"key"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	err := f.id.Write(func(tx *identity.Tx) error {
		code, err := tx.ConsumeCode(API, caller(c).name, MailEmailChange, in.Key)
		if err != nil {
			return errBadKey
		}
		cust, err := tx.Customer(code.CustomerID)
		if err != nil || cust.Number != in.Identifier {
			return errBadKey
		}
		acct, err := tx.Account(code.AccountID)
		if err != nil {
			return errBadKey
		}
		return saveEmail(tx, acct, code.Payload["email"])
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, result("updated"))
}

func (f *Face) activate(c *face.Call) error {
	var in struct {
		Identifier    string `json:"identifier"`
		Secret        string `json:"secret"`
		Password      string `json:"password"`
		PasswordCheck string `json:"password_check"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.Password != in.PasswordCheck {
		return errMismatch
	}
	hash := f.id.HashPassword(in.Password)
	s := caller(c)
	err := f.id.Write(func(tx *identity.Tx) error {
		cust, err := tx.CustomerByNumber(API, s.name, in.Identifier)
		switch {
		case err != nil:
			return errBadSecret
		case cust.Active:
			return errActive
		}
		code, err := tx.ConsumeCode(API, s.name, MailActivation, in.Secret)
		if err != nil || code.CustomerID != cust.ID {
			return errBadSecret
		}
		if err := tx.SetPassword(cust.ID, code.AccountID, hash); err != nil {
			return errBadSecret
		}
		active := *cust
		active.Active = true
		tx.SaveCustomer(&active)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, result("activated"))
}

// saveEmail moves a login to a new e-mail.
func saveEmail(tx *identity.Tx, acct *store.Account, email string) error {
	cp := *acct
	cp.Email = email
	return domainErrors.Answer(tx.SaveAccount(&cp))
}
