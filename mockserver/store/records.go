package store

import "time"

// Records are immutable once inserted: a writer copies, changes the copy and
// inserts it again (go-memdb hands the same pointer to every reader).

// Customer is a profile: the person or business behind one or more logins.
type Customer struct {
	ID       string // internal key: "<api>/<tenant>/<number>"
	API      string
	Tenant   string
	Number   string // the face's customer number, e.g. Emporix "13869000"
	Active   bool
	Version  int            // optimistic-locking version, starts at 1
	Profile  map[string]any // the face's own profile document; never mutated in place
	Created  time.Time
	LastSeen time.Time // last successful login; zero when never
	// TokensExpired is when the customer's tokens were last expired by the
	// admin API; self-contained tokens (JWTs) issued until then are refused.
	TokensExpired time.Time
}

// Account is a login credential of a customer.
type Account struct {
	ID           string // random, unique
	API          string
	Tenant       string
	Email        string // login name, compared case-insensitively
	PasswordHash string // empty for accounts that cannot log in with a password
	CustomerID   string
	Role         string // face-specific ("customer", "admin"); empty means customer
	Created      time.Time
}

// Address is a postal address of a customer.
type Address struct {
	ID         string
	CustomerID string
	Seq        uint64 // creation order
	Default    bool
	Tags       []string
	Fields     map[string]any // the face's own address document, without id/isDefault/tags
}

// Token is a bearer or refresh token.
type Token struct {
	Value      string
	Kind       string // TokenAnonymous, TokenAccess, TokenRefresh
	API        string
	Tenant     string
	CustomerID string // empty for anonymous tokens
	AccountID  string
	SessionID  string
	ClientID   string
	Issued     time.Time
	Expires    time.Time
}

// Token kinds.
const (
	TokenAnonymous        = "anonymous"
	TokenAnonymousRefresh = "anonymous_refresh"
	TokenAccess           = "access"
	TokenRefresh          = "refresh"
)

// Code is a one-time secret sent out of band (reset, opt-in, e-mail change…).
type Code struct {
	Value      string
	Kind       string
	API        string
	Tenant     string
	CustomerID string
	AccountID  string
	Payload    map[string]string // e.g. the new e-mail of an e-mail change
	Expires    time.Time
}

// Message is a mail the mock would have sent.
type Message struct {
	Seq        uint64
	ID         string
	API        string
	Tenant     string
	To         string
	Kind       string
	Subject    string
	Body       string
	Token      string
	Identifier string
	Link       string
	SentAt     time.Time
}

// Tenant holds per-tenant settings of a face.
type Tenant struct {
	ID          string // "<api>/<tenant>"
	API         string
	Name        string
	DoubleOptIn bool
}
