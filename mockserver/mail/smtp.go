// Package mail delivers the mock's mailbox messages to an SMTP server.
package mail

import (
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// mailFrom is the sender of every mail doppel delivers.
const mailFrom = "doppel@doppel.test"

// SMTP delivers mailbox messages to an SMTP server in the background, so
// that a request never waits for a mail server. Delivery failures are logged.
type SMTP struct {
	addr   string
	queue  chan store.Message
	done   sync.WaitGroup
	mu     sync.Mutex
	closed bool
}

// NewSMTP starts delivering to the SMTP server at addr (host:port).
func NewSMTP(addr string) *SMTP {
	o := &SMTP{addr: addr, queue: make(chan store.Message, 1024)}
	o.done.Add(1)
	go o.loop()
	return o
}

// Send queues a message; when the queue is full it is dropped with a log
// line rather than slowing requests down.
func (o *SMTP) Send(m store.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	select {
	case o.queue <- m:
	default:
		slog.Warn("smtp: queue full, mail not delivered", "id", m.ID, "to", m.To)
	}
}

// Close delivers what is queued and stops.
func (o *SMTP) Close() {
	o.mu.Lock()
	if !o.closed {
		o.closed = true
		close(o.queue)
	}
	o.mu.Unlock()
	o.done.Wait()
}

func (o *SMTP) loop() {
	defer o.done.Done()
	for m := range o.queue {
		if err := deliver(o.addr, m); err != nil {
			slog.Warn("smtp: delivery failed", "id", m.ID, "to", m.To, "err", err)
		}
	}
}

// deliver sends one message over a fresh SMTP connection.
func deliver(addr string, m store.Message) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	host, _, _ := net.SplitHostPort(addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Mail(mailFrom); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(rfc5322(m)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// rfc5322 renders a message as a plain-text mail whose X-Doppel-* headers
// carry what the mailbox API shows, so a mail catcher's reader can find the
// secrets without parsing the body.
func rfc5322(m store.Message) []byte {
	var b strings.Builder
	header := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", name, oneLine(value))
		}
	}
	header("From", "doppel <"+mailFrom+">")
	header("To", m.To)
	header("Subject", m.Subject)
	header("Date", m.SentAt.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@doppel.test>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("X-Doppel-Api", m.API)
	header("X-Doppel-Tenant", m.Tenant)
	header("X-Doppel-Kind", m.Kind)
	header("X-Doppel-Token", m.Token)
	header("X-Doppel-Identifier", m.Identifier)
	header("X-Doppel-Link", m.Link)
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}

// oneLine keeps a header value on its line: no header injection.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
