package mockserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver"
)

// clock is POST /__doppel/clock with a body; it returns {"now","offset"}.
func (h *harness) clock(body string) map[string]string {
	h.t.Helper()
	w := h.do("POST", "/__doppel/clock", body)
	require.Equal(h.t, http.StatusOK, w.Code, w.Body.String())
	return decode[map[string]string](h.t, w)
}

func now(t *testing.T, state map[string]string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, state["now"])
	require.NoError(t, err)
	return at
}

func TestClockAdvanceSetReset(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	state := decode[map[string]string](t, h.do("GET", "/__doppel/clock", nil))
	assert.Equal(t, "0s", state["offset"])
	assert.WithinDuration(t, time.Now(), now(t, state), 5*time.Second)

	tests := []struct {
		body, offset string
		near         time.Time // zero: now + offset
	}{
		{`{"advance":"25h"}`, "25h0m0s", time.Time{}},
		{`{"advance":"-1h"}`, "24h0m0s", time.Time{}},
		{`{"advance":"1d12h"}`, "60h0m0s", time.Time{}},
		{`{"reset":true}`, "0s", time.Time{}},
		{`{"advance":"30d"}`, "720h0m0s", time.Time{}},
		{`{"set":"2040-01-01T00:00:00Z"}`, "", time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)},
		{`{"reset":true}`, "0s", time.Time{}},
	}
	for _, tt := range tests {
		state := h.clock(tt.body)
		if tt.offset != "" {
			assert.Equal(t, tt.offset, state["offset"], tt.body)
			d, err := time.ParseDuration(tt.offset)
			require.NoError(t, err)
			tt.near = time.Now().Add(d)
		}
		assert.WithinDuration(t, tt.near, now(t, state), 5*time.Second, tt.body)
		assert.Equal(t, state["offset"], decode[map[string]string](t, h.do("GET", "/__doppel/clock", nil))["offset"], "GET shows what POST did")
	}
}

func TestClockRefusesBadInput(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})
	tests := []struct{ body, reason string }{
		{`{}`, `give one of {"advance":"25h"}`},
		{`{"advance":"1h","reset":true}`, "give one of"},
		{`{"reset":false}`, "give one of"},
		{`{"advance":"soon"}`, `advance: time: invalid duration "soon"`},
		{`{"advance":"2dx"}`, `invalid duration "2dx"`},
		{`{"advance":"100000d"}`, "too many days"},
		{`{"advance":"1000000h"}`, "more than 100 years"},
		{`{"set":"tomorrow"}`, "cannot parse"},
		{`{"set":"0001-01-01T00:00:00Z"}`, "more than 100 years"},
		{`{"freeze":true}`, `unknown field "freeze"`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			w := h.do("POST", "/__doppel/clock", tt.body)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Contains(t, decode[map[string]string](t, w)["error"], tt.reason)
		})
	}
	assert.Equal(t, "0s", decode[map[string]string](t, h.do("GET", "/__doppel/clock", nil))["offset"], "nothing moved")
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

func TestClockFixedByTheEmbedderCannotMove(t *testing.T) {
	t.Parallel()
	h := newHarness(t, mockserver.Options{Clock: fixedClock{}})
	w := h.do("POST", "/__doppel/clock", `{"advance":"1h"}`)
	assert.Equal(t, http.StatusConflict, w.Code)
	state := decode[map[string]string](t, h.do("GET", "/__doppel/clock", nil))
	assert.Equal(t, "2030-01-01T00:00:00Z", state["now"])
}

// TestTokensFollowTheClockInEachFace moves the default clock of
// mockserver.New through the admin API past each face's token lifetime.
func TestTokensFollowTheClockInEachFace(t *testing.T) {
	t.Parallel()
	for _, f := range opsFaces {
		t.Run(f.api, func(t *testing.T) {
			h := newOpsHarness(t, mockserver.Options{})
			tok := f.token(h)
			h.clock(`{"advance":"1h"}`)
			assert.Equal(t, http.StatusOK, f.authed(h, tok).Code, "still alive")
			h.clock(`{"advance":"` + f.ttl + `"}`)
			assertAnswer(t, f.authed(h, tok), http.StatusUnauthorized, f.expired)
			h.clock(`{"reset":true}`)
			assert.Equal(t, http.StatusOK, f.authed(h, tok).Code, "back in real time, the token is alive again")
		})
	}
}

func TestCodesAndWindowsFollowTheClock(t *testing.T) {
	t.Parallel()
	h := newOpsHarness(t, mockserver.Options{})

	// Emporix: a reset code lives an hour.
	anon := "Bearer " + h.anonymous("acme")
	require.Equal(t, http.StatusNoContent, h.do("POST", "/customer/acme/password/reset", map[string]string{"email": "ann@example.com"}, "Authorization", anon).Code)
	mail := decode[[]map[string]any](t, h.do("GET", "/__doppel/mailbox?api=emporix&kind=password_reset", nil))
	require.Len(t, mail, 1)
	h.clock(`{"advance":"61m"}`)
	anon = "Bearer " + h.anonymous("acme") // the first one lived an hour too
	w := h.do("POST", "/customer/acme/password/reset/update", map[string]string{"token": mail[0]["token"].(string), "password": "n3w-Secret!"}, "Authorization", anon)
	assert.Equal(t, http.StatusBadRequest, w.Code, "the code expired: %s", w.Body.String())
	h.clock(`{"reset":true}`)

	// Open Loyalty: a second reset request within 24 h is refused; after it, allowed.
	reset := func() int {
		return h.do("POST", "/api/DEFAULT/customer/password/reset/request", map[string]string{"username": "ann@example.com"}).Code
	}
	require.Equal(t, http.StatusOK, reset())
	assert.Equal(t, http.StatusBadRequest, reset(), "within the window")
	h.clock(`{"advance":"25h"}`)
	assert.Equal(t, http.StatusOK, reset(), "the window has passed")
}
