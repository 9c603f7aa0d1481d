package contracts

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A valid bodiless request is remembered; nothing a remembered request leaves
// out of its key may turn an invalid request valid.
func TestValidateRequestMemo(t *testing.T) {
	raw, err := os.ReadFile("testdata/memo.yaml")
	require.NoError(t, err)
	c, err := build("memo", raw)
	require.NoError(t, err)
	get, post := c.Operation("GET", "/items/{id}"), c.Operation("POST", "/items/{id}")
	require.NotNil(t, get)
	require.NotNil(t, post)

	type req struct{ method, target, mode, cookie, contentType, body string }
	valid := req{"GET", "/items/7?limit=3", "a", "plain", "", ""}
	check := func(r req) []Violation {
		h := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
		if r.mode != "" {
			h.Header.Set("X-Mode", r.mode)
		}
		if r.cookie != "" {
			h.Header.Set("Cookie", "flavour="+r.cookie)
		}
		if r.contentType != "" {
			h.Header.Set("Content-Type", r.contentType)
		}
		op := get
		if r.method == "POST" {
			op = post
		}
		return c.ValidateRequest(h, op, r.body == "")
	}
	require.Empty(t, check(valid))
	require.Empty(t, check(valid), "remembered")
	require.Equal(t, int64(1), c.validCount.Load())

	for name, r := range map[string]req{
		"path":             {"GET", "/items/x7?limit=3", "a", "plain", "", ""},
		"query":            {"GET", "/items/7?limit=30", "a", "plain", "", ""},
		"path-item header": {"GET", "/items/7?limit=3", "c", "plain", "", ""},
		"cookie":           {"GET", "/items/7?limit=3", "a", "burnt", "", ""},
		"missing body":     {"POST", "/items/7", "", "", "application/json", ""},
		"body":             {"POST", "/items/7", "", "", "application/json", `{"name":1}`},
	} {
		t.Run(name, func(t *testing.T) {
			assert.NotEmpty(t, check(r), "after a valid request was remembered")
			assert.NotEmpty(t, check(r), "twice: a rejection is not remembered")
		})
	}
	assert.Empty(t, check(req{"POST", "/items/7", "", "", "application/json", `{"name":"n"}`}))
	assert.Equal(t, int64(1), c.validCount.Load(), "requests with a body are not remembered")

	for i := range maxValid + 5 {
		require.Empty(t, check(req{"GET", fmt.Sprintf("/items/%d", i), "b", "", "", ""}))
	}
	n := 0
	c.valid.Range(func(any, any) bool { n++; return true })
	assert.LessOrEqual(t, n, maxValid, "the memo is bounded")
	assert.Empty(t, check(valid), "still valid after the memo started afresh")
}
