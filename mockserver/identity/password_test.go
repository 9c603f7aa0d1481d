package identity_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/mockserver/identity"
)

// TestHashModesVerifyEachOther: a hash of either mode verifies whatever the
// mode of the hasher that checks it, since a state file may move between them.
func TestHashModesVerifyEachOther(t *testing.T) {
	salt := []byte("0123456789abcdef")
	for _, mode := range identity.HashModes {
		t.Run(mode, func(t *testing.T) {
			hash := identity.Hasher{Mode: mode}.Hash("Quill-Pen-7", salt)
			assert.Equal(t, mode == identity.HashFast, strings.HasPrefix(hash, "$doppel-sha256$"), hash)
			assert.Equal(t, hash, identity.Hasher{Mode: mode}.Hash("Quill-Pen-7", salt), "same salt, same hash")
			assert.NotEqual(t, hash, identity.Hasher{Mode: mode}.Hash("Quill-Pen-7", []byte("fedcba9876543210")), "another salt, another hash")
			for _, verifier := range identity.HashModes {
				h := identity.Hasher{Mode: verifier}
				assert.True(t, h.Verify(hash, "Quill-Pen-7"), "verified in mode %s", verifier)
				assert.False(t, h.Verify(hash, "Quill-Pen-8"), "wrong password, mode %s", verifier)
			}
		})
	}
}

func TestFastHashRefusesMangledHashes(t *testing.T) {
	good := identity.Hasher{Mode: identity.HashFast}.Hash("Quill-Pen-7", []byte("0123456789abcdef"))
	for _, hash := range []string{
		"$doppel-sha256$",
		"$doppel-sha256$" + strings.Repeat("A", 22),
		good[:len(good)-1],
		strings.Replace(good, "$doppel-sha256$", "$doppel-sha256$!", 1),
	} {
		assert.False(t, identity.Hasher{}.Verify(hash, "Quill-Pen-7"), hash)
	}
}
