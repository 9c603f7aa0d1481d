package seed

// Drawn are customers a generator draws one at a time when they are first
// needed, instead of a list: a document of many customers costs next to
// nothing until they are used (doppel serve --customers). In-process only:
// they are no part of the JSON.
type Drawn[T any] struct {
	Count    int
	Password string // every drawn customer's password (hashed once for all)
	// Logins are the i-th customer's login names, lower-case, its e-mail
	// first: known up front, so that they stay unique among all customers.
	Logins func(i int) []string
	// Draw returns the i-th customer, whose logins are Logins(i) and whose
	// password is Password: the same i, the same customer.
	Draw func(i int) T
}
