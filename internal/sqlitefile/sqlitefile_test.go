package sqlitefile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestDSN(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"defaults", nil, "file:///d/a%3Fb%23c.db?_pragma=busy_timeout(10000)"},
		{"writer", []Option{WithImmediateTx(), WithPragma("cache_size", "-32768"), WithSynchronous("NORMAL"), WithWAL(),
			WithPragma("temp_store", "MEMORY"), WithBusyTimeout(1500 * time.Millisecond)},
			"file:///d/a%3Fb%23c.db?_pragma=busy_timeout(1500)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
				"&_pragma=cache_size(-32768)&_pragma=temp_store(MEMORY)&_txlock=immediate"},
		{"reader", []Option{WithQueryOnly(), WithBusyTimeout(0), nil}, "file:///d/a%3Fb%23c.db?_pragma=busy_timeout(0)&_pragma=query_only(1)"},
		{"negative timeout keeps the default", []Option{WithBusyTimeout(-time.Second)}, "file:///d/a%3Fb%23c.db?_pragma=busy_timeout(10000)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" {
				t.Skip("a POSIX path")
			}
			if got := DSN("/d/a?b#c.db", tc.opts...); got != tc.want {
				t.Errorf("DSN:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestOpenSettings: the settings reach every connection, and a query-only
// pool refuses to write.
func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "odd ?name#.db")
	w, err := Open(path, WithWAL(), WithSynchronous("NORMAL"), WithPragma("cache_size", "-1000"), WithImmediateTx())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ExecContext(ctx, "CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"PRAGMA journal_mode": "wal", "PRAGMA synchronous": "1", "PRAGMA cache_size": "-1000", "PRAGMA busy_timeout": "10000"} {
		var got string
		if err := w.QueryRowContext(ctx, q).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", q, got, err, want)
		}
	}
	r, err := Open(path, WithQueryOnly(), WithBusyTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err == nil {
		t.Error("a query-only connection wrote")
	}
	var n int
	if err := r.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Errorf("read: %d, %v", n, err)
	}
}

// TestPrivate: a new database is created 0600; wider database, -wal and
// -shm files are narrowed, never widened.
func TestPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	if err := MakePrivate(path); err != nil {
		t.Fatal(err)
	}
	checkMode(t, path, Mode)

	old := filepath.Join(dir, "old.db")
	for name, mode := range map[string]fs.FileMode{old: 0o666, old + "-wal": 0o644, old + "-shm": 0o400} {
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(name, mode); err != nil {
			t.Fatal(err)
		}
	}
	db, err := Open(old)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	checkMode(t, old, 0o600)
	checkMode(t, old+"-wal", 0o600)
	checkMode(t, old+"-shm", 0o400)

	if err := MakePrivate(filepath.Join(dir, "missing", "x.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("in a missing directory: %v, want fs.ErrNotExist", err)
	}
}

// TestOtherUsersFile: a file that cannot be made private is refused,
// unless WithAnyOwner. Needs a file whose mode this user cannot change.
func TestOtherUsersFile(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a POSIX system and a user other than root (root may change any mode)")
	}
	path := "/dev/null" // root's, mode 0666 on every POSIX system
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&^Mode == 0 {
		t.Skipf("no file of another user with a wide mode: %v", err)
	}
	if err := tighten(path, false); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("another user's file: %v, want fs.ErrPermission", err)
	}
	if err := tighten(path, true); err != nil {
		t.Errorf("another user's file WithAnyOwner: %v", err)
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s: mode %04o, want %04o", filepath.Base(path), fi.Mode().Perm(), want)
	}
}
