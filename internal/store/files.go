package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Files the store creates are readable by their owner only: traces and
// logs can hold secrets, and a workstation may be shared. The data
// directory is created 0700 (an existing one is left as it is: it may be
// the user's), the lock file 0600, and the database 0600 before SQLite
// opens it, since SQLite creates its -wal and -shm files with the
// database's mode.

// fileMode is the mode of the files the store creates.
const fileMode fs.FileMode = 0o600

// privateFiles creates the database at path with fileMode if it is
// missing, and takes away the group and other permissions of it and of
// its -wal and -shm files where a previous version (or a user) left them
// wider.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := tighten(p); err != nil {
			return err
		}
	}
	return nil
}

// tighten clears the group and other permission bits of the file at p,
// if it exists.
func tighten(p string) error {
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat %s: %w", p, err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
		return fmt.Errorf("make %s private (mode %v): %w", p, fi.Mode().Perm(), err)
	}
	return nil
}
