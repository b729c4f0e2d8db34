package importer

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// ScopeName is the instrumentation scope given to spans and log records
// read from console output, which does not record their scope.
const ScopeName = "console-import"

// SinkError is the error Import returns when the sink fails, as opposed
// to reading the input.
type SinkError struct {
	Err error
}

func (e *SinkError) Error() string { return "sink: " + e.Err.Error() }

func (e *SinkError) Unwrap() error { return e.Err }

// batcher collects spans and log records into batches of at most max items
// each, grouped by resource, hands each full batch to the sink and keeps
// the report's counts.
type batcher struct {
	ctx  context.Context
	sink Sink
	max  int
	rep  *Report

	td     ptrace.Traces
	spans  int
	tgroup map[string]ptrace.SpanSlice // by resource key

	ld     plog.Logs
	logs   int
	lgroup map[string]plog.LogRecordSlice
}

func newBatcher(ctx context.Context, sink Sink, max int, rep *Report) *batcher {
	return &batcher{
		ctx: ctx, sink: sink, max: max, rep: rep,
		td: ptrace.NewTraces(), tgroup: make(map[string]ptrace.SpanSlice),
		ld: plog.NewLogs(), lgroup: make(map[string]plog.LogRecordSlice),
	}
}

// spanSlice returns where to append a console span with the resource ri,
// whose bytes are key: one ResourceSpans per resource in each batch.
func (b *batcher) spanSlice(key []byte, ri resourceInfo) ptrace.SpanSlice {
	if ss, ok := b.tgroup[string(key)]; ok {
		return ss
	}
	rs := b.td.ResourceSpans().AppendEmpty()
	ri.res.CopyTo(rs.Resource())
	rs.SetSchemaUrl(ri.schemaURL)
	sc := rs.ScopeSpans().AppendEmpty()
	sc.Scope().SetName(ScopeName)
	b.tgroup[string(key)] = sc.Spans()
	return sc.Spans()
}

// logSlice is spanSlice for log records.
func (b *batcher) logSlice(key []byte, ri resourceInfo) plog.LogRecordSlice {
	if ls, ok := b.lgroup[string(key)]; ok {
		return ls
	}
	rl := b.ld.ResourceLogs().AppendEmpty()
	ri.res.CopyTo(rl.Resource())
	rl.SetSchemaUrl(ri.schemaURL)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(ScopeName)
	b.lgroup[string(key)] = sl.LogRecords()
	return sl.LogRecords()
}

// spanAdded counts a span appended to a spanSlice, sending the batch when
// it is full.
func (b *batcher) spanAdded() error {
	if b.spans++; b.spans >= b.max {
		return b.flushTraces()
	}
	return nil
}

// logAdded is spanAdded for log records.
func (b *batcher) logAdded() error {
	if b.logs++; b.logs >= b.max {
		return b.flushLogs()
	}
	return nil
}

// flush sends both partial batches.
func (b *batcher) flush() error {
	if err := b.flushTraces(); err != nil {
		return err
	}
	return b.flushLogs()
}

func (b *batcher) flushTraces() error {
	n := b.spans
	if n == 0 {
		return nil
	}
	td := b.td
	b.td, b.spans = ptrace.NewTraces(), 0
	clear(b.tgroup)
	rejected, msg, err := b.sink.AppendTraces(b.ctx, td)
	return b.account(&b.rep.SpansImported, "span", n, rejected, msg, err)
}

func (b *batcher) flushLogs() error {
	n := b.logs
	if n == 0 {
		return nil
	}
	ld := b.ld
	b.ld, b.logs = plog.NewLogs(), 0
	clear(b.lgroup)
	rejected, msg, err := b.sink.AppendLogs(b.ctx, ld)
	return b.account(&b.rep.LogsImported, "log record", n, rejected, msg, err)
}

// account counts what the sink did with a batch of n items. Items of a
// batch the sink failed to take are rejected with its error, which is
// returned.
func (b *batcher) account(imported *int, what string, n, rejected int, msg string, err error) error {
	if err != nil {
		b.rep.reject(0, n, fmt.Sprintf("%s not imported: %v", count(n, what), err))
		return &SinkError{Err: err}
	}
	rejected = min(max(rejected, 0), n)
	*imported += n - rejected
	if rejected > 0 {
		if msg == "" {
			msg = "no reason given"
		}
		b.rep.reject(0, rejected, fmt.Sprintf("%d of %s rejected by the sink: %s", rejected, count(n, what), msg))
	}
	return nil
}

// abandon counts the items of both partial batches as rejected, after an
// error ends the import.
func (b *batcher) abandon(reason string) {
	if b.spans > 0 {
		b.rep.reject(0, b.spans, fmt.Sprintf("%s not imported: %s", count(b.spans, "span"), reason))
	}
	if b.logs > 0 {
		b.rep.reject(0, b.logs, fmt.Sprintf("%s not imported: %s", count(b.logs, "log record"), reason))
	}
	b.td, b.spans, b.ld, b.logs = ptrace.NewTraces(), 0, plog.NewLogs(), 0
	clear(b.tgroup)
	clear(b.lgroup)
}

// count writes "1 span", "2 spans".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
