package otlpretry

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The kinds of items, as the SDK's partial success errors name them.
const (
	KindSpans = "spans"
	KindLogs  = "logs"
)

// PartialSuccessError is the answer of a server that accepted a request
// but rejected some of its items, or accepted all with a warning (the
// partial_success of ExportTraceServiceResponse and
// ExportLogsServiceResponse). Its text is the SDK's
// (internal/partialsuccess.go). It is not retried.
type PartialSuccessError struct {
	// Rejected is how many items the server dropped; 0 for a warning.
	Rejected int64
	// Kind is what was rejected, as the SDK names it: KindSpans or
	// KindLogs.
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

// PartialSuccess reads data, the response to an export of kind (an
// ExportTraceServiceResponse for KindSpans, an ExportLogsServiceResponse
// for KindLogs) in OTLP-JSON when json is set, else protobuf, and returns
// its partial success as a *PartialSuccessError, if any. An empty
// response, the usual one, costs nothing; one that cannot be decoded is a
// success (nil), as the server accepted the request.
func PartialSuccess(kind string, data []byte, json bool) error {
	if len(data) == 0 {
		return nil
	}
	var rejected int64
	var msg string
	if kind == KindLogs {
		resp := plogotlp.NewExportResponse()
		if decode(resp, data, json) != nil {
			return nil
		}
		rejected, msg = resp.PartialSuccess().RejectedLogRecords(), resp.PartialSuccess().ErrorMessage()
	} else {
		resp := ptraceotlp.NewExportResponse()
		if decode(resp, data, json) != nil {
			return nil
		}
		rejected, msg = resp.PartialSuccess().RejectedSpans(), resp.PartialSuccess().ErrorMessage()
	}
	if rejected == 0 && msg == "" {
		return nil
	}
	return &PartialSuccessError{Rejected: rejected, Kind: kind, Message: msg}
}

// decode reads data into resp, a pdata Export*ServiceResponse.
func decode(resp interface {
	UnmarshalProto([]byte) error
	UnmarshalJSON([]byte) error
}, data []byte, json bool) error {
	if json {
		return resp.UnmarshalJSON(data)
	}
	return resp.UnmarshalProto(data)
}
