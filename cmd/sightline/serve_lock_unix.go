//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"
	"path/filepath"
	"syscall"
)

// dirLocked reports whether another process holds the store's lock file
// in dir (sightline.lock, which internal/store flocks while a Store is
// open): it tries a shared lock and lets go at once.
func dirLocked(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "sightline.lock"))
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	return err == syscall.EWOULDBLOCK
}
