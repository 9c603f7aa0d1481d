package accounts

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The seed's do_reset example: code 8KY0CX0LAR, passphrase Y6ZuXXsf0ojfeU.
const seedToken = "eyJhbGciOiJIUzI1NiJ9.eyJwYXNzcGhyYXNlIjoiWTZadVhYc2Ywb2pmZVUifQ.ilHChoIUmt-UufO3u9ItFnOj6YpCe_5lSlabzYitRt4"

func TestSignPassphraseReproducesTheSeedExample(t *testing.T) {
	got, err := SignPassphrase("8KY0CX0LAR", "Y6ZuXXsf0ojfeU")
	require.NoError(t, err)
	assert.Equal(t, seedToken, got)

	other, err := SignPassphrase("8KY0CX0LAS", "Y6ZuXXsf0ojfeU")
	require.NoError(t, err)
	assert.NotEqual(t, seedToken, other, "the code is the key")
}
