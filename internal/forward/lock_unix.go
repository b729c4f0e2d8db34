//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package forward

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockName is the lock file in the queue directory. An open queue holds an
// exclusive flock on it: the queue keeps its sizes and cursor in memory,
// so a second writer would corrupt the log. The kernel releases the lock
// when the process dies, however it dies.
const lockName = "lock"

type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("the queue directory is in use by another forwarder (%s is locked)", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dirLock{f: f}, nil
}

// release closes the file, which releases the flock.
func (l *dirLock) release() error { return l.f.Close() }
