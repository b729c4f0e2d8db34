package store

// The result types below are the JSON shapes of the query API served by
// `sightline serve` and read by the viewer: field names and tags are part
// of that contract. Attribute maps hold JSON-ready values: string, bool,
// int64 (a JSON number), float64 (NaN and ±Inf as the strings "NaN",
// "Infinity", "-Infinity", which JSON cannot carry as numbers), []byte
// (encoded by encoding/json as base64), []any for arrays, map[string]any
// for key-value lists and nil for an empty value. Maps and slices are never
// nil in results, so they encode as {} and [], not null.

// AppendResult is what AppendTraces and AppendLogs report about one batch.
// Rejected items were invalid and not stored; RejectMessage says why in
// one line ("" when none were rejected). Accepted counts every valid item,
// including spans that were already stored (an SDK's retry), which are
// acknowledged but kept once.
type AppendResult struct {
	Accepted      int    `json:"accepted"`
	Rejected      int    `json:"rejected"`
	RejectMessage string `json:"reject_message,omitempty"`
}

// TraceSummary describes one trace, as maintained on ingest.
type TraceSummary struct {
	TraceID       string   `json:"trace_id"`     // 32 lower-case hex digits
	RootName      string   `json:"root_name"`    // "" until the root span (one without a parent) is stored
	RootService   string   `json:"root_service"` // the root span's service, "" likewise
	Services      []string `json:"services"`     // sorted
	SpanCount     int      `json:"span_count"`
	ErrorCount    int      `json:"error_count"` // spans with status code error
	StartUnixNano int64    `json:"start_unix_nano"`
	// DurationNano is the latest end minus the earliest start; for a trace
	// with open or lost spans the latest end or time heard, whichever is
	// later.
	DurationNano int64 `json:"duration_nano"`
	// OpenSpans and LostSpans count the trace's spans announced open and
	// not yet finished: still heard from, or lost (not heard from for
	// three heartbeat intervals). SpanCount counts them too, each span
	// once whatever its state.
	OpenSpans int `json:"open_spans"`
	LostSpans int `json:"lost_spans"`
	// InProgress says the trace has open spans.
	InProgress bool `json:"in_progress"`
	// LastHeardUnixNano is when a heartbeat of the trace's open or lost
	// spans was last received (the collector's clock); 0 when it has none.
	LastHeardUnixNano int64 `json:"last_heard_unix_nano"`
	// Matched and MatchedCount, in TraceQL searches only: the first
	// matched spans (at most TraceQuery.SpansPerSet, earliest first) and
	// how many spans matched.
	Matched      []MatchedSpan `json:"matched,omitempty"`
	MatchedCount int           `json:"matched_count,omitempty"`
}

// TraceSearch is a page of SearchTraces results, newest first. Cursor,
// when not empty, fetches the next page (TraceQuery.Cursor).
type TraceSearch struct {
	Traces []TraceSummary `json:"traces"`
	Cursor string         `json:"cursor,omitempty"`
}

// Resource is a resource (the entity producing telemetry) as stored.
type Resource struct {
	Attributes map[string]any `json:"attributes"`
	SchemaURL  string         `json:"schema_url"`
}

// Scope is the instrumentation scope of a span.
type Scope struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Event is a span event.
type Event struct {
	TimeUnixNano      int64          `json:"time_unix_nano"`
	Name              string         `json:"name"`
	Attributes        map[string]any `json:"attributes"`
	DroppedAttributes int            `json:"dropped_attributes"`
}

// Link is a span link.
type Link struct {
	TraceID           string         `json:"trace_id"` // 32 hex
	SpanID            string         `json:"span_id"`  // 16 hex
	TraceState        string         `json:"trace_state"`
	Attributes        map[string]any `json:"attributes"`
	DroppedAttributes int            `json:"dropped_attributes"`
	Flags             uint32         `json:"flags"`
}

// Span is one span of a TracePage.
type Span struct {
	SpanID            string         `json:"span_id"`        // 16 hex
	ParentSpanID      string         `json:"parent_span_id"` // 16 hex, "" for a root
	Name              string         `json:"name"`
	Kind              string         `json:"kind"` // internal, server, client, producer, consumer, unspecified
	StartUnixNano     int64          `json:"start_unix_nano"`
	EndUnixNano       int64          `json:"end_unix_nano"` // 0 for an open or lost span
	StatusCode        string         `json:"status_code"`   // unset, ok, error
	StatusMessage     string         `json:"status_message"`
	Attributes        map[string]any `json:"attributes"`
	Events            []Event        `json:"events"`
	Links             []Link         `json:"links"`
	Resource          int            `json:"resource"` // index into TracePage.Resources
	Scope             Scope          `json:"scope"`
	TraceState        string         `json:"trace_state"`
	Flags             uint32         `json:"flags"`
	DroppedAttributes int            `json:"dropped_attributes"`
	DroppedEvents     int            `json:"dropped_events"`
	DroppedLinks      int            `json:"dropped_links"`
	// State is "finished", "open" (announced by heartbeats, not ended
	// yet: its fields are those of the latest heartbeat) or "lost" (open,
	// and not heard from for three heartbeat intervals).
	State string `json:"state"`
	// LastHeardUnixNano is when the latest heartbeat of an open or lost
	// span was received (the collector's clock); 0 for a finished span.
	LastHeardUnixNano int64 `json:"last_heard_unix_nano"`
}

