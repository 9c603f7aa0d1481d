package contracts

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func viewsContract(t *testing.T) *Contract {
	raw, err := os.ReadFile("testdata/views.yaml")
	require.NoError(t, err)
	c, err := build("views", raw)
	require.NoError(t, err)
	return c
}

func fields(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Field)
	}
	return out
}

// TestVendorAndDoppelViews checks responses against both views: only what
// the vendor documents fails; what doppel's marks pin is a finding.
func TestVendorAndDoppelViews(t *testing.T) {
	c := viewsContract(t)
	list := c.Operation("GET", "/items")
	json := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name           string
		status         int
		body           string
		vendor, doppel []string // the fields each view's violations name
	}{
		{"conforms to both", 200, `{"id":"1","legacyId":"1","mode":"a","tags":["X"]}`, nil, nil},
		{"a deprecated field doppel requires is missing", 200, `{"id":"1","mode":"a"}`, nil, []string{"legacyId"}},
		{"doppel's choice of values is not followed", 200, `{"id":"1","legacyId":"1","mode":"c","tags":["x"]}`, nil, []string{"mode", "tags[0]"}},
		{"a property doppel chose may be missing", 200, `{"id":"1","legacyId":"1"}`, nil, []string{"mode"}},
		{"the vendor's required field is missing", 200, `{"legacyId":"1","mode":"a"}`, []string{"id"}, nil},
		{"a status only doppel documents", 413, `{"type":"too_large"}`, nil, []string{"type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := c.CheckResponse(httptest.NewRequest("GET", "/items", nil), list, tt.status, json, []byte(tt.body))
			assert.ElementsMatch(t, tt.vendor, fields(v.Vendor), "vendor: %v", v.Vendor)
			assert.ElementsMatch(t, tt.doppel, fields(v.Doppel), "doppel: %v", v.Doppel)
		})
	}
	assert.True(t, list.Documents(413))
	assert.False(t, list.VendorDocuments(413))
	assert.True(t, list.VendorDocuments(200))
	del := c.Operation("DELETE", "/items")
	assert.True(t, del.Documents(204))
	assert.False(t, del.VendorDocuments(204), "the vendor does not document the operation")
}

// TestRequestsUseDoppelsView: the mock validates requests against doppel's
// view, x-doppel-required included.
func TestRequestsUseDoppelsView(t *testing.T) {
	c := viewsContract(t)
	post := c.Operation("POST", "/items")
	req := func(body string) *http.Request {
		r := httptest.NewRequest("POST", "/items", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	assert.Empty(t, c.ValidateRequest(req(`{"name":"a","site":"s"}`), post, false))
	assert.Equal(t, []string{"site"}, fields(c.ValidateRequest(req(`{"name":"a"}`), post, false)))
}

func TestMarksAreChecked(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"paths:\n  /a:\n    get:\n      x-doppel-chioce: true\n", "x-doppel-chioce: unknown mark"},
		{"paths:\n  /a:\n    get:\n      x-doppel-choice: yes please\n", "x-doppel-choice: want true"},
		{"components:\n  schemas:\n    A: {x-doppel-required: a}\n", "x-doppel-required: want a list"},
	} {
		_, err := derive([]byte(tt.doc))
		assert.ErrorContains(t, err, tt.want)
	}
}

// TestEmbeddedContractsDerive: every contract builds both views.
func TestEmbeddedContractsDerive(t *testing.T) {
	for _, name := range Names() {
		raw, err := Raw(name)
		require.NoError(t, err)
		_, err = derive(raw)
		assert.NoError(t, err, name)
	}
}
