package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conformMock runs doppel conform against doppel in-process and returns its
// exit code and output.
func conformMock(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append([]string{"conform", "--reports", filepath.Join(t.TempDir(), "reports")}, args...)
	out, err := doppel(ctx, args...).CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	}
	require.NoError(t, err)
	return 0, string(out)
}

// TestConformIsASafeGate: a CI gate refuses what it does not understand and
// does not pass when it tested nothing.
func TestConformIsASafeGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"an unknown mode", []string{"--mode", "smoke"}, []string{`--mode: mode "smoke": want quick, safe or full`}},
		{"a focus that selects nothing", []string{"--focus", "NOPE-999"}, []string{`nothing ran: --focus "NOPE-999" select(s) no scenario`}},
		{"a label filter that selects nothing", []string{"--label", "emporix && accounts"}, []string{"nothing ran:", `--label "emporix && accounts"`}},
		{"filters whose scenarios the mode skips", []string{"--mode", "quick", "--focus", "EMP-AUTH-002"}, []string{"nothing ran: the 1 scenario(s) selected were all skipped"}},
		{"a negative timeout", []string{"--timeout", "-1s"}, []string{"--timeout -1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := conformMock(t, tt.args...)
			assert.Equal(t, 1, code, out)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
		})
	}
	code, out := conformMock(t, "--focus", "EMP-AUTH-001")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "mode full, request timeout 10s, filters: --focus \"EMP-AUTH-001\"", "the header")
	assert.Contains(t, out, "1 passed, 0 failed")
}

// TestConformNamesAnUnreachableTarget once, before any scenario runs.
func TestConformNamesAnUnreachableTarget(t *testing.T) {
	t.Parallel()
	down := "http://" + freeAddr(t)
	code, out, _ := conformRun(t, targetFile(down, "{adapter: doppel}"))
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "cannot reach "+down+" (emporix, openloyalty, accounts, mailbox)")
	assert.NotContains(t, out, "Ran ", "no spec runs")
}
