package otlpgrpcenc

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// ErrShutdown is returned by exports after Shutdown, and is the cause of
// the failure of exports that Shutdown ended.
var ErrShutdown = errors.New("otlpgrpcenc: exporter is shut down")

// errLogShutdown is what a LogExporter returns after Shutdown: both
// ErrShutdown and the SDK's sdklog.ErrExporterShutdown, which otlploggrpc
// returns.
var errLogShutdown = fmt.Errorf("%w (%w)", ErrShutdown, sdklog.ErrExporterShutdown)

// PartialSuccessError is the answer of a server that accepted a request
// but rejected some of its items, or accepted all with a warning (the
// partial_success of ExportTraceServiceResponse and
// ExportLogsServiceResponse). Its text is the SDK's.
type PartialSuccessError struct {
	// Rejected is how many items the server dropped; 0 for a warning.
	Rejected int64
	// Kind is what was rejected, as the SDK names it: "spans" or "logs".
	Kind string
	// Message is the server's explanation; may be empty.
	Message string
}

func (e *PartialSuccessError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "empty message"
	}
	return fmt.Sprintf("OTLP partial success: %s (%d %s rejected)", msg, e.Rejected, e.Kind)
}

// partialSuccess reads the response of a successful call (an
// Export*ServiceResponse, as pdata decodes it) and returns its partial
// success as an error, if any. An empty response, the usual one, costs
// nothing; one that cannot be decoded is a success, as the server
// accepted the request.
func partialSuccess(kind string, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	var rejected int64
	var msg string
	if kind == kindLogs {
		resp := plogotlp.NewExportResponse()
		if resp.UnmarshalProto(data) != nil {
			return nil
		}
		rejected, msg = resp.PartialSuccess().RejectedLogRecords(), resp.PartialSuccess().ErrorMessage()
	} else {
		resp := ptraceotlp.NewExportResponse()
		if resp.UnmarshalProto(data) != nil {
			return nil
		}
		rejected, msg = resp.PartialSuccess().RejectedSpans(), resp.PartialSuccess().ErrorMessage()
	}
	if rejected == 0 && msg == "" {
		return nil
	}
	return &PartialSuccessError{Rejected: rejected, Kind: kind, Message: msg}
}
