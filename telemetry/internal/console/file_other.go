//go:build !unix

package console

import (
	"fmt"
	"io/fs"
	"os"
)

// openNoFollow opens path unless its final component is a symbolic link
// (checked before the open: without O_NOFOLLOW a link created in between is
// not caught).
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("symbolic link not followed")}
	}
	return os.OpenFile(path, flag, perm)
}
