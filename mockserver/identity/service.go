// Package identity is doppel's shared domain: customers and their logins,
// tokens, one-time codes, addresses, the mailbox and the clock. It owns every
// transaction on the store and knows nothing of HTTP; the faces compose its
// operations inside Read and Write.
package identity

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// Errors of the domain; faces map them to their own dialect.
var (
	ErrNotFound       = errors.New("not found")
	ErrDuplicate      = errors.New("duplicate")
	ErrBadCredentials = errors.New("bad credentials")
	ErrInactive       = errors.New("account not active")
	ErrLocked         = errors.New("account locked")
	ErrInvalidToken   = errors.New("invalid token")
	ErrExpiredToken   = errors.New("expired token")
	ErrInvalidCode    = errors.New("invalid or expired code")
	ErrStaleVersion   = errors.New("stale version")
)

// Options configure a Service.
type Options struct {
	Clock    Clock   // SystemClock when nil
	Random   *Random // crypto/rand when nil
	HashCost int     // bcrypt cost; DefaultHashCost when 0
	HashMode string  // how new passwords are hashed: HashBcrypt (when "") or HashFast
	// Sent, when set, is told of every mail once the transaction that sent
	// it has committed (e.g. to deliver it over SMTP).
	Sent func(store.Message)
	// MaxMail is how many messages the mailbox keeps, the oldest dropped
	// first; 0 keeps them all.
	MaxMail int
}

// Service is the entry point to the domain.
type Service struct {
	db      *store.DB
	Clock   Clock
	Rand    *Random
	hasher  Hasher
	verify  func(hash, password string) bool // hasher.Verify; tests count its calls
	sent    func(store.Message)
	dummy   func() string // a hash to verify unknown users' passwords against
	maxMail int
	seq     atomic.Uint64 // orders addresses and mail
	faults  loginFaults

	changes  atomic.Uint64          // committed changes so far
	onChange atomic.Pointer[func()] // told of each change; nil: nobody
}

// New returns a Service over an empty store.
func New(opts Options) *Service {
	s := &Service{db: store.New(), Clock: opts.Clock, Rand: opts.Random, hasher: Hasher{Cost: opts.HashCost, Mode: opts.HashMode}, sent: opts.Sent, maxMail: opts.MaxMail}
	s.verify = s.hasher.Verify
	s.dummy = sync.OnceValue(func() string { return s.hasher.Hash("doppel: no such user", make([]byte, SaltSize)) })
	if s.Clock == nil {
		s.Clock = SystemClock{}
	}
	if s.Rand == nil {
		s.Rand = NewRandom(nil)
	}
	return s
}

// Read runs fn on a consistent snapshot.
func (s *Service) Read(fn func(*Tx) error) error {
	txn := s.db.Txn(false)
	defer txn.Abort()
	return fn(&Tx{txn: txn, s: s, now: s.Clock.Now()})
}

// Write runs fn in a write transaction: committed when fn returns nil,
// discarded otherwise, so a failed request changes nothing.
func (s *Service) Write(fn func(*Tx) error) error { return s.write(nil, fn) }

// WriteAt is Write at a given instant instead of the clock's (seeding dates
// its records at a fixed one, for reproducible state).
func (s *Service) WriteAt(now time.Time, fn func(*Tx) error) error { return s.write(&now, fn) }

func (s *Service) write(at *time.Time, fn func(*Tx) error) error {
	txn := s.db.Txn(true)
	defer txn.Abort()
	now := s.Clock.Now()
	if at != nil {
		now = *at
	}
	tx := &Tx{txn: txn, s: s, now: now, write: true}
	if err := fn(tx); err != nil {
		return err
	}
	if at == nil { // seeding dates records at a fixed instant: nothing to judge expiry by
		tx.sweep()
	}
	txn.Commit()
	s.committed(tx)
	return nil
}

// committed tells of a committed transaction: the change, and its mail.
func (s *Service) committed(tx *Tx) {
	s.changed()
	if s.sent != nil {
		for _, m := range tx.sent {
			s.sent(*m)
		}
	}
}

func (s *Service) changed() {
	s.changes.Add(1)
	if fn := s.onChange.Load(); fn != nil {
		(*fn)()
	}
}

// Changes counts the changes of the state so far: committed writes, resets
// and replacements.
func (s *Service) Changes() uint64 { return s.changes.Load() }

// OnChange sets the function told of every change once it is committed. It
// runs on the writer's goroutine: it must not block.
func (s *Service) OnChange(fn func()) { s.onChange.Store(&fn) }

// HashPassword hashes a password outside any transaction (hashing is the
// slowest thing the mock does; writers should not wait for it).
func (s *Service) HashPassword(password string) string {
	return s.hasher.Hash(password, s.Rand.Bytes(SaltSize))
}

// Hashes returns a HashPassword that hashes each distinct password once, for
// seeding many customers who share a password. It is not safe for
// concurrent use.
func (s *Service) Hashes() func(password string) string {
	memo := map[string]string{}
	return func(password string) string {
		h, ok := memo[password]
		if !ok {
			h = s.HashPassword(password)
			memo[password] = h
		}
		return h
	}
}

// VerifyPassword reports whether password matches an account's hash. An
// account without a password is compared with a dummy hash, so that the
// answer takes as long as for any other.
func (s *Service) VerifyPassword(a *store.Account, password string) bool {
	if a == nil || a.PasswordHash == "" {
		s.verify(s.dummy(), password)
		return false
	}
	return s.verify(a.PasswordHash, password)
}

// Checkpoint makes the current state what Reset returns to.
func (s *Service) Checkpoint() { s.db.Checkpoint() }

// Reset returns the state to the last checkpoint.
func (s *Service) Reset() {
	s.db.Reset()
	s.changed()
}

func (s *Service) next() uint64 { return s.seq.Add(1) }
