package conformance

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// IMAPMailbox reads the mail a target sent from an IMAP mailbox, e.g. the
// catch-all inbox of a vendor's staging: doppel's own mail by its
// X-Doppel-* headers, other senders' by the Kinds patterns, as
// MailpitMailbox does. It only reads (EXAMINE, BODY.PEEK): nothing is
// marked or deleted.
type IMAPMailbox struct {
	Address            string // host:port
	TLS                bool   // implicit TLS (imaps://)
	Username, Password string
	Folder             string // INBOX when empty
	Kinds              map[string]MailKind
}

// Messages implements Mailbox.
func (m IMAPMailbox) Messages(ctx context.Context, f MailFilter) ([]Mail, error) {
	c, err := m.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("imap: %w", err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	msgs, err := m.fetch(c, f.To)
	if err != nil {
		return nil, fmt.Errorf("imap: %w", err)
	}
	var out []Mail
	for _, raw := range msgs { // oldest first: ascending UIDs
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil || !addressedTo(msg.Header, f.To) {
			continue
		}
		dec := new(mime.WordDecoder)
		subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			subject = msg.Header.Get("Subject")
		}
		got, ok, err := recognise(msg.Header.Get, subject, func() (string, error) { return text(msg) }, m.Kinds, f)
		if err != nil {
			return nil, fmt.Errorf("imap: %w", err)
		}
		if ok {
			out = append(out, got)
		}
	}
	return out, nil
}

func (m IMAPMailbox) dial(ctx context.Context) (*imapclient.Client, error) {
	conn, err := new(net.Dialer).DialContext(ctx, "tcp", m.Address)
	if err != nil {
		return nil, err
	}
	if m.TLS {
		host, _, _ := net.SplitHostPort(m.Address)
		conn = tls.Client(conn, &tls.Config{ServerName: host})
	}
	c := imapclient.New(conn, nil)
	if err := c.Login(m.Username, m.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", m.Username, err)
	}
	return c, nil
}

// fetch returns the whole text of every message whose To header names to.
func (m IMAPMailbox) fetch(c *imapclient.Client, to string) ([][]byte, error) {
	folder := m.Folder
	if folder == "" {
		folder = "INBOX"
	}
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, fmt.Errorf("examine %s: %w", folder, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: to}}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return nil, nil
	}
	whole := &imap.FetchItemBodySection{Peek: true}
	list, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{whole}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	var out [][]byte
	for _, msg := range list {
		out = append(out, msg.FindBodySection(whole))
	}
	return out, nil
}

// addressedTo reports whether a message's To header names the address
// itself (a search for a substring also finds ann@example.com.evil).
func addressedTo(h mail.Header, to string) bool {
	list, err := h.AddressList("To")
	if err != nil {
		return false
	}
	for _, a := range list {
		if strings.EqualFold(a.Address, to) {
			return true
		}
	}
	return false
}

// text is a message's plain-text body, its transfer encoding undone: the
// first text/plain part of a multipart message.
func text(msg *mail.Message) (string, error) {
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", nil // no text part
			}
			if err != nil {
				return "", err
			}
			if t, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); t == "text/plain" || t == "" {
				return decoded(p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
	}
	return decoded(msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func decoded(encoding string, r io.Reader) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // it skips line breaks
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
