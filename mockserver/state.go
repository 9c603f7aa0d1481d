package mockserver

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// apply adds a seed document to the state or, when it has a state section
// or replace is set, makes a new state of it; replace also makes the new
// state what /__doppel/reset returns to.
func (s *Server) apply(doc *fixtures.Document, replace bool) error {
	hash := s.ID.Hashes()
	var applies []func(*identity.Tx) error
	for _, f := range s.faces {
		apply, err := f.Seed(doc, hash)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if apply != nil {
			applies = append(applies, apply)
		}
	}
	seed := func(tx *identity.Tx) error {
		for _, apply := range applies {
			if err := apply(tx); err != nil {
				return fmt.Errorf("seed: %w", err)
			}
		}
		return nil
	}
	if doc.State == nil && !replace {
		return s.ID.WriteAt(fixtures.Epoch, seed)
	}
	if err := s.ID.Replace(doc.State, s.faceNames(), fixtures.Epoch, seed, replace); err != nil {
		return err // nothing changed; a seeded source stays on
	}
	if doc.State != nil {
		s.Unseed() // a seeded source could draw the loaded state's ids and tokens again
	}
	return nil
}

// WriteState writes the whole state as a seed document (fixtures.WriteState).
func (s *Server) WriteState(w io.Writer) error { return fixtures.WriteState(w, s.ID.Export()) }

// mountState registers GET and PUT /__doppel/state.
func (s *Server) mountState(mux *http.ServeMux) {
	mux.HandleFunc("GET /__doppel/state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := s.WriteState(w); err != nil {
			slog.Debug("state export not sent", "err", err)
		}
	})
	mux.HandleFunc("PUT /__doppel/state", func(w http.ResponseWriter, r *http.Request) {
		doc, status, err := s.readDocument(w, r)
		if err == nil {
			status, err = http.StatusBadRequest, s.apply(doc, true)
		}
		if err != nil {
			adminError(w, status, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// readDocument reads a seed document from a request body, up to the
// document limit; on error it tells the status to answer.
func (s *Server) readDocument(w http.ResponseWriter, r *http.Request) (*fixtures.Document, int, error) {
	tooLarge := fmt.Errorf("document larger than %d bytes (doppel serve --document-limit)", s.docLimit)
	if r.ContentLength > s.docLimit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.docLimit))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, fmt.Errorf("document not read: %w", err)
	}
	doc, err := fixtures.Parse(body)
	return doc, http.StatusBadRequest, err
}

// ReadStateFile reads a state file: a seed document with a state section.
// A missing file is (nil, nil).
func ReadStateFile(path string) (*fixtures.Document, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doc, err := fixtures.Parse(data)
	if err != nil {
		return nil, err
	}
	if doc.State == nil {
		return nil, errors.New(`not a doppel state file: it has no "state" section`)
	}
	return doc, nil
}
