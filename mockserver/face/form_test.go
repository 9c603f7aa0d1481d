package face_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/face"
)

func TestFormObjectReadsFormsAsPHPDoes(t *testing.T) {
	values, err := url.ParseQuery("token=t&reset[plainPassword]=a%26b&x=1&x=2&reset[plainPassword]=last")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"token": "t",
		"x":     "2",
		"reset": map[string]any{"plainPassword": "last"},
	}, face.FormObject(values))
}

func TestDecodeReadsJSONAndForms(t *testing.T) {
	type in struct {
		Token string `json:"token"`
		Reset struct {
			PlainPassword string `json:"plainPassword"`
		} `json:"reset"`
	}
	for contentType, body := range map[string]string{
		"application/json": `{"token":"t","reset":{"plainPassword":"p&q"}}`,
		"application/x-www-form-urlencoded; charset=UTF-8": "token=t&reset%5BplainPassword%5D=p%26q",
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		var got in
		require.NoError(t, (&face.Call{R: r, Body: []byte(body)}).Decode(&got), contentType)
		assert.Equal(t, "t", got.Token, contentType)
		assert.Equal(t, "p&q", got.Reset.PlainPassword, contentType)
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var p *face.Problem
	err := (&face.Call{R: r, Body: []byte("a=%zz")}).Decode(&struct{}{})
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 400, p.Status)
}
