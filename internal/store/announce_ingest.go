package store

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// encodeAnnouncement reads an announcement record (of rl) and encodes its
// span into b: a heartbeat's as an open span heard at now, a stop
// record's as a finished span. The span's resource is the body's, or the
// record's when the body's has no attributes; its scope is the body's.
// A rejection says why the record is rejected; another error is ctx's,
// ending while its body waited for budget.
func (e *encoder) encodeAnnouncement(ctx context.Context, budget *decodeBudget, b *traceBatch, lr plog.LogRecord, rl plog.ResourceLogs, now int64) error {
	a, err := readAnnouncement(ctx, lr, e.lim.announceBytes, budget)
	if err != nil {
		return err
	}
	defer budget.release(a.reserved)
	res, schemaURL := a.rs.Resource(), a.rs.SchemaUrl()
	if res.Attributes().Len() == 0 {
		res, schemaURL = rl.Resource(), rl.SchemaUrl()
	}
	d := e.d
	service := d.service(serviceOf(res))
	e.indexKind = itemResKey
	resource := d.resource(e.resourceData(res, schemaURL), service)
	scope := d.scope(e.scopeData(a.ss.Scope(), a.ss.SchemaUrl()))
	sp := a.span
	name := d.name(service, sp.Name())
	payload := e.spanPayload(sp, resource, scope, name)
	if payload == nil {
		return rejectf("of a span larger than 64 MiB encoded")
	}
	row := spanRow{
		start: int64(sp.StartTimestamp()), end: int64(sp.EndTimestamp()), spanID: sp.SpanID(), payload: payload,
		root: sp.ParentSpanID().IsEmpty(), isError: sp.Status().Code() == ptrace.StatusCodeError, name: name, service: service,
	}
	g := b.group(sp.TraceID())
	if a.kind == kindStop {
		g.spans = append(g.spans, row)
		b.spans++
		return nil
	}
	row.isError = false // an open span's status is not counted
	emitted := int64(lr.Timestamp())
	if emitted == 0 {
		emitted = int64(lr.ObservedTimestamp())
	}
	if emitted == 0 {
		emitted = now
	}
	g.opens = append(g.opens, openRow{spanRow: row, emitted: emitted, heard: now, frequency: int64(a.frequency)})
	b.opens++
	return nil
}
