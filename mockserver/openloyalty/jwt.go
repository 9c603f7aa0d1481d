package openloyalty

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// Options configure the face.
type Options struct {
	Key *rsa.PrivateKey // signs the JWTs; generated on first use when nil
}

// LoadKey reads an RSA private key from a PEM file (PKCS #1 or PKCS #8).
func LoadKey(path string) (*rsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// signingKey returns key, or a key generated on first use: generating one
// takes tens of milliseconds, which start-up should not wait for.
func signingKey(key *rsa.PrivateKey) func() *rsa.PrivateKey {
	if key != nil {
		return func() *rsa.PrivateKey { return key }
	}
	return sync.OnceValue(func() *rsa.PrivateKey {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("openloyalty: generate RSA key: " + err.Error()) // crypto/rand never fails
		}
		return key
	})
}

// PublicKey returns the key that verifies the face's JWTs.
func (f *Face) PublicKey() *rsa.PublicKey { return &f.key().PublicKey }

// claims are the JWT's payload: Lexik's username, exp and iat, with Open
// Loyalty's roles and user id.
type claims struct {
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	ID       string   `json:"id"`
	jwt.RegisteredClaims
}

// sign returns a JWT for a user, issued now.
func (f *Face) sign(u *store.Customer, now time.Time) (string, error) {
	role := RoleCustomer
	if u.Tenant == AdminTenant {
		role = RoleAdmin
	}
	iat := identity.IssuedAt(u, now)
	c := claims{Username: loginName(u), Roles: []string{role}, ID: u.Number, RegisteredClaims: jwt.RegisteredClaims{
		IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(iat.Add(TokenTTL)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(f.key())
}

// loginName is the username in a user's JWT: an admin's username, a
// customer's e-mail.
func loginName(u *store.Customer) string {
	if name, _ := u.Profile["username"].(string); name != "" {
		return name
	}
	name, _ := u.Profile["email"].(string)
	return name
}

// access says who may call a route.
type access int

const (
	anyUser       access = iota
	admin                // an admin, on any store's path
	storeCustomer        // a customer of the path's store
)

// auth accepts a valid, unexpired JWT of a user who may call the route; every
// refusal is the same 401, as Lexik answers a token its firewall's user
// provider cannot resolve.
func (f *Face) auth(who access) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		value := face.BearerToken(r, "Bearer")
		if value == "" {
			return nil, errInvalidJWT
		}
		var u *store.Customer
		err := f.id.Read(func(tx *identity.Tx) error {
			var c claims
			_, err := jwt.ParseWithClaims(value, &c, func(*jwt.Token) (any, error) { return f.PublicKey(), nil },
				jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithExpirationRequired(),
				jwt.WithTimeFunc(tx.Now))
			if err != nil {
				return err
			}
			if u, err = tx.CustomerByNumberInAPI(API, c.ID); err == nil && c.IssuedAt != nil &&
				identity.SelfContainedExpired(u, c.IssuedAt.Time) {
				err = identity.ErrExpiredToken // expired through the admin API
			}
			return err
		})
		if err != nil {
			return nil, errInvalidJWT
		}
		isAdmin := u.Tenant == AdminTenant
		if who == admin && !isAdmin || who == storeCustomer && (isAdmin || u.Tenant != r.PathValue("storeCode")) {
			return nil, errInvalidJWT
		}
		return u, nil
	}
}

// caller is the user a route's Auth accepted.
func caller(c *face.Call) *store.Customer { return c.Auth.(*store.Customer) }
