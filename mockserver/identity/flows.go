package identity

import (
	"slices"
	"time"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// The flows every face has: a login, a bearer token, a password set and a
// mailed code. The faces call them with their own dialect around them.

// Session is a successful password login as Login recorded it.
type Session struct {
	Account  *store.Account
	Customer *store.Customer // as the login left it: LastSeen is the login's instant
	Previous time.Time       // the customer's LastSeen before this login; zero at the first
}

// Login is a password login to a tenant of api. The password is checked
// as Authenticate does (with its errors), on a snapshot: hashing is slow and
// writers should not wait for it. Then, in one write transaction, the login
// is recorded (RecordLogin) and issue adds the face's tokens: all of it or,
// when issue fails, nothing. A login deleted in between is
// ErrBadCredentials.
func (s *Service) Login(api, tenant, email, password string, issue func(*Tx, *Session) error) (*Session, error) {
	var acct *store.Account
	err := s.Read(func(tx *Tx) (err error) {
		acct, _, err = tx.Authenticate(api, tenant, email, password)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out *Session
	err = s.Write(func(tx *Tx) error {
		a, err := tx.Account(acct.ID)
		if err != nil {
			return ErrBadCredentials
		}
		c, err := tx.Customer(a.CustomerID)
		if err != nil {
			return ErrBadCredentials
		}
		out = &Session{Account: a, Previous: c.LastSeen, Customer: tx.RecordLogin(c)}
		return issue(tx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordLogin records that a customer authenticated now (a login, or what a
// face counts as one: a refresh, an opt-in, a social login) and returns the
// updated customer.
func (t *Tx) RecordLogin(c *store.Customer) *store.Customer {
	cp := *c
	cp.LastSeen = t.now
	t.SaveCustomer(&cp)
	return &cp
}

// Bearer resolves a stored bearer token of a tenant of api, judged as a
// gateway does: ErrInvalidToken when it is unknown or of none of kinds,
// then ErrExpiredToken (with the token) when it is past its expiry, then
// ErrInvalidToken when it is another API's or tenant's.
func (t *Tx) Bearer(api, tenant, value string, kinds ...string) (*store.Token, error) {
	tok, err := t.Token(value, kinds...)
	if err != nil {
		return tok, err
	}
	if tok.API != api || tok.Tenant != tenant {
		return nil, ErrInvalidToken
	}
	return tok, nil
}

// BearerCustomer resolves a self-contained bearer token of api (a JWT the
// face has verified) to the customer its number names: ErrInvalidToken
// when there is none or it is not active; ErrExpiredToken, with the
// customer, when the token was issued at iat no later than the customer's
// tokens were expired (ExpireTokens). A zero iat is a token that tells no
// issue time.
func (t *Tx) BearerCustomer(api, number string, iat time.Time) (*store.Customer, error) {
	c, err := t.CustomerByNumberInAPI(api, number)
	if err != nil || !c.Active {
		return nil, ErrInvalidToken
	}
	if !iat.IsZero() && SelfContainedExpired(c, iat) {
		return c, ErrExpiredToken
	}
	return c, nil
}

// SetPassword gives a customer's login accountID, or every login of the
// customer when accountID is "" (a service whose logins share one password),
// a new password hash from HashPassword. ErrNotFound when the customer has
// no such login. Tokens already issued stay valid: no face's vendor
// documents ending them.
func (t *Tx) SetPassword(customerID, accountID, hash string) error {
	accounts := t.AccountsOf(customerID)
	if accountID != "" {
		accounts = slices.DeleteFunc(accounts, func(a *store.Account) bool { return a.ID != accountID })
	}
	if len(accounts) == 0 {
		return ErrNotFound
	}
	for _, a := range accounts {
		cp := *a
		cp.PasswordHash = hash
		t.put(store.Accounts, &cp)
	}
	return nil
}

// CodeMail is a one-time code to mail to a customer's login.
type CodeMail struct {
	Customer *store.Customer
	Account  *store.Account
	Kind     string // the code's and the mail's
	To       string
	Code     string // the secret, in the face's format
	TTL      time.Duration
	Payload  map[string]string
	Subject  string
	// Compose writes the mail's link and body around the issued code.
	Compose func(code *store.Code) (link, body string)
}

// MailCode issues a one-time code for a login (replacing the login's
// earlier codes of its kind, as IssueCode does) and mails it, in the
// customer's API and tenant, with the code as the mail's token and the
// customer's number as its identifier.
func (t *Tx) MailCode(m CodeMail) *store.Code {
	c := t.IssueCode(store.Code{
		Value: m.Code, Kind: m.Kind, API: m.Customer.API, Tenant: m.Customer.Tenant,
		CustomerID: m.Customer.ID, AccountID: m.Account.ID, Payload: m.Payload,
	}, m.TTL)
	link, body := m.Compose(c)
	t.Send(store.Message{
		API: c.API, Tenant: c.Tenant, To: m.To, Kind: m.Kind, Subject: m.Subject, Body: body,
		Token: c.Value, Identifier: m.Customer.Number, Link: link,
	})
	return c
}
