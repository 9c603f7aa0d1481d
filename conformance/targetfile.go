package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/doppel-dev/doppel/scenarios"
)

// Modes select scenarios by what they may do to a shared deployment.
const (
	ModeQuick = "quick" // the smoke scenarios only
	ModeSafe  = "safe"  // everything but destructive scenarios
	ModeFull  = "full"  // everything
)

// CheckMode refuses anything but the three modes, wherever a mode comes
// from: a mode that is not understood must not run destructive scenarios.
func CheckMode(mode string) error {
	if !slices.Contains([]string{ModeQuick, ModeSafe, ModeFull}, mode) {
		return fmt.Errorf("mode %q: want quick, safe or full", mode)
	}
	return nil
}

// Mailbox adapters.
const (
	MailboxDoppel  = "doppel"  // a doppel mock's /__doppel/mailbox
	MailboxMailpit = "mailpit" // a Mailpit server's HTTP API
	MailboxIMAP    = "imap"    // an IMAP mailbox (imap:// or imaps://)
	MailboxNone    = "none"    // no mailbox: scenarios that need one are skipped
)

// TargetFile is the YAML document that describes a deployment under test.
// Secrets appear only as ${ENV} references, expanded at load time.
type TargetFile struct {
	Name         string               `yaml:"name"`
	Doppel       bool                 `yaml:"doppel"`       // a doppel deployment: variables default to doppel's, seeded before the run
	Mode         string               `yaml:"mode"`         // quick, safe or full (default safe)
	Capabilities []string             `yaml:"capabilities"` // what the deployment offers
	EmailDomain  string               `yaml:"emailDomain"`  // fresh addresses' domain (default example.com)
	Timeout      Duration             `yaml:"timeout"`      // bounds each request (default 10s)
	Mailbox      MailboxConfig        `yaml:"mailbox"`
	APIs         map[string]APIConfig `yaml:"apis"` // by API name: emporix, openloyalty, accounts
	// AdminToken is a doppel deployment's admin token (doppel serve
	// --admin-token), sent to its /__doppel/ paths; $DOPPEL_ADMIN_TOKEN when empty.
	AdminToken string `yaml:"adminToken"`
}

// MailboxConfig chooses and configures the mailbox adapter.
type MailboxConfig struct {
	Adapter string `yaml:"adapter"` // doppel, mailpit, imap or none (default none)
	URL     string `yaml:"url"`     // doppel: the mock's base URL (default: the first API's); mailpit: its web/API URL; imap: imap://host:port or imaps://host:port
	// Username, Password and Folder log the imap adapter in (the password
	// as ${ENV}) and name the folder it reads (default INBOX).
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	Folder   string   `yaml:"folder"`
	Wait     Duration `yaml:"wait"`  // how long to wait for a message (default 0 for doppel, 15s for mailpit)
	Quiet    Duration `yaml:"quiet"` // how long to watch for a message that should not come (default 0 for doppel, 2s for mailpit)
	// Kinds teach the mailpit adapter to read mail that doppel did not send
	// (doppel's own mail says its kind and secret in X-Doppel-* headers).
	Kinds map[string]MailKind `yaml:"kinds"`
}

// MailKind recognises one kind of mail by its subject and finds its secrets
// in the text body; each pattern's first group is the value.
type MailKind struct {
	Subject    string `yaml:"subject"`    // a regular expression the subject matches
	Token      string `yaml:"token"`      // a regular expression with one group: the secret
	Identifier string `yaml:"identifier"` // likewise, for kinds that also carry an identifier
}

// APIConfig is where one API answers and its built-in variables.
type APIConfig struct {
	BaseURL      string            `yaml:"baseURL"`
	OtherTenants []string          `yaml:"otherTenants"`
	Customers    []Account         `yaml:"customers"` // pre-provisioned accounts, used once each (passwords and secrets as ${ENV})
	Vars         map[string]string `yaml:",inline"`   // the API's variables, e.g. tenant, clientId and (optional) optInTenant
}

