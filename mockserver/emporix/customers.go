package emporix

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// editable are the profile fields a customer sets (sign-up details, PATCH /me).
var editable = map[string]bool{
	"title": true, "firstName": true, "middleName": true, "lastName": true, "contactPhone": true,
	"contactEmail": true, "company": true, "preferredLanguage": true, "preferredCurrency": true,
	"preferredSite": true, "b2b": true, "mixins": true, "metadata": true,
}

func isEditable(key string) bool { return editable[key] }

var profileDefaults = map[string]string{"preferredLanguage": "en_US", "preferredCurrency": "USD", "preferredSite": "main"}

// anonymousCustomer is what GET /me answers an anonymous token.
var anonymousCustomer = map[string]any{
	"firstName": "Anonymous", "lastName": "Anonymous", "preferredSite": "default", "preferredLanguage": "en_US",
	"preferredCurrency": "USD", "customerNumber": "00000000", "id": "00000000", "accounts": []any{},
	"businessModel": "B2C", "mixins": map[string]any{}, "metadata": map[string]any{"mixins": map[string]any{}, "version": 1},
}

// ---- sign-up and opt-in ----

type signupRequest struct {
	Email           string         `json:"email"`
	Password        string         `json:"password"`
	CustomerDetails map[string]any `json:"customerDetails"`
	CustomerAddress map[string]any `json:"customerAddress"`
	Signup          *credentials   `json:"signup"` // separate login credentials
}

// isEmail reports whether s is a bare e-mail address, local@domain, with
// neither a display name nor surrounding spaces.
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// emailField checks that a body field is an e-mail address.
func emailField(field, value string) error {
	if !isEmail(value) {
		return invalid("body", field, "'"+field+"' must be an e-mail address.")
	}
	return nil
}

