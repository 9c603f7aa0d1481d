package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// MailpitMailbox reads the mail a Mailpit server caught, through its HTTP
// API. doppel's own mail names its kind and secrets in X-Doppel-* headers;
// other senders' mail is recognised by the Kinds patterns.
type MailpitMailbox struct {
	URL    string // e.g. http://127.0.0.1:8025
	Kinds  map[string]MailKind
	Client *http.Client // the default client when nil
}

type mailpitSummary struct {
	ID      string
	Subject string
	To      []struct{ Address string }
}

// Messages implements Mailbox.
func (m MailpitMailbox) Messages(ctx context.Context, f MailFilter) ([]Mail, error) {
	var list struct{ Messages []mailpitSummary }
	q := url.Values{"query": {fmt.Sprintf("to:%q", f.To)}, "limit": {"200"}}
	if err := m.get(ctx, "/api/v1/search?"+q.Encode(), &list); err != nil {
		return nil, err
	}
	var out []Mail
	for _, s := range slices.Backward(list.Messages) { // the API lists the newest first
		if !slices.ContainsFunc(s.To, func(a struct{ Address string }) bool { return strings.EqualFold(a.Address, f.To) }) {
			continue
		}
		mail, ok, err := m.read(ctx, s, f)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, mail)
		}
	}
	return out, nil
}

// read turns a caught message into a Mail, reporting whether it matches f.
func (m MailpitMailbox) read(ctx context.Context, s mailpitSummary, f MailFilter) (Mail, bool, error) {
	var h map[string][]string
	if err := m.get(ctx, "/api/v1/message/"+url.PathEscape(s.ID)+"/headers", &h); err != nil {
		return Mail{}, false, err
	}
	first := func(name string) string {
		if v := h[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return recognise(first, s.Subject, func() (string, error) {
		var msg struct{ Text string }
		err := m.get(ctx, "/api/v1/message/"+url.PathEscape(s.ID), &msg)
		return msg.Text, err
	}, m.Kinds, f)
}

// recognise turns a message to f.To into a Mail, reporting whether it
// matches f: doppel's own mail by its X-Doppel-* headers (header reads
// one), other senders' by the subject and text patterns of its kind (text
// reads the text body, only when needed).
func recognise(header func(string) string, subject string, text func() (string, error), kinds map[string]MailKind, f MailFilter) (Mail, bool, error) {
	mail := Mail{To: f.To, Subject: subject}
	if kind := header("X-Doppel-Kind"); kind != "" {
		mail.Kind, mail.Token, mail.Identifier, mail.Link = kind, header("X-Doppel-Token"), header("X-Doppel-Identifier"), header("X-Doppel-Link")
		ok := kind == f.Kind && (f.API == "" || header("X-Doppel-Api") == f.API) && (f.Tenant == "" || header("X-Doppel-Tenant") == f.Tenant)
		return mail, ok, nil
	}
	k, known := kinds[f.Kind]
	if !known || !regexp.MustCompile(k.Subject).MatchString(subject) {
		return Mail{}, false, nil
	}
	body, err := text()
	if err != nil {
		return Mail{}, false, err
	}
	mail.Kind = f.Kind
	mail.Token, mail.Identifier = group(k.Token, body), group(k.Identifier, body)
	return mail, true, nil
}

// group is the first group of pattern's first match in text, or "".
func group(pattern, text string) string {
	if pattern == "" {
		return ""
	}
	if m := regexp.MustCompile(pattern).FindStringSubmatch(text); len(m) > 1 {
		return m[1]
	}
	return ""
}

func (m MailpitMailbox) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(m.URL, "/")+path, nil)
	if err != nil {
		return err
	}
	client := m.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit: GET %s: %s", path, resp.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("mailpit: GET %s: %w", path, err)
	}
	return nil
}
