package properties

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

type codeErr int

func (c codeErr) Error() string { return fmt.Sprintf("sqlite code %d", int(c)) }
func (c codeErr) Code() int     { return int(c) }

func TestIsBusy(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{codeErr(sqlite3.SQLITE_BUSY), true},
		{codeErr(sqlite3.SQLITE_BUSY_RECOVERY), true},
		{codeErr(sqlite3.SQLITE_BUSY_SNAPSHOT), true},
		{fmt.Errorf("wrapped: %w", codeErr(sqlite3.SQLITE_LOCKED)), true},
		{codeErr(sqlite3.SQLITE_CONSTRAINT), false},
		{codeErr(sqlite3.SQLITE_NOTADB), false},
		{errors.New("other"), false},
		{nil, false},
	} {
		if got := isBusy(tc.err); got != tc.want {
			t.Errorf("isBusy(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	busy := fmt.Errorf("properties: set x: %w", codeErr(sqlite3.SQLITE_BUSY))

	calls := 0
	err := retry(ctx, func(context.Context) error {
		if calls++; calls < 4 {
			return busy
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Errorf("busy three times then ok: err %v after %d calls; want nil after 4", err, calls)
	}

	calls = 0
	other := errors.New("properties: not busy")
	if err := retry(ctx, func(context.Context) error { calls++; return other }); err != other || calls != 1 {
		t.Errorf("non-busy error: %v after %d calls; want it at once", err, calls)
	}

	calls = 0
	err = retry(ctx, func(context.Context) error { calls++; return busy })
	want := fmt.Sprintf("properties: set x: sqlite code 5 (still busy after %d attempts)", maxAttempts)
	if calls != maxAttempts || err == nil || err.Error() != want || !isBusy(err) {
		t.Errorf("always busy: %v after %d calls; want %q after %d", err, calls, want, maxAttempts)
	}

	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = retry(cctx, func(context.Context) error { calls++; cancel(); return busy })
	if calls != 1 || !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "properties: set x: ") {
		t.Errorf("canceled during backoff: %v after %d calls", err, calls)
	}
}

// A writer waits for another connection's write lock (busy_timeout) rather
// than failing, gives up with its context, and succeeds once the lock is
// released.
func TestWaitsForLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s := openAt(t, path)

	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO properties VALUES ('c', 'held', '["x"]', 0)`); err != nil {
		t.Fatal(err)
	}

	// Gives up when its context ends, naming what it was doing.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	err = s.Set(short, "c", map[string][]string{"k": {"v"}})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) && !isBusy(err) {
		t.Errorf("Set while locked, short deadline: %v; want deadline exceeded", err)
	}
	if err == nil || !strings.HasPrefix(err.Error(), `properties: set component "c" in `+path) {
		t.Errorf("error does not say what it was doing: %v", err)
	}
	t.Log(err)
	// Reads are not blocked by the writer (WAL).
	if got, err := s.Get(ctx, "c"); err != nil || len(got) != 0 {
		t.Errorf("Get while locked = %v, %v; want empty (uncommitted write invisible)", got, err)
	}

	done := make(chan error, 1)
	go func() { done <- s.Set(ctx, "c", map[string][]string{"k": {"v"}}) }()
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Set after the lock was released: %v", err)
	}
	got, err := s.Get(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	assertProps(t, got, map[string][]string{"held": {"x"}, "k": {"v"}})
}
