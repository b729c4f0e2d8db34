package telemetry

import "strings"

// The implementations of http (protobuf) and grpc endpoints
// (Config.OTLPExporter, SIGHTLINE_TELEMETRY_OTLP_EXPORTER).
const (
	// OTLPExporterSightline encodes OTLP straight from the SDK's spans and
	// log records (telemetry/internal/otlpenc) and sends it with the SDK's
	// retries, timeouts, headers, TLS, compression and partial success: the
	// default.
	OTLPExporterSightline = "sightline"
	// OTLPExporterSDK uses the SDK's otlptracehttp, otlptracegrpc,
	// otlploghttp and otlploggrpc exporters.
	OTLPExporterSDK = "sdk"
)

const envOTLPExporter = "SIGHTLINE_TELEMETRY_OTLP_EXPORTER"

func checkOTLPExporter(v string) error {
	switch v {
	case "", OTLPExporterSightline, OTLPExporterSDK:
		return nil
	}
	return badValue(OTLPExporterSightline+", "+OTLPExporterSDK, "unknown OTLP exporter %q", v)
}

// otlpExporter is the implementation cfg chooses, "" read as the default.
func (c Config) otlpExporter() string {
	if v := strings.ToLower(c.OTLPExporter); v != "" {
		return v
	}
	return OTLPExporterSightline
}
