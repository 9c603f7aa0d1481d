package mockserver

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/journal"
)

// DefaultJournal is how many requests the journal keeps by default.
const DefaultJournal = 1000

// mountJournal serves the request journal: GET lists (newest first), DELETE clears.
func (s *Server) mountJournal(mux *http.ServeMux) {
	mux.HandleFunc("GET /__doppel/requests", func(w http.ResponseWriter, r *http.Request) {
		f, err := journal.ParseFilter(r.URL.Query())
		if err == nil && f.API != "" && !slices.Contains(s.faceNames(), f.API) {
			err = errUnknownAPI(f.API, s.faceNames())
		}
		if err != nil {
			admin.Error(w, http.StatusBadRequest, "requests: "+err.Error())
			return
		}
		face.WriteJSON(w, http.StatusOK, s.journal.List(f))
	})
	mux.HandleFunc("DELETE /__doppel/requests", func(w http.ResponseWriter, r *http.Request) {
		if s.journal != nil {
			s.journal.Clear()
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// faceNames lists the faces' names, which the admin API calls "api".
func (s *Server) faceNames() []string {
	out := make([]string, len(s.faces))
	for i, f := range s.faces {
		out[i] = f.Name()
	}
	return out
}

func errUnknownAPI(api string, known []string) error {
	return fmt.Errorf("api %q is not one of %s", api, strings.Join(known, ", "))
}
