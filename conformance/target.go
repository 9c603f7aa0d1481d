// Package conformance runs doppel's scenarios against a deployment — the
// mock in-process, `doppel serve` in another process, or a vendor's staging
// server — over HTTP, validating every response against the contracts. It
// never imports the mock: a Target is a base URL plus what it offers.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/scenarios"
)

// Target is a deployment under test.
type Target struct {
	Name string // for reports
	Mode string // ModeQuick, ModeSafe or ModeFull ("" is full)
	// APIs binds each API the target serves (a scenarios.API name) to its
	// endpoint; scenarios of other APIs are skipped.
	APIs   map[string]Endpoint
	Client *http.Client // the default client when nil
	// Capabilities the target offers (scenarios.Capabilities keys); a
	// scenario needing another one is skipped with its reason.
	Capabilities []string
	// Mailbox reads the mail the target sends; nil skips scenarios that need one.
	Mailbox Mailbox
	// EmailDomain is the domain of the fresh addresses scenarios use
	// ("example.com" when empty); a real deployment's mail must reach it.
	EmailDomain string
	// MailWait bounds how long a mailbox read waits for a message to arrive.
	MailWait time.Duration
	// QuietWait bounds how long a read that expects no message waits for
	// one to turn up; it is shorter than MailWait, or every such read would
	// cost all of it.
	QuietWait time.Duration
	// Deviations maps the IDs of scenarios expected to fail to the reason:
	// such a failure is reported as known, and a pass as unexpected.
	Deviations map[string]string
	// Secrets are values never to show in a log or report (passwords and
	// keys from the target file); those a run sees are added as it goes.
	Secrets []string
	// Timeout bounds each request, its answer read whole (DefaultTimeout when 0).
	Timeout time.Duration
	// Filters names the scenario filters of the run (--focus, --label), for reports.
	Filters []string
	// Contracts, by API name, replace the embedded contracts responses are
	// checked against, e.g. a copy being marked up.
	Contracts map[string]*contracts.Contract
	// Inspect, when set, sees every request before it is sent, e.g. to check
	// it against another specification.
	Inspect func(s scenarios.Scenario, st scenarios.Step, x Exchange)

	seq         atomic.Uint64
	seen        secrets
	seedSecrets sync.Once
	poolMu      sync.Mutex
	pool        map[string]int // pre-provisioned accounts handed out, by API
}

// used hands out the index of an API's next pre-provisioned account.
func (t *Target) used(api string) int {
	t.poolMu.Lock()
	defer t.poolMu.Unlock()
	if t.pool == nil {
		t.pool = map[string]int{}
	}
	n := t.pool[api]
	t.pool[api]++
	return n
}

// DefaultTimeout bounds each request when the target sets no Timeout: a
// hanging target fails each step in seconds, naming the step and the URL.
const DefaultTimeout = 10 * time.Second

func (t *Target) timeout() time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return DefaultTimeout
}

// secrets returns the secrets seen so far, the target file's among them.
func (t *Target) secrets() *secrets {
	t.seedSecrets.Do(func() {
		for _, v := range t.Secrets {
			t.seen.remember("secret", v)
		}
	})
	return &t.seen
}

// redact replaces every secret of the target file and every secret seen in
// the run wherever it appears in s.
func (t *Target) redact(s string) string { return t.secrets().redact(s) }

// Endpoint is where one API of a target answers.
type Endpoint struct {
	BaseURL string // e.g. http://127.0.0.1:4010, without a trailing slash
	// Vars binds the API's built-in variables (scenarios.API.Vars), e.g.
	// "tenant" and "clientId" for Emporix.
	Vars map[string]string
	// OtherTenants are bound to a scenario's Tenants variables, in order;
	// when empty, fresh names are made up (a doppel mock serves any tenant).
	OtherTenants []string
	// Accounts are pre-provisioned accounts that scenarios asking for a
	// fresh customer use, each once, where no other route can make one.
	Accounts []Account
}

