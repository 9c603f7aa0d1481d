package face

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestJSONDepth(t *testing.T) {
	for in, want := range map[string]int{
		`1`: 0, `"[{"`: 0, `{}`: 1, `[[1],[2]]`: 2, `{"a":{"b":[1]}}`: 3,
		`{"a":"[[[[\"{{"}`: 1, `{"a":"\\"}`: 1, `[[[`: 3, // malformed: validation says why
		strings.Repeat("[", 40) + strings.Repeat("]", 40): 40,
	} {
		assert.Equal(t, want, jsonDepth([]byte(in)), in)
	}
}

func TestDecodeJSONKeepsNumbers(t *testing.T) {
	var v map[string]any
	assert.NoError(t, decodeJSON([]byte(`{"n":9007199254740993,"f":1.50}`), &v))
	assert.Equal(t, json.Number("9007199254740993"), v["n"])
	assert.Equal(t, json.Number("1.50"), v["f"])
	assert.Error(t, decodeJSON([]byte(`{} {}`), &v), "one value only, as json.Unmarshal")
	n, ok := Int(v["n"])
	assert.True(t, ok)
	assert.Equal(t, 9007199254740993, n)
	_, ok = Int(v["f"])
	assert.False(t, ok, "not whole")
	n, ok = Int(3.0)
	assert.Equal(t, []any{3, true}, []any{n, ok})
}
