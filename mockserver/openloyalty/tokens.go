package openloyalty

import (
	"net/http"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// tokens is the answer of a login or a refresh.
type tokens struct {
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error,omitempty"` // errPasswordChange for a temporary password
}

// answer completes the tokens of a login or refresh of u, issued now.
func (f *Face) answer(out tokens, u *store.Customer, now, last time.Time) (tokens, error) {
	var err error
	if out.Token, err = f.sign(u, now, last); err != nil {
		return out, err
	}
	if temporary(u) {
		out.Error = errPasswordChange
	}
	return out, nil
}

// credentials are Lexik's _username/_password, or username/password.
type credentials struct {
	Username    string `json:"_username"`
	Password    string `json:"_password"`
	AltUsername string `json:"username"`
	AltPassword string `json:"password"`
}

// loginOf is the login of a kind of user.
func (f *Face) loginOf(k kind) func(*face.Call) error {
	return func(c *face.Call) error { return f.login(c, k) }
}

// login checks credentials against the users of kind k the path addresses
// and answers a JWT with a new refresh token.
func (f *Face) login(c *face.Call, k kind) error {
	var in credentials
	if err := c.Decode(&in); err != nil {
		return err
	}
	name, password := in.Username, in.Password
	if name == "" {
		name = in.AltUsername
	}
	if password == "" {
		password = in.AltPassword
	}
	tenant := k.tenant(c.R)
	_ = f.id.Read(func(tx *identity.Tx) error { name = loginName(tx, k, tenant, name); return nil })
	var out tokens
	s, err := f.id.Login(API, tenant, name, password, func(tx *identity.Tx, s *identity.Session) error {
		out.RefreshToken = tx.Random().Hex(128)
		tx.PutToken(&store.Token{
			Value: out.RefreshToken, Kind: store.TokenRefresh, API: API, Tenant: tenant,
			CustomerID: s.Customer.ID, Issued: tx.Now(), Expires: tx.Now().Add(RefreshTTL),
		})
		return nil
	})
	if err != nil {
		if k == sellerKind {
			err = sellerErrors.Answer(err)
		}
		return domainErrors.Answer(err)
	}
	if out, err = f.answer(out, s.Customer, s.Customer.LastSeen, s.Previous); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// loginName is the login name of the user of tenant that name designates:
// name itself, or, when name is the id of a customer or seller, its first
// login (the service creates them with their id as username).
func loginName(tx *identity.Tx, k kind, tenant, name string) string {
	if k == adminKind {
		return name
	}
	if u, err := tx.CustomerByNumber(API, tenant, name); err == nil {
		if accounts := tx.AccountsOf(u.ID); len(accounts) > 0 {
			return accounts[0].Email
		}
	}
	return name
}

// refresh answers a new JWT for a live refresh token, and the same refresh
// token, whose expiry slides RefreshTTL forward.
func (f *Face) refresh(c *face.Call) error {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := c.Decode(&in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		in.RefreshToken = c.R.URL.Query().Get("refresh_token")
	}
	var u *store.Customer
	var now, last time.Time
	err := f.id.Write(func(tx *identity.Tx) (err error) {
		tok, err := tx.Token(in.RefreshToken, store.TokenRefresh)
		if err != nil || tok.API != API {
			return errBadRefresh
		}
		cur, err := tx.Customer(tok.CustomerID)
		if err != nil {
			return errBadRefresh
		}
		now, last, u = tx.Now(), cur.LastSeen, tx.RecordLogin(cur) // a refresh ends in the login's success handler too
		slid := *tok
		slid.Expires = now.Add(RefreshTTL)
		tx.PutToken(&slid)
		return nil
	})
	if err != nil {
		return err
	}
	out, err := f.answer(tokens{RefreshToken: in.RefreshToken}, u, now, last)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// revoke deletes every refresh token of the caller; JWTs are stateless and
// live on until they expire.
func (f *Face) revoke(c *face.Call) error {
	u := caller(c)
	if err := f.id.Write(func(tx *identity.Tx) error { tx.RevokeCustomerTokens(u.ID); return nil }); err != nil {
		return err
	}
	return c.Status(http.StatusOK)
}
