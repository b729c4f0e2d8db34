package sqlitefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Mode is the mode of the database files Open creates, and the widest it
// leaves: read and write for the owner only, since traces, logs and
// telemetry settings can hold secrets and a workstation may be shared.
const Mode fs.FileMode = 0o600

// MakePrivate creates the database at path with [Mode] if it is missing,
// and takes the permission bits outside Mode away from it and from its
// -wal and -shm files (0644 becomes 0600, 0400 stays). A file that belongs
// to another user cannot be changed: MakePrivate then fails with an error
// wrapping fs.ErrPermission. [Open] calls it.
func MakePrivate(path string) error { return makePrivate(path, false) }

func makePrivate(path string, anyOwner bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, Mode)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("sqlitefile: create %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("sqlitefile: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := tighten(p, anyOwner); err != nil {
			return err
		}
	}
	return nil
}

// tighten clears the permission bits of the file at p that Mode lacks, if
// it exists. A file of another user is an error unless anyOwner.
func tighten(p string, anyOwner bool) error {
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlitefile: stat %s: %w", p, err)
	}
	perm := fi.Mode().Perm()
	if perm&^Mode == 0 {
		return nil
	}
	err = os.Chmod(p, perm&Mode)
	if err == nil || anyOwner && errors.Is(err, fs.ErrPermission) {
		return nil
	}
	return fmt.Errorf("sqlitefile: make %s private (mode %04o to %04o): %w", p, perm, perm&Mode, err)
}

// Tighten takes the permission bits outside [Mode] away from the one file
// at path, if it exists: for a file kept beside a database, such as a
// lock file. Like [MakePrivate], it fails for a file of another user.
func Tighten(path string) error { return tighten(path, false) }
