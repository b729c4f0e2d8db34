package otlpenc

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// AppendTracesJSON appends to dst the OTLP-JSON encoding of an
// ExportTraceServiceRequest holding spans and returns the extended buffer:
// the bytes that the collector's pdata writes
// (ptraceotlp.ExportRequest.MarshalJSON, ptrace.JSONMarshaler) for the
// spans as telemetry/internal/otlpjson.Traces converts them, byte for byte.
//
// That is not quite the request AppendTraces encodes; the JSON follows
// otlpjson, whose file and JSON exporters it serves:
//
//   - Resources are grouped by attribute set and schema URL (equal
//     attributes under two schema URLs stay two ResourceSpans), in the
//     order first seen; scopes and spans as in AppendTraces.
//   - A ResourceSpans always holds a resource and a ScopeSpans a scope,
//     empty ones ({}) for a nil resource or the zero scope.
//   - A link carries its span context's trace state.
//   - Attribute lists are maps, as pdata's Map.PutEmpty builds them: of
//     keys that repeat within one list (an event's, a link's, a map
//     value's; the SDK removes repeats from a span's), the first position
//     is kept with the last value.
//
// The JSON is pdata's (its generated MarshalJSON methods over
// json-iterator's ConfigFastest stream, pdata v1.71.0): fields in
// field-number order with zero scalars, empty strings and empty lists
// omitted, except a span's status, a record's body and a KeyValue's value,
// which are always written; 64-bit integers as decimal strings, 32-bit ones
// and enums as numbers, trace and span ids as lower-case hex, bytes as
// standard base64, doubles in the shortest form that reads back exactly
// (exponent form below 1e-6 and from 1e21) and NaN and ±Inf as the strings
// "NaN", "Infinity" and "-Infinity"; strings with '"', '\' and control
// characters escaped (\n, \r, \t, else \u00XX) and every other byte,
// invalid UTF-8 included, copied as it is. An empty batch is "{}".
//
// Nothing of dst before its length is read or changed. With a reused dst
// and scalar attributes it does not allocate.
func (e *Encoder) AppendTracesJSON(dst []byte, spans []sdktrace.ReadOnlySpan) []byte {
	e.jsonGrouping(len(spans))
	for i, sd := range spans {
		if sd != nil {
			e.add(i, sd.Resource(), sd.InstrumentationScope())
		}
	}
	d := &e.jsonScratch
	return e.appendRequestJSON(dst, `{"resourceSpans":[`, `"scopeSpans":[`, `"spans":[`,
		func(b []byte, i int) []byte { return appendSpanJSON(b, spans[i], d) })
}

// AppendLogsJSON appends to dst the OTLP-JSON encoding of an
// ExportLogsServiceRequest holding records and returns the extended
// buffer: the bytes that pdata writes (plogotlp.ExportRequest.MarshalJSON,
// plog.JSONMarshaler) for the records as telemetry/internal/otlpjson.Logs
// converts them, byte for byte. Grouping, resources, scopes, values and
// attribute lists are as in [Encoder.AppendTracesJSON] (so, unlike
// AppendLogs, an empty resource is written as {}); a record's attributes
// with a repeated key (which the SDK keeps with WithAllowKeyDuplication)
// are written once, at the first position with the last value.
//
// Nothing of dst before its length is read or changed, and records are
// only read. With a reused dst and scalar bodies and attributes it does not
// allocate.
func (e *LogEncoder) AppendLogsJSON(dst []byte, records []sdklog.Record) []byte {
	t := &e.tab
	t.jsonGrouping(len(records))
	for i := range records {
		t.add(i, records[i].Resource(), records[i].InstrumentationScope())
	}
	d := &t.jsonScratch
	return t.appendRequestJSON(dst, `{"resourceLogs":[`, `"scopeLogs":[`, `"logRecords":[`,
		func(b []byte, i int) []byte { return appendLogRecordJSON(b, &records[i], d) })
}

// jsonGrouping empties the grouping tables for a batch of n items, to be
// grouped as otlpjson groups them: by resource attribute set and schema
// URL.
func (e *Encoder) jsonGrouping(n int) {
	e.reset(n)
	e.splitSchemaURLs = true
}

// appendRequestJSON appends the batch as grouped: the request object
// opened by head, a ResourceSpans (ResourceLogs) per resource group with
// its scope groups in a list opened by scopesField, each holding its items
// in a list opened by itemsField, as item appends them.
func (e *Encoder) appendRequestJSON(b []byte, head, scopesField, itemsField string, item func(b []byte, i int) []byte) []byte {
	if len(e.groups) == 0 {
		return append(b, "{}"...)
	}
	b = append(b, head...)
	for r := range e.resources {
		if r > 0 {
			b = append(b, ',')
		}
		res := e.resources[r].res
		b = append(b, `{"resource":`...)
		b = appendResourceJSON(b, res)
		b = append(b, ',')
		b = append(b, scopesField...)
		first := true
		for g := range e.groups {
			if sg := &e.groups[g]; int(sg.res) == r {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = e.appendScopeJSON(b, sg, itemsField, item)
			}
		}
		b = append(b, ']')
		b = appendOptStringJSON(b, `,"schemaUrl":`, res.SchemaURL())
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendScopeJSON appends the ScopeSpans (ScopeLogs) object of group sg.
func (e *Encoder) appendScopeJSON(b []byte, sg *scopeGroup, itemsField string, item func(b []byte, i int) []byte) []byte {
	b = append(b, `{"scope":`...)
	b = appendScopeObjectJSON(b, &sg.scope)
	b = append(b, ',')
	b = append(b, itemsField...)
	for i := sg.first; i >= 0; i = e.next[i] {
		if i != sg.first {
			b = append(b, ',')
		}
		b = item(b, int(i))
	}
	b = append(b, ']')
	b = appendOptStringJSON(b, `,"schemaUrl":`, sg.scope.SchemaURL)
	return append(b, '}')
}

// appendResourceJSON appends the Resource object of res (nil: {}).
func appendResourceJSON(b []byte, res *resource.Resource) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendSetFieldJSON(b, start, res.Set())
	return append(b, '}')
}

// appendScopeObjectJSON appends the InstrumentationScope object of s (the
// zero scope: {}); its schema URL belongs to the enclosing ScopeSpans.
func appendScopeObjectJSON(b []byte, s *instrumentation.Scope) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendStringFieldJSON(b, start, `"name":`, s.Name)
	b = appendStringFieldJSON(b, start, `"version":`, s.Version)
	b = appendSetFieldJSON(b, start, &s.Attributes)
	return append(b, '}')
}

// appendSetFieldJSON appends the "attributes" field of the object opened
// at start holding the attributes of s, in the set's (key) order; nothing
// when s is empty. A set has no repeated keys.
func appendSetFieldJSON(b []byte, start int, s *attribute.Set) []byte {
	n := s.Len()
	if n == 0 {
		return b
	}
	b = appendFieldJSON(b, start, `"attributes":[`)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		kv, _ := s.Get(i)
		b = appendKeyValueJSON(b, string(kv.Key), &kv.Value, nil)
	}
	return append(b, ']')
}
