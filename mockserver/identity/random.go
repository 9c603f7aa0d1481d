package identity

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Random makes unguessable identifiers and secrets from a byte source
// (crypto/rand unless a test or a fixture seed supplies another).
type Random struct{ src atomic.Pointer[io.Reader] }

// NewRandom returns a Random reading from src, or from crypto/rand when src
// is nil. A src other than crypto/rand (a seeded generator, for
// reproducible state) is serialised, as such generators are not safe for
// concurrent use.
func NewRandom(src io.Reader) *Random {
	r := &Random{}
	if src == nil {
		r.Unseed()
	} else {
		r.Seed(src)
	}
	return r
}

// Seed makes every later draw come from src, serialised, until Unseed.
func (r *Random) Seed(src io.Reader) {
	var locked io.Reader = &lockedReader{src: src}
	r.src.Store(&locked)
}

// Unseed makes every later draw come from crypto/rand. A state loaded from
// elsewhere may hold values a seeded source is about to draw again.
func (r *Random) Unseed() { r.src.Store(&rand.Reader) }

type lockedReader struct {
	mu  sync.Mutex
	src io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.src.Read(p)
}

func (r *Random) fill(b []byte) {
	if _, err := io.ReadFull(*r.src.Load(), b); err != nil {
		panic("identity: random source failed: " + err.Error()) // crypto/rand never fails
	}
}

// pick returns n characters drawn uniformly from set (len(set) <= 256).
func (r *Random) pick(n int, set string) string {
	limit := 256 - 256%len(set) // reject bytes that would bias the draw
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+4)
	for len(out) < n {
		r.fill(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, set[int(b)%len(set)])
			}
		}
	}
	return string(out)
}

// Alnum returns n random ASCII letters and digits.
func (r *Random) Alnum(n int) string { return r.pick(n, alnum) }

// Upper returns n random upper-case letters and digits.
func (r *Random) Upper(n int) string { return r.pick(n, alnum[:26]+alnum[52:]) }

// Digits returns n random decimal digits, the first not zero.
func (r *Random) Digits(n int) string { return r.pick(1, "123456789") + r.pick(n-1, "0123456789") }

// Hex returns n random lower-case hexadecimal characters.
func (r *Random) Hex(n int) string {
	b := make([]byte, (n+1)/2)
	r.fill(b)
	return hex.EncodeToString(b)[:n]
}

// UUID returns a random (version 4) UUID.
func (r *Random) UUID() string {
	var b [16]byte
	r.fill(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Bytes returns n random bytes (keys).
func (r *Random) Bytes(n int) []byte {
	b := make([]byte, n)
	r.fill(b)
	return b
}
