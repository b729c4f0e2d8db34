package properties

import (
	"context"
	"database/sql"
	"fmt"
)

// SchemaVersion is the newest file format this package reads and writes,
// as recorded in the file's PRAGMA user_version. See FORMAT.md.
const SchemaVersion = 1

// migrations[i] brings a file from schema version i to version i+1. Open
// applies the missing ones in order, in one BEGIN IMMEDIATE transaction
// that also sets user_version, so a file is never left half-migrated and
// two processes opening an old file at once migrate it once. To add version
// 2, append its statements here (never edit an earlier entry: files in the
// field were made by it), bump SchemaVersion and record the change in
// FORMAT.md.
var migrations = [][]string{
	// 0 -> 1: the properties table.
	{`CREATE TABLE IF NOT EXISTS properties (
		component  TEXT    NOT NULL,
		key        TEXT    NOT NULL,
		value      TEXT    NOT NULL, -- JSON array of strings
		updated_at INTEGER NOT NULL, -- unix nanoseconds of the last write
		PRIMARY KEY (component, key)
	) WITHOUT ROWID`},
}

// SchemaVersionError is returned by Open for a file written by a newer
// sightline, whose schema this one does not know.
type SchemaVersionError struct {
	Path    string
	Version int // the file's user_version
	Known   int // SchemaVersion
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("properties: properties file %s has schema version %d; this sightline knows up to %d"+
		" (use a newer sightline with this file)", e.Path, e.Version, e.Known)
}

// migrate checks the file's schema version and brings it up to
// SchemaVersion, refusing a newer file.
func (s *Store) migrate(ctx context.Context) error {
	v, err := userVersion(ctx, s.db)
	if err != nil {
		return fmt.Errorf("properties: open %s: read schema version: %w", s.path, err)
	}
	if v > SchemaVersion {
		return &SchemaVersionError{Path: s.path, Version: v, Known: SchemaVersion}
	}
	if v == SchemaVersion {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return fmt.Errorf("properties: open %s: begin migration: %w", s.path, err)
	}
	defer tx.Rollback() // a no-op after Commit
	// Another process may have migrated the file since the check above.
	if v, err = userVersion(ctx, tx); err != nil {
		return fmt.Errorf("properties: open %s: read schema version: %w", s.path, err)
	}
	if v > SchemaVersion {
		return &SchemaVersionError{Path: s.path, Version: v, Known: SchemaVersion}
	}
	for ; v < SchemaVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("properties: open %s: migrate schema version %d to %d: %w", s.path, v, v+1, err)
			}
		}
	}
	// PRAGMA takes no parameters; SchemaVersion is a constant int.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
		return fmt.Errorf("properties: open %s: set schema version: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("properties: open %s: commit migration: %w", s.path, err)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func userVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}
