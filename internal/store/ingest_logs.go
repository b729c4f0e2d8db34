package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Log payload presence bits.
const (
	logSeverityText = 1 << iota
	logFlags
	logEventName
	logBody // a body that is not a string, typed (a string body is the body column)
	logAttrs
	logDroppedAttrs
	logNoTimestamp // the record's timestamp was unset; time_ns is another time
)

// logRow is an encoded log record, ready for the writer.
type logRow struct {
	time, observed int64
	severity       int64
	traceID        any // []byte, or nil for SQL NULL
	spanID         any
	service        int64
	body           any // string, or nil
	payload        []byte
}

type logBatch struct {
	rows []logRow
	cut  cuts // what the ingest limits cut
	// inflight holds the announcements: heartbeats as open spans, stop
	// records' spans as finished ones.
	inflight traceBatch
	// announced counts the records claiming the convention, rejected
	// those of them rejected.
	announced, rejected int64
}

// AppendLogs stores ld's log records, like AppendTraces. A record's time
// is its timestamp, else its observed timestamp, else the time it is
// stored. Records with a timestamp past 2262, or of more than 64 MiB
// once encoded, are rejected; what is past the ingest limits is cut and
// counted. Log records have no identity, so unlike spans a batch sent
// twice is stored twice.
//
// Announcements (records of the partial-span convention, announce.go)
// are not stored as log records: a heartbeat stores its span as open
// (replacing the span's previous heartbeat; ignored when the span is
// already stored finished), a stop record stores the ended span it
// carries as a finished span (once, however many times it also arrives
// as a span). They count as accepted; one that claims the convention
// but cannot be read is rejected, with its reason in RejectMessage.
func (s *Store) AppendLogs(ctx context.Context, ld plog.Logs) (AppendResult, error) {
	if s.isClosed() {
		return AppendResult{}, ErrClosed
	}
	b, res, err := encodeLogs(ctx, s.decodes, s.dict, s.opts.limits(), ld, s.seams.now().UnixNano())
	if err != nil {
		return AppendResult{}, fmt.Errorf("store: append logs: %w", err)
	}
	items := len(b.rows) + b.inflight.spans + b.inflight.opens
	if items > 0 {
		r := &request{logs: b, items: items}
		if b.inflight.spans+b.inflight.opens > 0 {
			r.traces = &b.inflight
		}
		if err := s.submit(ctx, r); err != nil {
			if errors.Is(err, ErrClosed) {
				return AppendResult{}, ErrClosed
			}
			return AppendResult{}, fmt.Errorf("store: append logs: %w", err)
		}
	}
	s.cuts.add(b.cut)
	s.announced.Add(b.announced)
	s.announceRejected.Add(b.rejected)
	return res, nil
}

// encodeLogs validates and encodes ld, decoding announcements' bodies
// within budget; its error is ctx's, ending while a body waited for
// budget.
func encodeLogs(ctx context.Context, budget *decodeBudget, d *dict, lim limits, ld plog.Logs, now int64) (*logBatch, AppendResult, error) {
	e := newEncoder(d, lim)
	b := &logBatch{}
	var rej rejections
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		var service, resource uint64
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			var scope uint64
			recs := sl.LogRecords()
			for k := 0; k < recs.Len(); k++ {
				lr := recs.At(k)
				if uint64(lr.Timestamp()) > math.MaxInt64 || uint64(lr.ObservedTimestamp()) > math.MaxInt64 {
					rej.add("with a timestamp out of range")
					continue
				}
				if claimsConvention(lr.Attributes()) {
					err := e.encodeAnnouncement(ctx, budget, &b.inflight, lr, rl, now)
					var r rejection
					if err != nil && !errors.As(err, &r) {
						return nil, AppendResult{}, err
					}
					b.announced++
					if err != nil {
						b.rejected++
						rej.add(err.Error())
					}
					continue
				}
				if resource == 0 {
					service = d.service(serviceOf(rl.Resource()))
					resource = d.resource(e.resourceData(rl.Resource(), rl.SchemaUrl()), service)
				}
				if scope == 0 {
					scope = d.scope(e.scopeData(sl.Scope(), sl.SchemaUrl()))
				}
				row := e.logRow(lr, resource, scope, service, now)
				if row.payload == nil {
					rej.add("larger than 64 MiB encoded")
					continue
				}
				b.rows = append(b.rows, row)
			}
		}
	}
	b.cut = e.cut
	b.inflight.items = e.items.list() // the announced spans' (log records are not indexed)
	accepted := len(b.rows) + int(b.announced-b.rejected)
	return b, AppendResult{Accepted: accepted, Rejected: rej.total, RejectMessage: rej.message("log record")}, nil
}

