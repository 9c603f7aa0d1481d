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

func TestWithQuery(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"/customers/do_reset", "/customers/do_reset?email=a%2Bb%40example.com&code=8KY0CX0LAR"},
		{"https://app.example/reset?lang=en#form", "https://app.example/reset?lang=en&email=a%2Bb%40example.com&code=8KY0CX0LAR#form"},
		{"reset", "reset?email=a%2Bb%40example.com&code=8KY0CX0LAR"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, withQuery(tt.ref, "email", "a+b@example.com", "code", "8KY0CX0LAR"), tt.ref)
	}
}

func TestValidResetURI(t *testing.T) {
	for ref, want := range map[string]bool{
		"/customers/do_reset":       true,
		"reset":                     true,
		"https://app.example/reset": true,
		"http://localhost:3000/r":   true,
		"javascript:alert(1)":       false,
		"https:///no-host":          false,
		"ftp://files.example/r":     false,
		"http://[::1":               false,
	} {
		assert.Equal(t, want, validResetURI(ref), ref)
	}
}
