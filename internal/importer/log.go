package importer

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"
)

// convertLog fills lr, which must be empty, from a console log record
// (Python's ReadableLogRecord.to_json / LogRecord.to_json). The resource is
// left to the caller. A trace_id or span_id that is all zeros, "" or null
// means the record has no span context.
func convertLog(f *consoleFields, lr plog.LogRecord) error {
	if f.body != nil {
		if err := putValue(lr.Body(), f.body); err != nil {
			return fmt.Errorf("body: %w", err)
		}
	}
	sev, err := severityNumber(f.severityNumber)
	if err != nil {
		return fmt.Errorf("severity_number: %w", err)
	}
	lr.SetSeverityNumber(plog.SeverityNumber(sev))
	text, err := optString(f.severityText)
	if err != nil {
		return fmt.Errorf("severity_text: %w", err)
	}
	lr.SetSeverityText(text)
	if err := putAttributes(lr.Attributes(), f.attributes); err != nil {
		return fmt.Errorf("attributes: %w", err)
	}
	dropped, err := intValue(f.droppedAttributes, 0, 1<<32-1)
	if err != nil {
		return fmt.Errorf("dropped_attributes: %w", err)
	}
	lr.SetDroppedAttributesCount(uint32(dropped))

	ts, err := timestamp(f.timestamp)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	lr.SetTimestamp(ts)
	observed, err := timestamp(f.observedTimestamp)
	if err != nil {
		return fmt.Errorf("observed_timestamp: %w", err)
	}
	lr.SetObservedTimestamp(observed)

	if !isNull(f.traceID) && string(f.traceID) != `""` {
		tid, err := traceID(f.traceID, true)
		if err != nil {
			return fmt.Errorf("trace_id: %w", err)
		}
		lr.SetTraceID(tid)
	}
	if !isNull(f.spanID) && string(f.spanID) != `""` {
		sid, err := spanID(f.spanID, true)
		if err != nil {
			return fmt.Errorf("span_id: %w", err)
		}
		lr.SetSpanID(sid)
	}
	flags, err := intValue(f.traceFlags, 0, 255)
	if err != nil {
		return fmt.Errorf("trace_flags: %w", err)
	}
	lr.SetFlags(plog.LogRecordFlags(flags))

	name, err := optString(f.eventName)
	if err != nil {
		return fmt.Errorf("event_name: %w", err)
	}
	lr.SetEventName(name)
	return nil
}
