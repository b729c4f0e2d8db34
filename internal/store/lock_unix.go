//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/sightline-dev/sightline/internal/sqlitefile"
)

// lockName is the lock file in the data directory. A Store holds an
// exclusive flock on it while open: the dictionary and the trace
// sequence are kept in memory, so a second writer would corrupt the file.
// The kernel releases the lock when the process dies, however it dies.
const lockName = "sightline.lock"

type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, sqlitefile.Mode)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: lock: %w", dir, err)
	}
	if err := sqlitefile.Tighten(path); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("store: open %s: lock: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("store: open %s: the data directory is in use by another store (%s is locked)", dir, path)
		}
		return nil, fmt.Errorf("store: open %s: lock %s: %w", dir, path, err)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() error {
	// Closing the file releases the flock.
	return l.f.Close()
}

// InUse reports whether a Store, in this or another process, has the data
// directory dir open: it tries a shared lock on the lock file and lets go
// at once. A directory without a lock file is not in use. Callers use it
// to explain why Open failed.
func InUse(dir string) bool {
	f, err := os.Open(filepath.Join(dir, lockName))
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}
