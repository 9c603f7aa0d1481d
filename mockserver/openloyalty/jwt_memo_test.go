package openloyalty

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignatureMemoSignsEachTokenOnce(t *testing.T) {
	keys := make([]*rsa.PrivateKey, 2)
	for i := range keys {
		var err error
		keys[i], err = rsa.GenerateKey(rand.Reader, 1024)
		require.NoError(t, err)
	}
	m := &signatureMemo{memo: map[signatureKey]string{}}
	token := func(user string) *jwt.Token {
		return jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"username": user})
	}
	first, err := m.sign(token("quill"), keys[0])
	require.NoError(t, err)
	again, err := m.sign(token("quill"), keys[0])
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Len(t, m.memo, 1, "signed once")
	parsed, err := jwt.Parse(first, func(*jwt.Token) (any, error) { return &keys[0].PublicKey, nil })
	require.NoError(t, err)
	assert.True(t, parsed.Valid)

	other, err := m.sign(token("quill"), keys[1])
	require.NoError(t, err)
	assert.NotEqual(t, first, other, "another key, another signature")
	_, err = m.sign(token("wren"), keys[0])
	require.NoError(t, err)
	assert.Len(t, m.memo, 3)

	for i := range maxSignatures {
		m.memo[signatureKey{signing: string(rune(i))}] = ""
	}
	_, err = m.sign(token("finch"), keys[0])
	require.NoError(t, err)
	assert.Len(t, m.memo, 1, "a full memo starts over")
}
