package face

import (
	"io"

	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/seed"
)

// Seeder is implemented by a face that has a part of the seed document.
type Seeder interface {
	// Seed checks the face's part of a seed document and returns what adds
	// it to the state, or nil when the document has no part for this face.
	// The slow work (hashing, with hash) happens here, in the document's
	// order; apply runs inside the one write transaction of the whole
	// document, so a seed is all or nothing.
	Seed(doc *seed.Document, hash func(password string) string) (apply func(*identity.Tx) error, err error)
}

// TenantSettings is implemented by a face whose tenants have settings the
// admin API changes (PATCH /__doppel/tenants/{api}/{tenant}).
type TenantSettings interface {
	// ConfigureTenant changes a tenant's settings by patch, a JSON object
	// of the settings to change, and returns all of them as the admin API
	// shows them; bad input is an error and changes nothing.
	ConfigureTenant(tenant string, patch io.Reader) (settings any, err error)
}

// Warmer is implemented by a face that has work to do before its first
// request (Server.Warm calls it once the mock listens).
type Warmer interface {
	Warm()
}
