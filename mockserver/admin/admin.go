// Package admin is doppel's admin API under /__doppel/: health, reset,
// seeding, the state, the mailbox, tenant settings and the contracts, with
// the guard that keeps web pages and strangers out of it (Options). The
// server mounts its other admin operations on the same mux.
package admin

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// Prefix is the reserved path prefix of the admin API.
const Prefix = "/__doppel/"

// Server is the state the admin API changes through seed documents.
type Server interface {
	Seed(doc *persist.Document) error      // POST /__doppel/seed
	LoadState(doc *persist.Document) error // PUT /__doppel/state
	WriteState(w io.Writer) error          // GET /__doppel/state
}

// Health tells since when the state file fails to be written and why; a
// nil error when it does not fail.
type Health interface {
	Failure() (time.Time, error)
}

// API is the admin API's operations on a server.
type API struct {
	Server
	ID            *identity.Service
	Faces         []face.Face // their optional interfaces (face.TenantSettings) add operations
	Health        Health
	DocumentLimit int64 // the largest seed or state document read, in bytes
}

// message is a mailbox entry as the admin API shows it.
type message struct {
	ID         string    `json:"id"`
	API        string    `json:"api"`
	Tenant     string    `json:"tenant"`
	To         string    `json:"to"`
	Kind       string    `json:"kind"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	Token      string    `json:"token"`
	Identifier string    `json:"identifier"`
	Link       string    `json:"link"`
	SentAt     time.Time `json:"sentAt"`
}

// Error answers an admin request with status and a JSON error message.
func Error(w http.ResponseWriter, status int, msg string) {
	face.WriteJSON(w, status, map[string]string{"error": msg})
}

// Mount registers the operations on mux, and a 404 for every other path
// under Prefix.
func (s *API) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /__doppel/health", func(w http.ResponseWriter, r *http.Request) {
		if since, err := s.Health.Failure(); err != nil {
			face.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{
				"status": "failing", "reason": err.Error(), "since": since.UTC().Format(time.RFC3339)})
			return
		}
		face.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /__doppel/reset", func(w http.ResponseWriter, r *http.Request) {
		s.ID.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /__doppel/seed", func(w http.ResponseWriter, r *http.Request) {
		doc, status, err := s.readDocument(w, r)
		if err == nil {
			status, err = http.StatusBadRequest, s.Seed(doc)
		}
		if err != nil {
			Error(w, status, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /__doppel/mailbox", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := identity.MailFilter{API: q.Get("api"), Tenant: q.Get("tenant"), To: q.Get("to"), Kind: q.Get("kind")}
		limit := 0 // all
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				Error(w, http.StatusBadRequest, fmt.Sprintf("mailbox: limit %q is not a positive number", v))
				return
			}
			limit = n
		}
		out := []message{}
		_ = s.ID.Read(func(tx *identity.Tx) error {
			mail := tx.Mail(f)
			w.Header().Set("X-Total-Count", strconv.Itoa(len(mail)))
			if limit > 0 && len(mail) > limit {
				mail = mail[len(mail)-limit:] // the newest
			}
			for _, m := range mail {
				out = append(out, toMessage(m))
			}
			return nil
		})
		face.WriteJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("DELETE /__doppel/mailbox", func(w http.ResponseWriter, r *http.Request) {
		_ = s.ID.Write(func(tx *identity.Tx) error { tx.ClearMail(); return nil })
		w.WriteHeader(http.StatusNoContent)
	})
	for _, f := range s.Faces {
		if t, ok := f.(face.TenantSettings); ok {
			mux.HandleFunc("PATCH /__doppel/tenants/"+f.Name()+"/{tenant}", func(w http.ResponseWriter, r *http.Request) {
				settings, err := t.ConfigureTenant(r.PathValue("tenant"), http.MaxBytesReader(w, r.Body, 1<<16))
				if err != nil {
					Error(w, http.StatusBadRequest, err.Error())
					return
				}
				face.WriteJSON(w, http.StatusOK, settings)
			})
		}
	}
	mux.HandleFunc("GET /__doppel/contracts/{file}", func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutSuffix(r.PathValue("file"), ".yaml")
		raw, err := contracts.Raw(name)
		if !ok || err != nil {
			Error(w, http.StatusNotFound, "no contract "+r.PathValue("file")+"; have "+strings.Join(contracts.Names(), ".yaml, ")+".yaml")
			return
		}
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(raw)
	})
	s.mountState(mux)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		Error(w, http.StatusNotFound, "no admin operation at "+r.Method+" "+r.URL.Path)
	})
}

func toMessage(m *store.Message) message {
	return message{ID: m.ID, API: m.API, Tenant: m.Tenant, To: m.To, Kind: m.Kind, Subject: m.Subject,
		Body: m.Body, Token: m.Token, Identifier: m.Identifier, Link: m.Link, SentAt: m.SentAt}
}
