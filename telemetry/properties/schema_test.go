package properties

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawExec runs statements on the file at path with a plain connection, as
// someone with the sqlite3 CLI would.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	rawExec(t, path, "CREATE TABLE whatever (x)", "PRAGMA user_version = 99")
	s, err := Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a version 99 file succeeded")
	}
	want := fmt.Sprintf("properties: properties file %s has schema version 99; this sightline knows up to %d", path, SchemaVersion)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error:\n got: %v\nwant prefix: %s", err, want)
	}
	var ve *SchemaVersionError
	if !errors.As(err, &ve) || ve.Version != 99 || ve.Known != SchemaVersion || ve.Path != path {
		t.Errorf("SchemaVersionError = %+v", ve)
	}
}

func TestSchemaCreatedAndReopened(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	var mode string
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion || mode != "wal" {
		t.Errorf("user_version %d, journal_mode %q; want %d, wal", version, mode, SchemaVersion)
	}
	var timeout int
	if err := s.db.QueryRow("PRAGMA busy_timeout").Scan(&timeout); err != nil || timeout != 10000 {
		t.Errorf("busy_timeout = %d, %v; want 10000", timeout, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s := openAt(t, path)
		if err := s.Set(ctx, "c", map[string][]string{"k": {"v"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// An existing empty file, or one at version 0 (say, created by hand with
// the sqlite3 CLI), is migrated to the current version.
func TestMigrateFromVersionZero(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	v0 := filepath.Join(dir, "v0.db")
	rawExec(t, v0, "CREATE TABLE notes (x)")
	for _, path := range []string{empty, v0} {
		s := openAt(t, path)
		var version int
		if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != SchemaVersion {
			t.Errorf("%s: user_version %d, %v", path, version, err)
		}
		if err := s.Set(ctx, "c", map[string][]string{"k": {"v"}}); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestCorruptedValue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s := openAt(t, path)
	if err := s.Set(ctx, "motor", map[string][]string{"good": {"v"}, "telemetry_topics": {"user"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ stored, wantIn string }{
		{`user,kernel`, `stored value "user,kernel" is not a JSON array of strings: invalid character`},
		{`null`, `stored value "null" is not a JSON array of strings: null is not an array`},
		{`["a", 1]`, `stored value "[\"a\", 1]" is not a JSON array of strings: json: cannot unmarshal number`},
		{`{"a":"b"}`, `is not a JSON array of strings: json: cannot unmarshal object`},
	} {
		rawExec(t, path, fmt.Sprintf(`UPDATE properties SET value = '%s' WHERE component = 'motor' AND key = 'telemetry_topics'`, tc.stored))
		_, err := s.Get(ctx, "motor")
		prefix := fmt.Sprintf(`properties: component "motor" key "telemetry_topics" in %s: `, path)
		if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.wantIn) {
			t.Errorf("stored %s: Get error:\n got: %v\nwant: %s...%s...", tc.stored, err, prefix, tc.wantIn)
		}
	}
	// Other components are unaffected.
	if err := s.Set(ctx, "other", map[string][]string{"k": nil}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "other"); err != nil {
		t.Error(err)
	}
}
