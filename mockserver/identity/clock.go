package identity

import (
	"sync"
	"time"
)

// Clock tells the time. Every expiry in doppel is computed from a Clock, so
// tests and the admin API can move time instead of waiting for it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ShiftClock is the wall clock moved by an adjustable offset.
type ShiftClock struct {
	mu     sync.RWMutex
	offset time.Duration
}

// Now returns the shifted time.
func (c *ShiftClock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return time.Now().UTC().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *ShiftClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
