package conformance

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/doppel-dev/doppel/scenarios"
)

// TestARunnerFailureIsNoChoice: a doppel-choice scenario whose customer the
// runner cannot make (a wrong admin password in the target file) fails; only
// its own steps' failures are differences from doppel's choices.
func TestARunnerFailureIsNoChoice(t *testing.T) {
	choice := scenarios.Scenario{Labels: []string{"openloyalty", scenarios.DoppelChoice}}
	vendor := scenarios.Scenario{Labels: []string{"openloyalty"}}
	stepErr := &StepError{Index: 2, Step: "GET /x", Err: errors.New("expected status 401, got 200")}
	provided := &StepError{Index: 1, Step: "provide an active customer", Err: provideError{errors.New("POST /api/admin/login_check: expected status 200, got 401")}}
	for _, tt := range []struct {
		name string
		s    scenarios.Scenario
		err  error
		want bool
	}{
		{"a choice scenario's step differs", choice, stepErr, true},
		{"a choice scenario's customer cannot be made", choice, provided, false},
		{"the same in a cleanup", choice, errors.Join(stepErr, provided), false},
		{"a vendor scenario's step fails", vendor, stepErr, false},
		{"a choice scenario passes", choice, nil, false},
	} {
		assert.Equal(t, tt.want, differsFromChoice(tt.s, tt.err), tt.name)
	}
}
