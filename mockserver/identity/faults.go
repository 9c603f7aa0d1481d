package identity

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doppel-dev/doppel/mockserver/store"
)

// LoginFault is a business fault on a customer's password logins, set
// through the admin API. It lives beside the state, not in it: a reset of
// the state keeps it.
type LoginFault struct {
	CustomerID string
	// API, Tenant and Email name the login it was set through, for display.
	API, Tenant, Email string
	Locked             bool // every password login of the customer fails with ErrLocked
	FailNext           int  // the next FailNext logins fail with ErrBadCredentials
}

// loginFaults are the LoginFaults by customer id; n lets logins skip the
// lock while there are none.
type loginFaults struct {
	mu sync.Mutex
	m  map[string]LoginFault
	n  atomic.Int32
}

// SetLoginFault stores f, replacing the customer's earlier fault; a fault
// that neither locks nor fails removes it.
func (s *Service) SetLoginFault(f LoginFault) {
	lf := &s.faults
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if f.Locked || f.FailNext > 0 {
		if lf.m == nil {
			lf.m = map[string]LoginFault{}
		}
		lf.m[f.CustomerID] = f
	} else {
		delete(lf.m, f.CustomerID)
	}
	lf.n.Store(int32(len(lf.m)))
}

// LoginFault returns a customer's login fault, the zero fault when none.
func (s *Service) LoginFault(customerID string) LoginFault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f, ok := s.faults.m[customerID]; ok {
		return f
	}
	return LoginFault{CustomerID: customerID}
}

// LoginFaults lists the login faults by API, tenant and e-mail.
func (s *Service) LoginFaults() []LoginFault {
	s.faults.mu.Lock()
	out := slices.Collect(maps.Values(s.faults.m))
	s.faults.mu.Unlock()
	slices.SortFunc(out, func(a, b LoginFault) int {
		return cmp.Or(cmp.Compare(a.API, b.API), cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Email, b.Email))
	})
	return out
}

// ClearLoginFaults removes every login fault.
func (s *Service) ClearLoginFaults() {
	s.faults.mu.Lock()
	clear(s.faults.m)
	s.faults.n.Store(0)
	s.faults.mu.Unlock()
}

// loginFault applies a customer's login fault to one login attempt before
// its password is checked: ErrBadCredentials while failures remain (one is
// used up), else ErrLocked when locked, else nil.
func (s *Service) loginFault(customerID string) error {
	if s.faults.n.Load() == 0 {
		return nil
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f, ok := s.faults.m[customerID]
	switch {
	case !ok:
		return nil
	case f.FailNext > 0:
		f.FailNext--
		s.faults.m[customerID] = f
		if !f.Locked && f.FailNext == 0 {
			delete(s.faults.m, customerID)
			s.faults.n.Store(int32(len(s.faults.m)))
		}
		return ErrBadCredentials
	case f.Locked:
		return ErrLocked
	}
	return nil
}

// ExpireTokens makes a customer's tokens expire now: its stored access
// tokens — and its refresh tokens unless keepRefresh — get now as their
// expiry, and its self-contained access tokens (which a face does not store,
// such as JWTs) count as expired through Customer.TokensExpired. It returns
// how many stored tokens it expired.
func (t *Tx) ExpireTokens(customerID string, keepRefresh bool) (int, error) {
	c, err := t.Customer(customerID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, tok := range all[store.Token](t, store.Tokens, store.ByCustomer, customerID) {
		if keepRefresh && tok.Kind == store.TokenRefresh || !t.now.Before(tok.Expires) {
			continue
		}
		cp := *tok
		cp.Expires = t.now
		t.put(store.Tokens, &cp)
		n++
	}
	cp := *c
	cp.TokensExpired = t.now
	t.put(store.Customers, &cp)
	return n, nil
}

// IssuedAt is the issue time, in whole seconds, of a self-contained token
// issued now to c: at least a second after c's tokens were last expired, so
// that SelfContainedExpired, which can only judge whole seconds, refuses
// every earlier token and none issued since.
func IssuedAt(c *store.Customer, now time.Time) time.Time {
	iat := now.Truncate(time.Second)
	if cut := c.TokensExpired.Truncate(time.Second); !c.TokensExpired.IsZero() && !iat.After(cut) {
		iat = cut.Add(time.Second)
	}
	return iat
}

// SelfContainedExpired reports whether a self-contained token issued to c
// at iat (whole seconds, from IssuedAt) was expired by ExpireTokens.
func SelfContainedExpired(c *store.Customer, iat time.Time) bool {
	return !c.TokensExpired.IsZero() && !iat.After(c.TokensExpired.Truncate(time.Second))
}
