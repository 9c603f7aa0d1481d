package mockserver

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/mail/mailtest"
)

// TestSMTPWithTheAdminAPIOff: a vendor-like doppel (--admin=false) still
// delivers its mail — the only way left to read a secret.
func TestSMTPWithTheAdminAPIOff(t *testing.T) {
	addr, got := mailtest.Server(t)
	srv, err := New(Options{Seed: fixtures.Personas(), SMTP: addr, Admin: admin.Options{Off: true}})
	require.NoError(t, err)
	srv.Close() // delivers what is queued: the pending persona's activation
	select {
	case lines := <-got:
		assert.Contains(t, strings.Join(lines, "\n"), "X-Doppel-Kind: activation")
	case <-time.After(10 * time.Second):
		t.Fatal("no mail delivered")
	}
}
