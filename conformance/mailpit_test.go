package conformance_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
)

// fakeMailpit serves the three calls of Mailpit's API the adapter uses.
func fakeMailpit(t *testing.T) *httptest.Server {
	type msg struct {
		id, to, subject, text string
		headers               map[string][]string
	}
	msgs := []msg{ // newest first, as Mailpit lists them
		{"m3", "ann@example.com", "Reset your password", "Your code: XY12 (valid 1 h)", nil},
		{"m2", "ann@example.com.evil", "Reset", "", map[string][]string{"X-Doppel-Kind": {"password_reset"}, "X-Doppel-Token": {"nope"}}},
		{"m1", "Ann@Example.com", "Reset", "", map[string][]string{"X-Doppel-Kind": {"password_reset"}, "X-Doppel-Api": {"emporix"},
			"X-Doppel-Tenant": {"acme"}, "X-Doppel-Token": {"tok1"}, "X-Doppel-Link": {"https://x/?token=tok1"}}},
		{"m0", "ann@example.com", "Reset", "", map[string][]string{"X-Doppel-Kind": {"password_reset"}, "X-Doppel-Api": {"emporix"},
			"X-Doppel-Tenant": {"other"}, "X-Doppel-Token": {"tok0"}}},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, `to:"ann@example.com"`, r.URL.Query().Get("query"))
		var out struct {
			Messages []map[string]any `json:"messages"`
		}
		for _, m := range msgs {
			out.Messages = append(out.Messages, map[string]any{"ID": m.id, "Subject": m.subject, "To": []map[string]string{{"Address": m.to}}})
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /api/v1/message/{id}/{part...}", func(w http.ResponseWriter, r *http.Request) {
		for _, m := range msgs {
			if m.id != r.PathValue("id") {
				continue
			}
			if r.PathValue("part") == "headers" {
				_ = json.NewEncoder(w).Encode(m.headers)
			} else {
				_ = json.NewEncoder(w).Encode(map[string]string{"Text": m.text})
			}
			return
		}
		http.NotFound(w, r)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func TestMailpitMailbox(t *testing.T) {
	t.Parallel()
	ts := fakeMailpit(t)
	mb := conformance.MailpitMailbox{URL: ts.URL, Kinds: map[string]conformance.MailKind{
		"password_reset": {Subject: "^Reset your password$", Token: `code: ([A-Z0-9]+)`},
	}}
	got, err := mb.Messages(context.Background(), conformance.MailFilter{API: "emporix", Tenant: "acme", To: "ann@example.com", Kind: "password_reset"})
	require.NoError(t, err)
	require.Len(t, got, 2, "doppel's mail of this API and tenant, and the foreign mail its kind's patterns recognise; not other recipients or tenants")
	assert.Equal(t, "tok1", got[0].Token, "oldest first")
	assert.Equal(t, "https://x/?token=tok1", got[0].Link)
	assert.Equal(t, "XY12", got[1].Token)

	got, err = mb.Messages(context.Background(), conformance.MailFilter{API: "emporix", Tenant: "acme", To: "ann@example.com", Kind: "email_change"})
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = conformance.MailpitMailbox{URL: ts.URL + "/nothing"}.Messages(context.Background(), conformance.MailFilter{To: "ann@example.com"})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "mailpit:"))
}
