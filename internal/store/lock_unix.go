//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockName is the lock file in the data directory. A Store holds an
// exclusive flock on it while open: the dictionary and the trace
// sequence are kept in memory, so a second writer would corrupt the file.
// The kernel releases the lock when the process dies, however it dies.
const lockName = "sightline.lock"

type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: lock: %w", dir, err)
	}
	if err := tighten(path); err != nil {
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
