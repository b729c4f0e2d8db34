package importer

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// otlpKind says which OTLP export requests a JSON object could be, by its
// top-level members (camelCase as the OTLP JSON mapping writes them, or
// snake_case, which pdata reads too).
type otlpKind struct {
	traces, logs, other bool
}

func otlpKindOf(raw []byte) (otlpKind, error) {
	var k otlpKind
	s := scanner{b: raw}
	err := s.objectEach(func(key []byte) error {
		switch string(key) {
		case "resourceSpans", "resource_spans":
			k.traces = true
		case "resourceLogs", "resource_logs":
			k.logs = true
		case "resourceMetrics", "resource_metrics", "resourceProfiles", "resource_profiles":
			k.other = true
		}
		return s.skip()
	})
	return k, err
}

// isOTLP reports whether a record looks like an OTLP export request rather
// than a console span or log record.
func isOTLP(raw []byte) bool {
	k, err := otlpKindOf(raw)
	return err == nil && (k.traces || k.logs || k.other)
}

// otlpConverter decodes OTLP-JSON export requests (one per line in the
// files the collector's file exporter and sightline's file exporters
// write) with pdata's JSON unmarshalers.
type otlpConverter struct {
	b   *batcher
	rep *Report
	tu  ptrace.JSONUnmarshaler
	lu  plog.JSONUnmarshaler
}

func newOTLPConverter(b *batcher) *otlpConverter {
	return &otlpConverter{b: b, rep: b.rep}
}

// record imports one request, rejecting it if pdata cannot decode it and
// rejecting its spans that have no trace or span id. Only the sink's
// errors are returned.
func (o *otlpConverter) record(rec record) error {
	k, err := otlpKindOf(rec.raw)
	switch {
	case err != nil:
		o.rep.reject(rec.line, 1, "not a JSON object")
		return nil
	case !k.traces && !k.logs && k.other:
		o.rep.reject(rec.line, 1, "an OTLP metrics or profiles request: only traces and logs are imported")
		return nil
	case !k.traces && !k.logs:
		o.rep.reject(rec.line, 1, "not an OTLP-JSON trace or logs request (no resourceSpans or resourceLogs)")
		return nil
	}
	if k.traces {
		td, err := o.tu.UnmarshalTraces(rec.raw)
		if err != nil {
			o.rep.reject(rec.line, 1, "invalid OTLP-JSON trace request: "+err.Error())
		} else {
			o.rep.SpansRead += td.SpanCount()
			o.dropInvalidSpans(td, rec.line)
			if err := o.b.addTraces(td); err != nil {
				return err
			}
		}
	}
	if k.logs {
		ld, err := o.lu.UnmarshalLogs(rec.raw)
		if err != nil {
			o.rep.reject(rec.line, 1, "invalid OTLP-JSON logs request: "+err.Error())
			return nil
		}
		o.rep.LogsRead += ld.LogRecordCount()
		return o.b.addLogs(ld)
	}
	return nil
}

// dropInvalidSpans rejects the spans a collector would refuse: those
// without a trace id or span id.
func (o *otlpConverter) dropInvalidSpans(td ptrace.Traces, line int) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sss.At(j).Spans().RemoveIf(func(sp ptrace.Span) bool {
				var why string
				switch {
				case sp.TraceID().IsEmpty():
					why = "missing or all-zero traceId"
				case sp.SpanID().IsEmpty():
					why = "missing or all-zero spanId"
				default:
					return false
				}
				o.rep.reject(line, 1, "span "+strconv.Quote(sp.Name())+": "+why)
				return true
			})
		}
	}
}
