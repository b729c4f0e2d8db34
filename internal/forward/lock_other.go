//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package forward

// dirLock does nothing on this platform: nothing stops two processes from
// opening one queue directory, which they must not do (see lock_unix.go).
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() error { return nil }
