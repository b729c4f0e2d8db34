package web

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/internal/store"
)

// Jaeger's JSON model, as jaeger-query's HTTP API writes it (jaegertracing/jaeger,
// model/json/model.go), and the OTLP-to-Jaeger mapping of the collector's translator
// (open-telemetry/opentelemetry-collector-contrib, pkg/translator/jaeger): kind, status
// and scope become span tags, events become logs, resources become processes.

type jaegerTrace struct {
	TraceID   string                   `json:"traceID"`
	Spans     []jaegerSpan             `json:"spans"`
	Processes map[string]jaegerProcess `json:"processes"`
	Warnings  []string                 `json:"warnings"`
}

type jaegerSpan struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	Flags         uint32      `json:"flags"`
	OperationName string      `json:"operationName"`
	References    []jaegerRef `json:"references"`
	StartTime     int64       `json:"startTime"` // unix µs
	Duration      int64       `json:"duration"`  // µs
	Tags          []jaegerKV  `json:"tags"`
	Logs          []jaegerLog `json:"logs"`
	ProcessID     string      `json:"processID"`
	Warnings      []string    `json:"warnings"`
}

type jaegerRef struct {
	RefType string `json:"refType"` // CHILD_OF or FOLLOWS_FROM
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

type jaegerKV struct {
	Key   string `json:"key"`
	Type  string `json:"type"` // string, bool, int64, float64, binary
	Value any    `json:"value"`
}

type jaegerLog struct {
	Timestamp int64      `json:"timestamp"` // unix µs
	Fields    []jaegerKV `json:"fields"`
}

type jaegerProcess struct {
	ServiceName string     `json:"serviceName"`
	Tags        []jaegerKV `json:"tags"`
}

// jaegerID writes a trace id as Jaeger does: 16 hex digits when its high
// half is zero (a 64-bit id), else 32.
func jaegerID(id string) string {
	if len(id) == 32 && strings.Trim(id[:16], "0") == "" {
		return id[16:]
	}
	return id
}

// jaegerTraceBuilder gathers a trace's pages into one jaegerTrace.
type jaegerTraceBuilder struct {
	t     jaegerTrace
	procs map[string]string // resource, as JSON, to process id
}

func newJaegerTrace(id string) *jaegerTraceBuilder {
	return &jaegerTraceBuilder{
		t:     jaegerTrace{TraceID: jaegerID(id), Spans: []jaegerSpan{}, Processes: map[string]jaegerProcess{}},
		procs: map[string]string{},
	}
}

// add converts one page's spans.
func (b *jaegerTraceBuilder) add(p *store.TracePage) {
	pids := make([]string, len(p.Resources))
	for i, res := range p.Resources {
		key, _ := json.Marshal(res.Attributes) // JSON-ready values: cannot fail
		pid, ok := b.procs[string(key)]
		if !ok {
			pid = "p" + strconv.Itoa(len(b.procs)+1)
			b.procs[string(key)] = pid
			b.t.Processes[pid] = jaegerProcessOf(res)
		}
		pids[i] = pid
	}
	for i := range p.Spans {
		pid := ""
		if r := p.Spans[i].Resource; r >= 0 && r < len(pids) {
			pid = pids[r]
		}
		b.t.Spans = append(b.t.Spans, jaegerSpanOf(b.t.TraceID, &p.Spans[i], pid))
	}
}

func jaegerProcessOf(res store.Resource) jaegerProcess {
	p := jaegerProcess{ServiceName: "OTLPResourceNoServiceName"} // the translator's name
	if s, ok := res.Attributes["service.name"].(string); ok && s != "" {
		p.ServiceName = s
	}
	attrs := maps.Clone(res.Attributes)
	delete(attrs, "service.name")
	p.Tags = jaegerKVs(attrs)
	return p
}

func jaegerSpanOf(traceID string, s *store.Span, pid string) jaegerSpan {
	end := s.EndUnixNano
	if s.State != store.StateFinished && s.State != "" {
		end = max(s.LastHeardUnixNano, s.StartUnixNano) // as the OTLP answers do
	}
	js := jaegerSpan{
		TraceID:       traceID,
		SpanID:        s.SpanID,
		Flags:         1, // sampled: the span was recorded
		OperationName: s.Name,
		References:    []jaegerRef{},
		StartTime:     s.StartUnixNano / 1000,
		Duration:      max(end-s.StartUnixNano, 0) / 1000,
		Tags:          jaegerKVs(s.Attributes),
		Logs:          make([]jaegerLog, 0, len(s.Events)),
		ProcessID:     pid,
	}
	if s.ParentSpanID != "" {
		js.References = append(js.References, jaegerRef{RefType: "CHILD_OF", TraceID: traceID, SpanID: s.ParentSpanID})
	}
	for _, l := range s.Links {
		js.References = append(js.References, jaegerRef{RefType: "FOLLOWS_FROM", TraceID: jaegerID(l.TraceID), SpanID: l.SpanID})
	}
	tag := func(k string, v any) { js.Tags = append(js.Tags, jaegerKVOf(k, v)) }
	if s.Scope.Name != "" {
		tag("otel.scope.name", s.Scope.Name)
	}
	if s.Scope.Version != "" {
		tag("otel.scope.version", s.Scope.Version)
	}
	if s.Kind != "" && s.Kind != "unspecified" {
		tag("span.kind", s.Kind)
	}
	switch s.StatusCode {
	case "error":
		tag("otel.status_code", "ERROR")
		tag("error", true)
	case "ok":
		tag("otel.status_code", "OK")
	}
	if s.StatusMessage != "" {
		tag("otel.status_description", s.StatusMessage)
	}
	if s.TraceState != "" {
		tag("w3c.tracestate", s.TraceState)
	}
	if _, ok := s.Attributes[store.AttrSpanState]; !ok && s.State != store.StateFinished && s.State != "" {
		tag(store.AttrSpanState, s.State)
	}
	for _, e := range s.Events {
		l := jaegerLog{Timestamp: e.TimeUnixNano / 1000, Fields: jaegerKVs(e.Attributes)}
		if _, ok := e.Attributes["event"]; !ok && e.Name != "" {
			l.Fields = append([]jaegerKV{jaegerKVOf("event", e.Name)}, l.Fields...)
		}
		js.Logs = append(js.Logs, l)
	}
	return js
}

// jaegerKVs converts attributes to tags, sorted by key.
func jaegerKVs(m map[string]any) []jaegerKV {
	out := make([]jaegerKV, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, jaegerKVOf(k, m[k]))
	}
	return out
}

// jaegerKVOf types a JSON-ready attribute value (store's model.go) as
// Jaeger does: arrays and key-value lists become their JSON text, as the
// translator writes them (pcommon.Value.AsString).
func jaegerKVOf(k string, v any) jaegerKV {
	switch v := v.(type) {
	case string:
		return jaegerKV{k, "string", v}
	case bool:
		return jaegerKV{k, "bool", v}
	case int64:
		return jaegerKV{k, "int64", v}
	case float64:
		return jaegerKV{k, "float64", v}
	case []byte:
		return jaegerKV{k, "binary", base64.StdEncoding.EncodeToString(v)}
	case nil:
		return jaegerKV{k, "string", ""}
	}
	b, _ := json.Marshal(v) // JSON-ready values: cannot fail
	return jaegerKV{k, "string", string(b)}
}
