// Package store is the embedded, durable trace and log store of
// `sightline serve`: one SQLite file, sightline.db, in a data directory,
// through modernc.org/sqlite (pure Go, no cgo), in WAL mode.
//
// Receivers hand it OTLP data as pdata ([Store.AppendTraces],
// [Store.AppendLogs]); the JSON API and the viewer query it
// ([Store.SearchTraces], [Store.Trace], [Store.TraceOTLP],
// [Store.SearchLogs], [Store.Services], [Store.SpanNames], [Store.Stats]).
// The result types are JSON-ready and are the API's shapes.
//
// # Durability
//
// An Append returns after its data is committed. In WAL mode with
// synchronous=NORMAL (the default) a commit is in the WAL file, in the
// operating system's hands, when it returns: the data survives the process
// being killed (kill -9, a panic, an OOM kill), so a receiver may
// acknowledge it. The last commits before a power loss or kernel crash can
// be lost, unless Options.Fsync is set (synchronous=FULL: every commit
// waits for the disk).
//
// # Group commit
//
// All writes go through one writer goroutine owning the only writing
// connection. An Append validates and encodes its batch in the caller's
// goroutine, queues it (a bounded channel: Append blocks, honouring its
// context, while it is full) and waits for the result of the transaction
// that commits it. The writer commits each batch together with every
// other batch queued behind it (up to Options.MaxTransactionItems), so
// concurrent senders share commits and the writer only runs SQL.
//
// # Storage
//
// Spans are stored one row each, keyed by (trace, start, span id), with
// every other field in a compact binary payload (deflated when that pays);
// resources, scopes, service and span names and attribute keys are stored
// once and referred to by number. A per-trace summary (start, end, root,
// counts, services) is maintained on ingest, with index rows per service
// and span name. FORMAT.md documents the file: tables, columns, payload
// encoding, indexes, versions and migrations.
//
// # Retention
//
// A goroutine owned by the Store deletes, oldest first, traces (with their
// spans and logs) and logs older than Options.RetentionAge and, past
// Options.RetentionBytes, down to 90% of it. It runs every minute and
// whenever the writer sees the file past the cap, in small transactions
// queued like ingest batches, so ingest is never held up for long. Close
// stops it.
//
// One Store at a time may have a data directory open: a lock file
// (sightline.lock) keeps out a second one, in any process.
package store
