package scenarios

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEmporixSaysMUSTOnlyForTheVendor: an Emporix scenario that promises no
// MUST pins doppel's choices and is labelled so, or a deployment that
// differs would fail for what the vendor does not document.
func TestEmporixSaysMUSTOnlyForTheVendor(t *testing.T) {
	must := regexp.MustCompile(`\bMUST\b`)
	for _, s := range emporix() {
		if !must.MatchString(s.Description) {
			assert.True(t, s.Has(DoppelChoice), "%s says no MUST but is not labelled %s: %s", s.ID, DoppelChoice, s.Description)
		}
	}
}
