package otlpgrpcenc

import (
	"context"

	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

var _ sdklog.Exporter = (*LogExporter)(nil)

// LogExporter sends log records as OTLP/gRPC ExportLogsServiceRequests
// encoded by otlpenc. It is safe for concurrent use.
type LogExporter struct {
	c *client
}

// NewLog returns a log exporter for cfg, or an error naming the setting
// that cannot be used (see [Config.Validate]). It does not connect: the first export does.
func NewLog(cfg Config) (*LogExporter, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &LogExporter{c: c}, nil
}

// Export sends records as one ExportLogsServiceRequest, retrying as
// configured within the export timeout. It returns an error naming the
// method, the target and the last status when the call fails for good, a
// [*otlpretry.PartialSuccessError] when the server accepted the request but
// rejected records or sent a warning (otlploggrpc returns it too; the
// batch processor hands it to otel.Handle), and an error that is both
// [ErrShutdown] and sdklog.ErrExporterShutdown after Shutdown. An empty
// batch sends nothing.
func (e *LogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if e.c.closed.Load() {
		return errLogShutdown
	}
	if len(records) == 0 {
		return nil
	}
	b := getBuffers(&e.c.pool)
	defer b.release()
	b.raw = b.logs.AppendLogs(b.raw[:0], records)
	return e.c.export(ctx, methodLogs, otlpretry.KindLogs, len(records), b)
}

// ForceFlush does nothing: the exporter holds no records between exports.
func (e *LogExporter) ForceFlush(context.Context) error { return nil }

// Shutdown makes later exports fail, ends exports in flight and closes
// the connection. Later calls do nothing. It returns ctx's error when ctx
// is already done, as the SDK does.
func (e *LogExporter) Shutdown(ctx context.Context) error { return e.c.shutdown(ctx) }