// Duration is a time.Duration written as "15s" in YAML.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 15s", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// envRef is a ${NAME} reference to an environment variable.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// LoadTargetFile reads a target file, applies overrides ("key.path=value",
// e.g. "apis.emporix.tenant=acme"), expands ${ENV} references and checks
// the result. The secrets are the values the references expanded to.
func LoadTargetFile(path string, overrides []string, getenv func(string) string) (*TargetFile, []string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if err := strict(raw, &TargetFile{}); err != nil { // the file as written, for errors with its line numbers
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	for _, o := range overrides {
		key, value, ok := strings.Cut(o, "=")
		if !ok || key == "" {
			return nil, nil, fmt.Errorf("override %q: want key.path=value", o)
		}
		if err := set(doc, strings.Split(key, "."), value); err != nil {
			return nil, nil, fmt.Errorf("override %q: %w", o, err)
		}
	}
	var secrets, missing []string
	expandEnv(doc, "", getenv, &secrets, &missing)
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%s: environment variables not set: %s", path, strings.Join(missing, ", "))
	}
	text, err := yaml.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	var tf TargetFile
	if err := strict(text, &tf); err != nil {
		return nil, nil, fmt.Errorf("%s with overrides: %w", path, err)
	}
	if tf.AdminToken == "" {
		if tf.AdminToken = getenv(AdminTokenEnv); tf.AdminToken != "" {
			secrets = append(secrets, tf.AdminToken)
		}
	}
	if err := tf.Check(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return &tf, secrets, nil
}

// strict decodes YAML, refusing unknown fields.
func strict(text []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// set puts value at a key path of a YAML document, making maps on the way.
func set(doc map[string]any, path []string, value string) error {
	for i, k := range path[:len(path)-1] {
		next, ok := doc[k].(map[string]any)
		if !ok {
			if doc[k] != nil {
				return fmt.Errorf("%s is not a map", strings.Join(path[:i+1], "."))
			}
			next = map[string]any{}
			doc[k] = next
		}
		doc = next
	}
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err != nil || v == nil {
		v = value
	}
	doc[path[len(path)-1]] = v
	return nil
}

// expandEnv replaces ${NAME} in every string of a YAML value.
func expandEnv(v any, at string, getenv func(string) string, secrets, missing *[]string) any {
	switch x := v.(type) {
	case string:
		return envRef.ReplaceAllStringFunc(x, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			val := getenv(name)
			if val == "" {
				*missing = append(*missing, name+" (at "+strings.TrimPrefix(at, ".")+")")
			} else {
				*secrets = append(*secrets, val)
			}
			return val
		})
	case map[string]any:
		for k, e := range x {
			x[k] = expandEnv(e, at+"."+k, getenv, secrets, missing)
		}
	case []any:
		for i, e := range x {
			x[i] = expandEnv(e, fmt.Sprintf("%s[%d]", at, i), getenv, secrets, missing)
		}
	}
	return v
}

// Check reports everything wrong with a target file at once.
func (tf *TargetFile) Check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if tf.Mode == "" {
		tf.Mode = ModeSafe
	}
	if err := CheckMode(tf.Mode); err != nil {
		bad("%v", err)
	}
	if tf.Timeout < 0 {
		bad("timeout %s: want a positive duration, e.g. 10s", time.Duration(tf.Timeout))
	}
	for _, c := range tf.Capabilities {
		if _, ok := scenarios.Capabilities[c]; !ok {
			bad("capability %q: want one of %s", c, strings.Join(capabilityNames(), ", "))
		}
	}
	switch tf.Mailbox.Adapter {
	case "":
		tf.Mailbox.Adapter = MailboxNone
	case MailboxDoppel, MailboxNone:
	case MailboxMailpit:
		if tf.Mailbox.URL == "" {
			bad("mailbox.url: the mailpit adapter needs Mailpit's URL, e.g. http://127.0.0.1:8025")
		}
	case MailboxIMAP:
		if u, err := url.Parse(tf.Mailbox.URL); err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Host == "" {
			bad("mailbox.url: the imap adapter needs imap://host:port or imaps://host:port, got %q", tf.Mailbox.URL)
		}
		if tf.Mailbox.Username == "" || tf.Mailbox.Password == "" {
			bad("mailbox: the imap adapter needs username and password (the password as ${ENV})")
		}
	default:
		bad("mailbox.adapter %q: want doppel, mailpit, imap or none", tf.Mailbox.Adapter)
	}
	if tf.Mailbox.URL != "" && tf.Mailbox.Adapter != MailboxIMAP {
		if err := httpURL(tf.Mailbox.URL); err != nil {
			bad("mailbox.url: %v", err)
		}
	}
	for kind, k := range tf.Mailbox.Kinds {
		for field, re := range map[string]string{"subject": k.Subject, "token": k.Token, "identifier": k.Identifier} {
			if _, err := regexp.Compile(re); err != nil {
				bad("mailbox.kinds.%s.%s: %v", kind, field, err)
			}
		}
		if k.Token != "" && regexp.MustCompile(k.Token).NumSubexp() != 1 {
			bad("mailbox.kinds.%s.token: the pattern needs exactly one group, the secret", kind)
		}
	}
	if len(tf.APIs) == 0 {
		bad("apis: name at least one API (%s)", strings.Join(apiNames(), ", "))
	}
	for name, a := range tf.APIs {
		api := scenarios.FindAPI(name)
		if api == nil {
			bad("apis.%s: unknown API; want %s", name, strings.Join(apiNames(), ", "))
			continue
		}
		if err := httpURL(a.BaseURL); err != nil {
			bad("apis.%s.baseURL: %v", name, err)
		}
		if tf.Doppel {
			if a.Vars == nil {
				a.Vars = map[string]string{}
			}
			for v, value := range doppelAPIs[name].Vars {
				if a.Vars[v] == "" {
					a.Vars[v] = value
				}
			}
			if len(a.OtherTenants) == 0 {
				a.OtherTenants = doppelAPIs[name].OtherTenants
			}
			tf.APIs[name] = a
		}
		for i, c := range a.Customers {
			switch at := fmt.Sprintf("apis.%s.customers[%d]", name, i); {
			case c.Pending && name != "accounts":
				bad("%s: pending accounts are Customer Accounts' only", at)
			case c.Pending && (c.Email == "" || c.Identifier == "" || c.Secret == "" || c.Password != "" || c.Disposable):
				bad("%s: a pending account has email, identifier and secret (its activation mail's), no password, and is always used up", at)
			case !c.Pending && (c.Email == "" || c.Password == ""):
				bad("%s: email and password are required", at)
			case !c.Pending && (c.Identifier != "" || c.Secret != ""):
				bad("%s: identifier and secret are a pending account's (pending: true)", at)
			}
		}
		known := slices.Concat(api.Vars, slices.Sorted(maps.Keys(api.Optional)))
		for v := range a.Vars {
			if !slices.Contains(known, v) {
				bad("apis.%s.%s: unknown field; want baseURL, otherTenants, customers or %s", name, v, strings.Join(known, ", "))
			}
		}
		for _, v := range api.Vars {
			if a.Vars[v] == "" {
				bad("apis.%s.%s: required", name, v)
			}
		}
	}
	return errors.Join(errs...)
}

func httpURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("required")
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

func apiNames() []string {
	var out []string
	for _, a := range scenarios.APIs {
		out = append(out, a.Name)
	}
	return out
}

func capabilityNames() []string {
	var out []string
	for c := range scenarios.Capabilities {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// LoadTarget reads a target file (see LoadTargetFile) and returns its
// Target; a doppel deployment (doppel: true) is seeded with what the
// scenarios need first.
func LoadTarget(ctx context.Context, path string, overrides []string, getenv func(string) string) (*Target, error) {
	tf, secrets, err := LoadTargetFile(path, overrides, getenv)
	if err != nil {
		return nil, err
	}
	t := tf.Target(secrets)
	if err := t.Reachable(ctx); err != nil {
		return nil, err
	}
	if tf.Doppel {
		seeded := map[string]bool{}
		for _, ep := range t.APIs {
			if !seeded[ep.BaseURL] {
				sctx, cancel := context.WithTimeout(ctx, t.timeout())
				err := Setup(sctx, ep.BaseURL, t.Client)
				cancel()
				if err != nil {
					return nil, err
				}
				seeded[ep.BaseURL] = true
			}
		}
	}
	return t, nil
}

// Target builds the Target a checked target file describes.
func (tf *TargetFile) Target(secrets []string) *Target {
	t := &Target{Name: tf.Name, Mode: tf.Mode, APIs: map[string]Endpoint{}, EmailDomain: tf.EmailDomain,
		Capabilities: slices.Clone(tf.Capabilities), Secrets: secrets, MailWait: time.Duration(tf.Mailbox.Wait), Timeout: time.Duration(tf.Timeout)}
	if tf.AdminToken != "" {
		t.Client = AdminClient(tf.AdminToken)
	}
	var first string
	for _, name := range apiNames() {
		if a, ok := tf.APIs[name]; ok {
			t.APIs[name] = Endpoint{BaseURL: strings.TrimSuffix(a.BaseURL, "/"), Vars: a.Vars, OtherTenants: a.OtherTenants, Accounts: a.Customers}
			if first == "" {
				first = t.APIs[name].BaseURL
			}
		}
	}
	switch tf.Mailbox.Adapter {
	case MailboxDoppel:
		base := tf.Mailbox.URL
		if base == "" {
			base = first
		}
		t.Mailbox = DoppelMailbox{BaseURL: strings.TrimSuffix(base, "/"), Client: t.Client}
	case MailboxMailpit, MailboxIMAP:
		if tf.Mailbox.Adapter == MailboxIMAP {
			u, _ := url.Parse(tf.Mailbox.URL)
			host := u.Host
			if u.Port() == "" {
				host = net.JoinHostPort(u.Hostname(), map[string]string{"imap": "143", "imaps": "993"}[u.Scheme])
			}
			t.Mailbox = IMAPMailbox{Address: host, TLS: u.Scheme == "imaps", Username: tf.Mailbox.Username, Password: tf.Mailbox.Password,
				Folder: tf.Mailbox.Folder, Kinds: tf.Mailbox.Kinds}
		} else {
			t.Mailbox = MailpitMailbox{URL: tf.Mailbox.URL, Kinds: tf.Mailbox.Kinds}
		}
		t.QuietWait = time.Duration(tf.Mailbox.Quiet)
		if t.MailWait == 0 {
			t.MailWait = 15 * time.Second
		}
		if t.QuietWait == 0 {
			t.QuietWait = min(2*time.Second, t.MailWait)
		}
	}
	if t.Mailbox != nil && !slices.Contains(t.Capabilities, scenarios.NeedsMailbox) {
		t.Capabilities = append(t.Capabilities, scenarios.NeedsMailbox)
	}
	return t
}

// Deviation is a scenario expected to fail on a target, with the reason.
type Deviation struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

// LoadDeviations reads a deviations file — {"deviations": [{id, reason}]} —
// refusing IDs that name no scenario and entries without a reason.
func LoadDeviations(path string, list []scenarios.Scenario) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Deviations []Deviation `yaml:"deviations"`
	}
	if err := strict(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	var errs []error
	for _, d := range doc.Deviations {
		switch {
		case !slices.ContainsFunc(list, func(s scenarios.Scenario) bool { return s.ID == d.ID }):
			errs = append(errs, fmt.Errorf("%s: no scenario has the ID %q", path, d.ID))
		case strings.TrimSpace(d.Reason) == "":
			errs = append(errs, fmt.Errorf("%s: %s needs a reason", path, d.ID))
		case out[d.ID] != "":
			errs = append(errs, fmt.Errorf("%s: %s is listed twice", path, d.ID))
		}
		out[d.ID] = d.Reason
	}
	return out, errors.Join(errs...)
}
