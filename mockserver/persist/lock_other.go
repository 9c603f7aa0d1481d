//go:build !unix

package persist

import (
	"errors"
	"os"
)

// lockFile marks the lock file as taken where flock is missing: a second
// file beside it, created exclusively and removed on release. A process
// killed while holding it leaves it behind: remove it by hand.
func lockFile(f *os.File) error {
	mark, err := os.OpenFile(f.Name()+".held", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return errLocked
	}
	if err != nil {
		return err
	}
	return mark.Close()
}

func unlockFile(_ *os.File, name string) error { return os.Remove(name + ".held") }
