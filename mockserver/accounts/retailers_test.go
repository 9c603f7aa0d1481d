package accounts

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"http://localhost:3000", "http://localhost:3000", true},
		{"HTTPS://Shop.Example", "https://shop.example", true},
		{"https://shop.example:443", "https://shop.example", true},
		{"http://shop.example:80/", "http://shop.example", true},
		{"https://shop.example:80", "https://shop.example:80", true},
		{"http://[::1]:3000", "http://[::1]:3000", true},
		{"http://[::1]:80", "http://[::1]", true},
		{"null", "", false},
		{"shop.example", "", false},
		{"ftp://shop.example", "", false},
		{"https://shop.example/path", "", false},
		{"https://shop.example?q", "", false},
		{"https://shop.example#f", "", false},
		{"https://user@shop.example", "", false},
		{"https://", "", false},
		{"http://[::1", "", false},
	}
	for _, tt := range tests {
		got, ok := normalizeOrigin(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

// TestResetLink: reset_uri resolves against the request's origin, must
// stay on one of the retailer's origins, and gets the code as its last path
// segment and the e-mail in its query.
func TestResetLink(t *testing.T) {
	s := &scope{retailer: retailer{name: "demo", origins: []string{"http://localhost:3000", "https://shop.example"}},
		origin: "http://localhost:3000"}
	tests := []struct{ ref, want string }{
		{"/customers/do_reset", "http://localhost:3000/customers/do_reset/8KY0CX0LAR?email=a%2Bb%40example.com"},
		{"reset/", "http://localhost:3000/reset/8KY0CX0LAR?email=a%2Bb%40example.com"},
		{"https://shop.example/reset?lang=en#form", "https://shop.example/reset/8KY0CX0LAR?lang=en&email=a%2Bb%40example.com#form"},
		{"HTTPS://SHOP.EXAMPLE:443", "https://SHOP.EXAMPLE:443/8KY0CX0LAR?email=a%2Bb%40example.com"},
		{"/a%2Fb/reset", "http://localhost:3000/a%2Fb/reset/8KY0CX0LAR?email=a%2Bb%40example.com"},
		{"javascript:alert(1)", ""},
		{"https://evil.example/reset", ""},
		{"//evil.example/reset", ""},
		{"http://shop.example/reset", ""}, // another scheme is another origin
		{"https://user@shop.example/reset", ""},
		{"mailto:ann@example.com", ""},
		{"http://[::1", ""},
	}
	for _, tt := range tests {
		base, ok := resetBase(s, tt.ref)
		require.Equal(t, tt.want != "", ok, tt.ref)
		if ok {
			assert.Equal(t, tt.want, resetLink(base, "a+b@example.com", "8KY0CX0LAR"), tt.ref)
		}
	}
}
