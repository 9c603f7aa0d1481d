// Package mockserver assembles doppel's mock: every face mounted at its real
// base path, the admin API under /__doppel/, and CORS for browser apps.
package mockserver

import (
	"crypto/rsa"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/fixtures"
	"github.com/doppel-dev/doppel/mockserver/accounts"
	"github.com/doppel-dev/doppel/mockserver/emporix"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/fault"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/journal"
	"github.com/doppel-dev/doppel/mockserver/openloyalty"
)

// Options configure a Server.
type Options struct {
	Clock     identity.Clock // an identity.ShiftClock, which the admin API moves, when nil
	HashCost  int            // bcrypt cost; identity.DefaultHashCost when 0
	BodyLimit int64          // face.DefaultBodyLimit when 0
	Seed      *fixtures.Document
	Random    io.Reader       // source of ids, tokens, codes and salts; crypto/rand when nil, and once a state is loaded
	SMTP      string          // host:port of an SMTP server to deliver every mail to as well; none when ""
	JWTKey    *rsa.PrivateKey // signs Open Loyalty JWTs; generated on first use when nil
	Journal   int             // requests the journal keeps: DefaultJournal when 0, none (off) when negative
}

// Server is the mock: an http.Handler over one state.
type Server struct {
	ID          *identity.Service
	Emporix     *emporix.Face
	OpenLoyalty *openloyalty.Face
	Accounts    *accounts.Face
	faces       []face.Face
	handler     http.Handler
	smtp        *smtpOut // nil without Options.SMTP

	journal *journal.Journal // nil when off
	faults  fault.Rules
}

// New builds a Server, seeds it, and makes that state the one
// /__doppel/reset returns to.
func New(opts Options) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = &identity.ShiftClock{}
	}
	if opts.Journal == 0 {
		opts.Journal = DefaultJournal
	}
	idOpts := identity.Options{Clock: opts.Clock, HashCost: opts.HashCost, Random: identity.NewRandom(opts.Random)}
	var out *smtpOut
	if opts.SMTP != "" {
		out = newSMTPOut(opts.SMTP)
		idOpts.Sent = out.send
	}
	id := identity.New(idOpts)
	s := &Server{ID: id, Emporix: emporix.New(id), OpenLoyalty: openloyalty.New(id, openloyalty.Options{Key: opts.JWTKey}),
		Accounts: accounts.New(id), smtp: out, journal: journal.New(opts.Journal)}
	s.faces = []face.Face{s.Emporix, s.OpenLoyalty, s.Accounts}
	var loading sync.WaitGroup // parse the contracts side by side, and seed meanwhile
	for _, f := range s.faces {
		loading.Go(func() { _, _ = contracts.Load(f.Name()) })
	}
	var seeded error
	if opts.Seed != nil {
		seeded = s.Seed(opts.Seed)
	}
	loading.Wait()
	if seeded != nil {
		return nil, seeded
	}
	mux := http.NewServeMux()
	for _, f := range s.faces {
		c, err := contracts.Load(f.Name())
		if err != nil {
			return nil, err
		}
		if err := face.Mount(mux, f, c, face.Options{BodyLimit: opts.BodyLimit, Wrap: s.intercept}); err != nil {
			return nil, err
		}
	}
	s.mountAdmin(mux)
	s.mountState(mux)
	s.handler = cors(mux)
	id.Checkpoint()
	return s, nil
}

// Warm does now what the first requests would otherwise wait for: it
// compiles the contracts' request validators and makes the Open Loyalty JWT
// key. doppel serve calls it once it listens. One thing at a time, so that a
// first request compiling its own face's validator has a core to itself.
func (s *Server) Warm() {
	for _, f := range s.faces {
		contracts.MustLoad(f.Name()).Warm()
	}
	s.OpenLoyalty.PublicKey()
}

// Close delivers the mail still queued for SMTP; the handler keeps serving.
func (s *Server) Close() {
	if s.smtp != nil {
		s.smtp.close()
	}
}

// Faces lists the mounted faces.
func (s *Server) Faces() []face.Face { return s.faces }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Seed applies a seed document: a state section replaces the whole state,
// the faces' sections add to it; all of it or, on error, nothing. Seeded
// records are dated fixtures.Epoch.
func (s *Server) Seed(doc *fixtures.Document) error { return s.apply(doc, false) }

// cors lets browser apps on any origin call the mock, preflight included.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", strings.Join([]string{"Allow", "WWW-Authenticate", "Location"}, ", "))
		next.ServeHTTP(w, r)
	})
}
