package properties

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Retry policy for SQLITE_BUSY. Each connection already waits up to
// busyTimeout inside SQLite for a lock; SQLite still returns SQLITE_BUSY
// without waiting in a few cases (a WAL file being recovered by another
// process, a journal-mode change racing another opener, a deadlock it
// resolves by failing one side). Those are retried here: the whole
// operation (its transaction, read and write) runs again after a short
// jittered backoff, at most maxAttempts times in all.
const (
	busyTimeout  = 10 * time.Second
	maxAttempts  = 8
	firstBackoff = 2 * time.Millisecond
	maxBackoff   = 250 * time.Millisecond
)

// sqliteCoder is implemented by *sqlite.Error: Code is the (extended)
// SQLite result code.
type sqliteCoder interface{ Code() int }

var _ sqliteCoder = (*sqlite.Error)(nil)

// isBusy reports whether err is SQLite's SQLITE_BUSY (any extended code) or
// SQLITE_LOCKED.
func isBusy(err error) bool {
	var se sqliteCoder
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// retry runs op until it succeeds, fails with an error other than busy,
// ctx is done or maxAttempts is reached. op's errors already carry the
// "properties: " prefix and their context; retry only annotates a busy
// error it gives up on.
func retry(ctx context.Context, op func(context.Context) error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil || !isBusy(err) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w (still busy after %d attempts)", err, attempt)
		}
		// Full jitter in [backoff/2, backoff) so retrying processes spread out.
		d := backoff/2 + rand.N(backoff/2+1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up retrying: %w)", err, ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}
