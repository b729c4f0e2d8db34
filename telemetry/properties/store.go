package properties

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/sightline-dev/sightline/internal/sqlitefile"
)

// ErrClosed is returned by a Store's methods after Close.
var ErrClosed = errors.New("properties: store is closed")

// maxOpenConns bounds each Store's connection pool. Writes through one
// Store are serialized anyway (see Store.writeMu); the rest serve reads,
// which WAL lets run alongside a writer.
const maxOpenConns = 4

// Store is a properties file opened by Open. Its methods are safe for
// concurrent use, and any number of Stores, in this process or others, may
// have the same file open.
type Store struct {
	path string  // as given to Open, for messages
	db   *sql.DB // connections configured by Open
	// writeMu (a one-slot semaphore, so waiting honours ctx) serializes
	// this Store's write transactions so they queue here rather than
	// poll SQLite's write lock against each other.
	writeMu chan struct{}

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Open opens the properties file at path, creating it and its schema if
// missing; the parent directory must exist (Open creates no directory:
// put the file in one only you can write). The file is created with
// FileMode (0600), and an existing one (or its -wal or -shm file) with a
// wider mode is tightened to it, unless it belongs to another user. A file
// with a newer schema than this package knows is refused with a
// *SchemaVersionError; an older one is migrated (see FORMAT.md). The Store
// must be closed with Close.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("properties: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("properties: open %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("properties: open %s: parent directory: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("properties: open %s: parent %s is not a directory", path, dir)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("properties: open %s: is a directory", path)
	}
	// busy_timeout: wait for another process's lock instead of failing at
	// once; WAL: readers never block the writer nor it them; FULL: a
	// committed Set survives power loss; immediate transactions take the
	// write lock before reading, so none has to upgrade a read lock and
	// fail with SQLITE_BUSY_SNAPSHOT. The file is 0600 (sqlitefile.Mode);
	// another user's file keeps its mode and owner.
	db, err := sqlitefile.Open(abs, sqlitefile.WithAnyOwner(), sqlitefile.WithBusyTimeout(busyTimeout),
		sqlitefile.WithWAL(), sqlitefile.WithSynchronous("FULL"), sqlitefile.WithPragma("foreign_keys", "1"),
		sqlitefile.WithImmediateTx())
	if err != nil {
		return nil, fmt.Errorf("properties: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	s := &Store{path: path, db: db, writeMu: make(chan struct{}, 1)}
	if err := retry(ctx, s.migrate); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the path the Store was opened with.
func (s *Store) Path() string { return s.path }

// Close closes the file's connections. It is idempotent: later calls
// return what the first returned.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("properties: close %s: %w", s.path, err)
		}
	})
	return s.closeErr
}

// write runs f in a write transaction (BEGIN IMMEDIATE), retried as a
// whole while SQLite reports busy. what and component describe the
// operation in errors.
func (s *Store) write(ctx context.Context, what, component string, f func(context.Context, *sql.Tx) error) error {
	select {
	case s.writeMu <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("properties: %s component %q in %s: %w", what, component, s.path, ctx.Err())
	}
	defer func() { <-s.writeMu }()
	return retry(ctx, func(ctx context.Context) error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("properties: %s component %q in %s: begin: %w", what, component, s.path, err)
		}
		defer tx.Rollback() // a no-op after Commit
		if err := f(ctx, tx); err != nil {
			return fmt.Errorf("properties: %s component %q in %s: %w", what, component, s.path, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("properties: %s component %q in %s: commit: %w", what, component, s.path, err)
		}
		return nil
	})
}
