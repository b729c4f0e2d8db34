//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

// dirLock does nothing on this platform: nothing stops two processes from
// opening one data directory, which they must not do (see lock_unix.go).
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() error { return nil }

// InUse cannot tell on this platform, where the store takes no lock: it
// reports false.
func InUse(string) bool { return false }