func (f *Face) signup(c *face.Call) error {
	var in signupRequest
	if err := c.Decode(&in); err != nil {
		return err
	}
	if err := emailField("email", in.Email); err != nil { // the contract requires a non-empty password
		return err
	}
	login := credentials{Email: in.Email, Password: in.Password}
	if in.Signup != nil {
		if err := emailField("signup.email", in.Signup.Email); err != nil {
			return err
		}
		login = *in.Signup
	}
	profile := face.MergePatch(nil, in.CustomerDetails, isEditable)
	delete(profile, "metadata")
	if ce, ok := profile["contactEmail"].(string); ok && ce != "" && !strings.EqualFold(ce, in.Email) {
		return badRequest("customerDetails.contactEmail must equal email.")
	}
	profile["contactEmail"] = in.Email
	if b2b, ok := profile["b2b"].(map[string]any); ok && b2b["companyRegistrationId"] != nil {
		for _, k := range []string{"firstName", "lastName", "company"} {
			if s, _ := profile[k].(string); s == "" {
				return badRequest("customerDetails.%s is required for a B2B customer.", k)
			}
		}
	}
	hash := f.id.HashPassword(login.Password)
	tenant := c.R.PathValue("tenant")
	var number string
	err := f.id.Write(func(tx *identity.Tx) error {
		optIn := tx.Tenant(API, tenant).DoubleOptIn
		cust, acct, err := tx.CreateCustomer(identity.NewCustomer{
			API: API, Tenant: tenant, NumberDigits: numberDigits, Email: login.Email, PasswordHash: hash,
			Active: !optIn, Profile: profile,
		})
		if err != nil {
			return domainErrors.Answer(err, login.Email, tenant)
		}
		number = cust.Number
		if in.CustomerAddress != nil {
			tx.AddAddress(newAddress(cust.ID, in.CustomerAddress))
		}
		if optIn {
			f.mail(tx, cust, acct, acct.Email, MailSignupOptIn, optInTTL, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"id": number})
}

func (f *Face) optIn(c *face.Call) error {
	tenant, session := c.R.PathValue("tenant"), caller(c).SessionID
	var out customerTokens
	err := f.id.Write(func(tx *identity.Tx) error {
		code, err := tx.ConsumeCode(API, tenant, MailSignupOptIn, c.R.PathValue("token"))
		if err != nil {
			return badRequest("The opt-in token is invalid, used or expired.")
		}
		cust, err := tx.Customer(code.CustomerID)
		if err != nil {
			return badRequest("The opt-in token is invalid, used or expired.")
		}
		acct, err := tx.Account(code.AccountID)
		if err != nil {
			return badRequest("The opt-in token is invalid, used or expired.")
		}
		active := *cust
		active.Active = true
		tx.SaveCustomer(&active)
		out, err = f.logIn(tx, &active, acct, session)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (f *Face) optInResend(c *face.Call) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	return f.write(c, http.StatusAccepted, func(tx *identity.Tx) error {
		acct, err := tx.AccountByEmail(API, c.R.PathValue("tenant"), in.Email)
		if err != nil {
			return nil // unknown e-mails are not revealed
		}
		if cust, err := tx.Customer(acct.CustomerID); err == nil && !cust.Active {
			f.mail(tx, cust, acct, acct.Email, MailSignupOptIn, optInTTL, nil)
		}
		return nil
	})
}

// ---- the profile ----

// render is a customer as GET /me shows it.
func render(tx *identity.Tx, cust *store.Customer, withAddresses bool) map[string]any {
	out := make(map[string]any, len(cust.Profile)+10)
	for k, v := range profileDefaults {
		out[k] = v
	}
	for k, v := range cust.Profile {
		out[k] = v
	}
	mixins, _ := out["mixins"].(map[string]any)
	if mixins == nil {
		out["mixins"] = map[string]any{}
	}
	meta, _ := cust.Profile["metadata"].(map[string]any)
	metaMixins, _ := meta["mixins"].(map[string]any)
	if metaMixins == nil {
		metaMixins = map[string]any{}
	}
	out["metadata"] = map[string]any{"mixins": metaMixins, "version": cust.Version}
	out["id"], out["customerNumber"] = cust.Number, cust.Number
	accounts := []map[string]string{}
	for _, a := range tx.AccountsOf(cust.ID) {
		accounts = append(accounts, map[string]string{"id": a.Email})
	}
	out["accounts"] = accounts
	out["businessModel"] = "B2C"
	if legalEntity(cust.Profile) != "" {
		out["businessModel"] = "B2B"
	}
	if !cust.LastSeen.IsZero() {
		out["lastLogin"] = cust.LastSeen.Format(time.RFC3339)
	}
	if withAddresses {
		out["addresses"] = renderAddresses(tx.Addresses(cust.ID))
	}
	return out
}

func (f *Face) getMe(c *face.Call) error {
	tok := caller(c)
	if tok.Kind == store.TokenAnonymous {
		return c.JSON(http.StatusOK, anonymousCustomer)
	}
	expand := false
	for _, e := range strings.Split(c.R.URL.Query().Get("expand"), ",") {
		expand = expand || strings.TrimSpace(e) == "addresses"
	}
	var out map[string]any
	err := f.id.Read(func(tx *identity.Tx) error {
		cust, err := customerOf(tx, tok)
		if err == nil {
			out = render(tx, cust, expand)
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (f *Face) patchMe(c *face.Call) error {
	var patch map[string]any
	if err := c.Decode(&patch); err != nil {
		return err
	}
	var expect *int
	if meta, ok := patch["metadata"].(map[string]any); ok {
		if n, ok := face.Int(meta["version"]); ok {
			expect = &n
		}
		meta = face.MergePatch(meta, nil, nil)
		delete(meta, "version")
		patch["metadata"] = meta
	}
	if v, ok := patch["contactEmail"]; ok && v == nil {
		patch["contactEmail"] = "" // a null must not clear it; checked below
	}
	tok := caller(c)
	return f.write(c, http.StatusOK, func(tx *identity.Tx) error {
		cust, err := tx.UpdateProfile(tok.CustomerID, expect, func(cust *store.Customer) error {
			if ce, ok := patch["contactEmail"]; ok && ce == "" && cust.Profile["contactEmail"] != nil {
				return badRequest("contactEmail cannot be removed once set.")
			}
			cust.Profile = face.MergePatch(cust.Profile, patch, isEditable)
			return nil
		})
		if errors.Is(err, identity.ErrStaleVersion) {
			return domainErrors.Answer(err, cust.Number, cust.Version, *expect)
		}
		return domainErrors.Answer(err)
	})
}

func (f *Face) deleteMe(c *face.Call) error {
	tok, token := caller(c), c.R.URL.Query().Get("token")
	if token == "" {
		return f.write(c, http.StatusAccepted, func(tx *identity.Tx) error {
			cust, err := customerOf(tx, tok)
			if err != nil {
				return err
			}
			acct, err := tx.Account(tok.AccountID)
			if err != nil {
				return errInvalidToken
			}
			f.mail(tx, cust, acct, acct.Email, MailAccountDeletion, deletionTTL, nil)
			return nil
		})
	}
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		code, err := tx.ConsumeCode(API, tok.Tenant, MailAccountDeletion, token)
		if err != nil || code.CustomerID != tok.CustomerID {
			return badRequest("The deletion token is invalid, used or expired.")
		}
		return tx.DeleteCustomer(tok.CustomerID)
	})
}

func (f *Face) addAccount(c *face.Call) error {
	var in credentials
	if err := c.Decode(&in); err != nil {
		return err
	}
	if err := emailField("email", in.Email); err != nil {
		return err
	}
	if in.Password == "" {
		return invalid("body", "password", "'password' must not be empty.")
	}
	hash := f.id.HashPassword(in.Password)
	tok := caller(c)
	var number string
	err := f.id.Write(func(tx *identity.Tx) error {
		cust, err := customerOf(tx, tok)
		if err != nil {
			return err
		}
		if _, err := tx.AddAccount(cust, in.Email, hash, ""); err != nil {
			return domainErrors.Answer(err, in.Email, cust.Tenant)
		}
		number = cust.Number
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"id": number})
}

// ---- mail ----

var subjects = map[string]string{
	MailPasswordReset:   "Reset your password",
	MailEmailChange:     "Confirm your new e-mail address",
	MailSignupOptIn:     "Activate your account",
	MailAccountDeletion: "Confirm the deletion of your account",
}

var linkPaths = map[string]string{
	MailPasswordReset:   "password-reset",
	MailEmailChange:     "email-change",
	MailSignupOptIn:     "signup/optin",
	MailAccountDeletion: "account-deletion",
}

// mail issues a one-time code of kind for an account and mails it to "to".
func (f *Face) mail(tx *identity.Tx, cust *store.Customer, acct *store.Account, to, kind string, ttl time.Duration, payload map[string]string) {
	tx.MailCode(identity.CodeMail{
		Customer: cust, Account: acct, Kind: kind, To: to, Code: tx.Random().Alnum(64), TTL: ttl, Payload: payload,
		Subject: subjects[kind], Compose: func(code *store.Code) (string, string) {
			link := fmt.Sprintf("https://%s.storefront.doppel.test/%s?token=%s", cust.Tenant, linkPaths[kind], code.Value)
			return link, fmt.Sprintf("%s: open %s (valid until %s).", subjects[kind], link, code.Expires.Format(time.RFC3339))
		},
	})
}
