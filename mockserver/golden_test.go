package mockserver_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// assertGolden compares got, as indented JSON, with testdata/name; with
// -update it rewrites the file first.
func assertGolden(t *testing.T, name string, got any) {
	t.Helper()
	out, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	golden := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(golden, append(out, '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./mockserver -run %s -update", t.Name())
	assert.JSONEq(t, string(want), string(out))
}
