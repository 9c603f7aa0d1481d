package scenarios

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOpenLoyaltySaysMUSTOnlyForTheVendor: an Open Loyalty scenario that
// promises no MUST pins doppel's choices and is labelled so, or a deployment
// that differs would fail for what the vendor does not document.
func TestOpenLoyaltySaysMUSTOnlyForTheVendor(t *testing.T) {
	must := regexp.MustCompile(`\bMUST\b`)
	for _, s := range openLoyalty() {
		if !must.MatchString(s.Description) {
			assert.True(t, s.Has(DoppelChoice), "%s says no MUST but is not labelled %s: %s", s.ID, DoppelChoice, s.Description)
		}
	}
}