// Span states (Span.State).
const (
	StateFinished = "finished"
	StateOpen     = "open"
	StateLost     = "lost"
)

// TracePage is a page of a trace's spans in start order (then span id),
// or (from TraceChanges) the spans changed since a token, in the order
// they changed. Resources holds each resource referenced by its spans
// once.
type TracePage struct {
	TraceID   string     `json:"trace_id"`
	Resources []Resource `json:"resources"`
	Spans     []Span     `json:"spans"`
	Cursor    string     `json:"cursor,omitempty"`
	// Changes is the token for TraceChanges: the changes after this
	// answer. Every page of one walk through a trace (first page, then
	// cursors) carries the first page's token.
	Changes string `json:"changes,omitempty"`
	// More says a TraceChanges answer was cut at its limit: ask again at
	// once with Changes.
	More bool `json:"more,omitempty"`
	// Reset says TraceChanges cannot tell what changed since the token:
	// fetch the trace again (it has no Changes).
	Reset   bool         `json:"reset,omitempty"`
	Summary TraceSummary `json:"summary"`
}

// LogRecord is one stored log record.
type LogRecord struct {
	// TimeUnixNano is the record's time: its timestamp, or when that is
	// unset its observed timestamp, or when both are unset the time it
	// was stored.
	TimeUnixNano     int64          `json:"time_unix_nano"`
	ObservedUnixNano int64          `json:"observed_unix_nano"`
	SeverityNumber   int            `json:"severity_number"`
	SeverityText     string         `json:"severity_text"`
	Body             any            `json:"body"`
	Attributes       map[string]any `json:"attributes"`
	// DroppedAttributes is the record's dropped attributes count: what
	// its sender dropped plus what the store's limits did.
	DroppedAttributes int      `json:"dropped_attributes"`
	TraceID           string   `json:"trace_id"` // "" when not set
	SpanID            string   `json:"span_id"`  // "" when not set
	Service           string   `json:"service"`
	Resource          Resource `json:"resource"`
}

// LogSearch is a page of SearchLogs results, newest first.
type LogSearch struct {
	Logs   []LogRecord `json:"logs"`
	Cursor string      `json:"cursor,omitempty"`
}

// Stats describes what the store holds.
type Stats struct {
	Spans  int64 `json:"spans"`
	Traces int64 `json:"traces"`
	Logs   int64 `json:"logs"`
	// FileBytes is the size on disk of sightline.db and its WAL file.
	FileBytes int64 `json:"file_bytes"`
	// UsedBytes is the part of the database's pages holding data: what
	// Options.RetentionBytes caps (free pages are reused, not returned).
	UsedBytes int64 `json:"used_bytes"`
	// OldestUnixNano and NewestUnixNano bound the stored traces' starts
	// and logs' times; 0 when the store is empty.
	OldestUnixNano int64 `json:"oldest_unix_nano"`
	NewestUnixNano int64 `json:"newest_unix_nano"`

	// What the ingest limits (Options.MaxAttributes and the others) cut
	// from the items stored since the Store was opened, counted each time
	// an item is received (a resource in every batch that carries it).
	// TruncatedValues counts strings and bytes values cut to
	// Options.MaxValueBytes; DeepValues arrays and key-value lists nested
	// too deep to be served as OTLP, stored as a placeholder string;
	// DroppedAttributes attributes and nested list entries past
	// Options.MaxAttributes; DroppedEvents and DroppedLinks events and
	// links past Options.MaxEvents and Options.MaxLinks.
	TruncatedValues   int64 `json:"truncated_values"`
	DeepValues        int64 `json:"deep_values"`
	DroppedAttributes int64 `json:"dropped_attributes"`
	DroppedEvents     int64 `json:"dropped_events"`
	DroppedLinks      int64 `json:"dropped_links"`

	// OpenSpans and LostSpans are the in-flight spans stored now: open
	// ones, and those lost (not heard from for three heartbeat intervals).
	OpenSpans int64 `json:"open_spans"`
	LostSpans int64 `json:"lost_spans"`
	// Announcements counts the log records received since the Store was
	// opened that claim the partial-span convention (heartbeats and stop
	// records, inflight.go); AnnouncementsRejected those of them that could
	// not be read (rejected as invalid log records: partial success);
	// AnnouncementsLate the heartbeats of spans already stored finished,
	// accepted and ignored.
	Announcements         int64 `json:"announcements"`
	AnnouncementsRejected int64 `json:"announcements_rejected"`
	AnnouncementsLate     int64 `json:"announcements_late"`
}
