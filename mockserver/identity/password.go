package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
	//lint:ignore SA1019 bcrypt is built on Blowfish, as in x/crypto/bcrypt itself
	"golang.org/x/crypto/blowfish"
)

// DefaultHashCost is bcrypt's minimum cost: real hashing, yet a login stays
// around a millisecond. Production services use 10 or more.
const DefaultHashCost = bcrypt.MinCost

// SaltSize is the length of a bcrypt salt in bytes.
const SaltSize = 16

// Password hash modes: how new passwords are hashed. Stored hashes of
// either mode verify in both (a state file may move between them).
const (
	// HashBcrypt is bcrypt at Hasher.Cost: real hashing, around a
	// millisecond a login at the minimum cost.
	HashBcrypt = "bcrypt"
	// HashFast is one salted SHA-256, a microsecond: for load tests of the
	// mock only. It does not protect a password; never use it for a real one.
	HashFast = "fast"
)

// HashModes lists the password hash modes.
var HashModes = []string{HashBcrypt, HashFast}

// Hasher hashes and verifies passwords with bcrypt over the password's
// SHA-256, so that passwords longer than bcrypt's 72 bytes still count
// whole; in mode HashFast it hashes new passwords with a salted SHA-256.
type Hasher struct {
	Cost int
	Mode string // HashBcrypt when empty
}

// fastPrefix marks a HashFast hash: fastPrefix, the salt, "$", the digest,
// both in bcrypt's base64 alphabet.
const fastPrefix = "$doppel-sha256$"

func fastDigest(password string, salt []byte) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	return h.Sum(nil)
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	out := make([]byte, base64.RawStdEncoding.EncodedLen(len(sum)))
	base64.RawStdEncoding.Encode(out, sum[:])
	return out
}

// bcryptEncoding is bcrypt's base64 alphabet, unpadded.
var bcryptEncoding = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// Hash returns the stored form of password with the given salt (SaltSize
// bytes). x/crypto/bcrypt draws its salts from crypto/rand itself, which
// would make a seeded state differ on every start, so the hash is computed
// here (as x/crypto/bcrypt does) and verified by x/crypto/bcrypt.
func (h Hasher) Hash(password string, salt []byte) string {
	if h.Mode == HashFast {
		return fastPrefix + bcryptEncoding.EncodeToString(salt) + "$" + bcryptEncoding.EncodeToString(fastDigest(password, salt))
	}
	cost := h.Cost
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		cost = DefaultHashCost
	}
	key := append(prehash(password), 0) // C bcrypt hashes the key's trailing NUL too
	c, err := blowfish.NewSaltedCipher(key, salt)
	if err != nil {
		panic("identity: bcrypt: " + err.Error()) // only for an empty key, and key is never empty
	}
	for i := uint64(0); i < 1<<cost; i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(salt, c)
	}
	data := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < len(data); i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	// C bcrypt encodes 23 of the 24 bytes.
	return fmt.Sprintf("$2a$%02d$%s%s", cost, bcryptEncoding.EncodeToString(salt), bcryptEncoding.EncodeToString(data[:23]))
}

// Verify reports whether password matches the stored hash, of either mode.
func (Hasher) Verify(hash, password string) bool {
	if rest, ok := strings.CutPrefix(hash, fastPrefix); ok {
		salt, digest, _ := strings.Cut(rest, "$")
		rawSalt, err1 := bcryptEncoding.DecodeString(salt)
		want, err2 := bcryptEncoding.DecodeString(digest)
		return err1 == nil && err2 == nil && subtle.ConstantTimeCompare(fastDigest(password, rawSalt), want) == 1
	}
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), prehash(password)) == nil
}
