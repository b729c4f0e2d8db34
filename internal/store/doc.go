// Package store is the embedded, durable trace and log store of
// `sightline serve`: one SQLite file, sightline.db, in a data directory,
// through modernc.org/sqlite (pure Go, no cgo), in WAL mode.
//
// Receivers hand it OTLP data as pdata ([Store.AppendTraces],
// [Store.AppendLogs]); the JSON API and the viewer query it
// ([Store.SearchTraces], [Store.Trace], [Store.TraceChanges],
// [Store.TraceOTLP], [Store.SearchLogs], [Store.Services],
// [Store.SpanNames], [Store.Stats]). The result types are JSON-ready and
// are the API's shapes.
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
// # Searching by attribute
//
// Every transaction also records what its spans have (attribute keys and
// typed values of spans and resources, names, status, kind: hashed items)
// in the attribute index: Bloom filters over blocks (a busy collector's
// transaction, or a run of small ones), each with the traces it covers,
// written in the same
// transaction as the spans, so what is acknowledged is found after a
// crash. Attribute filters and TraceQL queries ([TraceQuery].TraceQL,
// evaluated by internal/traceql) decode only the spans of traces the index
// says may match; it costs about 3% more disk per span (docs/performance.md).
//
// # In-flight spans
//
// Log records of the partial-span heartbeat convention (announcements:
// partial.event "heartbeat" or "stop", the span in the body, docs/api.md)
// are consumed by [Store.AppendLogs] instead of being stored as log
// records. A heartbeat stores its span as open, apart from finished spans
// (the latest heartbeat per span); the finished span, from the traces
// signal or a stop record's body, replaces it, and is stored once however
// it arrives; a late heartbeat never reopens it. An open span not heard
// from for three of its heartbeat intervals becomes lost, with the time
// it was last heard: a goroutine owned by the Store marks it when its
// deadline passes, and a Store opening gives open spans three intervals
// from then. Trace pages and OTLP answers show open and lost spans beside
// finished ones, summaries count each span once, searches find traces in
// progress, and a changes token ([TracePage].Changes, [Store.TraceChanges])
// answers what changed in a trace since a page, in time proportional to
// the changes. A record that claims the convention but cannot be read is
// rejected and counted; its body is bounded (Options.MaxAnnouncementBytes)
// and checked for nesting before it is decoded.
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
// # Limits
//
// What one item may carry is bounded on ingest (Options.MaxAttributes,
// MaxValueBytes, MaxEvents, MaxLinks; defaults in DefaultOptions): what
// is past a limit is cut, added to the item's dropped counts as the
// OpenTelemetry SDKs' span limits do, and counted in Stats. Values are
// stored only as deep as OTLP protobuf can carry them back, and nothing
// in the store, writing or reading, recurses deeper than that.
//
// # Queries
//
// Queries take a context: SQL statements are interrupted when it ends,
// and the loops decoding their rows (spans, log records, attributes)
// look at it every 256 items, so a query for a client that has gone
// returns context.Cause soon, however wide the items. Decoding is linear
// in the size of what is read: [Store.TraceOTLP] builds small attribute
// maps with pdata's setters and hands larger ones (whose setters would
// cost quadratic time) to pdata's protobuf decoder, and
// [Store.TraceOTLPProto] writes the trace as OTLP protobuf straight from
// the stored payloads.
//
// One Store at a time may have a data directory open: a lock file
// (sightline.lock) keeps out a second one, in any process ([InUse] tells
// whether one has). The files the Store creates are readable by their
// owner only (0600, the directory 0700), and wider ones left by an older
// version are narrowed: internal/sqlitefile opens the database, as it
// opens every SQLite file of the module.
package store
