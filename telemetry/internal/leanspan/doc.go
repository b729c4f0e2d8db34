// Package leanspan is a recording span of sightline's own that behaves
// exactly as the OpenTelemetry Go SDK's recording span does, for a span
// path that encodes a span into its endpoint's OTLP batch when it ends,
// with no snapshot (issue 19, the step after the exporters).
//
// # Why
//
// After issue 19's exporters, what tracing still costs on sightline's
// traced paths is the SDK's span itself: ~1.4 µs, 2,040 B and 7
// allocations for a span with 9 attributes against a discarding processor
// (the span, its attribute slice growing, the map End builds to remove
// duplicate keys, a heap map above 8 attributes, the snapshot handed to
// processors, contexts). Garbage collection is about half of that. The
// same work here, with an OnEnd that does nothing, is ~0.65 µs, 1,072 B
// and 2 allocations (BenchmarkSpan): one allocation for the span, whose
// first 11 attributes (a device server's SERVER span has 11) live in an
// array inside it, and one for the context
// trace.ContextWithSpan makes; no duplicate-key map (a scan below 32
// attributes), no snapshot.
//
// # What is the same
//
// [Tracer.Start] is the SDK's tracer.Start, newSpan and newRecordingSpan;
// [Span] is its recordingSpan: sampling (parameters, decisions, trace
// state, the sampler's attributes set first), ids, parent and child counts,
// attribute validity, value-length and count limits with the SDK's
// deduplication and drop counting, events and links in evicting queues
// with per-item attribute limits, RecordError's exception event, the
// panic event of End, SetStatus's ordering, and no change after End.
// [Span.Snapshot] is the ReadOnlySpan the SDK would hand its processors,
// and the getters read the same values (dropped event and link counts as
// the SDK's snapshot reports them: 0 when none is kept).
// TestEquivalence proves it: 5,000 random scripts of operations run
// against an SDK TracerProvider and a Tracer built alike, every
// observation and every field of every ended span compared; each of 26
// deliberate breaks of this package makes it fail.
//
// What differs, on purpose: no runtime/trace task per span and no SDK
// self-observability metrics (both off by default in the SDK); no
// one-time warning through the SDK's internal logger when limits drop
// something (the counts are the same); [Provider.Tracer] neither caches
// tracers nor depth-normalises scope attributes. Slice and map attribute
// values are normalised through a span of a private SDK provider with the
// same value limits, since the SDK's attrnorm package is internal: exact,
// and as costly as an SDK span for the rare span that carries them.
//
// # Where it is used
//
// telemetry records with it the spans of every pipeline whose endpoints
// are all sightline's OTLP exporters with batch processors (telemetry's
// lean.go): its gates, sampler holder and topics stand in front of
// [Tracer.Start], OnEnd hands the span to each endpoint's batch queue,
// whose exporter encodes it through the getters (otlpenc's
// AppendLeanTraces), and the in-flight sweeper reads live spans through
// their getters and announces them from a [Span.Snapshot]. A gated-off
// child of a lean span is its [Span.StandIn], which costs nothing.
//
// # What was read
//
// go.opentelemetry.io/otel/sdk v1.47.0: trace/span.go (recordingSpan,
// nonRecordingSpan, normAttr, snapshot), trace/tracer.go, trace/provider.go
// (defaults, WithRawSpanLimits, ensureValidTracerProviderConfig),
// trace/span_limits.go, trace/evictedqueue.go, trace/sampling.go,
// trace/snapshot.go, trace/id_generator.go, trace/tracetest/span.go, and
// internal/attrnorm (truncate.go, copied in normalize.go; dedup.go).
package leanspan
