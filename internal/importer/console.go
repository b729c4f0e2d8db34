package importer

import (
	"fmt"
	"strconv"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// consoleFields holds the raw values of the members of a console record
// (nil when absent). Spans and log records share it: which one a record is
// depends on the members it has.
type consoleFields struct {
	// spans
	name, context, kind, parentID, startTime, endTime, status, events, links []byte
	// log records
	body, severityNumber, severityText, droppedAttributes, timestamp, observedTimestamp,
	traceID, spanID, traceFlags, eventName []byte
	// both
	attributes, resource []byte
}

// read splits the object raw into its members; unknown ones are ignored.
func (f *consoleFields) read(raw []byte) error {
	*f = consoleFields{}
	s := scanner{b: raw}
	return s.objectEach(func(key []byte) error {
		v, err := s.value()
		if err != nil {
			return err
		}
		if p := f.member(key); p != nil {
			*p = v
		}
		return nil
	})
}

func (f *consoleFields) member(key []byte) *[]byte {
	switch string(key) {
	case "name":
		return &f.name
	case "context":
		return &f.context
	case "kind":
		return &f.kind
	case "parent_id":
		return &f.parentID
	case "start_time":
		return &f.startTime
	case "end_time":
		return &f.endTime
	case "status":
		return &f.status
	case "events":
		return &f.events
	case "links":
		return &f.links
	case "body":
		return &f.body
	case "severity_number":
		return &f.severityNumber
	case "severity_text":
		return &f.severityText
	case "dropped_attributes":
		return &f.droppedAttributes
	case "timestamp":
		return &f.timestamp
	case "observed_timestamp":
		return &f.observedTimestamp
	case "trace_id":
		return &f.traceID
	case "span_id":
		return &f.spanID
	case "trace_flags":
		return &f.traceFlags
	case "event_name":
		return &f.eventName
	case "attributes":
		return &f.attributes
	case "resource":
		return &f.resource
	}
	return nil
}

// consoleConverter turns console records into spans and log records.
type consoleConverter struct {
	b    *batcher
	rep  *Report
	f    consoleFields
	res  resourceCache
	span ptrace.Span    // converted here, then moved into the batch
	log  plog.LogRecord // likewise
}

func newConsoleConverter(b *batcher) *consoleConverter {
	return &consoleConverter{b: b, rep: b.rep, span: ptrace.NewSpan(), log: plog.NewLogRecord()}
}

// record converts one record, rejecting it if it is not a valid span or
// log record. Only the sink's errors are returned.
func (c *consoleConverter) record(rec record) error {
	f := &c.f
	if err := f.read(rec.raw); err != nil {
		c.rep.reject(rec.line, 1, "not a JSON object")
		return nil
	}
	switch {
	case f.name != nil && f.context != nil:
		c.rep.SpansRead++
		err := convertSpan(f, c.span)
		var (
			ri  resourceInfo
			key []byte
		)
		if err == nil {
			ri, key, err = c.res.get(f.resource)
		}
		if err != nil {
			c.span = ptrace.NewSpan()
			c.rep.reject(rec.line, 1, spanLabel(f.name)+err.Error())
			return nil
		}
		c.span.MoveTo(c.b.spanSlice(key, ri).AppendEmpty())
		return c.b.spanAdded()
	case f.body != nil || f.severityNumber != nil:
		c.rep.LogsRead++
		err := convertLog(f, c.log)
		var (
			ri  resourceInfo
			key []byte
		)
		if err == nil {
			ri, key, err = c.res.get(f.resource)
		}
		if err != nil {
			c.log = plog.NewLogRecord()
			c.rep.reject(rec.line, 1, "log record: "+err.Error())
			return nil
		}
		c.log.MoveTo(c.b.logSlice(key, ri).AppendEmpty())
		return c.b.logAdded()
	}
	c.rep.reject(rec.line, 1, "neither a span (name and context) nor a log record (body or severity_number)")
	return nil
}

// spanLabel starts a span's rejection reason, naming it if it can.
func spanLabel(rawName []byte) string {
	if name, err := stringValue(rawName); err == nil {
		return "span " + strconv.Quote(name) + ": "
	}
	return "span: "
}

// intValue reads a JSON integer in [lo, hi]; absent or null is 0.
func intValue(raw []byte, lo, hi int64) (int64, error) {
	if isNull(raw) {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, typeError("an integer", raw)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is outside %d-%d", n, lo, hi)
	}
	return n, nil
}
