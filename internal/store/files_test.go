//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestFileModes opens a store in a new directory and in one whose files
// a previous version left readable by all: the directory it creates is
// 0700, the database, its -wal and -shm files and the lock file are 0600.
func TestFileModes(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"new", func(*testing.T, string) {}},
		{"wider files", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm", lockName} {
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(filepath.Join(dir, name), 0o666); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			tc.prepare(t, dir)
			s, err := Open(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			td := ptrace.NewTraces()
			newSpan(td)
			mustAppend(t, s, td)
			want := map[string]fs.FileMode{"": 0o700, FileName: 0o600, FileName + "-wal": 0o600, FileName + "-shm": 0o600, lockName: 0o600}
			check := func() {
				for name, mode := range want {
					fi, err := os.Stat(filepath.Join(dir, name))
					if err != nil {
						t.Error(err)
						continue
					}
					if fi.Mode().Perm() != mode {
						t.Errorf("%q: mode %v, want %v", name, fi.Mode().Perm(), mode)
					}
				}
			}
			check()
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			delete(want, FileName+"-wal") // removed at close
			delete(want, FileName+"-shm")
			check()
		})
	}
}
