package scenarios_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/doppel-dev/doppel/scenarios"
	"github.com/doppel-dev/doppel/seed"
)

// TestSeedBodiesAreSeedDocuments: every body a scenario posts to SeedPath,
// cleanups included, decodes strictly into a seed.Document. The bodies stay
// Obj literals because their strings are templates ({email}) the runner
// expands; this keeps them in step with the seed package's types.
func TestSeedBodiesAreSeedDocuments(t *testing.T) {
	n := 0
	var walk func(id string, steps []Step)
	walk = func(id string, steps []Step) {
		for _, st := range steps {
			if r := st.Request; r != nil && r.Admin && r.Method == "POST" && r.Path == SeedPath {
				n++
				body, err := json.Marshal(r.JSON)
				require.NoError(t, err, id)
				var doc seed.Document
				assert.NoError(t, seed.Decode(body, &doc), "%s: %s", id, body)
			}
			walk(id, st.Undo)
		}
	}
	for _, s := range All() {
		walk(s.ID, s.Steps)
	}
	assert.NotZero(t, n, "scenarios post seed documents")
}
