package persist

import (
	"errors"
	"io"
	"os"

	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/identity"
)

// WriteState writes the whole state of id as a seed document (fixtures.WriteState).
func WriteState(w io.Writer, id *identity.Service) error { return fixtures.WriteState(w, id.Export()) }

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
