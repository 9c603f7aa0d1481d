package identity

import (
	"sync/atomic"
	"time"
)

// Clock tells the time. Every expiry in doppel is computed from a Clock, so
// tests and the admin API can move time instead of waiting for it.
type Clock interface {
	Now() time.Time
}

// AdjustableClock is a Clock that can be moved, as the admin API does.
type AdjustableClock interface {
	Clock
	// Advance moves the clock by d (back when negative).
	Advance(d time.Duration)
	// Set moves the clock to t, from where it runs on.
	Set(t time.Time)
	// Reset returns the clock to the wall clock.
	Reset()
	// Offset is how far the clock is from the wall clock.
	Offset() time.Duration
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ShiftClock is the wall clock moved by an adjustable offset; the zero value
// is the wall clock. It is an AdjustableClock.
type ShiftClock struct {
	offset atomic.Int64 // nanoseconds
}

// Now returns the shifted time.
func (c *ShiftClock) Now() time.Time { return time.Now().UTC().Add(c.Offset()) }

// Advance moves the clock by d.
func (c *ShiftClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Set moves the clock to t.
func (c *ShiftClock) Set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// Reset returns the clock to the wall clock.
func (c *ShiftClock) Reset() { c.offset.Store(0) }

// Offset is how far the clock is from the wall clock.
func (c *ShiftClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }
