package mockserver

import (
	"bufio"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/store"
)

func TestRFC5322KeepsHeadersOnTheirLines(t *testing.T) {
	t.Parallel()
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

// fakeSMTP is a minimal SMTP server: it sends the envelope and data lines
// of every message it receives on the channel.
func fakeSMTP(t *testing.T) (addr string, got <-chan []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	messages := make(chan []string, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go session(conn, messages)
		}
	}()
	return ln.Addr().String(), messages
}

func session(conn net.Conn, messages chan<- []string) {
	defer conn.Close()
	r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(s string) { _, _ = w.WriteString(s + "\r\n"); _ = w.Flush() }
	var lines []string
	say("220 test ESMTP")
	for data := false; ; {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case data && line == ".":
			data = false
			say("250 queued")
		case data:
			lines = append(lines, line)
		case strings.HasPrefix(line, "EHLO"), strings.HasPrefix(line, "HELO"):
			say("250 test")
		case strings.HasPrefix(line, "MAIL FROM"), strings.HasPrefix(line, "RCPT TO"):
			lines = append(lines, line)
			say("250 ok")
		case line == "DATA":
			data = true
			say("354 go on")
		case line == "QUIT":
			say("221 bye")
			messages <- lines
			return
		}
	}
}

// TestSMTPDelivery talks to a minimal SMTP server and checks the envelope
// and the data doppel sends, and that close delivers what is queued.
func TestSMTPDelivery(t *testing.T) {
	t.Parallel()
	addr, got := fakeSMTP(t)
	out := newSMTPOut(addr)
	out.send(store.Message{ID: "msg-000007", To: "ann@example.com", Kind: "password_reset", Subject: "Reset", Token: "tok", Body: "hi"})
	out.close()
	out.send(store.Message{ID: "msg-000008", To: "late@example.com"}) // after close: dropped, no panic
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

// TestSMTPWithTheAdminAPIOff: a vendor-like doppel (--admin=false) still
// delivers its mail — the only way left to read a secret.
func TestSMTPWithTheAdminAPIOff(t *testing.T) {
	t.Parallel()
	addr, got := fakeSMTP(t)
	srv, err := New(Options{Seed: fixtures.Personas(), SMTP: addr, Admin: AdminOptions{Off: true}})
	require.NoError(t, err)
	srv.Close() // delivers what is queued: the pending persona's activation
	select {
	case lines := <-got:
		assert.Contains(t, strings.Join(lines, "\n"), "X-Doppel-Kind: activation")
	case <-time.After(10 * time.Second):
		t.Fatal("no mail delivered")
	}
}
