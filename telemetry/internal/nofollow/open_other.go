//go:build !unix

package nofollow

import (
	"fmt"
	"io/fs"
	"os"
)

// Open opens path unless its final component is a symbolic link. Without
// O_NOFOLLOW the check comes before the open, so a link created in between
// is not caught; on Windows creating one needs a privilege.
func Open(path string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("symbolic link not followed")}
	}
	return os.OpenFile(path, flag, perm)
}
