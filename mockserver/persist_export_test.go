package mockserver

import "time"

// PersistQuietly is Persist with a quiet time of its own, so that a test
// can tell the writes of the flush bound from those after a pause.
func (s *Server) PersistQuietly(path string, flush, quiet time.Duration) (*Persister, error) {
	return s.startPersist(path, flush, quiet)
}
