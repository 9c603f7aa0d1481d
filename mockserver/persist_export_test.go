package mockserver

import (
	"time"

	"github.com/doppel-dev/doppel/mockserver/persist"
)

// PersistQuietly is Persist with a quiet time of its own, so that a test
// can tell the writes of the flush bound from those after a pause.
func (s *Server) PersistQuietly(path string, flush, quiet time.Duration) (*persist.Persister, error) {
	return persist.StartQuiet(s.ID, &s.persist, path, flush, quiet)
}
