package persist

import (
	"errors"
	"fmt"
	"os"

	"github.com/doppel-dev/doppel/mockserver/store"
	"github.com/doppel-dev/doppel/seed"
)

// Document is a seed document as the mock reads it: the faces' sections
// and, under "state", a whole state (GET /__doppel/state exports one,
// WriteState writes one). Applying a document with a state first replaces
// the state by it, then adds the faces' sections.
type Document struct {
	State *store.Records `json:"state,omitempty"`
	seed.Document
}

// Parse decodes a document strictly (seed.Decode); a state of another
// version than store.Version is refused.
func Parse(data []byte) (*Document, error) {
	var doc Document
	if err := seed.Decode(data, &doc); err != nil {
		return nil, err
	}
	if doc.State != nil && doc.State.Version != store.Version {
		return nil, fmt.Errorf("seed document: state version %d is not supported (this doppel reads version %d)",
			doc.State.Version, store.Version)
	}
	return &doc, nil
}

// ReadStateFile reads a state file: a seed document with a state section.
// A missing file is (nil, nil).
func ReadStateFile(path string) (*Document, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doc, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if doc.State == nil {
		return nil, errors.New(`not a doppel state file: it has no "state" section`)
	}
	return doc, nil
}
