package mail

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/mockserver/mail/mailtest"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func TestRFC5322KeepsHeadersOnTheirLines(t *testing.T) {
	m := store.Message{ID: "msg-000001", API: "emporix", Tenant: "acme", To: "ann@example.com", Kind: "password_reset",
		Subject: "Reset\r\nBcc: victim@example.com", Token: "tok", Link: "https://x/?token=tok", Body: "line 1\nline 2",
		SentAt: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	msg, err := mail.ReadMessage(strings.NewReader(string(rfc5322(m))))
	require.NoError(t, err)
	assert.Empty(t, msg.Header.Get("Bcc"), "no header injection through the subject")
	assert.Equal(t, "Reset  Bcc: victim@example.com", msg.Header.Get("Subject"))
	assert.Equal(t, "password_reset", msg.Header.Get("X-Doppel-Kind"))
	assert.Equal(t, "tok", msg.Header.Get("X-Doppel-Token"))
	assert.Empty(t, msg.Header.Get("X-Doppel-Identifier"), "empty values are left out")
	body := make([]byte, 64)
	n, _ := msg.Body.Read(body)
	assert.Equal(t, "line 1\r\nline 2\r\n", string(body[:n]))
}

// TestSMTPDelivery talks to a minimal SMTP server and checks the envelope
// and the data doppel sends, and that close delivers what is queued.
func TestSMTPDelivery(t *testing.T) {
	addr, got := mailtest.Server(t)
	out := NewSMTP(addr)
	out.Send(store.Message{ID: "msg-000007", To: "ann@example.com", Kind: "password_reset", Subject: "Reset", Token: "tok", Body: "hi"})
	out.Close()
	out.Send(store.Message{ID: "msg-000008", To: "late@example.com"}) // after close: dropped, no panic
	select {
	case lines := <-got:
		text := strings.Join(lines, "\n")
		assert.Contains(t, text, "MAIL FROM:<doppel@doppel.test>")
		assert.Contains(t, text, "RCPT TO:<ann@example.com>")
		assert.Contains(t, text, "X-Doppel-Token: tok")
		assert.Contains(t, text, "Message-ID: <msg-000007@doppel.test>")
	case <-time.After(10 * time.Second):
		t.Fatal("no mail delivered")
	}
}
