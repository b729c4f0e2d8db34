package telemetry

import (
	"context"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// leanExporter is what sightline's OTLP span exporters (otlphttpenc,
// otlpgrpcenc) offer besides the SDK's interface: the export of
// sightline's own ended spans, encoded through their getters with no
// snapshot.
type leanExporter interface {
	ExportLeanSpans(ctx context.Context, spans []*leanspan.Span) error
}

// leanSend is the export of a span sink's lean queue: ExportLeanSpans
// counted as countingSpanExporter counts an SDK batch.
func leanSend(s *sinkBase, exp leanExporter) func([]*leanspan.Span) {
	return func(batch []*leanspan.Span) {
		n := len(batch)
		if !s.beginExport(n) {
			return
		}
		ctx, done := s.exportContext(context.Background())
		err := exp.ExportLeanSpans(ctx, batch)
		done()
		s.endExport(n, err)
	}
}
