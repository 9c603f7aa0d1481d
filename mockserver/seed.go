package mockserver

import (
	"fmt"
	"io"
	"time"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/seed"
)

// LoadState makes a new state of a seed document and makes it what
// /__doppel/reset returns to (PUT /__doppel/state); all of it or, on
// error, nothing.
func (s *Server) LoadState(doc *persist.Document) error { return s.apply(doc, true) }

// apply adds a seed document to the state or, when it has a state section
// or replace is set, makes a new state of it; replace also makes the new
// state what /__doppel/reset returns to.
func (s *Server) apply(doc *persist.Document, replace bool) error {
	hash := s.ID.Hashes()
	var applies []func(*identity.Tx) error
	for _, f := range s.faces {
		seeder, ok := f.(face.Seeder)
		if !ok {
			continue
		}
		apply, err := seeder.Seed(&doc.Document, hash)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if apply != nil {
			applies = append(applies, apply)
		}
	}
	add := func(tx *identity.Tx) error {
		for _, apply := range applies {
			if err := apply(tx); err != nil {
				return fmt.Errorf("seed: %w", err)
			}
		}
		return nil
	}
	if doc.State == nil && !replace {
		return s.ID.WriteAt(seed.Epoch, add)
	}
	if err := s.ID.Replace(doc.State, s.faceNames(), seed.Epoch, add, replace); err != nil {
		return err // nothing changed; a seeded source stays on
	}
	if doc.State != nil {
		s.Unseed() // a seeded source could draw the loaded state's ids and tokens again
	}
	return nil
}

// WriteState writes the whole state as a seed document (persist.WriteState).
func (s *Server) WriteState(w io.Writer) error { return persist.WriteState(w, s.ID.Export()) }

// Persist keeps the state in a file (persist.Start); GET /__doppel/health
// tells when writing it fails.
func (s *Server) Persist(path string, flush time.Duration) (*persist.Persister, error) {
	return persist.Start(s.ID, &s.persist, path, flush)
}
