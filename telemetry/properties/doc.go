// Package properties keeps sightline components' stored properties in an
// embedded SQLite file (modernc.org/sqlite: pure Go, no cgo).
//
// Components are configured in layers: environment < code options < stored
// properties < runtime changes (package telemetry). This package is the
// properties layer's storage: per
// component, a set of Tango-style keys (telemetry_enable,
// telemetry_topics, telemetry_tracing_endpoints, ... and free-form keys),
// each holding a list of strings. The result of [Store.Get] is what
// telemetry.WithProperties takes, and what telemetry.PropertiesFor returns
// is what [Store.Set] takes to persist a runtime change.
//
// The store is deliberately plain: it validates names and sizes, never the
// meaning of a value. telemetry.Setup reports a bad telemetry_* value when
// it applies it. It does not import the telemetry package.
//
// One file may serve many components and many processes on one host at
// the same time. Writes are transactions that take SQLite's write lock up
// front (BEGIN IMMEDIATE) and wait for it, in WAL mode, so concurrent
// writers in goroutines or processes queue and none loses an update; a
// busy database is retried. FORMAT.md describes the file format, its
// versions and migrations, and the concurrency rules; the file may be
// inspected with the sqlite3 command-line shell.
//
// The file is private (FileMode, 0600, for it and its -wal and -shm
// files): whoever may write it chooses where components export.
package properties
