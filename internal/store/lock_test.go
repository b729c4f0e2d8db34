//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"context"
	"testing"
)

// TestInUse: a directory is in use while a Store has it open, and not
// before nor after; a second Open is refused meanwhile.
func TestInUse(t *testing.T) {
	dir := t.TempDir()
	if InUse(dir) {
		t.Error("a new directory is in use")
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !InUse(dir) {
		t.Error("an open store's directory is not in use")
	}
	if _, err := Open(context.Background(), dir, Options{}); err == nil {
		t.Error("a second store opened the directory")
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if InUse(dir) {
		t.Error("a closed store's directory is in use")
	}
}
