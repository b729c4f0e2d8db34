package importer

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var errMissing = errors.New("missing")

// convertSpan fills sp, which must be empty, from a console span (Python's
// ReadableSpan.to_json). The resource is left to the caller.
func convertSpan(f *consoleFields, sp ptrace.Span) error {
	name, err := stringValue(f.name)
	if err != nil {
		return fmt.Errorf("name: %w", err)
	}
	sp.SetName(name)

	tid, sid, ts, err := spanContext(f.context)
	if err != nil {
		return fmt.Errorf("context%w", err)
	}
	sp.SetTraceID(tid)
	sp.SetSpanID(sid)
	sp.TraceState().FromRaw(ts)

	kind, err := spanKind(f.kind)
	if err != nil {
		return fmt.Errorf("kind: %w", err)
	}
	sp.SetKind(kind)

	if !isNull(f.parentID) {
		pid, err := spanID(f.parentID, true)
		if err != nil {
			return fmt.Errorf("parent_id: %w", err)
		}
		sp.SetParentSpanID(pid)
	}

	start, err := timestamp(f.startTime)
	if err != nil {
		return fmt.Errorf("start_time: %w", err)
	}
	end, err := timestamp(f.endTime)
	if err != nil {
		return fmt.Errorf("end_time: %w", err)
	}
	sp.SetStartTimestamp(start)
	sp.SetEndTimestamp(end)

	if err := spanStatus(sp.Status(), f.status); err != nil {
		return fmt.Errorf("status%w", err)
	}
	if err := putAttributes(sp.Attributes(), f.attributes); err != nil {
		return fmt.Errorf("attributes: %w", err)
	}
	if err := spanEvents(sp.Events(), f.events); err != nil {
		return fmt.Errorf("events%w", err)
	}
	if err := spanLinks(sp.Links(), f.links); err != nil {
		return fmt.Errorf("links%w", err)
	}
	return nil
}

// spanContext reads {"trace_id", "span_id", "trace_state"}. Its errors
// start with ".member" or ":", to follow the context's name.
func spanContext(raw []byte) (tid pcommon.TraceID, sid pcommon.SpanID, ts string, err error) {
	var rawTID, rawSID, rawTS []byte
	s := scanner{b: raw}
	if s.peek() != '{' {
		return tid, sid, "", fmt.Errorf(": %w", typeError("an object", raw))
	}
	err = s.objectEach(func(key []byte) error {
		v, err := s.value()
		switch string(key) {
		case "trace_id":
			rawTID = v
		case "span_id":
			rawSID = v
		case "trace_state":
			rawTS = v
		}
		return err
	})
	if err != nil {
		return tid, sid, "", fmt.Errorf(": %w", err)
	}
	if rawTID == nil {
		return tid, sid, "", fmt.Errorf(".trace_id: %w", errMissing)
	}
	if tid, err = traceID(rawTID, false); err != nil {
		return tid, sid, "", fmt.Errorf(".trace_id: %w", err)
	}
	if rawSID == nil {
		return tid, sid, "", fmt.Errorf(".span_id: %w", errMissing)
	}
	if sid, err = spanID(rawSID, false); err != nil {
		return tid, sid, "", fmt.Errorf(".span_id: %w", err)
	}
	if ts, err = traceState(rawTS); err != nil {
		return tid, sid, "", fmt.Errorf(".trace_state: %w", err)
	}
	return tid, sid, ts, nil
}

// spanStatus reads {"status_code": ..., "description": ...}. Its errors
// start with ".member" or ":".
func spanStatus(st ptrace.Status, raw []byte) error {
	if isNull(raw) {
		return nil
	}
	s := scanner{b: raw}
	if s.peek() != '{' {
		return fmt.Errorf(": %w", typeError("an object", raw))
	}
	return s.objectEach(func(key []byte) error {
		v, err := s.value()
		if err != nil {
			return err
		}
		switch string(key) {
		case "status_code":
			code, err := statusCode(v)
			if err != nil {
				return fmt.Errorf(".status_code: %w", err)
			}
			st.SetCode(code)
		case "description":
			d, err := optString(v)
			if err != nil {
				return fmt.Errorf(".description: %w", err)
			}
			st.SetMessage(d)
		}
		return nil
	})
}

// spanEvents reads [{"name", "timestamp", "attributes"}]. Its errors start
// with the element's index ("[2].timestamp: ...").
func spanEvents(evs ptrace.SpanEventSlice, raw []byte) error {
	if isNull(raw) {
		return nil
	}
	s := scanner{b: raw}
	if s.peek() != '[' {
		return fmt.Errorf(": %w", typeError("an array", raw))
	}
	return s.arrayEach(func(i int) error {
		ev := evs.AppendEmpty()
		if s.peek() != '{' {
			v, _ := s.value()
			return fmt.Errorf("[%d]: %w", i, typeError("an object", v))
		}
		return s.objectEach(func(key []byte) error {
			v, err := s.value()
			if err != nil {
				return err
			}
			switch string(key) {
			case "name":
				name, err := optString(v)
				if err != nil {
					return fmt.Errorf("[%d].name: %w", i, err)
				}
				ev.SetName(name)
			case "timestamp":
				t, err := timestamp(v)
				if err != nil {
					return fmt.Errorf("[%d].timestamp: %w", i, err)
				}
				ev.SetTimestamp(t)
			case "attributes":
				if err := putAttributes(ev.Attributes(), v); err != nil {
					return fmt.Errorf("[%d].attributes: %w", i, err)
				}
			}
			return nil
		})
	})
}

// spanLinks reads [{"context", "attributes"}], with errors like
// spanEvents'.
func spanLinks(links ptrace.SpanLinkSlice, raw []byte) error {
	if isNull(raw) {
		return nil
	}
	s := scanner{b: raw}
	if s.peek() != '[' {
		return fmt.Errorf(": %w", typeError("an array", raw))
	}
	return s.arrayEach(func(i int) error {
		l := links.AppendEmpty()
		if s.peek() != '{' {
			v, _ := s.value()
			return fmt.Errorf("[%d]: %w", i, typeError("an object", v))
		}
		var rawCtx []byte
		err := s.objectEach(func(key []byte) error {
			v, err := s.value()
			if err != nil {
				return err
			}
			switch string(key) {
			case "context":
				rawCtx = v
			case "attributes":
				if err := putAttributes(l.Attributes(), v); err != nil {
					return fmt.Errorf("[%d].attributes: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if rawCtx == nil {
			return fmt.Errorf("[%d].context: %w", i, errMissing)
		}
		tid, sid, ts, err := spanContext(rawCtx)
		if err != nil {
			return fmt.Errorf("[%d].context%w", i, err)
		}
		l.SetTraceID(tid)
		l.SetSpanID(sid)
		l.TraceState().FromRaw(ts)
		return nil
	})
}
