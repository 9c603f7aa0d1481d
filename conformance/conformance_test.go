package conformance_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/doppel-dev/doppel/conformance"
	"github.com/doppel-dev/doppel/mockserver"
	"github.com/doppel-dev/doppel/scenarios"
)

// The suite runs every scenario against the mock in-process, or against the
// deployment DOPPEL_TARGET names (a base URL), e.g. a `doppel serve`:
//
//	DOPPEL_TARGET=http://127.0.0.1:4010 go test ./conformance
//
// For a deployment that is not doppel, set DOPPEL_CAPABILITIES to what it
// offers (comma-separated; default: every capability) and DOPPEL_MAILBOX=none
// unless it serves doppel's mailbox; DOPPEL_TENANT and DOPPEL_CLIENT_ID set
// the Emporix tenant and storefront client.
func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "doppel conformance")
}

var target *conformance.Target

var _ = BeforeSuite(func() {
	base := os.Getenv("DOPPEL_TARGET")
	if base == "" {
		srv, err := mockserver.New(mockserver.Options{})
		Expect(err).NotTo(HaveOccurred())
		ts := httptest.NewServer(srv)
		DeferCleanup(ts.Close)
		base = ts.URL
	}
	base = strings.TrimSuffix(base, "/")
	caps := strings.Join([]string{scenarios.NeedsMailbox, scenarios.NeedsAdmin, scenarios.MultiTenant,
		scenarios.Destructive, scenarios.SocialLogin}, ",")
	if v, ok := os.LookupEnv("DOPPEL_CAPABILITIES"); ok {
		caps = v
	}
	target = &conformance.Target{
		APIs: map[string]conformance.Endpoint{"emporix": {BaseURL: base, Vars: map[string]string{
			scenarios.VarTenant:   env("DOPPEL_TENANT", "conformance"),
			scenarios.VarClientID: env("DOPPEL_CLIENT_ID", "doppel-conformance"),
		}}},
		Capabilities: strings.Split(caps, ","),
	}
	if env("DOPPEL_MAILBOX", "doppel") == "doppel" { // records mail before it answers: no need to wait
		target.Mailbox = conformance.DoppelMailbox{BaseURL: base}
	}
})

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

var _ = conformance.Define(func() *conformance.Target { return target }, scenarios.All())
