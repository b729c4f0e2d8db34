package properties

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// FileMode is the mode of the properties file and of SQLite's -wal and
// -shm files beside it (SQLite gives them the database's mode): read and
// write for the owner only, since properties choose where a component
// exports (files included).
const FileMode fs.FileMode = 0o600

// privateFile creates the database at abs with FileMode if it is missing,
// and tightens it, and its -wal and -shm files, to FileMode if they are
// wider. A file of another user keeps its mode: only its owner may change
// it (and only its owner's permissions say who may write it).
func privateFile(abs string) error {
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("properties: create %s: %w", abs, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("properties: create %s: %w", abs, err)
	}
	for _, p := range []string{abs, abs + "-wal", abs + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("properties: open %s: %w", p, err)
		}
		if fi.Mode().Perm()&^FileMode == 0 {
			continue
		}
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("properties: open %s: tighten mode %04o to %04o: %w", p, fi.Mode().Perm(), FileMode, err)
		}
	}
	return nil
}
