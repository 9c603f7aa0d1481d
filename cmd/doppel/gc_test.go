package main

import (
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTuneGC: doppel serve collects at gcPercent with a soft memoryLimit,
// unless GOGC or GOMEMLIMIT say otherwise.
func TestTuneGC(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)
	}
	tuneGC()
	assert.Equal(t, gcPercent, debug.SetGCPercent(100))
	assert.Equal(t, int64(memoryLimit), debug.SetMemoryLimit(math.MaxInt64))

	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "2GiB")
	debug.SetGCPercent(150)
	tuneGC()
	assert.Equal(t, 150, debug.SetGCPercent(100), "GOGC decides")
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(math.MaxInt64), "GOMEMLIMIT decides")
}