// Validate refuses a target the suite must not run: an unknown mode (any
// word but quick, safe and full; "" is full) or a negative timeout.
func (t *Target) Validate() error {
	if t.Mode != "" {
		if err := CheckMode(t.Mode); err != nil {
			return err
		}
	}
	if t.Timeout < 0 {
		return fmt.Errorf("timeout %s: want a positive duration", t.Timeout)
	}
	return nil
}

// Reachable checks that every base URL of the target, and its mailbox,
// answers HTTP at all (any status): one error naming each that does not,
// instead of a failure per scenario.
func (t *Target) Reachable(ctx context.Context) error {
	urls := map[string]string{} // URL → what it serves
	for _, api := range scenarios.APIs {
		if ep, ok := t.APIs[api.Name]; ok {
			urls[ep.BaseURL] = strings.TrimPrefix(urls[ep.BaseURL]+", "+api.Name, ", ")
		}
	}
	switch m := t.Mailbox.(type) {
	case MailpitMailbox:
		urls[m.URL] = strings.TrimPrefix(urls[m.URL]+", mailbox", ", ")
	case DoppelMailbox:
		urls[m.BaseURL] = strings.TrimPrefix(urls[m.BaseURL]+", mailbox", ", ")
	}
	var errs []error
	if m, ok := t.Mailbox.(IMAPMailbox); ok {
		conn, err := (&net.Dialer{Timeout: t.timeout()}).DialContext(ctx, "tcp", m.Address)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot reach the IMAP mailbox %s: %v", m.Address, err))
		} else {
			conn.Close()
		}
	}
	for _, u := range slices.Sorted(maps.Keys(urls)) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err == nil {
			var x Exchange
			_, _, err = t.do(ctx, req, &x)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot reach %s (%s): %v", u, urls[u], err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("the target is not reachable; nothing ran:\n%w", errors.Join(errs...))
	}
	return nil
}

// modeSkip starts the reason of a scenario the mode leaves out: a filter,
// not something the target lacks.
const modeSkip = "mode "

// Skip returns why the target cannot run a scenario, or "".
func (t *Target) Skip(s scenarios.Scenario) string {
	api := s.API()
	ep, ok := t.APIs[api.Name]
	if !ok {
		return fmt.Sprintf("the target does not serve the %s API", api.Title)
	}
	switch {
	case t.Mode == ModeQuick && !s.Has(scenarios.Smoke):
		return modeSkip + "quick runs the smoke scenarios only"
	case t.Mode == ModeSafe && s.Has(scenarios.Destructive):
		return modeSkip + "safe: changes shared state (label destructive), runs in mode full only"
	}
	for _, l := range s.Labels {
		if _, isCapability := scenarios.Capabilities[l]; isCapability && !slices.Contains(t.Capabilities, l) {
			return fmt.Sprintf("needs %s (capability %q)", scenarios.Capabilities[l], l)
		}
		if l == scenarios.NeedsMailbox && t.Mailbox == nil {
			return "needs a mailbox adapter (capability \"mailbox\")"
		}
	}
	for _, v := range api.Vars {
		if ep.Vars[v] == "" {
			return fmt.Sprintf("the target does not set %s's variable %q", api.Name, v)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(api.Optional)) {
		if ep.Vars[v] == "" && s.Uses(v) {
			return fmt.Sprintf("needs %s: the target does not set %s's variable %q (apis.%s.%s in a target file)", api.Optional[v], api.Name, v, api.Name, v)
		}
	}
	for _, st := range s.Steps {
		if st.Provision != nil {
			if _, why := t.route(api.Name, *st.Provision); why != "" {
				return why
			}
		}
	}
	return ""
}

func (t *Target) client() *http.Client {
	if t.Client != nil {
		return t.Client
	}
	return http.DefaultClient
}

// unique returns a token no other call of this run returns, prefixed by the
// run's start time so that runs do not collide on a long-lived target.
func (t *Target) unique() string {
	return fmt.Sprintf("%s%04d", runID, t.seq.Add(1))
}

// runID is this process's start time in base 36.
var runID = strconv.FormatInt(time.Now().UnixMilli(), 36)
