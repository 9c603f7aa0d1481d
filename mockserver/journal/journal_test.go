package journal

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/contracts"
)

func TestNewOff(t *testing.T) {
	assert.Nil(t, New(0))
	assert.Nil(t, New(-1))
	var off *Journal
	assert.Equal(t, Page{Requests: []View{}}, off.List(Filter{Limit: 10}))
}

func TestRingUnderConcurrency(t *testing.T) {
	j := New(50)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				j.Add(Entry{API: "emporix", Path: fmt.Sprintf("/g%d/%d", g, i), Status: 200})
				if i%10 == 0 {
					j.List(Filter{Limit: 5})
				}
			}
		})
	}
	wg.Wait()
	page := j.List(Filter{Limit: 1000})
	assert.Equal(t, 50, page.Capacity)
	assert.Equal(t, uint64(400), page.Recorded)
	require.Len(t, page.Requests, 50)
	for i, v := range page.Requests {
		assert.Equal(t, uint64(400-i), v.ID, "newest first, ids without gaps")
	}
}

func TestBodies(t *testing.T) {
	small := []byte(`{"password":"pw","a":1}`)
	assert.Equal(t, `{"a":1,"password":"[redacted]"}`, NewBody(small, len(small)).String())
	assert.Equal(t, "", NewBody(nil, 0).String())
	big := []byte(`{"password":"pw","a":"` + strings.Repeat("y", MaxBody) + `"}`)
	shown := NewBody(big, len(big)).String()
	assert.NotContains(t, shown, `"pw"`, "redacted while whole, then clipped")
	assert.Contains(t, shown, "bytes)")
	assert.Equal(t, "(70000 bytes, not kept)", NewBody(big[:100], 70000).String())
}

func TestRedactPath(t *testing.T) {
	tests := []struct{ pattern, path, want string }{
		{"GET /customer/{tenant}/signup/optin/{token}", "/customer/acme/signup/optin/abc", "/customer/acme/signup/optin/[redacted]"},
		{"GET /customer/{tenant}/me", "/customer/acme/me", "/customer/acme/me"},
		{"/customer/", "/customer/acme/x", "/customer/acme/x"},
		{"", "/x", "/x"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, redactPath(tt.pattern, tt.path), tt.pattern)
	}
}

func TestParseFilter(t *testing.T) {
	f, err := ParseFilter(url.Values{"status": {"4XX"}, "method": {"post"}, "limit": {"5"}, "path": {"/me"}})
	require.NoError(t, err)
	assert.Equal(t, Filter{Method: "POST", Path: "/me", Status: 4, Class: true, Limit: 5}, f)
	f, err = ParseFilter(url.Values{})
	require.NoError(t, err)
	assert.Equal(t, Filter{Limit: DefaultLimit}, f)
	assert.True(t, Filter{Status: 404}.match(&Entry{Status: 404}))
	assert.False(t, Filter{Status: 4, Class: true}.match(&Entry{Status: 500}))
}

// TestEntriesAreBounded: however large a request, its entry keeps a few
// KiB of it, secrets redacted before anything is cut.
func TestEntriesAreBounded(t *testing.T) {
	j := New(1)
	header := http.Header{"Authorization": {"Bearer " + strings.Repeat("s", 3000)}}
	for i := range 60 {
		header.Set(fmt.Sprintf("X-Filler-%02d", i), strings.Repeat("x", 1000))
	}
	secret := strings.Repeat("T0k3n", 2000)
	var violations []contracts.Violation
	for range 500 {
		violations = append(violations, contracts.Violation{In: "body", Message: "wrong"})
	}
	j.Add(Entry{API: "emporix", Method: "GET", Pattern: "GET /customer/{tenant}/signup/optin/{token}",
		Path: "/customer/acme/signup/optin/" + secret, Query: "accessToken=" + secret + "&x=" + strings.Repeat("y", 5000),
		Header: header, Violations: violations, Status: 200})
	v := j.List(Filter{Limit: 1}).Requests[0]
	size := 0
	for name, val := range v.Request.Headers {
		size += len(name) + len(val)
		assert.NotContains(t, val, "sss", name)
	}
	assert.LessOrEqual(t, size, MaxHeaders+100)
	assert.Contains(t, v.Request.Headers["…"], "kept")
	assert.LessOrEqual(t, len(v.Path), MaxBody+30)
	assert.LessOrEqual(t, len(v.Query), MaxBody+30)
	assert.NotContains(t, v.Path+v.Query, "T0k3n")
	assert.Len(t, v.Violations, MaxViolations+1)
	assert.Equal(t, "480 more violations not kept", v.Violations[MaxViolations].Message)
}
