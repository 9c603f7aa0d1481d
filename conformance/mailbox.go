package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Mail is a message as a scenario reads it.
type Mail struct {
	To         string `json:"to"`
	Kind       string `json:"kind"`
	Subject    string `json:"subject"`
	Token      string `json:"token"`
	Identifier string `json:"identifier"`
	Link       string `json:"link"`
}

// MailFilter selects messages; every field must match.
type MailFilter struct{ API, Tenant, To, Kind string }

// Mailbox reads the mail a target has sent.
type Mailbox interface {
	// Messages lists the messages matching f, oldest first.
	Messages(ctx context.Context, f MailFilter) ([]Mail, error)
}

// DoppelMailbox reads a doppel mock's GET /__doppel/mailbox.
type DoppelMailbox struct {
	BaseURL string
	Client  *http.Client // the default client when nil
}

// Messages implements Mailbox.
func (m DoppelMailbox) Messages(ctx context.Context, f MailFilter) ([]Mail, error) {
	q := url.Values{"api": {f.API}, "tenant": {f.Tenant}, "to": {f.To}, "kind": {f.Kind}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.BaseURL+"/__doppel/mailbox?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	client := m.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("doppel mailbox: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("doppel mailbox: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("doppel mailbox: %s: %s", resp.Status, body)
	}
	var out []Mail
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("doppel mailbox: %w", err)
	}
	return out, nil
}