// logRow encodes a log record; its payload is nil when the body would be
// larger than maxPayload.
func (e *encoder) logRow(lr plog.LogRecord, resource, scope, service uint64, now int64) logRow {
	r := logRow{
		time: int64(lr.Timestamp()), observed: int64(lr.ObservedTimestamp()),
		severity: int64(lr.SeverityNumber()), service: int64(service),
	}
	var bits uint64
	if r.time == 0 {
		bits |= logNoTimestamp
		r.time = r.observed
		if r.time == 0 {
			r.time = now
		}
	}
	if tid := lr.TraceID(); !tid.IsEmpty() {
		r.traceID = tid[:]
	}
	if sid := lr.SpanID(); !sid.IsEmpty() {
		r.spanID = sid[:]
	}
	body := lr.Body()
	switch body.Type() {
	case pcommon.ValueTypeEmpty:
	case pcommon.ValueTypeStr:
		s := body.Str()
		if len(s) > e.lim.valueBytes {
			s = truncUTF8(s, e.lim.valueBytes)
			e.cut.truncated++
		}
		r.body = s
	default:
		r.body = e.bodyText(body) // for text search
		bits |= logBody
	}
	// The fields after the presence bits first: what the limits drop
	// decides bits.
	b := binary.AppendUvarint(e.rest[:0], resource)
	b = binary.AppendUvarint(b, scope)
	if t := lr.SeverityText(); t != "" {
		bits |= logSeverityText
		b = appendStr(b, t)
	}
	if f := lr.Flags(); f != 0 {
		bits |= logFlags
		b = binary.AppendUvarint(b, uint64(f))
	}
	if n := lr.EventName(); n != "" {
		bits |= logEventName
		b = appendStr(b, n)
	}
	e.dropped = 0
	if bits&logBody != 0 {
		b = e.appendValue(b, body, bodyValueDepth, true)
	}
	if lr.Attributes().Len() > 0 {
		bits |= logAttrs
		b = e.appendMap(b, lr.Attributes(), attrValueDepth, true)
	}
	if n := addDropped(lr.DroppedAttributesCount(), e.dropped); n != 0 {
		bits |= logDroppedAttrs
		b = binary.AppendUvarint(b, n)
	}
	e.rest = b
	r.payload = e.finish(bits)
	return r
}

// applyLogs inserts the log records of reqs, inside the writer's
// transaction.
func (s *Store) applyLogs(w *wconn, reqs []*request, c *txCounts) error {
	var rows []*logRow
	for _, r := range reqs {
		if r.logs == nil {
			continue
		}
		for i := range r.logs.rows {
			rows = append(rows, &r.logs.rows[i])
		}
	}
	n, err := w.insertMany("INSERT INTO logs (time_ns, observed_ns, severity, trace_id, span_id, service_id, body, payload) VALUES ",
		8, len(rows), func(i int, dst []any) []any {
			r := rows[i]
			return append(dst, r.time, r.observed, r.severity, r.traceID, r.spanID, r.service, r.body, r.payload)
		})
	if err != nil {
		return fmt.Errorf("insert logs: %w", err)
	}
	c.logs += n
	return nil
}

// logRec is a parsed log payload.
type logRec struct {
	bits         uint64
	resource     uint64
	scope        uint64
	severityText string
	flags        uint32
	eventName    string
	body         any
	attrs        []byte
	droppedAttrs uint32
}

// parseLog parses a stored log payload; st, when not nil, is ticked for
// every element of the body.
func parseLog(payload []byte, v *dictView, st *stopper) (logRec, error) {
	var r logRec
	body, err := openPayload(payload, st)
	if err != nil {
		return r, err
	}
	d := decoder{b: body, v: v, st: st}
	r.bits = d.uvarint()
	r.resource = d.uvarint()
	r.scope = d.uvarint()
	if r.bits&logSeverityText != 0 {
		r.severityText = d.str()
	}
	if r.bits&logFlags != 0 {
		r.flags = d.u32()
	}
	if r.bits&logEventName != 0 {
		r.eventName = d.str()
	}
	if r.bits&logBody != 0 {
		r.body = d.jsonValue(0)
	}
	if r.bits&logAttrs != 0 {
		r.attrs = d.skipMap(0)
	}
	if r.bits&logDroppedAttrs != 0 {
		r.droppedAttrs = d.u32()
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the log record", len(d.b))
	}
	return r, d.err
}
