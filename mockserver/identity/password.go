package identity

import (
	"crypto/sha256"
	"encoding/base64"

	"golang.org/x/crypto/bcrypt"
)

// DefaultHashCost is bcrypt's minimum cost: real hashing, yet a login stays
// around a millisecond. Production services use 10 or more.
const DefaultHashCost = bcrypt.MinCost

// Hasher hashes and verifies passwords with bcrypt over the password's
// SHA-256, so that passwords longer than bcrypt's 72 bytes still count whole.
type Hasher struct{ Cost int }

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	out := make([]byte, base64.RawStdEncoding.EncodedLen(len(sum)))
	base64.RawStdEncoding.Encode(out, sum[:])
	return out
}

// Hash returns the stored form of password.
func (h Hasher) Hash(password string) string {
	cost := h.Cost
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		cost = DefaultHashCost
	}
	out, err := bcrypt.GenerateFromPassword(prehash(password), cost)
	if err != nil {
		panic("identity: bcrypt: " + err.Error()) // only for out-of-range costs, excluded above
	}
	return string(out)
}

// Verify reports whether password matches the stored hash.
func (Hasher) Verify(hash, password string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), prehash(password)) == nil
}
