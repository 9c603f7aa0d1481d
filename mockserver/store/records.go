package store

import "time"

// Records are immutable once inserted: a writer copies, changes the copy and
// inserts it again (go-memdb hands the same pointer to every reader). Their
// JSON form is the state document's (see Records).

// Customer is a profile: the person or business behind one or more logins.
type Customer struct {
	ID       string         `json:"id"` // internal key: "<api>/<tenant>/<number>"
	API      string         `json:"api"`
	Tenant   string         `json:"tenant"`
	Number   string         `json:"number"` // the face's customer number, e.g. Emporix "13869000"
	Active   bool           `json:"active"`
	Version  int            `json:"version"` // optimistic-locking version, starts at 1
	Profile  map[string]any `json:"profile"` // the face's own profile document; never mutated in place
	Created  time.Time      `json:"created"`
	LastSeen time.Time      `json:"lastSeen,omitzero"` // last successful login; zero when never
	// TokensExpired is when the customer's tokens were last expired by the
	// admin API; self-contained tokens (JWTs) issued until then are refused.
	TokensExpired time.Time `json:"tokensExpired,omitzero"`
}

// Account is a login credential of a customer.
type Account struct {
	ID           string    `json:"id"` // random, unique
	API          string    `json:"api"`
	Tenant       string    `json:"tenant"`
	Email        string    `json:"email"`                  // login name, compared case-insensitively
	PasswordHash string    `json:"passwordHash,omitempty"` // empty for accounts that cannot log in with a password
	CustomerID   string    `json:"customer"`
	Role         string    `json:"role,omitempty"` // face-specific ("customer", "admin"); empty means customer
	Created      time.Time `json:"created"`
}

// Address is a postal address of a customer.
type Address struct {
	ID         string         `json:"id"`
	CustomerID string         `json:"customer"`
	Seq        uint64         `json:"seq"` // creation order
	Default    bool           `json:"default"`
	Tags       []string       `json:"tags,omitempty"`
	Fields     map[string]any `json:"fields"` // the face's own address document, without id/isDefault/tags
}

// Token is a bearer or refresh token.
type Token struct {
	Value      string    `json:"value"`
	Kind       string    `json:"kind"` // TokenAnonymous, TokenAnonymousRefresh, TokenAccess, TokenRefresh
	API        string    `json:"api"`
	Tenant     string    `json:"tenant"`
	CustomerID string    `json:"customer,omitempty"` // empty for anonymous tokens
	AccountID  string    `json:"account,omitempty"`
	SessionID  string    `json:"session,omitempty"`
	ClientID   string    `json:"client,omitempty"`
	Issued     time.Time `json:"issued"`
	Expires    time.Time `json:"expires"`
}

// Token kinds.
const (
	TokenAnonymous        = "anonymous"
	TokenAnonymousRefresh = "anonymous_refresh"
	TokenAccess           = "access"
	TokenRefresh          = "refresh"
)

// TokenKinds lists the token kinds.
var TokenKinds = []string{TokenAnonymous, TokenAnonymousRefresh, TokenAccess, TokenRefresh}

// Code is a one-time secret sent out of band (reset, opt-in, e-mail change…).
type Code struct {
	Value      string            `json:"value"`
	Kind       string            `json:"kind"`
	API        string            `json:"api"`
	Tenant     string            `json:"tenant"`
	CustomerID string            `json:"customer"`
	AccountID  string            `json:"account,omitempty"`
	Payload    map[string]string `json:"payload,omitempty"` // e.g. the new e-mail of an e-mail change
	Expires    time.Time         `json:"expires"`
}

// Message is a mail the mock would have sent.
type Message struct {
	Seq        uint64    `json:"seq"`
	ID         string    `json:"id"`
	API        string    `json:"api"`
	Tenant     string    `json:"tenant"`
	To         string    `json:"to"`
	Kind       string    `json:"kind"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	Token      string    `json:"token,omitempty"`
	Identifier string    `json:"identifier,omitempty"`
	Link       string    `json:"link,omitempty"`
	SentAt     time.Time `json:"sentAt"`
}

// Tenant holds per-tenant settings of a face.
type Tenant struct {
	ID          string   `json:"id"` // "<api>/<tenant>"
	API         string   `json:"api"`
	Name        string   `json:"name"`
	DoubleOptIn bool     `json:"doubleOptIn"`
	Origins     []string `json:"origins,omitempty"` // the web origins that address the tenant (Customer Accounts retailers)
}

// Counter counts the records of a table that go-memdb cannot count cheaply
// (the mailbox, to keep it capped); it is part of the state's snapshots but
// not of its export.
type Counter struct {
	Name string
	N    int
}

// Claim marks a customer of a reserve (identity.Reserve) as drawn into the
// store: from then on the store's records are the customer's, whatever
// becomes of them. Claims and reserves are part of the state's snapshots but
// not of its export, which draws every customer.
type Claim struct {
	ID string // the customer's id
}

// MailCount is the Counter of the mailbox's messages.
const MailCount = "mail"

// Version is the version of Records' format; a state of another version is
// refused rather than half understood.
const Version = 1

// Records are the whole state, table by table, each in key order: the
// "state" section of a seed document. The records are shared with the
// database they come from or go to: read-only.
type Records struct {
	Version   int         `json:"version"`
	Tenants   []*Tenant   `json:"tenants"`
	Customers []*Customer `json:"customers"`
	Accounts  []*Account  `json:"accounts"`
	Addresses []*Address  `json:"addresses"`
	Tokens    []*Token    `json:"tokens"`
	Codes     []*Code     `json:"codes"`
	Mail      []*Message  `json:"mail"`
}
