package otlpjson

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/otlpenum"
)

// OTLP 1.x SpanFlags bits above the W3C trace flags (opentelemetry-proto
// trace.proto, SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK and
// SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK).
const (
	spanFlagsContextHasIsRemote uint32 = 0x100
	spanFlagsContextIsRemote    uint32 = 0x200
)

// Traces converts SDK spans into OTLP trace data.
//
// Spans that share a resource (equal attributes and schema URL) share one
// ResourceSpans; within it, spans that share an instrumentation scope share
// one ScopeSpans. Resources and scopes appear in the order they are first
// seen and spans keep their input order within a scope. Nil spans are
// skipped. The result is independent of the input: nothing is shared with
// the spans.
func Traces(spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	td := ptrace.NewTraces()
	resources := make(map[resourceKey]ptrace.ResourceSpans)
	scopes := make(map[scopeKey]ptrace.SpanSlice)
	for _, sd := range spans {
		if sd == nil {
			continue
		}
		res, scope := sd.Resource(), sd.InstrumentationScope()
		rk, sk := groupKeys(res, scope)
		dst, ok := scopes[sk]
		if !ok {
			rs, ok := resources[rk]
			if !ok {
				rs = td.ResourceSpans().AppendEmpty()
				setResource(rs.Resource(), res)
				rs.SetSchemaUrl(res.SchemaURL())
				resources[rk] = rs
			}
			ss := rs.ScopeSpans().AppendEmpty()
			setScope(ss.Scope(), scope)
			ss.SetSchemaUrl(scope.SchemaURL)
			dst = ss.Spans()
			scopes[sk] = dst
		}
		setSpan(dst.AppendEmpty(), sd)
	}
	return td
}

// setSpan copies every field of sd into dst, mirroring the SDK's OTLP trace
// transform (go.opentelemetry.io/otel/exporters/otlp/otlptrace/internal/tracetransform).
func setSpan(dst ptrace.Span, sd sdktrace.ReadOnlySpan) {
	setSpanHead(dst, sd, sd.Name(), sd.Status())
	putAttributes(dst.Attributes(), sd.Attributes())
	dst.SetDroppedAttributesCount(clampUint32(sd.DroppedAttributes()))
	dst.SetDroppedEventsCount(clampUint32(sd.DroppedEvents()))
	dst.SetDroppedLinksCount(clampUint32(sd.DroppedLinks()))

	if events := sd.Events(); len(events) > 0 {
		es := dst.Events()
		es.EnsureCapacity(len(events))
		for _, e := range events {
			pe := es.AppendEmpty()
			pe.SetName(e.Name)
			pe.SetTimestamp(timestamp(e.Time))
			putAttributes(pe.Attributes(), e.Attributes)
			pe.SetDroppedAttributesCount(clampUint32(e.DroppedAttributeCount))
		}
	}

	if links := sd.Links(); len(links) > 0 {
		ls := dst.Links()
		ls.EnsureCapacity(len(links))
		for _, l := range links {
			pl := ls.AppendEmpty()
			setLinkHead(pl, l)
			putAttributes(pl.Attributes(), l.Attributes)
			pl.SetDroppedAttributesCount(clampUint32(l.DroppedAttributeCount))
		}
	}
}

// setSpanHead copies what identifies and frames a span (ids, trace state,
// parent, flags, kind, times) and its name and status as given.
func setSpanHead(dst ptrace.Span, sd sdktrace.ReadOnlySpan, name string, st sdktrace.Status) {
	sc := sd.SpanContext()
	dst.SetTraceID(pcommon.TraceID(sc.TraceID()))
	dst.SetSpanID(pcommon.SpanID(sc.SpanID()))
	dst.TraceState().FromRaw(sc.TraceState().String())
	parent := sd.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		dst.SetParentSpanID(pcommon.SpanID(psid))
	}
	dst.SetFlags(spanFlags(sc.TraceFlags(), parent))
	dst.SetName(name)
	dst.SetKind(otlpenum.SpanKind(sd.SpanKind()))
	dst.SetStartTimestamp(timestamp(sd.StartTime()))
	dst.SetEndTimestamp(timestamp(sd.EndTime()))
	dst.Status().SetCode(otlpenum.StatusCode(st.Code))
	dst.Status().SetMessage(st.Description)
}

// setLinkHead copies a link's span context into dst.
func setLinkHead(dst ptrace.SpanLink, l sdktrace.Link) {
	dst.SetTraceID(pcommon.TraceID(l.SpanContext.TraceID()))
	dst.SetSpanID(pcommon.SpanID(l.SpanContext.SpanID()))
	dst.TraceState().FromRaw(l.SpanContext.TraceState().String())
	dst.SetFlags(spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
}

// spanFlags builds OTLP span or link flags: the W3C trace flags in the low
// byte, the "has is_remote" bit always (the SDK always knows), and the
// "is_remote" bit when remote (the parent for spans, the linked context for
// links) is a remote span context. This is what the Go SDK's otlp transform
// does.
func spanFlags(tf trace.TraceFlags, remote trace.SpanContext) uint32 {
	flags := uint32(tf) | spanFlagsContextHasIsRemote
	if remote.IsRemote() {
		flags |= spanFlagsContextIsRemote
	}
	return flags
}
