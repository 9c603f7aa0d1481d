package persist

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/store"
)

func TestParseState(t *testing.T) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC)
	rec := &store.Records{
		Version:   store.Version,
		Customers: []*store.Customer{{ID: "emporix/acme/1", API: "emporix", Tenant: "acme", Number: "1", Version: 1, Created: at, Profile: map[string]any{"b": 1.5, "a": "<x>"}}},
		Mail:      []*store.Message{{Seq: 2, ID: "msg-000002", SentAt: at}},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteState(&buf, rec))
	doc, err := Parse(buf.Bytes())
	require.NoError(t, err, buf.String())
	var again bytes.Buffer
	require.NoError(t, WriteState(&again, doc.State))
	assert.Equal(t, buf.String(), again.String(), "what is written parses back to the same bytes")
	assert.Contains(t, buf.String(), "\n\"customers\":[\n{", "one record per line")
	assert.Contains(t, buf.String(), `"tokens":[]`, "empty tables are empty lists")

	tests := []struct{ name, doc, want string }{
		{"another version", `{"state":{"version":2}}`, "state version 2 is not supported (this doppel reads version 1)"},
		{"no version", `{"state":{"customers":[]}}`, "state version 0"},
		{"unknown record field", `{"state":{"version":1,"customers":[{"id":"x","nickname":"y"}]}}`, `unknown field "nickname"`},
		{"wrong type", `{"state":{"version":1,"customers":[{"version":"1"}]}}`, "cannot unmarshal"},
		{"trailing data", `{"state":{"version":1}} {}`, "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
