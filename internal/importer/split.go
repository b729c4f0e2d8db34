package importer

import (
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// addTraces moves the spans of td into batches, keeping their resource and
// scope. A resource group that fits in the current batch moves whole;
// otherwise its spans are moved one by one under copies of their resource
// and scope, sending each batch as it fills.
func (b *batcher) addTraces(td ptrace.Traces) error {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		n := 0
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			n += rs.ScopeSpans().At(j).Spans().Len()
		}
		if n == 0 {
			continue
		}
		if n <= b.max-b.spans {
			rs.MoveTo(b.td.ResourceSpans().AppendEmpty())
			b.spans += n
			if b.spans >= b.max {
				if err := b.flushTraces(); err != nil {
					return err
				}
			}
			continue
		}
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			var dst ptrace.SpanSlice
			open := false
			for k := 0; k < ss.Spans().Len(); k++ {
				if !open {
					drs := b.td.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(drs.Resource())
					drs.SetSchemaUrl(rs.SchemaUrl())
					dss := drs.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(dss.Scope())
					dss.SetSchemaUrl(ss.SchemaUrl())
					dst, open = dss.Spans(), true
				}
				ss.Spans().At(k).MoveTo(dst.AppendEmpty())
				if b.spans++; b.spans >= b.max {
					if err := b.flushTraces(); err != nil {
						return err
					}
					open = false
				}
			}
		}
	}
	return nil
}

// addLogs is addTraces for log records.
func (b *batcher) addLogs(ld plog.Logs) error {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		n := 0
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			n += rl.ScopeLogs().At(j).LogRecords().Len()
		}
		if n == 0 {
			continue
		}
		if n <= b.max-b.logs {
			rl.MoveTo(b.ld.ResourceLogs().AppendEmpty())
			b.logs += n
			if b.logs >= b.max {
				if err := b.flushLogs(); err != nil {
					return err
				}
			}
			continue
		}
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			sl := rl.ScopeLogs().At(j)
			var dst plog.LogRecordSlice
			open := false
			for k := 0; k < sl.LogRecords().Len(); k++ {
				if !open {
					drl := b.ld.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(drl.Resource())
					drl.SetSchemaUrl(rl.SchemaUrl())
					dsl := drl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(dsl.Scope())
					dsl.SetSchemaUrl(sl.SchemaUrl())
					dst, open = dsl.LogRecords(), true
				}
				sl.LogRecords().At(k).MoveTo(dst.AppendEmpty())
				if b.logs++; b.logs >= b.max {
					if err := b.flushLogs(); err != nil {
						return err
					}
					open = false
				}
			}
		}
	}
	return nil
}
