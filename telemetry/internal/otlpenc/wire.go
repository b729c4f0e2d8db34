package otlpenc

import (
	"google.golang.org/protobuf/encoding/protowire"
)

// Protobuf wire types.
const (
	wtVarint  = 0
	wtFixed64 = 1
	wtLen     = 2 // length-delimited: strings, bytes, messages
	wtFixed32 = 5
)

// Tags of the fields this package writes: (field number << 3) | wire type,
// one byte each for field numbers below 16. Field numbers are those of
// opentelemetry-proto v1 (collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto).
const (
	// ExportTraceServiceRequest
	tagRequestResourceSpans = 1<<3 | wtLen

	// ResourceSpans
	tagResourceSpansResource  = 1<<3 | wtLen
	tagResourceSpansScopes    = 2<<3 | wtLen
	tagResourceSpansSchemaURL = 3<<3 | wtLen

	// ScopeSpans
	tagScopeSpansScope     = 1<<3 | wtLen
	tagScopeSpansSpans     = 2<<3 | wtLen
	tagScopeSpansSchemaURL = 3<<3 | wtLen

	// Resource
	tagResourceAttributes = 1<<3 | wtLen

	// InstrumentationScope
	tagScopeName       = 1<<3 | wtLen
	tagScopeVersion    = 2<<3 | wtLen
	tagScopeAttributes = 3<<3 | wtLen

	// Span
	tagSpanTraceID       = 1<<3 | wtLen
	tagSpanSpanID        = 2<<3 | wtLen
	tagSpanTraceState    = 3<<3 | wtLen
	tagSpanParentSpanID  = 4<<3 | wtLen
	tagSpanName          = 5<<3 | wtLen
	tagSpanKind          = 6<<3 | wtVarint
	tagSpanStart         = 7<<3 | wtFixed64
	tagSpanEnd           = 8<<3 | wtFixed64
	tagSpanAttributes    = 9<<3 | wtLen
	tagSpanDroppedAttrs  = 10<<3 | wtVarint
	tagSpanEvents        = 11<<3 | wtLen
	tagSpanDroppedEvents = 12<<3 | wtVarint
	tagSpanLinks         = 13<<3 | wtLen
	tagSpanDroppedLinks  = 14<<3 | wtVarint
	tagSpanStatus        = 15<<3 | wtLen
	// Span.flags is field 16, fixed32: (16<<3 | wtFixed32) = 133, a two-byte varint.
	tagSpanFlags0, tagSpanFlags1 = 0x85, 0x01

	// Span.Event
	tagEventTime         = 1<<3 | wtFixed64
	tagEventName         = 2<<3 | wtLen
	tagEventAttributes   = 3<<3 | wtLen
	tagEventDroppedAttrs = 4<<3 | wtVarint

	// Span.Link
	tagLinkTraceID      = 1<<3 | wtLen
	tagLinkSpanID       = 2<<3 | wtLen
	tagLinkAttributes   = 4<<3 | wtLen
	tagLinkDroppedAttrs = 5<<3 | wtVarint
	tagLinkFlags        = 6<<3 | wtFixed32

	// Status
	tagStatusMessage = 2<<3 | wtLen
	tagStatusCode    = 3<<3 | wtVarint

	// KeyValue, KeyValueList, ArrayValue
	tagKeyValueKey   = 1<<3 | wtLen
	tagKeyValueValue = 2<<3 | wtLen
	tagListValues    = 1<<3 | wtLen

	// AnyValue (a oneof: a member that is set is written even when zero)
	tagAnyString = 1<<3 | wtLen
	tagAnyBool   = 2<<3 | wtVarint
	tagAnyInt    = 3<<3 | wtVarint
	tagAnyDouble = 4<<3 | wtFixed64
	tagAnyArray  = 5<<3 | wtLen
	tagAnyKvlist = 6<<3 | wtLen
	tagAnyBytes  = 7<<3 | wtLen
)

// Bytes reserved for the length of a nested message whose size is not known
// before it is written, by how large the message usually is: one byte up to
// 127 bytes (attributes, events, links, status), two up to 16 KiB (a span),
// three up to 2 MiB (a resource's or scope's spans in a batch). A guess that
// turns out wrong costs one move of the message's body (see closeMsg).
const (
	reserveSmall = 1
	reserveSpan  = 2
	reserveGroup = 3
)

// zeros is what openMsg reserves for a length before it is known.
var zeros [10]byte // the longest varint

// openMsg appends tag and reserve placeholder bytes for the length of a
// nested message, and returns b and the offset of the message's body. The
// body is then appended to b and closeMsg writes its length.
func openMsg(b []byte, tag byte, reserve int) ([]byte, int) {
	b = append(b, tag)
	b = append(b, zeros[:reserve]...)
	return b, len(b)
}

// closeMsg writes the length of the body b[start:] (opened by openMsg with
// the same reserve) as a minimal varint in front of it. When the length
// needs another number of bytes than reserved, the body is moved by the
// difference, so the encoding stays canonical: byte for byte what
// proto.Marshal writes.
func closeMsg(b []byte, start, reserve int) []byte {
	n := uint64(len(b) - start)
	w := protowire.SizeVarint(n)
	switch {
	case w > reserve:
		d := w - reserve
		b = append(b, zeros[:d]...)
		copy(b[start+d:], b[start:len(b)-d])
		start += d
	case w < reserve:
		d := reserve - w
		copy(b[start-d:], b[start:])
		b = b[:len(b)-d]
		start -= d
	}
	putVarint(b[start-w:start], n)
	return b
}

// putVarint writes v as a varint into p, which is exactly
// protowire.SizeVarint(v) bytes long.
func putVarint(p []byte, v uint64) {
	last := len(p) - 1
	for i := range last {
		p[i] = byte(v) | 0x80
		v >>= 7
	}
	p[last] = byte(v)
}

// appendVarint appends v as a varint, inline for values below 128 (most
// lengths and counts).
func appendVarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

// appendStringField appends a string field with a one-byte tag, omitting
// it when s is empty, as proto3 does.
func appendStringField(b []byte, tag byte, s string) []byte {
	if s == "" {
		return b
	}
	b = appendVarint(append(b, tag), uint64(len(s)))
	return append(b, s...)
}

// appendUint32Field appends a varint field with a one-byte tag, omitting it
// when v is 0, as proto3 does.
func appendUint32Field(b []byte, tag byte, v uint32) []byte {
	if v == 0 {
		return b
	}
	return appendVarint(append(b, tag), uint64(v))
}

// appendFixed64Field appends a fixed64 field with a one-byte tag, omitting
// it when v is 0, as proto3 does.
func appendFixed64Field(b []byte, tag byte, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, tag)
	return protowire.AppendFixed64(b, v)
}

// sizeString is the encoded size in bytes of a non-empty string field with a
// one-byte tag, and 0 for an empty one.
func sizeString(s string) int {
	if s == "" {
		return 0
	}
	return 1 + protowire.SizeBytes(len(s))
}
