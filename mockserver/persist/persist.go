// Package persist keeps the mock's state in a file: written after changes,
// locked against a second process, read back at start.
package persist

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/doppel-dev/doppel/mockserver/identity"
)

// A state file is written PersistQuiet after the last change, and at most
// the flush interval (DefaultFlush unless Persist is told another) after
// the first change it has not written yet.
const (
	PersistQuiet = 200 * time.Millisecond
	DefaultFlush = 2 * time.Second
)

// Persister keeps a state file in step with a state.
type Persister struct {
	id     *identity.Service
	health *Health
	path   string
	flush  time.Duration
	quiet  time.Duration // PersistQuiet, or flush when shorter
	wake   chan struct{} // a change happened
	stop   chan struct{}
	done   chan struct{}
	saved  uint64 // the state's change count when last written
}

// Start writes the state of id to path now unless the file exists (the state
// was loaded from it), then after changes (debounced by PersistQuiet,
// bounded by flush — DefaultFlush when 0 — and no sooner than nine times
// the last write's duration after it) until Close writes it a last time.
// Each write replaces the file atomically: a crash leaves the old file or
// the new one, never a part of one. A failed write is retried every flush
// interval and shown by health until one succeeds. Hold the
// file's lock (LockStateFile) first.
func Start(id *identity.Service, health *Health, path string, flush time.Duration) (*Persister, error) {
	if flush <= 0 {
		flush = DefaultFlush
	}
	return StartQuiet(id, health, path, flush, min(PersistQuiet, flush))
}

// StartQuiet is Start with a quiet time of its own, which a test sets apart
// from the flush interval.
func StartQuiet(id *identity.Service, health *Health, path string, flush, quiet time.Duration) (*Persister, error) {
	p := &Persister{id: id, health: health, path: path, flush: flush, quiet: quiet, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	p.saved = id.Changes()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := p.write(); err != nil {
			return nil, err
		}
	}
	id.OnChange(func() {
		select {
		case p.wake <- struct{}{}:
		default: // a write is due already
		}
	})
	go p.loop()
	return p, nil
}

// Close stops the writes after changes and writes the state if it changed
// since the last write. Call it once the server has finished its requests.
func (p *Persister) Close() error {
	close(p.stop)
	<-p.done
	return p.save()
}

func (p *Persister) loop() {
	defer close(p.done)
	var next time.Time         // the earliest next write
	var retry <-chan time.Time // a failed write is tried again
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
		case <-retry:
		}
		retry = nil
		first := time.Now()
		timer := time.NewTimer(p.quiet)
	debounce:
		for {
			select {
			case <-p.stop:
				timer.Stop()
				return
			case <-p.wake:
				timer.Reset(min(p.quiet, p.flush-time.Since(first)))
			case <-timer.C:
				if wait := time.Until(next); wait > 0 {
					timer.Reset(wait)
					continue
				}
				break debounce
			}
		}
		start := time.Now()
		if err := p.save(); err != nil {
			retry = time.After(p.flush)
		}
		next = time.Now().Add(9 * time.Since(start)) // writing a large state takes at most a tenth of the time
	}
}

// save writes the state when it changed since the last write, and tells
// /__doppel/health how it went.
func (p *Persister) save() error {
	n := p.id.Changes() // before the export: a change racing it is written next time
	if n == p.saved {
		return nil
	}
	err := p.write()
	switch p.health.record(err) {
	case failing:
		slog.Error("state file not written; retrying until it is (GET /__doppel/health says so meanwhile)", "path", p.path, "every", p.flush, "err", err)
	case recovered:
		slog.Info("state file written again", "path", p.path)
	}
	if err != nil {
		return err
	}
	p.saved = n
	return nil
}

// write replaces the file atomically: a temporary file of this process in
// the same directory, synced, then renamed over it.
func (p *Persister) write() error {
	f, err := os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	tmp := f.Name()
	err = WriteState(f, p.id.Export())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("state file: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(p.path)); err == nil { // make the rename durable too
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}

// Health is how the state file's last write went.
type Health struct {
	mu    sync.Mutex
	err   error
	since time.Time // when writes started failing
}

// Changes of Health, for the log.
const (
	unchanged = iota
	failing   // writes started failing
	recovered // a write succeeded after failures
)

// record keeps how a write went and tells whether that is news.
func (h *Health) record(err error) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	was := h.err
	h.err = err
	switch {
	case err != nil && was == nil:
		h.since = time.Now()
		return failing
	case err == nil && was != nil:
		return recovered
	}
	return unchanged
}

// Failure returns since when writes fail and the error of the last one;
// a nil error when it succeeded.
func (h *Health) Failure() (time.Time, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.since, h.err
}

// StateLock is a held lock on a state file (LockStateFile).
type StateLock struct {
	file *os.File
	path string
}

// LockStateFile takes the lock of a state file — PATH.lock beside it — so
// that a second doppel cannot load and overwrite the same file; it fails at
// once, naming the process holding it, when another holds it. The lock
// goes with the process, even on kill -9.
func LockStateFile(path string) (*StateLock, error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		holder, _ := os.ReadFile(name)
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("state file %s is in use by another doppel (pid %s, lock %s): two processes on one file overwrite each other's changes; give each its own --state-file",
				path, strings.TrimSpace(string(holder)), name)
		}
		return nil, fmt.Errorf("state file lock %s: %w", name, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &StateLock{file: f, path: name}, nil
}

// Release lets another process use the state file.
func (l *StateLock) Release() error {
	if err := unlockFile(l.file, l.path); err != nil {
		l.file.Close()
		return err
	}
	return l.file.Close()
}

var errLocked = errors.New("locked")
