//go:build unix

package console

import (
	"os"
	"syscall"
)

// openNoFollow opens path, failing (ELOOP) when its final component is a
// symbolic link: the kernel checks, so no link can be swapped in between.
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW, perm)
}
