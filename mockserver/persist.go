package mockserver

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// A state file is written this long after the last change, and at most this
// long after the first change it has not written yet.
const (
	PersistQuiet = 200 * time.Millisecond
	PersistMax   = 2 * time.Second
)

// Persister keeps a state file in step with a Server's state.
type Persister struct {
	srv   *Server
	path  string
	wake  chan struct{} // a change happened
	stop  chan struct{}
	done  chan struct{}
	saved uint64 // the state's change count when last written
}

// Persist writes the state to path now unless the file exists (the state
// was loaded from it), then after changes (debounced by PersistQuiet,
// bounded by PersistMax, and no sooner than nine times the last write's
// duration after it) until Close writes it a last time. Each write replaces
// the file atomically: a crash leaves the old file or the new one, never a
// part of one.
func (s *Server) Persist(path string) (*Persister, error) {
	p := &Persister{srv: s, path: path, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	p.saved = s.ID.Changes()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := p.write(); err != nil {
			return nil, err
		}
	}
	s.ID.OnChange(func() {
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
	var next time.Time // the earliest next write
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
		}
		first := time.Now()
		timer := time.NewTimer(PersistQuiet)
	debounce:
		for {
			select {
			case <-p.stop:
				timer.Stop()
				return
			case <-p.wake:
				timer.Reset(min(PersistQuiet, PersistMax-time.Since(first)))
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
			slog.Error("state file not written; retrying after the next change", "path", p.path, "err", err)
		}
		next = time.Now().Add(9 * time.Since(start)) // writing a large state takes at most a tenth of the time
	}
}

// save writes the state when it changed since the last write.
func (p *Persister) save() error {
	n := p.srv.ID.Changes() // before the export: a change racing it is written next time
	if n == p.saved {
		return nil
	}
	if err := p.write(); err != nil {
		return err
	}
	p.saved = n
	return nil
}

// write replaces the file atomically: a temporary file in the same
// directory, synced, then renamed over it.
func (p *Persister) write() error {
	tmp := p.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	err = p.srv.WriteState(f)
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
