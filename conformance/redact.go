package conformance

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/internal/redact"
)

// clip shortens a body for a report.
func clip(b []byte) string { return redact.Clip(b, 2048) }

// redact replaces the target's secrets wherever they appear.
func (t *Target) redact(s string) string {
	for _, secret := range t.Secrets {
		if len(secret) >= 4 { // shorter values would blank out ordinary text
			s = strings.ReplaceAll(s, secret, redact.Mask)
		}
	}
	return s
}

// String shows an exchange as a short transcript, secrets redacted.
func (x *Exchange) String() string {
	return fmt.Sprintf("→ %s %s\n%s\n← %d (%s)\n%s", x.Method, redact.URL(x.URL), clip(redact.Body(x.RequestBody)),
		x.Status, x.Duration.Round(time.Millisecond), clip(redact.Body(x.ResponseBody)))
}

// Curl is a command line repeating the exchange's request; secrets become
// shell variables to fill in.
func (x *Exchange) Curl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -i -X %s %s", x.Method, shellQuote(redact.URL(x.URL)))
	names := make([]string, 0, len(x.RequestHeader))
	for name := range x.RequestHeader {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := x.RequestHeader.Get(name)
		if redact.IsSecret(name) {
			scheme, _, _ := strings.Cut(v, " ")
			v = scheme + " $TOKEN"
		}
		fmt.Fprintf(&b, " -H %s", shellQuote(name+": "+v))
	}
	if len(x.RequestBody) > 0 {
		body := redact.Body(x.RequestBody)
		if len(body) > 4096 {
			body = []byte(fmt.Sprintf("<%d bytes>", len(x.RequestBody)))
		}
		fmt.Fprintf(&b, " --data-raw %s", shellQuote(string(body)))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
