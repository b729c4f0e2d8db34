package properties

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The database and SQLite's -wal and -shm files are 0600: new ones, and
// existing ones made wider by hand or by an older version, which Open
// tightens.
func TestFilesPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	ctx := context.Background()
	tests := []struct {
		name string
		mode fs.FileMode // of the files before Open; 0 means none exist
	}{
		{"new", 0},
		{"existing 0644", 0o644},
		{"existing 0666", 0o666},
		{"existing 0600", 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "props.db")
			if tt.mode != 0 {
				s := openAt(t, path)
				if err := s.Set(ctx, "c", map[string][]string{"k": {"v"}}); err != nil {
					t.Fatal(err)
				}
				// Keep -wal and -shm: a second Store holds the database open.
				keep := openAt(t, path)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				for _, p := range []string{path, path + "-wal", path + "-shm"} {
					if err := os.Chmod(p, tt.mode); err != nil {
						t.Fatal(err)
					}
				}
				defer keep.Close()
			}
			s := openAt(t, path)
			if err := s.Set(ctx, "c", map[string][]string{"k": {"w"}}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatalf("%s: %v", filepath.Base(p), err)
				}
				if got := fi.Mode().Perm(); got != FileMode {
					t.Errorf("%s: mode %04o, want %04o", filepath.Base(p), got, FileMode)
				}
			}
		})
	}
}
