package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// nested is a JSON object nesting depth levels deep, innermost value 1.
func nested(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + `{"a":1}` + strings.Repeat("}", depth-1)
}

// TestDeepBodiesAreRefusedInEachDialect: a body nesting deeper than
// face.MaxDepth — JSON or form keys — is a 400 in the face's dialect, before
// validation, and changes nothing; one at the limit is accepted.
func TestDeepBodiesAreRefusedInEachDialect(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	emporix, accounts := opsFaces[0].token(h), opsFaces[2].token(h)
	before := h.state()
	deep := nested(face.MaxDepth) // one level more inside the body's own object
	tests := []struct {
		name, method, path, body, contentType, auth, answer string
	}{
		{"Emporix mixins", "PATCH", "/customer/acme/me", `{"mixins":` + deep + `}`, "application/json", emporix, `"type":"bad_request"`},
		{"Emporix address", "POST", "/customer/acme/me/addresses", `{"street":"x","country":"DE","mixins":` + deep + `}`, "application/json", emporix, `"type":"bad_request"`},
		{"Open Loyalty JSON", "POST", "/api/DEFAULT/customer/login_check", `{"_username":` + deep + `}`, "application/json", "", `"code":400`},
		{"Open Loyalty form", "POST", "/api/password/reset", "token=x&reset" + strings.Repeat("[a]", face.MaxDepth) + "=x", face.FormType, "", `"code":400`},
		{"Customer Accounts", "PATCH", "/customers/self", `{"address":` + deep + `}`, "application/json", accounts, `"error":"bad_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := h.raw(tt.method, tt.path, mockHost, tt.body, "Content-Type", tt.contentType, "Authorization", "Bearer "+tt.auth)
			assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), tt.answer)
			assert.Contains(t, w.Body.String(), "nests 33 levels deep; at most 32 are accepted")
		})
	}
	assert.Equal(t, before, h.state(), "nothing changed")

	w := h.do("PATCH", "/customer/acme/me", `{"mixins":`+nested(face.MaxDepth-1)+`}`, "Authorization", "Bearer "+emporix)
	assert.Equal(t, http.StatusOK, w.Code, "at the limit: %s", w.Body.String())
}

// TestLargeIntegersKeepEveryDigit: a number above 2^53 comes back as sent,
// from the face, the state export and import, and the journal.
func TestLargeIntegersKeepEveryDigit(t *testing.T) {
	t.Parallel()
	const big = "9007199254740993" // 2^53 + 1: a float64 makes it ...992
	h := newOpsHarness(t, mockserver.Options{})
	tok := opsFaces[0].token(h)
	w := h.do("PATCH", "/customer/acme/me", `{"mixins":{"loyalty":{"memberId":`+big+`}}}`, "Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	me := h.do("GET", "/customer/acme/me?expand=mixin:*", nil, "Authorization", "Bearer "+tok)
	assert.Contains(t, me.Body.String(), `"memberId":`+big)

	state := h.state()
	assert.Contains(t, state, `"memberId":`+big)
	other := newHarness(t, mockserver.Options{})
	require.Equal(t, http.StatusNoContent, other.do("PUT", "/__doppel/state", state).Code)
	assert.Equal(t, state, other.state(), "loaded back, the same state")

	assert.Contains(t, h.journal("?method=PATCH").Requests[0]["request"].(map[string]any)["body"], `"memberId":`+big)
}

// TestExpiredRecordsGoWhenTheClockMoves: anonymous logins leave tokens;
// once the clock is past their expiry by more than the grace period, the
// state is back to its size before them.
func TestExpiredRecordsGoWhenTheClockMoves(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	before := len(h.state())
	for range 500 {
		h.anonymous("acme")
	}
	assert.Greater(t, len(h.state()), before+500*200, "500 anonymous sessions: access and refresh tokens")
	h.clock(`{"advance":"30d"}`)
	assert.Equal(t, before, len(h.state()), "swept when the clock moved")
}

// TestMailboxIsCapped: the mailbox keeps the newest Options.Mailbox messages.
func TestMailboxIsCapped(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{Mailbox: 3})
	anon := "Bearer " + h.anonymous("acme")
	for range 5 {
		require.Equal(t, http.StatusNoContent, h.do("POST", "/customer/acme/password/reset", map[string]string{"email": "ann@example.com"}, "Authorization", anon).Code)
	}
	w := h.do("GET", "/__doppel/mailbox", nil)
	assert.Len(t, decode[[]any](t, w), 3)
	assert.Equal(t, "3", w.Header().Get("X-Total-Count"))
}

// TestEmporixAddressesAreCapped: a customer has at most
// identity.MaxAddresses addresses; one more is a 400 in Emporix's dialect.
func TestEmporixAddressesAreCapped(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	tok := "Bearer " + opsFaces[0].token(h)
	add := func() *httptest.ResponseRecorder {
		return h.do("POST", "/customer/acme/me/addresses", map[string]string{"street": "Main St", "city": "Berlin", "country": "DE"}, "Authorization", tok)
	}
	for range identity.MaxAddresses {
		require.Equal(t, http.StatusCreated, add().Code)
	}
	assertAnswer(t, add(), http.StatusBadRequest, `{"status":400,"type":"bad_request","message":"A customer can have at most 100 addresses."}`)
}
