package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestServeRefusesHashCost: a bcrypt cost outside bcrypt's range is refused
// before anything starts, not silently replaced.
func TestServeRefusesHashCost(t *testing.T) {
	for _, cost := range []string{"-1", "0", "3", "32", "99"} {
		err := serve([]string{"--hash-cost", cost, "--addr", "127.0.0.1:-1"}, io.Discard)
		assert.ErrorContains(t, err, "--hash-cost "+cost+": bcrypt's cost is 4 to 31", cost)
	}
}
