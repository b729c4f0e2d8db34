// Package announcetest builds announcements for tests: OTLP log records
// of the partial-span heartbeat convention (docs/api.md, "In-flight
// spans") saying that a span is open (a heartbeat) or has ended (a stop
// record), shaped as the convention's documentation says, not by
// sightline's emitter. Hand them to a store (store.Store.AppendLogs) or
// send them to a receiver's logs endpoint.
//
//	td := ptrace.NewTraces() // one resource, one scope, one span (no end time)
//	...
//	st.AppendLogs(ctx, announcetest.Heartbeat(td, 10*time.Second, time.Now()))
//	st.AppendLogs(ctx, announcetest.Stop(ended, time.Now()))
//
// A heartbeat with a short interval (10ms) makes a span lost soon after
// (three intervals unheard), which is how tests get a lost span.
package announcetest

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Heartbeat returns one heartbeat record for the span of td, which must
// hold one span (its end time is ignored): partial.event "heartbeat",
// partial.frequency the interval in milliseconds ("10000ms"),
// partial.body.type "json/v1", the body td as OTLP/JSON, the record's
// trace and span ids the span's, its time emitted. The record's resource
// is td's.
func Heartbeat(td ptrace.Traces, interval time.Duration, emitted time.Time) plog.Logs {
	ld, lr := record(td, emitted)
	lr.Attributes().PutStr("partial.event", "heartbeat")
	lr.Attributes().PutStr("partial.frequency", strconv.FormatInt(interval.Milliseconds(), 10)+"ms")
	lr.Attributes().PutStr("partial.body.type", "json/v1")
	return ld
}

// Stop returns the stop record of the ended span of td (one span, with
// its end time): partial.event "stop", partial.body.type "json/v1", the
// body td as OTLP/JSON.
func Stop(td ptrace.Traces, emitted time.Time) plog.Logs {
	ld, lr := record(td, emitted)
	lr.Attributes().PutStr("partial.event", "stop")
	lr.Attributes().PutStr("partial.body.type", "json/v1")
	return ld
}

// Span returns a ptrace.Traces of one span of service, for Heartbeat and
// Stop: trace and span ids, parent (zero: a root), name, start and end
// (zero: still open).
func Span(service string, traceID pcommon.TraceID, spanID, parent pcommon.SpanID, name string, start, end time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(traceID)
	sp.SetSpanID(spanID)
	sp.SetParentSpanID(parent)
	sp.SetName(name)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	if !end.IsZero() {
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	}
	return td
}

// record returns logs of one record carrying td, with td's resource, ids
// and the time emitted.
func record(td ptrace.Traces, emitted time.Time) (plog.Logs, plog.LogRecord) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	if td.ResourceSpans().Len() > 0 {
		rs := td.ResourceSpans().At(0)
		rs.Resource().CopyTo(rl.Resource())
		if rs.ScopeSpans().Len() > 0 && rs.ScopeSpans().At(0).Spans().Len() > 0 {
			sp := rs.ScopeSpans().At(0).Spans().At(0)
			lr.SetTraceID(sp.TraceID())
			lr.SetSpanID(sp.SpanID())
		}
	}
	lr.SetTimestamp(pcommon.NewTimestampFromTime(emitted))
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil { // pdata's marshaler does not fail on valid pdata
		body = []byte(`{"error":` + strconv.Quote(err.Error()) + `}`)
	}
	lr.Body().SetStr(string(body))
	return ld, lr
}
