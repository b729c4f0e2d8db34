package store

import (
	"context"
	"database/sql"
	"fmt"
)

// SchemaVersion is the newest file format this package reads and writes,
// as recorded in the file's PRAGMA user_version. See FORMAT.md.
const SchemaVersion = 3

// migrations[i] brings a file from schema version i to i+1. Open applies
// the missing ones in order in one BEGIN IMMEDIATE transaction that also
// sets user_version, so a file is never left half-migrated. To add a
// version, append its statements (never edit an earlier entry: files in the
// field were made by it), bump SchemaVersion and record it in FORMAT.md.
var migrations = [][]string{
	// 0 -> 1
	{
		`CREATE TABLE services (
			id   INTEGER PRIMARY KEY,
			name TEXT NOT NULL UNIQUE
		)`,
		`CREATE TABLE span_names (
			id         INTEGER PRIMARY KEY,
			service_id INTEGER NOT NULL,
			name       TEXT NOT NULL,
			UNIQUE (service_id, name)
		)`,
		`CREATE TABLE attr_keys (
			id  INTEGER PRIMARY KEY,
			key TEXT NOT NULL UNIQUE
		)`,
		`CREATE TABLE resources (
			id         INTEGER PRIMARY KEY,
			service_id INTEGER NOT NULL,
			data       BLOB NOT NULL
		)`,
		`CREATE TABLE scopes (
			id   INTEGER PRIMARY KEY,
			data BLOB NOT NULL
		)`,
		`CREATE TABLE traces (
			id            INTEGER PRIMARY KEY,
			trace_id      BLOB NOT NULL UNIQUE,
			start_ns      INTEGER NOT NULL,
			end_ns        INTEGER NOT NULL,
			root_name_id  INTEGER NOT NULL,
			root_start_ns INTEGER NOT NULL,
			span_count    INTEGER NOT NULL,
			error_count   INTEGER NOT NULL,
			services      BLOB NOT NULL,
			names         BLOB NOT NULL
		)`,
		`CREATE INDEX traces_start ON traces (start_ns)`,
		`CREATE TABLE spans (
			trace_seq INTEGER NOT NULL,
			start_ns  INTEGER NOT NULL,
			span_id   BLOB NOT NULL,
			payload   BLOB NOT NULL,
			PRIMARY KEY (trace_seq, start_ns, span_id)
		) WITHOUT ROWID`,
		`CREATE TABLE trace_services (
			service_id INTEGER NOT NULL,
			start_ns   INTEGER NOT NULL,
			trace_seq  INTEGER NOT NULL,
			PRIMARY KEY (service_id, start_ns, trace_seq)
		) WITHOUT ROWID`,
		`CREATE TABLE trace_names (
			name_id   INTEGER NOT NULL,
			start_ns  INTEGER NOT NULL,
			trace_seq INTEGER NOT NULL,
			PRIMARY KEY (name_id, start_ns, trace_seq)
		) WITHOUT ROWID`,
		`CREATE TABLE logs (
			id          INTEGER PRIMARY KEY,
			time_ns     INTEGER NOT NULL,
			observed_ns INTEGER NOT NULL,
			severity    INTEGER NOT NULL,
			trace_id    BLOB,
			span_id     BLOB,
			service_id  INTEGER NOT NULL,
			body        TEXT,
			payload     BLOB NOT NULL
		)`,
		`CREATE INDEX logs_time ON logs (time_ns)`,
		`CREATE INDEX logs_service ON logs (service_id, time_ns)`,
		`CREATE INDEX logs_trace ON logs (trace_id, time_ns) WHERE trace_id IS NOT NULL`,
		`CREATE TABLE counters (
			name  TEXT PRIMARY KEY,
			value INTEGER NOT NULL
		) WITHOUT ROWID`,
		`INSERT INTO counters (name, value) VALUES ('spans', 0), ('traces', 0), ('logs', 0)`,
	},
	// 1 -> 2: in-flight spans (inflight.go, FORMAT.md "In-flight spans").
	{
		`ALTER TABLE traces ADD COLUMN open_count INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE traces ADD COLUMN lost_count INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE traces ADD COLUMN last_heard_ns INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE traces ADD COLUMN tracked INTEGER NOT NULL DEFAULT 0`,
		`CREATE INDEX traces_open ON traces (start_ns) WHERE open_count > 0`,
		`CREATE TABLE open_spans (
			trace_seq     INTEGER NOT NULL,
			span_id       BLOB NOT NULL,
			start_ns      INTEGER NOT NULL,
			state         INTEGER NOT NULL,
			last_heard_ns INTEGER NOT NULL,
			emitted_ns    INTEGER NOT NULL,
			frequency_ns  INTEGER NOT NULL,
			deadline_ns   INTEGER NOT NULL,
			payload       BLOB NOT NULL,
			PRIMARY KEY (trace_seq, span_id)
		) WITHOUT ROWID`,
		`CREATE INDEX open_spans_order ON open_spans (trace_seq, start_ns, span_id)`,
		`CREATE INDEX open_spans_deadline ON open_spans (deadline_ns) WHERE state = 0`,
		`CREATE TABLE span_changes (
			trace_seq  INTEGER NOT NULL,
			span_id    BLOB NOT NULL,
			start_ns   INTEGER NOT NULL,
			change_seq INTEGER NOT NULL,
			PRIMARY KEY (trace_seq, span_id)
		) WITHOUT ROWID`,
		`CREATE INDEX span_changes_seq ON span_changes (trace_seq, change_seq, span_id)`,
		`INSERT INTO counters (name, value) VALUES ('open_spans', 0), ('lost_spans', 0), ('changes', 0),
			('epoch', abs(random() >> 1) + 1)`,
	},
	// 2 -> 3: the attribute index (attrindex_*.go, FORMAT.md "Attribute
	// index"). Traces stored before it are not in it: attr_index_from is
	// the first trace sequence number that is.
	{
		`CREATE TABLE attr_blocks (
			id      INTEGER PRIMARY KEY,
			min_seq   INTEGER NOT NULL,
			max_seq   INTEGER NOT NULL,
			max_start INTEGER NOT NULL,
			traces    BLOB NOT NULL,
			bloom   BLOB NOT NULL
		)`,
		`CREATE TABLE attr_pending (
			id        INTEGER PRIMARY KEY,
			max_start INTEGER NOT NULL,
			traces    BLOB NOT NULL,
			items     BLOB NOT NULL
		)`,
		`INSERT INTO counters (name, value) VALUES ('attr_index_from', (SELECT coalesce(max(id), 0) + 1 FROM traces))`,
	},
}

// SchemaVersionError is returned by Open for a file written by a newer
// sightline, whose schema this one does not know.
type SchemaVersionError struct {
	Path    string
	Version int // the file's user_version
	Known   int // SchemaVersion
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("store: %s has schema version %d; this sightline knows up to %d"+
		" (use a newer sightline with this data directory)", e.Path, e.Version, e.Known)
}

// migrate checks the file's schema version and brings it up to
// SchemaVersion, refusing a newer file.
func migrate(ctx context.Context, db *sql.DB, path string) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return fmt.Errorf("store: open %s: begin migration: %w", path, err)
	}
	defer tx.Rollback() // a no-op after Commit
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("store: open %s: read schema version: %w", path, err)
	}
	if v > SchemaVersion {
		return &SchemaVersionError{Path: path, Version: v, Known: SchemaVersion}
	}
	if v == SchemaVersion {
		return nil
	}
	for ; v < SchemaVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: open %s: migrate schema version %d to %d: %w", path, v, v+1, err)
			}
		}
	}
	// PRAGMA takes no parameters; SchemaVersion is a constant int.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
		return fmt.Errorf("store: open %s: set schema version: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: open %s: commit migration: %w", path, err)
	}
	return nil
}
