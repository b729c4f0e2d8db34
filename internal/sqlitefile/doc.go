// Package sqlitefile opens SQLite database files the one way the module
// does (the store of `sightline serve`, the properties of telemetry
// components): through modernc.org/sqlite (pure Go, no cgo), with a file:
// URI so that no character of the path is taken for a parameter, and with
// the file private to its owner.
//
// Privacy: [Open] (or [MakePrivate] alone) creates a missing database with
// [Mode] (0600) before SQLite opens it, since SQLite gives its -wal and -shm
// files the database's mode, and takes the group and other permission bits
// away from the database and its -wal and -shm files where an earlier
// version (or a user) left them wider. It never adds a permission. A file
// of another user cannot be changed (only its owner may): it is refused
// with an error wrapping fs.ErrPermission, or, with [WithAnyOwner], opened
// with the mode it has.
//
// Settings: every connection of the pool runs, in this order, busy_timeout
// (10 s unless [WithBusyTimeout] says otherwise: a connection waits that
// long for another's lock instead of failing at once; first, before
// anything that locks), journal_mode=WAL ([WithWAL]), synchronous
// ([WithSynchronous]), the pragmas of [WithPragma] in the order given, and
// query_only ([WithQueryOnly]); [WithImmediateTx] makes BeginTx take the
// write lock at once (BEGIN IMMEDIATE), so that a transaction never has to
// upgrade a read lock and fail with SQLITE_BUSY_SNAPSHOT.
package sqlitefile
