package face

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReadBody: a body reads whole whether its length is declared or not,
// and one over the limit fails as too large either way.
func TestReadBody(t *testing.T) {
	const limit = 8
	for _, tc := range []struct {
		name     string
		body     string
		declared int64 // -1: unknown (chunked)
		tooLarge bool
	}{
		{name: "declared", body: `{"a":1}`, declared: 7},
		{name: "declared, at the limit", body: `{"ab":1}`, declared: 8},
		{name: "unknown length", body: `{"a":1}`, declared: -1},
		{name: "more than declared", body: `{"a":12}`, declared: 4}, // a length is a hint
		{name: "empty", body: "", declared: 0},
		{name: "declared, over the limit", body: `{"abc":1}`, declared: 9, tooLarge: true},
		{name: "unknown length, over the limit", body: `{"abc":1}`, declared: -1, tooLarge: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			got, err := readBody(http.MaxBytesReader(w, nopCloser{strings.NewReader(tc.body)}, limit), tc.declared, limit)
			var tooLarge *http.MaxBytesError
			if tc.tooLarge {
				assert.True(t, errors.As(err, &tooLarge), "error %v", err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.body, string(got))
		})
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
