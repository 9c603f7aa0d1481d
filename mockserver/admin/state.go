package admin

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/doppel-dev/doppel/mockserver/persist"
)

// mountState registers GET and PUT /__doppel/state.
func (s *API) mountState(mux *http.ServeMux) {
	mux.HandleFunc("GET /__doppel/state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := s.WriteState(w); err != nil {
			slog.Debug("state export not sent", "err", err)
		}
	})
	mux.HandleFunc("PUT /__doppel/state", func(w http.ResponseWriter, r *http.Request) {
		doc, status, err := s.readDocument(w, r)
		if err == nil {
			status, err = http.StatusBadRequest, s.LoadState(doc)
		}
		if err != nil {
			Error(w, status, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// readDocument reads a seed document from a request body, up to the
// document limit; on error it tells the status to answer.
func (s *API) readDocument(w http.ResponseWriter, r *http.Request) (*persist.Document, int, error) {
	tooLarge := fmt.Errorf("document larger than %d bytes (doppel serve --document-limit)", s.DocumentLimit)
	if r.ContentLength > s.DocumentLimit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.DocumentLimit))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, fmt.Errorf("document not read: %w", err)
	}
	doc, err := persist.Parse(body)
	return doc, http.StatusBadRequest, err
}
