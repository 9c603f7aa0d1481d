package face

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxDepth is how deeply a request body may nest: JSON objects and arrays,
// or form keys such as a[b][c]. No client of the vendors' APIs comes near
// it, and every state that a face accepted stays loadable: the state
// document nests a body a few levels deeper, far below encoding/json's
// limit of 10 000.
const MaxDepth = 32

// mediaType is the media type of a request's Content-Type, lower case
// without parameters; "" when it has none or a malformed one.
func mediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "application/json" { // what most clients send: no parsing, no allocation
		return ct
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return mt
}

// checkDepth refuses a JSON or form body nesting deeper than MaxDepth, before
// anything parses it. Malformed bodies are left to the contract validation.
func checkDepth(r *http.Request, body []byte) *Problem {
	mt := mediaType(r)
	depth := 0
	switch {
	case mt == FormType:
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return nil
		}
		for key := range values {
			depth = max(depth, len(strings.FieldsFunc(key, func(r rune) bool { return r == '[' || r == ']' })))
		}
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		depth = jsonDepth(body)
	}
	if depth > MaxDepth {
		return Errorf(http.StatusBadRequest, CodeBadRequest, "The request body nests %d levels deep; at most %d are accepted.", depth, MaxDepth)
	}
	return nil
}

// jsonDepth returns how deeply a JSON text nests its objects and arrays,
// scanning it once without decoding it.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// decodeJSON unmarshals one JSON value into v, keeping numbers as
// json.Number where v holds them as any: an integer above 2^53 keeps its
// every digit, in the state and in every answer.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid character after top-level value")
	}
	return nil
}

// Int returns a number of a decoded body (a json.Number, or a float64 of a
// document decoded elsewhere) as an int; false when it is none or not whole.
func Int(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}
