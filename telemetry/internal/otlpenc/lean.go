package otlpenc

import (
	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// AppendLeanTraces appends to dst the protobuf encoding of an OTLP
// ExportTraceServiceRequest holding spans, sightline's own recording spans
// (telemetry/internal/leanspan), and returns the extended buffer.
//
// It reads each span through its getters, with no snapshot: the bytes are
// exactly those [Encoder.AppendTraces] writes for the spans' Snapshots,
// grouping and order included, at none of the Snapshots' cost. Spans are
// meant to have ended (a leanspan Config's OnEnd hands them over so): the
// getters of an ended span return its own slices, while those of a span
// still recording copy its events and links and read it as it stands (no
// end time). Nil spans are skipped. Nothing of dst before its length is
// read or changed.
func (e *Encoder) AppendLeanTraces(dst []byte, spans []*leanspan.Span) []byte {
	e.reset(len(spans))
	for i, s := range spans {
		if s != nil {
			e.add(i, s.Resource(), s.InstrumentationScope())
		}
	}
	return e.appendRequest(dst, notNil, func(b []byte, i int) []byte { return appendSpan(b, spans[i]) })
}
