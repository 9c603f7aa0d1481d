package accounts

import (
	"errors"
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

// frontend is where the activation and e-mail change links point (the seed
// names no customer-facing site).
const frontend = "https://accounts.doppel.test/"

// codeKinds are the one-time codes of this face, shaped like the seed's
// examples (MBMRDTVTD5, J32NA974R4F7N1HB, 8KY0CX0LAR).
var codeKinds = map[string]struct {
	subject, param string // param: the code's name in the link
	length         int
	ttl            time.Duration
}{
	MailActivation:    {"Activate your account", "secret", 10, ActivationTTL},
	MailEmailChange:   {"Confirm your new e-mail address", "key", 16, EmailChangeTTL},
	MailPasswordReset: {"Reset your password", "code", 10, ResetTTL},
}

// mail issues a one-time code of kind for a login and mails it to "to". A
// password reset links to base with the e-mail and code; the others link to
// the frontend with the identifier and code.
func (f *Face) mail(tx *identity.Tx, cust *store.Customer, acct *store.Account, to, kind, base string, payload map[string]string) {
	k := codeKinds[kind]
	code := tx.IssueCode(store.Code{
		Value: tx.Random().Upper(k.length), Kind: kind, API: API, Tenant: Tenant,
		CustomerID: cust.ID, AccountID: acct.ID, Payload: payload,
	}, k.ttl)
	var link string
	if kind == MailPasswordReset {
		link = withQuery(base, "email", acct.Email, k.param, code.Value)
	} else {
		link = withQuery(frontend+kind, "identifier", cust.Number, k.param, code.Value)
	}
	tx.Send(store.Message{
		API: API, Tenant: Tenant, To: to, Kind: kind, Subject: k.subject,
		Body: fmt.Sprintf("%s: identifier %s, %s %s; open %s (valid until %s).",
			k.subject, cust.Number, k.param, code.Value, link, code.Expires.Format(time.RFC3339)),
		Token: code.Value, Identifier: cust.Number, Link: link,
	})
}

// validResetURI reports whether a reset_uri is a path or an http(s) URL.
func validResetURI(ref string) bool {
	u, err := url.Parse(ref)
	return err == nil && (u.Scheme == "" || (u.Scheme == "http" || u.Scheme == "https") && u.Host != "")
}

// withQuery adds query parameters (name, value, …) to a valid URI
// reference, after its own query and before its fragment.
func withQuery(ref string, kv ...string) string {
	u, _ := url.Parse(ref)
	params := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		params = append(params, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += strings.Join(params, "&")
	return u.String()
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
	if !validResetURI(in.ResetURI) {
		return errBadResetURI
	}
	err := f.id.Write(func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, Tenant, in.Email)
		if err != nil {
			return nil // unknown e-mails are not revealed
		}
		if cust, err := tx.Customer(acct.CustomerID); err == nil && cust.Active {
			f.mail(tx, cust, acct, acct.Email, MailPasswordReset, in.ResetURI, nil)
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
		code, err := tx.ConsumeCode(API, Tenant, MailPasswordReset, in.Code)
		if err != nil {
			return errBadCode
		}
		acct, err := tx.Account(code.AccountID)
		if err != nil || !strings.EqualFold(acct.Email, in.Email) {
			return errBadCode // the failed write leaves the code unused
		}
		cp := *acct
		cp.PasswordHash = hash
		return tx.SaveAccount(&cp)
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
		code, err := tx.ConsumeCode(API, Tenant, MailEmailChange, in.Key)
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
	err := f.id.Write(func(tx *identity.Tx) error {
		cust, err := tx.CustomerByNumber(API, Tenant, in.Identifier)
		switch {
		case err != nil:
			return errBadSecret
		case cust.Active:
			return errActive
		}
		code, err := tx.ConsumeCode(API, Tenant, MailActivation, in.Secret)
		if err != nil || code.CustomerID != cust.ID {
			return errBadSecret
		}
		acct, err := tx.Account(code.AccountID)
		if err != nil {
			return errBadSecret
		}
		cp := *acct
		cp.PasswordHash = hash
		if err := tx.SaveAccount(&cp); err != nil {
			return err
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
	err := tx.SaveAccount(&cp)
	if errors.Is(err, identity.ErrDuplicate) {
		return errEmailTaken
	}
	return err
}
