package openloyalty

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
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

// Warm implements face.Warmer: it makes the JWT key, which a first login
// would otherwise wait for.
func (f *Face) Warm() { f.key() }

// PublicKey returns the key that verifies the face's JWTs.
func (f *Face) PublicKey() *rsa.PublicKey { return &f.key().PublicKey }

// claims are the JWT's payload: Lexik's username, exp and iat, with what
// Open Loyalty's AuthenticationListener adds.
type claims struct {
	Username    string      `json:"username"` // an admin's username; a customer's or seller's id
	Roles       []string    `json:"roles"`
	ID          string      `json:"id"`
	LastLoginAt *string     `json:"lastLoginAt"` // the login before this one; null before the first
	Permissions permissions `json:"permissions"`
	SuperAdmin  bool        `json:"superAdmin"`
	jwt.RegisteredClaims
}

// lastLoginLayout is PHP's DateTime::ISO8601 (no colon in the offset).
const lastLoginLayout = "2006-01-02T15:04:05-0700"

// permissions are an admin's accesses by resource. PHP encodes the empty
// array as [], not {}.
type permissions map[string][]string

func (p permissions) MarshalJSON() ([]byte, error) {
	if len(p) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal(map[string][]string(p))
}

// sign returns a JWT for a user, issued now; lastLogin is the user's login
// before this one (zero when none).
func (f *Face) sign(u *store.Customer, now, lastLogin time.Time) (string, error) {
	iat := identity.IssuedAt(u, now)
	c := claims{Username: username(u), Roles: []string{kindOf(u).role()}, ID: u.Number,
		Permissions: profilePermissions(u.Profile), RegisteredClaims: jwt.RegisteredClaims{
			IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(iat.Add(TokenTTL)),
		}}
	c.SuperAdmin, _ = u.Profile["superAdmin"].(bool)
	if !lastLogin.IsZero() {
		at := lastLogin.UTC().Format(lastLoginLayout)
		c.LastLoginAt = &at
	}
	return signatures.sign(jwt.NewWithClaims(jwt.SigningMethodRS256, c), f.key())
}

// signatures remembers the JWTs signed last. RS256 (PKCS #1 v1.5) is
// deterministic, so a token signed again is the same token: a burst of
// logins of one user within a second (iat and lastLoginAt are in seconds)
// signs once instead of once each, an RSA signature being most of the cost
// of a login with --password-hash fast.
var signatures = &signatureMemo{memo: map[signatureKey]string{}}

// maxSignatures bounds the memo; when full it starts over.
const maxSignatures = 4096

type signatureKey struct {
	key     *rsa.PrivateKey
	signing string // the token's header and claims
}

type signatureMemo struct {
	mu   sync.Mutex
	memo map[signatureKey]string
}

func (m *signatureMemo) sign(t *jwt.Token, key *rsa.PrivateKey) (string, error) {
	signing, err := t.SigningString()
	if err != nil {
		return "", err
	}
	k := signatureKey{key: key, signing: signing}
	m.mu.Lock()
	token, ok := m.memo[k]
	m.mu.Unlock()
	if ok {
		return token, nil
	}
	sig, err := t.Method.Sign(signing, key)
	if err != nil {
		return "", err
	}
	token = signing + "." + t.EncodeSegment(sig)
	m.mu.Lock()
	if len(m.memo) >= maxSignatures {
		clear(m.memo)
	}
	m.memo[k] = token
	m.mu.Unlock()
	return token, nil
}

// username is the username of a user in the service: an admin's own, a
// customer's or seller's id (the service creates them with their id as
// username).
func username(u *store.Customer) string {
	if name, _ := u.Profile["username"].(string); name != "" {
		return name
	}
	return u.Number
}

// profilePermissions reads the permissions of a profile (JSON-shaped: a
// state import gives []any, not []string).
func profilePermissions(profile map[string]any) permissions {
	raw, _ := profile["permissions"].(map[string]any)
	out := permissions{}
	for resource, accesses := range raw {
		list, _ := accesses.([]any)
		for _, a := range list {
			if s, ok := a.(string); ok {
				out[resource] = append(out[resource], s)
			}
		}
	}
	return out
}

// Errors of the firewalls (Lexik JWT bundle 1.7): no token is the entry
// point's answer; a token that does not verify, the listener's; a verified
// token whose user the firewall's user provider cannot load, the
// provider's exception, which has no message.
var (
	errNoToken     = face.Errorf(http.StatusUnauthorized, codeNoToken, "Invalid credentials")
	errInvalidJWT  = face.Errorf(http.StatusUnauthorized, codeInvalidJWT, "Invalid JWT Token")
	errUnknownUser = &face.Problem{Status: http.StatusUnauthorized, Code: codeUnknownUser}
	errForbidden   = &face.Problem{Status: http.StatusForbidden, Code: codeForbidden} // Symfony's AccessDeniedHttpException
)

// bearer is the token of an "Authorization: Bearer <token>" header, exactly
// as Lexik's extractor reads it (one space, the prefix's case), else "".
func bearer(r *http.Request) string {
	parts := strings.Split(r.Header.Get("Authorization"), " ")
	if len(parts) != 2 || parts[0] != "Bearer" {
		return ""
	}
	return parts[1]
}

// auth is a firewall: it accepts a valid, unexpired JWT of a user its kind
// of users holds (customers: of the path's store).
func (f *Face) auth(fw kind) func(r *http.Request) (any, error) {
	return f.firewall(func(r *http.Request, u *store.Customer) error {
		if kindOf(u) != fw || u.Tenant != fw.tenant(r) {
			return errUnknownUser
		}
		return nil
	})
}

// granting is the firewall of an operation that the service's voter grants
// some kinds of users only (customer registration: admins and sellers, the
// CREATE_CUSTOMER vote; the seller API: admins): their JWTs pass; the other
// users the service knows there — admins, sellers and the customers of the
// path's store — are refused 403, anyone else 401 with the empty message.
func (f *Face) granting(kinds ...kind) func(r *http.Request) (any, error) {
	return f.firewall(func(r *http.Request, u *store.Customer) error {
		switch k := kindOf(u); {
		case slices.Contains(kinds, k):
			return nil
		case k != customerKind || u.Tenant == customerKind.tenant(r):
			return errForbidden
		}
		return errUnknownUser
	})
}

// firewall accepts a valid, unexpired JWT of an active user that admit lets
// through.
func (f *Face) firewall(admit func(r *http.Request, u *store.Customer) error) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		value := bearer(r)
		if value == "" {
			return nil, errNoToken
		}
		var u *store.Customer
		err := f.id.Read(func(tx *identity.Tx) error {
			var c struct {
				ID string `json:"id"`
				jwt.RegisteredClaims
			}
			_, err := jwt.ParseWithClaims(value, &c, func(*jwt.Token) (any, error) { return f.PublicKey(), nil },
				jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithExpirationRequired(),
				jwt.WithTimeFunc(tx.Now))
			if err != nil {
				return errInvalidJWT
			}
			var iat time.Time
			if c.IssuedAt != nil {
				iat = c.IssuedAt.Time
			}
			u, err = tx.BearerCustomer(API, c.ID, iat)
			if u == nil {
				return errUnknownUser
			}
			if err := admit(r, u); err != nil {
				return err
			}
			if err != nil {
				return errInvalidJWT // expired through the admin API
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return u, nil
	}
}

// caller is the user a route's Auth accepted.
func caller(c *face.Call) *store.Customer { return c.Auth.(*store.Customer) }
