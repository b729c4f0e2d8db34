package otlpjson_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// TestFileExporterCreatesPrivateFile: a new file is readable and writable
// by its owner only (spans and logs carry whatever the program knows); an
// existing file is appended to and keeps its mode.
func TestFileExporterCreatesPrivateFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	for _, sig := range fileSignals() {
		for _, tc := range []struct {
			name     string
			existing os.FileMode // 0: the exporter creates the file
			want     os.FileMode
		}{
			{"new file", 0, 0o600},
			{"existing file keeps its mode", 0o640, 0o640},
		} {
			t.Run(sig.name+"/"+tc.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "x-{pid}.jsonl")
				expanded := otlpjson.ExpandPath(path)
				if tc.existing != 0 {
					if err := os.WriteFile(expanded, nil, tc.existing); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(expanded, tc.existing); err != nil { // past the umask
						t.Fatal(err)
					}
				}
				e := mustOpen(t, sig, path)
				if err := e.export(context.Background(), 1); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(expanded)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != tc.want {
					t.Errorf("file mode %v, want %v", got, tc.want)
				}
			})
		}
	}
}

// TestFileExporterRefusesSymlink: a symbolic link where the file should be
// is refused with ErrSymlink naming the path, and nothing is written
// through it (neither into an existing target nor by creating a missing
// one). Links in the directories above the file are followed.
func TestFileExporterRefusesSymlink(t *testing.T) {
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("keep\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			missing := filepath.Join(dir, "would-be-created")
			for _, tc := range []struct{ name, target string }{
				{"link to an existing file", victim},
				{"dangling link", missing},
			} {
				t.Run(tc.name, func(t *testing.T) {
					link := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".jsonl")
					if err := os.Symlink(tc.target, link); err != nil {
						t.Skipf("cannot create a symbolic link here: %v", err)
					}
					_, err := sig.open(t, link)
					if !errors.Is(err, otlpjson.ErrSymlink) {
						t.Fatalf("open through a symbolic link: error %v, want ErrSymlink", err)
					}
					if !strings.Contains(err.Error(), link) || !strings.HasPrefix(err.Error(), "otlpjson: ") {
						t.Errorf("error %q does not name the path", err)
					}
				})
			}
			if b, err := os.ReadFile(victim); err != nil || string(b) != "keep\n" {
				t.Errorf("the link's target changed: %q, %v", b, err)
			}
			if _, err := os.Lstat(missing); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the dangling link's target was created (%v)", err)
			}

			// A symbolic link to a directory above the file is followed.
			real := filepath.Join(dir, "real")
			if err := os.Mkdir(real, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, filepath.Join(dir, "linkdir")); err != nil {
				t.Skipf("cannot create a symbolic link here: %v", err)
			}
			e := mustOpen(t, sig, filepath.Join(dir, "linkdir", "x.jsonl"))
			if err := e.export(context.Background(), 2); err != nil {
				t.Fatal(err)
			}
			if got := readCounts(t, sig, filepath.Join(real, "x.jsonl")); len(got) != 1 || got[0] != 2 {
				t.Errorf("through a linked directory: line counts %v, want [2]", got)
			}
		})
	}
}
