//go:build unix

package nofollow

import (
	"os"
	"syscall"
)

// Open opens path, failing (ELOOP) when its final component is a symbolic
// link: the kernel checks, so no link can be swapped in between a check
// and the open.
func Open(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW, perm)
}
