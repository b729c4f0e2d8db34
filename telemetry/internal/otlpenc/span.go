package otlpenc

import (
	"math"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP SpanFlags bits above the W3C trace flags (trace.proto,
// SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK and SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK).
const (
	flagHasIsRemote uint32 = 0x100
	flagIsRemote    uint32 = 0x200
)

// OTLP Status.StatusCode values (they differ from codes.Code's).
const (
	statusOk    = 1
	statusError = 2
)

// appendSpan appends sd as a Span field of a ScopeSpans, with the fields in
// field-number order and each set exactly as the SDK's transform sets it
// (tracetransform.span).
func appendSpan(b []byte, sd spanReader) []byte {
	b, start := openMsg(b, tagScopeSpansSpans, reserveSpan)

	sc := sd.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = append(b, tagSpanTraceID, 16)
	b = append(b, tid[:]...)
	b = append(b, tagSpanSpanID, 8)
	b = append(b, sid[:]...)
	b = appendTraceState(b, tagSpanTraceState, sc.TraceState())
	parent := sd.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		b = append(b, tagSpanParentSpanID, 8)
		b = append(b, psid[:]...)
	}
	b = appendStringField(b, tagSpanName, sd.Name())
	b = appendUint32Field(b, tagSpanKind, spanKind(sd.SpanKind()))
	b = appendFixed64Field(b, tagSpanStart, unixNano(sd.StartTime()))
	b = appendFixed64Field(b, tagSpanEnd, unixNano(sd.EndTime()))
	b = appendKeyValues(b, tagSpanAttributes, sd.Attributes())
	b = appendUint32Field(b, tagSpanDroppedAttrs, clampUint32(sd.DroppedAttributes()))

	events := sd.Events()
	for i := range events {
		b = appendEvent(b, &events[i])
	}
	b = appendUint32Field(b, tagSpanDroppedEvents, clampUint32(sd.DroppedEvents()))

	links := sd.Links()
	for i := range links {
		b = appendLink(b, &links[i])
	}
	b = appendUint32Field(b, tagSpanDroppedLinks, clampUint32(sd.DroppedLinks()))

	// The SDK always sends a Status message, empty when unset.
	st := sd.Status()
	msg := st.Description
	b = append(b, tagSpanStatus)
	b = protowire.AppendVarint(b, uint64(sizeString(msg)+statusCodeSize(st.Code)))
	b = appendStringField(b, tagStatusMessage, msg)
	b = appendUint32Field(b, tagStatusCode, statusCode(st.Code))

	b = append(b, tagSpanFlags0, tagSpanFlags1)
	b = protowire.AppendFixed32(b, spanFlags(sc.TraceFlags(), parent))
	return closeMsg(b, start, reserveSpan)
}

// appendEvent appends e as a Span.Event field of a Span.
func appendEvent(b []byte, e *sdktrace.Event) []byte {
	b, start := openMsg(b, tagSpanEvents, reserveSmall)
	b = appendFixed64Field(b, tagEventTime, unixNano(e.Time))
	b = appendStringField(b, tagEventName, e.Name)
	b = appendKeyValues(b, tagEventAttributes, e.Attributes)
	b = appendUint32Field(b, tagEventDroppedAttrs, clampUint32(e.DroppedAttributeCount))
	return closeMsg(b, start, reserveSmall)
}

// appendLink appends l as a Span.Link field of a Span. Like the SDK's
// transform (tracetransform.links), it sends no trace state for a link.
func appendLink(b []byte, l *sdktrace.Link) []byte {
	b, start := openMsg(b, tagSpanLinks, reserveSmall)
	tid, sid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
	b = append(b, tagLinkTraceID, 16)
	b = append(b, tid[:]...)
	b = append(b, tagLinkSpanID, 8)
	b = append(b, sid[:]...)
	b = appendKeyValues(b, tagLinkAttributes, l.Attributes)
	b = appendUint32Field(b, tagLinkDroppedAttrs, clampUint32(l.DroppedAttributeCount))
	b = append(b, tagLinkFlags)
	b = protowire.AppendFixed32(b, spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
	return closeMsg(b, start, reserveSmall)
}

// appendTraceState appends ts in its W3C header form (what
// TraceState.String returns: "k1=v1,k2=v2") as a string field with tag,
// without building the string; nothing when ts is empty.
func appendTraceState(b []byte, tag byte, ts trace.TraceState) []byte {
	n := ts.Len()
	if n == 0 {
		return b
	}
	size := n - 1 // the commas
	ts.Walk(func(k, v string) bool {
		size += len(k) + 1 + len(v)
		return true
	})
	b = append(b, tag)
	b = protowire.AppendVarint(b, uint64(size))
	first := true
	ts.Walk(func(k, v string) bool {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
		return true
	})
	return b
}

// spanFlags is what the SDK's transform writes for a span's or link's
// flags (buildSpanFlagsWith): the W3C trace flags in the low byte, the "has
// is_remote" bit always, and the "is_remote" bit when remote (the parent
// for a span, the linked context for a link) is a remote span context.
func spanFlags(tf trace.TraceFlags, remote trace.SpanContext) uint32 {
	flags := uint32(tf) | flagHasIsRemote
	if remote.IsRemote() {
		flags |= flagIsRemote
	}
	return flags
}

// spanKind maps k to the OTLP Span.SpanKind value, UNSPECIFIED (0) for
// kinds the SDK's transform does not know.
func spanKind(k trace.SpanKind) uint32 {
	switch k {
	case trace.SpanKindInternal, trace.SpanKindServer, trace.SpanKindClient,
		trace.SpanKindProducer, trace.SpanKindConsumer:
		return uint32(k) // the API's values are OTLP's
	default:
		return 0
	}
}

// statusCode maps c to the OTLP Status.StatusCode value; UNSET is 0.
func statusCode(c codes.Code) uint32 {
	switch c {
	case codes.Ok:
		return statusOk
	case codes.Error:
		return statusError
	default:
		return 0
	}
}

// statusCodeSize is the encoded size in bytes of the code field of a
// Status with code c (omitted when UNSET).
func statusCodeSize(c codes.Code) int {
	if statusCode(c) == 0 {
		return 0
	}
	return 2
}

// unixNano is t in nanoseconds since the Unix epoch as the SDK's transform
// computes it: negative values (times before 1970) become 0, "unset".
func unixNano(t time.Time) uint64 {
	return uint64(max(0, t.UnixNano()))
}

// clampUint32 converts a dropped count to OTLP's uint32, as the SDK does.
func clampUint32(v int) uint32 {
	if v < 0 {
		return 0
	}
	if int64(v) > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(v)
}
