// Package mockserver assembles doppel's mock: every face mounted at its real
// base path with CORS for browser apps, and the admin API under /__doppel/,
// guarded against web pages and strangers (admin.Options).
package mockserver

import (
	"crypto/rsa"
	"io"
	"net/http"
	"sync"

	"github.com/doppel-dev/doppel/contracts"
	"github.com/doppel-dev/doppel/mockserver/accounts"
	"github.com/doppel-dev/doppel/mockserver/admin"
	"github.com/doppel-dev/doppel/mockserver/emporix"
	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/fault"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/journal"
	"github.com/doppel-dev/doppel/mockserver/mail"
	"github.com/doppel-dev/doppel/mockserver/openloyalty"
	"github.com/doppel-dev/doppel/mockserver/persist"
	"github.com/doppel-dev/doppel/mockserver/store"
	"github.com/doppel-dev/doppel/seed"
)

// Options configure a Server.
type Options struct {
	Clock     identity.Clock // an identity.ShiftClock, which the admin API moves, when nil
	HashCost  int            // bcrypt cost; identity.DefaultHashCost when 0
	HashMode  string         // how new passwords are hashed: identity.HashBcrypt (when "") or identity.HashFast
	BodyLimit int64          // face.DefaultBodyLimit when 0
	Seed      *seed.Document // the faces' sections to seed at start
	State     *store.Records // a whole state (a state file's) to start from, before Seed
	// Random is the source of ids, tokens, codes and salts: crypto/rand when
	// nil. A seeded source makes the state at start reproducible; Unseed
	// (doppel serve calls it once the start state is made) and a loaded
	// state switch to crypto/rand. Keys (Emporix's saas_token key, the Open
	// Loyalty JWT key) always come from crypto/rand.
	Random  io.Reader
	SMTP    string          // host:port of an SMTP server to deliver every mail to as well; none when ""
	JWTKey  *rsa.PrivateKey // signs Open Loyalty JWTs; generated on first use when nil
	Journal int             // requests the journal keeps: DefaultJournal when 0, none (off) when negative
	Mailbox int             // messages the mailbox keeps, the oldest dropped first: DefaultMailbox when 0, all when negative
	// DocumentLimit is the largest seed or state document the admin API
	// reads, in bytes: DefaultDocumentLimit when 0.
	DocumentLimit int64
	Admin         admin.Options
}

// DefaultMailbox is how many messages the mailbox keeps by default.
const DefaultMailbox = 10000

// DefaultDocumentLimit is the largest seed or state document the admin API
// reads by default.
const DefaultDocumentLimit = 256 << 20

// Server is the mock: an http.Handler over one state.
type Server struct {
	ID      *identity.Service
	faces   []face.Face
	handler http.Handler
	smtp    *mail.SMTP // nil without Options.SMTP

	journal  *journal.Journal // nil when off
	faults   fault.Rules
	admin    admin.Options
	docLimit int64
	persist  persist.Health // the state file's last write, for /__doppel/health
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
	if opts.Admin.Off {
		opts.Journal = -1 // nobody could read it
	}
	if opts.Mailbox == 0 {
		opts.Mailbox = DefaultMailbox
	}
	if opts.DocumentLimit == 0 {
		opts.DocumentLimit = DefaultDocumentLimit
	}
	random := identity.NewRandom(nil) // the faces' keys come from crypto/rand, whatever the seed
	idOpts := identity.Options{Clock: opts.Clock, HashCost: opts.HashCost, HashMode: opts.HashMode, Random: random, MaxMail: max(opts.Mailbox, 0)}
	var out *mail.SMTP
	if opts.SMTP != "" {
		out = mail.NewSMTP(opts.SMTP)
		idOpts.Sent = out.Send
	}
	id := identity.New(idOpts)
	s := &Server{ID: id, smtp: out, journal: journal.New(opts.Journal), admin: opts.Admin, docLimit: opts.DocumentLimit,
		faces: []face.Face{emporix.New(id), openloyalty.New(id, openloyalty.Options{Key: opts.JWTKey}), accounts.New(id)}}
	if opts.Random != nil {
		random.Seed(opts.Random) // the state follows the seed
	}
	var loading sync.WaitGroup // parse the contracts side by side, and seed meanwhile
	for _, f := range s.faces {
		loading.Go(func() { _, _ = contracts.Load(f.Name()) })
	}
	var seeded error
	if opts.Seed != nil || opts.State != nil {
		doc := &persist.Document{State: opts.State}
		if opts.Seed != nil {
			doc.Document = *opts.Seed
		}
		seeded = s.Seed(doc)
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
	if !opts.Admin.Off {
		a := &admin.API{Server: s, ID: id, Faces: s.faces, Health: &s.persist, DocumentLimit: s.docLimit}
		a.Mount(mux)
		s.mountJournal(mux)
		s.mountFaults(mux)
		s.mountClock(mux)
		s.mountDashboard(mux)
	}
	s.handler = vendorCORS(admin.Guard(s.admin, mux))
	id.Checkpoint()
	return s, nil
}

// Warm does now what the first requests would otherwise wait for: it
// compiles the contracts' request validators and warms the faces that need
// it (face.Warmer: the Open Loyalty JWT key). doppel serve calls it once it listens. One thing at a time, so that a
// first request compiling its own face's validator has a core to itself.
func (s *Server) Warm() {
	for _, f := range s.faces {
		contracts.MustLoad(f.Name()).Warm()
	}
	for _, f := range s.faces {
		if w, ok := f.(face.Warmer); ok {
			w.Warm()
		}
	}
}

// Close delivers the mail still queued for SMTP; the handler keeps serving.
func (s *Server) Close() {
	if s.smtp != nil {
		s.smtp.Close()
	}
}

// Faces lists the mounted faces.
func (s *Server) Faces() []face.Face { return s.faces }

// Face returns the mounted face named name (face.Face.Name), nil when none.
func (s *Server) Face(name string) face.Face {
	for _, f := range s.faces {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Unseed makes every id, token, code and salt drawn from now on come from
// crypto/rand, whatever Options.Random was: the state at start follows the
// seed, live secrets do not.
func (s *Server) Unseed() { s.ID.Rand.Unseed() }

// Seed applies a seed document: a state section replaces the whole state,
// the faces' sections add to it; all of it or, on error, nothing. Seeded
// records are dated seed.Epoch.
func (s *Server) Seed(doc *persist.Document) error { return s.apply(doc, false) }
