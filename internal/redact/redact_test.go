package redact_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/internal/redact"
)

func TestBody(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"json", `{"email":"a@b.c","password":"hunter2"}`, `{"email":"a@b.c","password":"[redacted]"}`},
		{"nested and arrays", `{"a":[{"access_token":"t"}],"n":{"refresh_token":"r"},"id":"1"}`,
			`{"a":[{"access_token":"[redacted]"}],"id":"1","n":{"refresh_token":"[redacted]"}}`},
		{"a secret-named object is walked, not masked", `{"token":{"code":"1","kind":"x"}}`, `{"token":{"code":"[redacted]","kind":"x"}}`},
		{"null stays null", `{"password":null}`, `{"password":null}`},
		{"what describes a secret stays", `{"token_type":"Bearer","refresh_token_expires_in":86399,"initialPassword":false}`,
			`{"initialPassword":false,"refresh_token_expires_in":86399,"token_type":"Bearer"}`},
		{"a number named code is a status, not a secret", `{"code":401,"message":"Bad credentials."}`, `{"code":401,"message":"Bad credentials."}`},
		{"a string named code is", `{"code":"8KY0CX0LAR"}`, `{"code":"[redacted]"}`},
		{"form", `_username=ann&_password=pw`, `_password=%5Bredacted%5D&_username=ann`},
		{"large integers keep their digits", `{"id":9007199254740993,"password":"x"}`, `{"id":9007199254740993,"password":"[redacted]"}`},
		{"malformed JSON", `{"email":"a@b.c","password":"hunter2",}`, `{"email":"a@b.c","password":"[redacted]",}`},
		{"JSON cut short", `{"email":"a@b.c", "reset": {"plainPassword" : "hun`, `{"email":"a@b.c", "reset": {"plainPassword" : "[redacted]"`},
		{"an unquoted secret", `{"password":hunter2, "code":12}`, `{"password":"[redacted]", "code":"[redacted]"}`},
		{"escaped quotes", `{"password":"a\"b","x":`, `{"password":"[redacted]","x":`},
		{"a form with spaces", `_username=ann&_password=pw 1`, `_username=ann&_password=[redacted] 1`},
		{"plain text", `hello world`, `hello world`},
		{"empty", ``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, string(redact.Body([]byte(tt.in))))
		})
	}
}

func TestQueryURLAndHeader(t *testing.T) {
	assert.Equal(t, "accessToken=%5Bredacted%5D&x=1", redact.Query("accessToken=abc&x=1"))
	assert.Equal(t, "", redact.Query(""))
	assert.Equal(t, "[redacted]", redact.Query("%zz"))
	assert.Equal(t, "http://h/p?code=%5Bredacted%5D", redact.URL("http://h/p?code=123"))
	assert.Equal(t, "Bearer [redacted]", redact.Header("Authorization", "Bearer abc"))
	assert.Equal(t, "[redacted]", redact.Header("Authorization", "abc"))
	assert.Equal(t, "[redacted]", redact.Header("Cookie", "s=1"))
	assert.Equal(t, "application/json", redact.Header("Content-Type", "application/json"))
	assert.Equal(t, url.Values{"password": {"[redacted]"}, "a": {"b"}}, redact.Values(url.Values{"password": {"x"}, "a": {"b"}}))
}

func TestFind(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"
	tests := []struct {
		name, in string
		want     []redact.Secret
	}{
		{"json", `{"email":"a@b.c","password":"hunter2","n":{"refresh_token":"r1"},"code":401,"id":"` + jwt + `"}`,
			[]redact.Secret{{"password", "hunter2"}, {"refresh_token", "r1"}, {"id", jwt}}},
		{"arrays keep the key", `{"tokens":["t1","t2"]}`, []redact.Secret{{"tokens", "t1"}, {"tokens", "t2"}}},
		{"form", `username=ann&reset%5BplainPassword%5D=N3w%21pw`, []redact.Secret{{"reset[plainPassword]", "N3w!pw"}}},
		{"nothing", `{"token_type":"Bearer","password":""}`, nil},
		{"plain text", `a token`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ElementsMatch(t, tt.want, redact.Find([]byte(tt.in)))
		})
	}
	s, ok := redact.FindHeader("Authorization", "Bearer abc")
	assert.True(t, ok)
	assert.Equal(t, redact.Secret{Name: "Authorization", Value: "abc"}, s)
	_, ok = redact.FindHeader("Accept", "application/json")
	assert.False(t, ok)
}

func TestClip(t *testing.T) {
	assert.Equal(t, "short", redact.Clip([]byte("short"), 10))
	assert.Equal(t, "abcd… (10 bytes)", redact.Clip([]byte("abcdefghij"), 4))
	clipped := redact.Clip([]byte("aé"+strings.Repeat("x", 10)), 2) // é is two bytes: never cut in half
	assert.True(t, strings.HasPrefix(clipped, "a…"), clipped)
}
